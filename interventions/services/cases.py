"""Writes to cases and their timeline."""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.history import save_with_history
from accounts.models import AccessLog, Desk, User
from accounts.refusals import Conflict, Invalid, NotYours, Refused
from accounts.roles import TRIAGE_ANY
from accounts.selectors import user_desks
from accounts.services import access_record
from orders.models import Buyer

from .. import live
from ..models import (
    Alert,
    Case,
    CaseEvent,
    CheckIn,
    DutyShift,
    Notification,
    RiskAssessment,
    WebhookSubscription,
)
from ..risk import risk_level
from ..selectors import colleagues_on_desk, on_duty
from .alerts import AlertAlreadyClaimed, AlertNotYours, alert_dismiss, ensure_can_work
from .notifications import case_escalation_page, notify
from .timeline import case_change_save, case_event_record
from .webhooks import webhook_emit


@transaction.atomic
def case_open(
    *,
    desk: str,
    title: str,
    opened_by: User | None,
    buyer: Buyer | None = None,
    alerts: Iterable[Alert] = (),
    owner: User | None = None,
) -> Case:
    """Open a case for a person; the given alerts become part of it and leave the queue."""
    case = Case(desk=desk, title=title, buyer=buyer, opened_by=opened_by, owner=owner or opened_by)
    save_with_history(case, by=opened_by)
    case_event_record(case=case, actor=opened_by, kind=CaseEvent.Kind.OPENED, title=title)
    for alert in alerts:
        _alert_attach(alert=alert, case=case, status=Alert.Status.PROMOTED, by=opened_by)
    return case


def _alert_attach(*, alert: Alert, case: Case, status: str, by: User | None) -> None:
    alert.case = case
    alert.status = status
    save_with_history(alert, by=by, update_fields=["case", "status", "updated_at"])
    live.queue_changed(alert.desk, kind="left_queue")
    case_event_record(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.ALERT_LINKED,
        alert_id=alert.pk,
        severity=alert.severity,
        summary=alert.summary,
    )


@transaction.atomic
def case_rate_risk(*, case: Case, by: User, level: int, reason: str) -> Case:
    """Rate an anti-fraud case's risk of loss directly; the timeline keeps who, when, from what and
    why. A life-protection case is rated through a risk assessment (case_assess_risk) instead."""
    if case.desk == Desk.LIFE:
        raise Invalid(_("Life-protection cases are rated through a risk assessment."))
    previous = case.risk_level
    case.risk_level = level
    case_change_save(
        case,
        by=by,
        fields=["risk_level", "updated_at"],
        kind=CaseEvent.Kind.RISK_RATED,
        previous=previous,
        level=level,
        reason=reason,
    )
    return case


def case_add_note(*, case: Case, by: User, text: str) -> CaseEvent:
    return case_event_record(case=case, actor=by, kind=CaseEvent.Kind.NOTE, text=text)


class CaseClosed(Conflict):
    """The case is closed: reopen it before adding to it."""

    code = "case_closed"

    def __init__(self, case: Case) -> None:
        super().__init__(_("The case is closed: reopen it first."))
        self.case = case


@transaction.atomic
def alert_promote(*, alert: Alert, by: User, title: str = "") -> Case:
    """Open a case from an alert; the person, the desk and the alert come with it. The one who
    promotes owns the case."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    ensure_can_work(by, locked)
    return case_open(
        desk=locked.desk, title=(title or locked.summary)[:200], opened_by=by, buyer=locked.buyer, alerts=[locked]
    )


@transaction.atomic
def alert_merge(*, alert: Alert, case: Case, by: User) -> Case:
    """Add an alert to an existing open case (the same person writing again, a second shop)."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    ensure_can_work(by, locked)
    ensure_case_open(case)
    _alert_attach(alert=locked, case=case, status=Alert.Status.MERGED, by=by)
    return case


