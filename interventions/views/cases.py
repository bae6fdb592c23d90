"""The case list and its saved views, a supervisor's hand-over of many cases, the case workspace:
the case page, its actions, break-glass reading, the stop-payment letter and the police directory."""

from datetime import UTC, datetime
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import ChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page
from accounts.feedback import form_errors_text, refusal_told
from accounts.models import AccessLog, Desk
from accounts.ratelimit import client_address
from accounts.refusals import Refused
from accounts.selectors import user_desks
from accounts.services import access_record
from fraud.models import Indicator

from ..filters import CaseListFilter
from ..forms import (
    BreakGlassForm,
    BulkHandOverForm,
    CheckInForm,
    CloseForm,
    ContactRevealForm,
    DissuasionForm,
    HandOverForm,
    InterceptForm,
    InterceptionAnswerForm,
    NoteForm,
    PlaybookForm,
    ReasonForm,
    ReferralForm,
    ReleaseForm,
    RiskAssessmentForm,
    StopPaymentForm,
    TickForm,
)
from ..models import Case, Playbook, PoliceUnit
from ..selectors import (
    CaseView,
    break_glass_reading,
    case_by_reference,
    case_for_user,
    case_indicators,
    case_list,
    case_list_page,
    case_timeline,
    case_view_counts,
    case_view_default,
    case_workspace,
    colleagues_on_desk,
    first_action_clock,
    interception_of_case,
    open_cases_on_desks,
    order_of_case_person,
    playbooks_on_desks,
    police_directory,
    police_units_for_case,
    staff_on_desks,
    stop_payment_draft,
    stop_payment_packet,
)
from ..selectors.contact import same_phone_elsewhere
from ..services import (
    case_add_note,
    case_assess_risk,
    case_attach_playbook,
    case_break_glass,
    case_close,
    case_escalate,
    case_hand_over,
    case_reopen,
    cases_hand_over,
    checkin_plan,
    checklist_tick,
    dissuasion_record,
    interception_record_answer,
    interception_release,
    order_intercept,
    police_refer,
    stop_payment_request,
    tomorrow_morning,
)

BREAK_GLASS_FOR = 3600  # seconds a break-glass grant lets its user read the case


def break_glass_grants(request: HttpRequest) -> dict[int, datetime]:
    """The cases this session may read outside its desks, by break-glass, still in time, each
    with the end of its grant."""
    now = timezone.now().timestamp()
    return {
        int(pk): datetime.fromtimestamp(until, tz=UTC)
        for pk, until in request.session.get("break_glass", {}).items()
        if until > now
    }


@portal_page(roles.WORK_QUEUE)
def cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The case list: one saved view of the user's desks (?view=), filtered, highest risk first,
    then the oldest unanswered clock; each view's count on its tab."""
    desks, now = user_desks(request.user), timezone.now()
    view = request.GET.get("view", "")
    if view not in CaseView.values:
        view = case_view_default(request.user)
    staff = staff_on_desks(desks)
    filters = CaseListFilter(
        request.GET or None,
        queryset=case_list(desks, view, user=request.user, now=now),
        request=request,
        desks=desks,
        staff=staff,
        playbooks=playbooks_on_desks(desks),
    )
    rows, next_cursor = case_list_page(filters.qs, now=now, after=request.GET.get("after", ""))
    counts = case_view_counts(request.user, desks, now=now)
    may_hand_over = request.user.has_perm(roles.TRIAGE_ANY)
    context = {
        "view": view,
        "views": [(key, label, counts[key]) for key, label in CaseView.choices],
        "filters": filters,
        "rows": rows,
        "next_cursor": next_cursor,
        "desks": desks,
        "now": now,
        "hand_over": may_hand_over,
        # The staff listed once, for the owner filter and the hand-over's two choices.
        "staff": list(staff) if may_hand_over else [],
        # The navigation's count, which this page has already read.
        "my_open_cases": counts[CaseView.MINE],
    }
    return render(request, "interventions/cases.html", context)


