from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import roles
from accounts.access import portal_page
from accounts.feedback import form_errors_text
from accounts.models import AccessLog
from accounts.ratelimit import client_address
from accounts.selectors import user_desks
from accounts.services import access_record
from config.cache import cache_status
from config.celery import broker_reachable
from fraud.models import Indicator
from fraud.selectors import case_indicators
from orders.services import buyer_record

from ..filters import QueueFilter
from ..forms import (
    BreakGlassForm,
    BulkTriageForm,
    CheckInForm,
    CloseForm,
    ContactRevealForm,
    DissuasionForm,
    HandOverForm,
    InterceptForm,
    InterceptionAnswerForm,
    ManualAlertForm,
    NoteForm,
    PlaybookForm,
    ReasonForm,
    ReferralForm,
    ReferralReceiptForm,
    ReleaseForm,
    ReviewForm,
    RiskAssessmentForm,
    StopPaymentAnswerForm,
    StopPaymentForm,
    TickForm,
)
from ..models import Alert, Playbook, PoliceUnit
from ..selectors import (
    alert_for_user,
    buyer_history,
    case_by_reference,
    case_for_user,
    case_workspace,
    colleagues_on_desk,
    emergency_action_for_reviewer,
    emergency_actions_reviewed,
    emergency_actions_to_review,
    heartbeat_status,
    interception_of_case,
    managers_summary,
    new_alert_counts,
    open_alerts_for,
    open_cases_to_merge_into,
    order_of_case_person,
    police_directory,
    police_unit_for_liaison,
    police_units_for_case,
    queue_page,
    referral_for_liaison,
    referrals_for_liaison,
    report_of_alert,
    stop_payment_for_liaison,
    stop_payment_packet,
    stop_payments_for_liaison,
)
from ..selectors.contact import same_phone_elsewhere
from ..services import (
    AlertAlreadyClaimed,
    AlertNotYours,
    CaseClosed,
    NotAllowed,
    alert_claim,
    alert_claim_next,
    alert_dismiss,
    alert_merge,
    alert_promote,
    alert_raise_by_hand,
    alerts_triage_in_bulk,
    case_add_note,
    case_assess_risk,
    case_attach_playbook,
    case_break_glass,
    case_close,
    case_escalate,
    case_hand_over,
    case_reopen,
    checkin_plan,
    checklist_tick,
    dissuasion_record,
    emergency_action_review,
    interception_record_answer,
    interception_release,
    order_intercept,
    police_refer,
    referral_record_receipt,
    report_note_add,
    stop_payment_answer,
    stop_payment_request,
    tomorrow_morning,
)


@portal_page(roles.WORK_QUEUE)
def queue(request: HttpRequest) -> HttpResponse:
    """The live triage queue. htmx polls it for its rows; the page counts what arrived since it
    was opened."""
    desks = user_desks(request.user)
    filters = QueueFilter(request.GET or None, queryset=open_alerts_for(desks), request=request)
    alerts, next_cursor = queue_page(filters.qs, after=request.GET.get("after", ""))
    since = _since(request)
    context = {
        "filters": filters,
        "alerts": alerts,
        "next_cursor": next_cursor,
        "desks": desks,
        "since": int(since.timestamp()),
        "arrived": new_alert_counts(desks, since=since),
        "now": timezone.now(),
        "bulk": request.user.has_perm(roles.TRIAGE_ANY),
        "dismiss_reasons": Alert.DismissReason.choices,
    }
    template = "interventions/_queue_live.html" if request.htmx else "interventions/queue.html"
    return render(request, template, context)


def _since(request: HttpRequest) -> datetime:
    try:
        return datetime.fromtimestamp(int(request.GET["since"]), tz=UTC)
    except (KeyError, ValueError, OverflowError):
        return timezone.now()


@portal_page(roles.TRIAGE_ANY)
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """Supervisors: dismiss the ticked alerts with one reason, or merge them into one case."""
    desks = user_desks(request.user)
    open_alerts = open_alerts_for(desks)
    form = BulkTriageForm(request.POST, alert_ids=[int(pk) for pk in request.POST.getlist("alerts") if pk.isdigit()])
    if not form.is_valid():
        messages.error(
            request, _("Not saved: %(errors)s") % {"errors": " ".join(e for errs in form.errors.values() for e in errs)}
        )
        return redirect(_back_to_queue(request))
    alerts = list(open_alerts.filter(pk__in=form.cleaned_data["alerts"]))
    case = case_for_user(request.user, form.cleaned_data["case"]) if form.cleaned_data["case"] else None
    if case is None and not form.cleaned_data["reason"]:
        messages.error(request, _("Choose a reason to dismiss, or a case to merge into."))
        return redirect(_back_to_queue(request))
    try:
        done = alerts_triage_in_bulk(alerts=alerts, by=request.user, reason=form.cleaned_data["reason"], case=case)
    except CaseClosed:
        messages.error(request, _("The case is closed: reopen it first."))
        return redirect(_back_to_queue(request))
    messages.success(request, _("%(done)d of %(total)d alerts done.") % {"done": done, "total": len(alerts)})
    return redirect(_back_to_queue(request))