def alerts_triage_in_bulk(*, alerts: Sequence[Alert], by: User, reason: str = "", case: Case | None = None) -> int:
    """A supervisor dismisses many alerts (with one reason) or merges them into one case. Each
    alert goes through the one-alert service, so each gets its own history row and timeline
    event; an alert that left the queue meanwhile is skipped. Returns how many were done."""
    if not by.has_perm(TRIAGE_ANY):
        raise AlertNotYours(alerts[0]) if alerts else ValueError("No alerts.")
    done = 0
    for alert in alerts:
        try:
            if case is not None:
                alert_merge(alert=alert, case=case, by=by)
            else:
                alert_dismiss(alert=alert, by=by, reason=reason)
            done += 1
        except AlertAlreadyClaimed:
            continue
    return done


def case_break_glass(*, case: Case, by: User, reason: str, address: str | None = None) -> None:
    """Read a case outside one's desks in an emergency: the written reason is logged, and the
    case's supervisors on duty are told at once, by page."""
    if not reason.strip():
        raise Invalid(_("Write why you must read this case."))
    entry = access_record(
        user=by,
        action=AccessLog.Action.BREAK_GLASS,
        obj=case,
        purpose=AccessLog.Purpose.EMERGENCY,
        reason=reason.strip(),
        address=address,
    )
    notify(
        recipients=on_duty(desk=case.desk, role=DutyShift.Role.SUPERVISOR, at=entry.at),
        kind=Notification.Kind.BREAK_GLASS,
        title=_("%(name)s read %(case)s outside their desk") % {"name": by.display_name, "case": case.reference},
        body=reason.strip()[:300],
        link=reverse("interventions:case", args=[case.pk]),
        key=f"break-glass:{entry.pk}",
    )


class NotAllowed(Refused):
    """The acting user may not do this (the view shows why)."""


def ensure_case_open(case: Case) -> None:
    if case.is_closed:
        raise CaseClosed(case)


@transaction.atomic
def case_assess_risk(
    *, case: Case, by: User, cssrs: dict[str, bool], factors: Iterable[str], note: str = ""
) -> RiskAssessment:
    """Rate the person's risk (C-SSRS + the seeds' factors). A new assessment never overwrites an
    old one; the case's risk follows the latest."""
    factors = sorted({RiskAssessment.Factor(f) for f in factors})
    answers = {key: bool(cssrs.get(key)) for key in ("q1", "q2", "q3", "q4", "q5", "q6", "q6_recent")}
    assessment = RiskAssessment.objects.create(
        case=case,
        assessed_by=by,
        cssrs=answers,
        factors=[str(f) for f in factors],
        note=note,
        level=risk_level(answers, set(factors)),
    )
    previous = case.risk_level
    case.risk_level = assessment.level
    case_change_save(
        case,
        by=by,
        fields=["risk_level", "updated_at"],
        kind=CaseEvent.Kind.ASSESSED,
        assessment_id=assessment.pk,
        previous=previous,
        level=assessment.level,
        reason=note,
    )
    return assessment


@transaction.atomic
def case_escalate(*, case: Case, by: User, reason: str) -> Case:
    """Hand the case up to the supervisors, and page those on duty; the clock restarts at the
    supervisor tier."""
    ensure_case_open(case)
    case.tier = Case.Tier.SUPERVISOR
    case.escalated_at = now = timezone.now()
    case_change_save(
        case, by=by, fields=["tier", "escalated_at", "updated_at"], kind=CaseEvent.Kind.ESCALATED, reason=reason
    )
    case_escalation_page(case=case, by=by, at=now)
    return case


@transaction.atomic
def case_hand_over(*, case: Case, by: User, to: User, note: str) -> Case:
    """Give the case to a colleague on its desk, with what they need to know."""
    ensure_case_open(case)
    if not colleagues_on_desk(case).filter(pk=to.pk).exists():
        raise Invalid(_("%(name)s does not work on the %(desk)s desk.") % {"name": to, "desk": case.get_desk_display()})
    previous = case.owner
    case.owner = to
    moved = _checkins_hand_over(case, previous=previous, to=to, by=by)
    case_change_save(
        case,
        by=by,
        fields=["owner", "updated_at"],
        kind=CaseEvent.Kind.HANDED_OVER,
        previous=str(previous or ""),
        to=str(to),
        text=note,
        **({"checkins": moved} if moved else {}),
    )
    return case


