from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import AccessLog


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class ExportForm(forms.Form):
    """Why data is being taken out of the portal: every export is in the access log with it."""

    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[(value, label) for value, label in AccessLog.Purpose.choices if value != AccessLog.Purpose.EMERGENCY],
    )