@portal_page(roles.TRIAGE_ANY)
@require_POST
def cases_hand_over_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A supervisor hands the ticked cases, or every open case of one person, to a colleague of
    the desk, with one note on every case's timeline."""
    desks = user_desks(request.user)
    staff = staff_on_desks(desks)
    form = BulkHandOverForm(request.POST, cases=open_cases_on_desks(desks), staff=staff)
    if not form.is_valid():
        messages.error(request, _("Not saved: %(errors)s") % {"errors": form_errors_text(form)})
        return redirect(_back_to_cases(request))
    data = form.cleaned_data
    chosen = list(data["cases"] or open_cases_on_desks(desks, owner=data["of"]))
    if not chosen:
        messages.info(request, _("%(name)s has no open cases to hand over.") % {"name": data["of"]})
        return redirect(_back_to_cases(request))
    try:
        handed = cases_hand_over(cases=chosen, by=request.user, to=data["to"], note=data["note"])
    except Refused as refused:
        refusal_told(request, refused)
        return redirect(_back_to_cases(request))
    if handed:
        messages.success(
            request,
            ngettext("%(count)d case handed over to %(name)s.", "%(count)d cases handed over to %(name)s.", len(handed))
            % {"count": len(handed), "name": data["to"]},
        )
    else:
        messages.info(request, _("Nothing to hand over: %(name)s already owns them.") % {"name": data["to"]})
    return redirect(_back_to_cases(request))


