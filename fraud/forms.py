from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Indicator


class IndicatorAddForm(forms.Form):
    """An indicator a specialist learned outside the messages: read out on the phone, in a
    screenshot, from the police."""

    kind = forms.ChoiceField(label=_("kind"), choices=Indicator.Kind.choices)
    value = forms.CharField(label=_("value"), max_length=500)


class BlockForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=300)


class RingForm(forms.Form):
    """An action on a whole ring: the cases and indicators it names must be the ring's own."""

    def __init__(self, *args, ring, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ring = ring


class RingBlockForm(RingForm):
    indicators = forms.TypedMultipleChoiceField(label=_("Indicators"), coerce=int, choices=())
    reason = forms.CharField(label=_("Why"), max_length=300)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicators"]).choices = [(pk, str(pk)) for pk in self.ring.indicators]


class RingMergeForm(RingForm):
    cases = forms.TypedMultipleChoiceField(label=_("cases"), coerce=int, choices=())
    title = forms.CharField(label=_("Title of the ring case"), max_length=200)
    reason = forms.CharField(label=_("Why these cases are one ring"), max_length=1000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["cases"]).choices = [(pk, str(pk)) for pk in self.ring.cases]


class RingReferForm(RingForm):
    unit = forms.IntegerField(label=_("Anti-fraud centre"))
    what_reported = forms.CharField(label=_("What was reported"), widget=forms.Textarea(attrs={"rows": 6}))
    reference_no = forms.CharField(label=_("police reference number"), required=False, max_length=64)