def _checkins_hand_over(case: Case, *, previous: User | None, to: User, by: User) -> int:
    """The case's check-ins still to come or waiting for a reply go with it: their owner makes the
    call and is chased when nobody answers, and someone off shift would be chased for nothing.
    Those a colleague planned for themselves stay theirs. Returns how many moved."""
    pending = list(
        case.checkins.select_for_update()
        .filter(owner=previous, status__in=[CheckIn.Status.PLANNED, *CheckIn.AWAITING_REPLY])
        .order_by("pk")
    )
    for checkin in pending:
        checkin.owner = to
        save_with_history(checkin, by=by, reason=f"case {case.reference} handed over", update_fields=["owner"])
    return len(pending)


@transaction.atomic
def cases_hand_over(*, cases: Iterable[Case], by: User, to: User, note: str) -> list[Case]:
    """A supervisor hands many cases to one colleague at once (a shift hand-over). Each goes
    through case_hand_over: the owner changes with a history row, and the case's timeline gets one
    event with the note. All or none, in one transaction: a case that is closed, or on a desk `to`
    does not work, refuses the whole hand-over. A case `to` already owns is left as it is, so the
    same hand-over sent twice hands over nothing the second time. Returns the cases handed over."""
    if not by.has_perm(TRIAGE_ANY):
        raise NotAllowed(_("Only supervisors hand over cases in bulk."))
    if not note.strip():
        raise Invalid(_("Write a hand-over note: what they need to know."))
    desks = user_desks(by)
    # Locked in the order of their ids, so two hand-overs of the same cases wait for each other
    # instead of deadlocking; read again, since an owner may have changed since the page.
    locked = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("owner")
        .filter(pk__in=[case.pk for case in cases])
        .order_by("pk")
    )
    if any(case.desk not in desks for case in locked):
        raise NotYours(_("Not found."))
    handed = []
    for case in locked:
        if case.owner_id == to.pk:
            continue
        handed.append(case_hand_over(case=case, by=by, to=to, note=note.strip()))
    return handed


@transaction.atomic
def case_close(*, case: Case, by: User, outcome: str, summary: str) -> Case:
    """Close the case with how it ended, an outcome of its desk (Case.outcomes); the summary is
    required (what happened, where the person is)."""
    ensure_case_open(case)
    if outcome not in case.outcomes:
        raise Invalid(
            _("A case of the %(desk)s desk cannot close as “%(outcome)s”.")
            % {"desk": case.get_desk_display(), "outcome": dict(Case.Outcome.choices).get(outcome, outcome)}
        )
    if not summary.strip():
        raise Invalid(_("A closing summary is required."))
    case.status, case.outcome = Case.Status.CLOSED, Case.Outcome(outcome)
    case.closing_summary, case.closed_at = summary.strip(), timezone.now()
    save_with_history(case, by=by, update_fields=["status", "outcome", "closing_summary", "closed_at", "updated_at"])
    case_event_record(case=case, actor=by, kind=CaseEvent.Kind.CLOSED, outcome=case.outcome, text=case.closing_summary)
    webhook_emit(
        event=WebhookSubscription.Event.CASE_CLOSED,
        event_id=f"case.closed:{case.pk}:{case.closed_at.isoformat()}",
        data={"case": case.reference, "desk": case.desk, "outcome": case.outcome},
    )
    return case


@transaction.atomic
def case_reopen(*, case: Case, by: User, reason: str) -> Case:
    if not case.is_closed:
        return case
    if case.is_anonymised:
        # Nothing of the person is left to work with, and retention would not come back to it.
        raise Conflict(_("The case is anonymised: open a new case for the person."))
    if not reason.strip():
        raise Invalid(_("A reason is required."))
    case.status, case.outcome, case.closed_at = Case.Status.OPEN, "", None
    case_change_save(
        case,
        by=by,
        fields=["status", "outcome", "closed_at", "updated_at"],
        kind=CaseEvent.Kind.REOPENED,
        reason=reason,
    )
    return case