def _back_to_cases(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/cases/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("interventions:cases")


@portal_page(roles.WORK_QUEUE)
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The case workspace. Read through break-glass, it shows why and until when, and no form
    to act: the actions refuse a case outside one's desks."""
    grants = break_glass_grants(request)
    case = case_for_user(request.user, pk, granted=grants)
    desks = user_desks(request.user)
    access_record(
        user=request.user,
        action=AccessLog.Action.VIEW,
        obj=case,
        purpose=AccessLog.Purpose.CASEWORK if case.desk in desks else AccessLog.Purpose.EMERGENCY,
        address=client_address(request),
    )
    zone = case.buyer.time_zone if case.buyer else settings.TIME_ZONE
    day, at = tomorrow_morning(zone)
    alerts = case.alerts.select_related("claimed_by").prefetch_related("messages").order_by("created_at")
    work = case_workspace(case)
    context = {
        "case": case,
        "break_glass": break_glass_reading(request.user, case, desks=desks, until=grants.get(case.pk)),
        "alerts": alerts,
        "events": case_timeline(case, read=[*work["assessments"], *work["interceptions"], *work["referrals"]]),
        "work": work,
        "first_action": first_action_clock(case) if case.status != Case.Status.CLOSED else None,
        "same_phone": same_phone_elsewhere(case.buyer, desks=desks),
        "reveal_form": ContactRevealForm(outside_desk=case.desk not in desks),
        "units": police_units_for_case(case),
        "colleagues": colleagues_on_desk(case),
        "assess_form": RiskAssessmentForm(),
        "checkin_form": CheckInForm(
            initial={
                "local_day": day,
                "local_time": at,
                "channel": "chat",
                "text": _("Good morning. How are you today?"),
            }
        ),
        "answer_statuses": cast(ChoiceField, InterceptionAnswerForm.base_fields["status"]).choices,
        "close_form": CloseForm(case=case),
        "dissuasion_form": DissuasionForm(),
        "stop_payment_form": StopPaymentForm(
            initial=stop_payment_draft(alerts=alerts, indicators=work["indicators"], now=timezone.now())
        )
        if case.desk == Desk.FRAUD
        else None,
        "zone": zone,
        "indicator_kinds": Indicator.Kind.choices,
        "my_desks": desks,
        "may_hold": request.user.has_perm(roles.PLACE_LEGAL_HOLD),
    }
    return render(request, "interventions/case_detail.html", context)


@portal_page(roles.WORK_QUEUE)
def break_glass(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Read a case outside one's desks in an emergency, with a written reason: logged, and the
    case's supervisor on duty is told. The grant is for reading, for an hour, in this session."""
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = case_by_reference(form.cleaned_data["reference"])
        if case is None:
            form.add_error("reference", _("No case has this reference."))
        else:
            case_break_glass(
                case=case, by=request.user, reason=form.cleaned_data["reason"], address=client_address(request)
            )
            grants = request.session.get("break_glass", {})
            grants[str(case.pk)] = timezone.now().timestamp() + BREAK_GLASS_FOR
            request.session["break_glass"] = grants
            return redirect("interventions:case", pk=case.pk)
    return render(request, "interventions/break_glass.html", {"form": form}, status=400 if form.errors else 200)


@portal_page(roles.WORK_QUEUE)
@require_POST
def case_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One action on a case, through its service. Bad input is told, and nothing is written."""
    case = case_for_user(request.user, pk)
    handler = _CASE_ACTIONS.get(action)
    if handler is None:
        raise Http404
    form_class, act = handler
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not saved: %(errors)s") % {"errors": form_errors_text(form)})
    else:
        try:
            act(request, case, form.cleaned_data)
        except Refused as refused:
            refusal_told(request, refused)
    return redirect("interventions:case", pk=case.pk)


def _assess(request, case, data) -> None:
    factors = data.pop("factors")
    note = data.pop("note")
    assessment = case_assess_risk(case=case, by=request.user, cssrs=data, factors=factors, note=note)
    messages.success(request, _("Risk rated: %(level)s.") % {"level": assessment.get_level_display()})


def _intercept(request, case, data) -> None:
    order = order_of_case_person(case, data["order"])
    order_intercept(case=case, order=order, by=request.user, note=data["note"])
    messages.success(request, _("Interception requested from %(shop)s.") % {"shop": order.merchant})


def _answer(request, case, data) -> None:
    interception = interception_of_case(case, data["interception"])
    interception_record_answer(
        interception=interception,
        by=request.user,
        status=data["status"],
        note=data["note"],
        tracking_no=data["tracking_no"],
    )


def _release(request, case, data) -> None:
    interception = interception_of_case(case, data["interception"])
    interception_release(interception=interception, by=request.user, reason=data["reason"])
    messages.success(request, _("The order may ship again; the shop and the order system are told."))


def _refer(request, case, data) -> None:
    unit = get_object_or_404(PoliceUnit, pk=data["unit"], is_active=True)
    police_refer(
        case=case, unit=unit, by=request.user, what_reported=data["what_reported"], reference_no=data["reference_no"]
    )
    messages.success(request, _("Referral to %(unit)s recorded.") % {"unit": unit})


def _stop_payment(request, case, data) -> None:
    unit = get_object_or_404(PoliceUnit, pk=data.pop("unit"), is_active=True)
    stop_payment_request(case=case, unit=unit, by=request.user, **data)
    messages.success(request, _("Stop-payment sent to %(unit)s: the clock runs.") % {"unit": unit})


def _checkin(request, case, data) -> None:
    checkin_plan(case=case, by=request.user, **data)
    messages.success(request, _("Check-in planned."))


_CASE_ACTIONS = {
    "assess": (RiskAssessmentForm, _assess),
    "intercept": (InterceptForm, _intercept),
    "answer": (InterceptionAnswerForm, _answer),
    "release": (ReleaseForm, _release),
    "refer": (ReferralForm, _refer),
    "checkin": (CheckInForm, _checkin),
    "stop_payment": (StopPaymentForm, _stop_payment),
    "dissuade": (DissuasionForm, lambda r, c, d: dissuasion_record(case=c, by=r.user, **d)),
    "escalate": (ReasonForm, lambda r, c, d: case_escalate(case=c, by=r.user, reason=d["reason"])),
    "handover": (
        HandOverForm,
        lambda r, c, d: case_hand_over(
            case=c, by=r.user, to=get_object_or_404(colleagues_on_desk(c), pk=d["to"]), note=d["note"]
        ),
    ),
    "note": (NoteForm, lambda r, c, d: case_add_note(case=c, by=r.user, text=d["text"])),
    "close": (CloseForm, lambda r, c, d: case_close(case=c, by=r.user, outcome=d["outcome"], summary=d["summary"])),
    "reopen": (ReasonForm, lambda r, c, d: case_reopen(case=c, by=r.user, reason=d["reason"])),
    "playbook": (
        PlaybookForm,
        lambda r, c, d: case_attach_playbook(case=c, by=r.user, playbook=get_object_or_404(Playbook, pk=d["playbook"])),
    ),
    "tick": (TickForm, lambda r, c, d: checklist_tick(case=c, by=r.user, step=d["step"])),
}


@login_required
def stop_payment_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The packet an anti-fraud centre needs to stop a payment, laid out for print or PDF."""
    stop = stop_payment_packet(request.user, pk)
    context = {"stop": stop, "indicators": case_indicators(case=stop.case), "now": timezone.now()}
    return render(request, "interventions/stop_payment_packet.html", context)


@portal_page(roles.WORK_QUEUE)
def police_units(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The liaison directory: police units and anti-fraud centres by region, with 24h phones."""
    return render(request, "interventions/police_units.html", {"regions": police_directory()})
