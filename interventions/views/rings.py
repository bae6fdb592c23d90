"""The anti-fraud desk's pages: a case's ring (graph, tables, bulk actions, export) and each
indicator with where it was seen. Thin: the reads are selectors, the writes services."""

from typing import cast

from django.contrib import messages
from django.forms import ChoiceField
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page, recent_authentication_ensure
from accounts.exports import csv_download, json_download
from accounts.feedback import form_errors_text, refusal_told
from accounts.forms import ExportForm
from accounts.models import AccessLog
from accounts.ratelimit import client_address
from accounts.refusals import Refused
from accounts.selectors import user_desks
from accounts.services import access_record
from fraud.forms import BlockForm, IndicatorAddForm, RingBlockForm, RingMergeForm, RingReferForm
from fraud.selectors import indicator_for_user
from fraud.services import indicator_block, indicator_unblock
from interventions.models import Case, PoliceUnit
from interventions.selectors import (
    Ring,
    case_for_user,
    indicator_seen_in,
    police_units_for_case,
    ring_evidence,
    ring_evidence_rows,
    ring_for_case,
    ring_graph,
    ring_report_draft,
)
from interventions.services import (
    case_indicator_add,
    indicators_block,
    ring_export_record,
    ring_merge,
    ring_refer,
)

UNBLOCK = "fraud.change_indicator"


