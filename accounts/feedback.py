"""How a page tells a person what was wrong with what they sent."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from .refusals import NotYours, Refused


def form_errors_text(form: forms.Form) -> str:
    """Every error of a form on one line, each after its field's label, for a flash message."""
    return "; ".join(
        f"{(form.fields[name].label or '') if name in form.fields else ''} {' '.join(map(str, errors))}".strip()
        for name, errors in form.errors.items()
    )


def refusal_told(request: HttpRequest, refused: Refused) -> None:
    """A service's refusal, told on the next page in its own (translated) words; what is not the
    asker's is not found, as if it did not exist."""
    if isinstance(refused, NotYours):
        raise Http404
    messages.error(request, _("Not saved: %(errors)s") % {"errors": refused})