@portal_page(roles.WORK_QUEUE)
@require_POST
def queue_next(request: HttpRequest) -> HttpResponse:
    """Claim the most urgent unclaimed alert of my desks and open it."""
    alert = alert_claim_next(by=request.user, desks=user_desks(request.user))
    if alert is None:
        messages.info(request, _("No unclaimed alerts on your desks."))
        return redirect("interventions:queue")
    return redirect("interventions:alert", pk=alert.pk)


@portal_page(roles.WORK_QUEUE)
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = alert_for_user(request.user, pk)
    desks = user_desks(request.user)
    context = {
        "alert": alert,
        "alert_messages": alert.messages.order_by("sent_at", "id"),
        "history": buyer_history(alert.buyer, exclude_alert=alert.pk),
        "same_phone": same_phone_elsewhere(alert.buyer, desks=desks),
        "reveal_form": ContactRevealForm(),
        "cases": open_cases_to_merge_into(alert) if alert.is_open else [],
        "dismiss_reasons": Alert.DismissReason.choices,
        "my_desks": desks,
        "report": report_of_alert(alert) if alert.source == "merchant_report" else None,
    }
    return render(request, "interventions/alert_detail.html", context)


@portal_page(roles.WORK_QUEUE)
@require_POST
def alert_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Claim, dismiss, promote or merge one alert. The service decides who may; a refusal is told
    to the person, who may have lost a race for the alert."""
    alert = alert_for_user(request.user, pk)
    handler = _ALERT_ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        target = handler(request, alert)
    except AlertAlreadyClaimed as refused:
        claimant = refused.alert.claimed_by
        if claimant is not None and refused.alert.status == Alert.Status.CLAIMED:
            messages.error(request, _("%(name)s claimed this alert first.") % {"name": claimant})
        else:
            messages.error(request, _("This alert has already left the queue."))
        target = redirect("interventions:alert", pk=alert.pk)
    except AlertNotYours as refused:
        messages.error(request, _("%(name)s is working this alert.") % {"name": refused.alert.claimed_by})
        target = redirect("interventions:alert", pk=alert.pk)
    except (CaseClosed, ValueError, KeyError):
        messages.error(request, _("That did not work: choose an open case and a reason."))
        target = redirect("interventions:alert", pk=alert.pk)
    return target


def _claim(request: HttpRequest, alert: Alert) -> HttpResponse:
    alert_claim(alert=alert, by=request.user)
    messages.success(request, _("You claimed the alert."))
    if request.POST.get("stay") == "queue":
        return redirect(_back_to_queue(request))
    return redirect("interventions:alert", pk=alert.pk)


def _dismiss(request: HttpRequest, alert: Alert) -> HttpResponse:
    alert_dismiss(alert=alert, by=request.user, reason=request.POST["reason"])
    messages.success(request, _("The alert was dismissed."))
    return redirect("interventions:queue")


def _promote(request: HttpRequest, alert: Alert) -> HttpResponse:
    case = alert_promote(alert=alert, by=request.user, title=request.POST.get("title", "").strip())
    return redirect("interventions:case", pk=case.pk)


def _merge(request: HttpRequest, alert: Alert) -> HttpResponse:
    case = case_for_user(request.user, int(request.POST["case"]))
    alert_merge(alert=alert, case=case, by=request.user)
    return redirect("interventions:case", pk=case.pk)


def _reply(request: HttpRequest, alert: Alert) -> HttpResponse:
    """Write to the shop that reported the alert; they see it on their report page."""
    report = report_of_alert(alert)
    if report is None:
        raise Http404
    report_note_add(report=report, by=request.user, text=request.POST.get("text", ""), from_platform=True)
    messages.success(request, _("Sent to %(shop)s.") % {"shop": report.merchant})
    return redirect("interventions:alert", pk=alert.pk)


_ALERT_ACTIONS = {"claim": _claim, "dismiss": _dismiss, "promote": _promote, "merge": _merge, "reply": _reply}


def _back_to_queue(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/queue/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("interventions:queue")


BREAK_GLASS_FOR = 3600  # seconds a break-glass grant lets its user read the case


def break_glass_grants(request: HttpRequest) -> list[int]:
    """The cases this session may read outside its desks, by break-glass, still in time."""
    now = timezone.now().timestamp()
    return [int(pk) for pk, until in request.session.get("break_glass", {}).items() if until > now]


@portal_page(roles.WORK_QUEUE)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk, granted=break_glass_grants(request))
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
    context = {
        "case": case,
        "alerts": case.alerts.select_related("claimed_by").prefetch_related("messages").order_by("created_at"),
        "events": case.events.select_related("actor"),
        "work": case_workspace(case),
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
        "answer_statuses": InterceptionAnswerForm.base_fields["status"].choices,
        "close_form": CloseForm(),
        "dissuasion_form": DissuasionForm(),
        "stop_payment_form": StopPaymentForm(
            initial={"reported_at": timezone.localtime(), "paid_at": timezone.localtime()}
        ),
        "zone": zone,
        "indicator_kinds": Indicator.Kind.choices,
        "my_desks": desks,
        "may_hold": request.user.has_perm(roles.PLACE_LEGAL_HOLD),
    }
    return render(request, "interventions/case_detail.html", context)


@portal_page(roles.WORK_QUEUE)
def break_glass(request: HttpRequest) -> HttpResponse:
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
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
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
        except CaseClosed:
            messages.error(request, _("The case is closed: reopen it first."))
        except (ValueError, NotAllowed) as refused:
            messages.error(request, _("Not saved: %(errors)s") % {"errors": refused})
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
def stop_payment_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The packet an anti-fraud centre needs to stop a payment, laid out for print or PDF."""
    stop = stop_payment_packet(request.user, pk)
    context = {"stop": stop, "indicators": case_indicators(case=stop.case), "now": timezone.now()}
    return render(request, "interventions/stop_payment_packet.html", context)


