from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import AccessLog


class LoginForm(AllauthLoginForm):
    """django-allauth's login form, labelled as the rest of the portal."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email")
        self.fields["login"].widget.attrs.update({"autofocus": True, "autocomplete": "username", "placeholder": ""})
        self.fields["password"].label = _("Password")
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.update({"placeholder": ""})


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class ExportForm(forms.Form):
    """Why data is being taken out of the portal: every export is in the access log with it."""

    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[(value, label) for value, label in AccessLog.Purpose.choices if value != AccessLog.Purpose.EMERGENCY],
    )