@portal_page(roles.WORK_QUEUE)
def ring(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The ring around a case: the cases linked to it through shared indicators, two hops out,
    drawn and tabled, with the actions on the ring as a whole."""
    case = case_for_user(request.user, pk)
    the_ring = ring_for_case(case)
    cases = sorted(the_ring.cases.values(), key=lambda c: c.pk)
    anchor = _anchor(case, the_ring)
    context = {
        "case": case,
        "ring": the_ring,
        "cases": cases,
        "anchor": anchor,
        "graph": ring_graph(the_ring, root=case),
        "indicators": the_ring.all_indicators(),
        "centres": [u for u in police_units_for_case(case) if u.kind == PoliceUnit.Kind.ANTI_FRAUD_CENTRE],
        "report_draft": ring_report_draft(the_ring),
        "export_purposes": cast(ChoiceField, ExportForm.base_fields["purpose"]).choices,
        "merge_title": _("Ring of %(n)d cases linked from %(reference)s")
        % {"n": len(cases), "reference": case.reference},
    }
    return render(request, "fraud/ring.html", context)


def _anchor(case: Case, the_ring: Ring) -> Case:
    """The case a ring's referral is made on: its ring case when it has one, else this case."""
    if case.ring_id is None:
        return case
    return the_ring.cases.get(case.ring_id) or case


@portal_page(roles.WORK_QUEUE)
@require_POST
def ring_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One action on the whole ring: merge its cases, blocklist its indicators, refer it."""
    case = case_for_user(request.user, pk)
    handler = _RING_ACTIONS.get(action)
    if handler is None:
        raise Http404
    the_ring = ring_for_case(case)
    form = handler[0](request.POST, ring=the_ring)
    if not form.is_valid():
        messages.error(request, _("Not saved: %(errors)s") % {"errors": form_errors_text(form)})
        return redirect("fraud:ring", pk=case.pk)
    try:
        target = handler[1](request, case, the_ring, form.cleaned_data)
    except Refused as refused:
        refusal_told(request, refused)
        target = None
    return redirect("interventions:case", pk=target.pk) if target else redirect("fraud:ring", pk=case.pk)


def _merge(request, case, the_ring, data) -> Case:
    chosen = [the_ring.cases[pk] for pk in data["cases"]]
    ring_case = ring_merge(cases=chosen, by=request.user, reason=data["reason"], title=data["title"])
    messages.success(request, _("Merged into the ring case %(reference)s.") % {"reference": ring_case.reference})
    return ring_case


def _block(request, case, the_ring, data) -> None:
    chosen = [the_ring.indicators[pk] for pk in data["indicators"]]
    newly = indicators_block(indicators=chosen, case=case, by=request.user, reason=data["reason"])
    messages.success(request, _("%(n)d indicators blocklisted.") % {"n": len(newly)})


def _refer(request, case, the_ring, data) -> None:
    unit = get_object_or_404(PoliceUnit, pk=data["unit"], is_active=True)
    anchor = _anchor(case, the_ring)
    ring_refer(
        ring=the_ring,
        case=anchor,
        unit=unit,
        by=request.user,
        what_reported=data["what_reported"],
        reference_no=data["reference_no"],
    )
    messages.success(
        request, _("The ring (%(n)d cases) was referred to %(unit)s as one.") % {"n": len(the_ring.cases), "unit": unit}
    )


_RING_ACTIONS = {
    "merge": (RingMergeForm, _merge),
    "block": (RingBlockForm, _block),
    "refer": (RingReferForm, _refer),
}


@portal_page(roles.WORK_QUEUE)
@require_POST
def ring_export(request: AuthenticatedHttpRequest, pk: int, file_format: str) -> HttpResponse:
    """The ring's evidence as a file for an anti-fraud centre, with a purpose. Each export is on
    the timeline and in the access log."""
    if file_format not in ("csv", "json"):
        raise Http404
    case = case_for_user(request.user, pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not exported: %(errors)s") % {"errors": form_errors_text(form)})
        return redirect("fraud:ring", pk=case.pk)
    recent_authentication_ensure(request)
    the_ring = ring_for_case(case)
    evidence = ring_evidence(the_ring, root=case)
    ring_export_record(
        ring=the_ring,
        case=case,
        by=request.user,
        file_format=file_format,
        purpose=form.cleaned_data["purpose"],
        address=client_address(request),
    )
    name = f"ring-{case.reference}.{file_format}"
    if file_format == "json":
        return json_download(name, evidence)
    return csv_download(name, ring_evidence_rows(evidence))


@portal_page(roles.WORK_QUEUE)
@require_POST
def case_indicator_add_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)
    form = IndicatorAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not saved: %(errors)s") % {"errors": form_errors_text(form)})
    else:
        try:
            sighting = case_indicator_add(
                case=case, kind=form.cleaned_data["kind"], raw=form.cleaned_data["value"], by=request.user
            )
        except Refused as refused:
            refusal_told(request, refused)
        else:
            messages.success(request, _("Indicator added: %(value)s.") % {"value": sighting.indicator.value})
    return redirect("interventions:case", pk=case.pk)


@portal_page(roles.WORK_QUEUE)
def indicator(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One indicator: whether it is blocklisted, by whom and why, and every alert and case of the
    reader's desks it was seen in. Only an indicator seen on one of those desks opens; each
    opening is in the access log, as the value may be a person's phone number."""
    item = indicator_for_user(request.user, pk)
    access_record(
        user=request.user,
        action=AccessLog.Action.VIEW,
        obj=item,
        # The label names the row, not the value: the log must not become a list of phone numbers.
        object_label=f"{item.kind} #{item.pk}",
        purpose=AccessLog.Purpose.CASEWORK,
        address=client_address(request),
    )
    context = {
        "indicator": item,
        "seen": indicator_seen_in(item, desks=user_desks(request.user)),
        "my_desks": user_desks(request.user),
        "can_block": "fraud" in user_desks(request.user),
        "can_unblock": request.user.has_perm(UNBLOCK),
        "history": item.history.select_related("history_user")[:20],
    }
    return render(request, "fraud/indicator.html", context)


@portal_page(roles.WORK_QUEUE)
@require_POST
def indicator_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Blocklist an indicator (anyone on the anti-fraud desk), or take it off (supervisors)."""
    item = indicator_for_user(request.user, pk)
    allowed = {"block": "fraud" in user_desks(request.user), "unblock": request.user.has_perm(UNBLOCK)}
    if not allowed.get(action):
        raise Http404
    form = BlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not saved: %(errors)s") % {"errors": form_errors_text(form)})
    elif action == "block":
        indicator_block(indicator=item, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Blocklisted: new messages carrying it raise an alert at once."))
    else:
        indicator_unblock(indicator=item, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Taken off the blocklist."))
    return redirect("fraud:indicator", pk=item.pk)
