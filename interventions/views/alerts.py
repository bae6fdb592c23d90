"""The triage queue and the alert pages: claim, dismiss, promote, merge, reply, and raising an
alert by hand."""

from datetime import UTC, datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.access import AuthenticatedHttpRequest, portal_page
from accounts.selectors import user_desks
from orders.services import buyer_record

from ..filters import QueueFilter
from ..forms import (
    BulkTriageForm,
    ContactRevealForm,
    ManualAlertForm,
)
from ..models import Alert
from ..selectors import (
    alert_for_user,
    alert_indicators,
    buyer_history,
    case_for_user,
    new_alert_counts,
    open_alerts_for,
    open_cases_to_merge_into,
    queue_page,
    report_of_alert,
)
from ..selectors.contact import same_phone_elsewhere
from ..services import (
    AlertAlreadyClaimed,
    AlertNotYours,
    CaseClosed,
    alert_claim,
    alert_claim_next,
    alert_dismiss,
    alert_merge,
    alert_promote,
    alert_raise_by_hand,
    alerts_triage_in_bulk,
    report_note_add,
)


@portal_page(roles.WORK_QUEUE)
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
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
def queue_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Supervisors: dismiss the ticked alerts with one reason, or merge them into one case."""
    desks = user_desks(request.user)
    open_alerts = open_alerts_for(desks)
    form = BulkTriageForm(request.POST, alert_ids=[int(pk) for pk in request.POST.getlist("alerts") if pk.isdigit()])
    if not form.is_valid():
        messages.error(
            request,
            _("Not saved: %(errors)s") % {"errors": " ".join(str(e) for errs in form.errors.values() for e in errs)},
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
def queue_next(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Claim the most urgent unclaimed alert of my desks and open it."""
    alert = alert_claim_next(by=request.user, desks=user_desks(request.user))
    if alert is None:
        messages.info(request, _("No unclaimed alerts on your desks."))
        return redirect("interventions:queue")
    return redirect("interventions:alert", pk=alert.pk)


@portal_page(roles.WORK_QUEUE)
def alert_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
        "indicators": list(alert_indicators(alert=alert)),
    }
    return render(request, "interventions/alert_detail.html", context)


@portal_page(roles.WORK_QUEUE)
@require_POST
def alert_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
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


def _claim(request: AuthenticatedHttpRequest, alert: Alert) -> HttpResponse:
    alert_claim(alert=alert, by=request.user)
    messages.success(request, _("You claimed the alert."))
    if request.POST.get("stay") == "queue":
        return redirect(_back_to_queue(request))
    return redirect("interventions:alert", pk=alert.pk)


def _dismiss(request: AuthenticatedHttpRequest, alert: Alert) -> HttpResponse:
    alert_dismiss(alert=alert, by=request.user, reason=request.POST["reason"])
    messages.success(request, _("The alert was dismissed."))
    return redirect("interventions:queue")


def _promote(request: AuthenticatedHttpRequest, alert: Alert) -> HttpResponse:
    case = alert_promote(alert=alert, by=request.user, title=request.POST.get("title", "").strip())
    return redirect("interventions:case", pk=case.pk)


def _merge(request: AuthenticatedHttpRequest, alert: Alert) -> HttpResponse:
    case = case_for_user(request.user, int(request.POST["case"]))
    alert_merge(alert=alert, case=case, by=request.user)
    return redirect("interventions:case", pk=case.pk)


def _reply(request: AuthenticatedHttpRequest, alert: Alert) -> HttpResponse:
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


@portal_page(roles.WORK_QUEUE)
def alert_new(request: AuthenticatedHttpRequest) -> HttpResponse:
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
