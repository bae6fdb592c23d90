"""The audit trail for supervisors and managers: one object's history, and a search across it."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page

from ..audit import ACTIONS, AUDITED, audit_entries, audit_model


class AuditSearchForm(forms.Form):
    what = forms.ChoiceField(label=_("What"), choices=[(key, label) for key, (label, _model) in AUDITED.items()])
    object_id = forms.IntegerField(label=_("Object id"), required=False, min_value=1)
    who = forms.EmailField(label=_("By (email)"), required=False)
    since = forms.DateTimeField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateTimeField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@portal_page(roles.VIEW_SUMMARY)
def audit_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who changed what, when and why, with the fields each change moved."""
    form = AuditSearchForm(request.GET or {"what": "case"})
    entries = []
    if form.is_valid():
        data = form.cleaned_data
        entries = audit_entries(
            data["what"], object_id=data["object_id"], who=data["who"], since=data["since"], until=data["until"]
        )
    context = {"form": form, "entries": entries, "actions": ACTIONS}
    return render(request, "interventions/audit.html", context)


@portal_page(roles.VIEW_SUMMARY)
def object_history(request: AuthenticatedHttpRequest, what: str, pk: int) -> HttpResponse:
    """One object's whole history, newest first."""
    if what not in AUDITED:
        raise Http404
    entries = audit_entries(what, object_id=pk, limit=500)
    if not entries and not audit_model(what).objects.filter(pk=pk).exists():
        raise Http404
    context = {"entries": entries, "actions": ACTIONS, "what": AUDITED[what][0], "object_id": pk}
    return render(request, "interventions/object_history.html", context)