@portal_page(roles.WORK_QUEUE)
def police_units(request: HttpRequest) -> HttpResponse:
    """The liaison directory: police units and anti-fraud centres by region, with 24h phones."""
    return render(request, "interventions/police_units.html", {"regions": police_directory()})


@portal_page(roles.REVIEW_EMERGENCY_ACTIONS)
def reviews(request: HttpRequest) -> HttpResponse:
    """The emergency actions taken without approval, waiting for a supervisor's look."""
    context = {"pending": emergency_actions_to_review(), "reviewed": emergency_actions_reviewed()}
    return render(request, "interventions/reviews.html", context)


@portal_page(roles.REVIEW_EMERGENCY_ACTIONS)
@require_POST
def review_act(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReviewForm(request.POST)
    if form.is_valid():
        emergency_action_review(
            action=emergency_action_for_reviewer(pk),
            by=request.user,
            confirmed=form.cleaned_data["decision"] == "confirm",
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Review recorded."))
    else:
        messages.error(request, _("Not saved: %(errors)s") % {"errors": form_errors_text(form)})
    return redirect("interventions:reviews")


@portal_page(roles.WORK_QUEUE)
def alert_new(request: HttpRequest) -> HttpResponse:
    """Raise an alert by hand: a phone call, a report that came from outside the platform."""
    form = ManualAlertForm(request.POST or None, initial={"desk": next(iter(user_desks(request.user)), None)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        buyer = buyer_record(account_ref=data["buyer_ref"]) if data["buyer_ref"] else None
        alert_raise_by_hand(
            by=request.user,
            desk=data["desk"],
            severity=data["severity"],
            summary=data["summary"],
            text=data["text"],
            buyer=buyer,
        )
        messages.success(request, _("The alert is in the queue."))
        return redirect("interventions:queue")
    return render(request, "interventions/alert_new.html", {"form": form})


@portal_page(roles.VIEW_SUMMARY)
def summary(request: HttpRequest) -> HttpResponse:
    return render(request, "interventions/summary.html", {"summary": managers_summary()})


@portal_page(roles.USE_LIAISON_PORTAL)
def liaison_home(request: HttpRequest) -> HttpResponse:
    context = {
        "unit": police_unit_for_liaison(request.user),
        "referrals": referrals_for_liaison(request.user)[:100],
        "stop_payments": stop_payments_for_liaison(request.user)[:100],
        "stop_statuses": StopPaymentAnswerForm.base_fields["status"].choices,
        "now": timezone.now(),
        "statuses": ReferralReceiptForm.base_fields["status"].choices,
    }
    return render(request, "interventions/liaison_home.html", context)


@portal_page(roles.USE_LIAISON_PORTAL)
@require_POST
def stop_payment_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The anti-fraud centre answers a stop-payment: received, frozen (how much), or too late."""
    stop = stop_payment_for_liaison(request.user, pk)
    form = StopPaymentAnswerForm(request.POST)
    if form.is_valid():
        try:
            stop_payment_answer(request=stop, by=request.user, **form.cleaned_data)
            messages.success(request, _("Recorded. The specialist sees it on the case."))
        except ValidationError:
            messages.error(request, _("A freeze needs the amount frozen."))
    return redirect("interventions:liaison_home")


@portal_page(roles.USE_LIAISON_PORTAL)
@require_POST
def referral_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The liaison records that the unit received a referral, or how it ended."""
    referral = referral_for_liaison(request.user, pk)
    form = ReferralReceiptForm(request.POST)
    if form.is_valid():
        referral_record_receipt(referral=referral, by=request.user, **form.cleaned_data)
        messages.success(request, _("Recorded. The specialist sees it on the case."))
    return redirect("interventions:liaison_home")


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the database answers (or this fails with 500), whether
    the broker and the cache answer, and when the worker last beat. A broker or cache that is down
    still answers 200: intake stores messages without them, so the web host stays in service."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = heartbeat_status()
    return JsonResponse(
        {
            "database": "ok",
            "broker": "ok" if broker_reachable() else "down",
            "cache": cache_status(),
            "worker": "stale" if beat["is_stale"] else "ok",
            "last_beat_at": beat["last_beat_at"].isoformat() if beat["last_beat_at"] else None,
        }
    )
