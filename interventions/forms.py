from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Desk

from .choices import Severity
from .services import MAX_TEXT_LENGTH


class ManualAlertForm(forms.Form):
    """A signal that reached a specialist outside the platform's traffic: a phone call, a report
    from a partner, a colleague's message."""

    desk = forms.ChoiceField(label=_("Desk"), choices=Desk.choices)
    severity = forms.TypedChoiceField(
        label=_("Severity"),
        choices=[(value, label) for value, label in reversed(Severity.choices) if value > Severity.NONE],
        coerce=int,
        initial=Severity.HIGH,
        help_text=_("When the scanner rates the text higher, its rating is used."),
    )
    summary = forms.CharField(label=_("In one line"), max_length=300)
    text = forms.CharField(
        label=_("What was said or reported"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The scanner marks the terms it knows in this text."),
    )
    buyer_ref = forms.CharField(
        label=_("Platform account of the person"),
        max_length=64,
        required=False,
        help_text=_("Leave empty when not known."),
    )
