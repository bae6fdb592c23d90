"""Writes to alerts: raising, claiming, dismissing."""

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import TRIAGE_ANY
from orders.models import Buyer, Merchant, Order

from ..choices import Source
from ..models import Alert, CaseEvent, Message, Severity, WebhookSubscription
from ..selectors import case_on_other_desk
from .timeline import case_event_record
from .webhooks import webhook_emit


def alert_claim_deadline(*, severity: int, raised_at: datetime) -> datetime:
    """When an alert of this severity must have been claimed, per SHOUHU_CLAIM_SLA."""
    name = Severity(max(severity, Severity.LOW)).name.lower()
    return raised_at + settings.SHOUHU_CLAIM_SLA[name]


# savepoint=False: inside a scan batch's transaction these add no SAVEPOINT round trips; a
# failure rolls the whole batch back, and the batch is retried.
@transaction.atomic(savepoint=False)
def alert_raise(
    *,
    desk: str,
    source: str,
    severity: int,
    summary: str,
    matches: Sequence[dict] = (),
    messages: Iterable[Message] = (),
    buyer: Buyer | None = None,
    merchant: Merchant | None = None,
    order: Order | None = None,
    by: User | None = None,
    raised_at: datetime | None = None,
    frames: Sequence[str] = (),
    risk_level: int = 0,
) -> Alert:
    """Put a new alert in its desk's queue with its claim deadline. `by` is None for the scanner,
    whose frames and risk level 0-10 the alert keeps for the figures.

    When the person has a case on the other desk (a fraud victim now writing of despair), the
    alert is linked to it and that case's timeline says so, so both specialists see both."""
    raised_at = raised_at or timezone.now()
    related_case = case_on_other_desk(buyer, desk=desk, now=raised_at) if buyer is not None else None
    alert = Alert(
        desk=desk,
        source=source,
        severity=severity,
        summary=summary,
        matches=list(matches),
        frames=list(frames),
        risk_level=risk_level,
        buyer=buyer,
        merchant=merchant,
        order=order,
        related_case=related_case,
        raised_by=by,
        created_at=raised_at,
        sla_due_at=alert_claim_deadline(severity=severity, raised_at=raised_at),
    )
    alert._history_user = by
    alert.save()
    alert.messages.add(*messages)
    if severity == Severity.CRITICAL:
        _announce_critical(alert)
    if related_case is not None:
        case_event_record(
            case=related_case,
            actor=by,
            kind=CaseEvent.Kind.RELATED_ALERT,
            alert_id=alert.pk,
            desk=desk,
            severity=severity,
            summary=summary,
        )
    return alert


class AlertNotYours(Exception):
    """The alert is claimed by someone else; only they or a supervisor may act on it."""

    def __init__(self, alert: Alert) -> None:
        super().__init__(f"Alert {alert.pk} is claimed by someone else.")
        self.alert = alert


def ensure_can_work(by: User, alert: Alert) -> None:
    """Anyone on the queue may act on an unclaimed alert; a claimed one belongs to its claimant
    (and to supervisors). A closed alert is no one's to act on."""
    if not alert.is_open:
        raise AlertAlreadyClaimed(alert)
    if alert.status == Alert.Status.CLAIMED and alert.claimed_by_id != by.pk and not by.has_perm(TRIAGE_ANY):
        raise AlertNotYours(alert)


class AlertAlreadyClaimed(Exception):
    """Someone else claimed the alert first (or it left the queue)."""

    def __init__(self, alert: Alert) -> None:
        super().__init__(f"Alert {alert.pk} is no longer waiting to be claimed.")
        self.alert = alert


@transaction.atomic
def alert_claim(*, alert: Alert, by: User) -> Alert:
    """Claim a new alert for `by`. Of two people claiming at once exactly one wins; the other
    gets AlertAlreadyClaimed. The row lock makes the check and the write one step."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.status != Alert.Status.NEW:
        raise AlertAlreadyClaimed(locked)
    locked.status = Alert.Status.CLAIMED
    locked.claimed_by = by
    locked.claimed_at = timezone.now()
    locked._history_user = by
    locked.save(update_fields=["status", "claimed_by", "claimed_at", "updated_at"])
    return locked


@transaction.atomic
def alert_claim_next(*, by: User, desks: Sequence[str]) -> Alert | None:
    """Claim the most urgent unclaimed alert of these desks for `by`, or None when there is none.
    Two people pressing "next" at once get two different alerts: the rows are taken with SKIP
    LOCKED."""
    alert = (
        Alert.objects.select_for_update(skip_locked=True)
        .filter(desk__in=desks, status=Alert.Status.NEW)
        .order_by("-severity", "sla_due_at", "created_at", "id")
        .first()
    )
    if alert is None:
        return None
    alert.status, alert.claimed_by, alert.claimed_at = Alert.Status.CLAIMED, by, timezone.now()
    alert._history_user = by
    alert.save(update_fields=["status", "claimed_by", "claimed_at", "updated_at"])
    return alert


@transaction.atomic
def alert_dismiss(*, alert: Alert, by: User, reason: str) -> Alert:
    """Take an open alert out of the queue as not needing a case. The reason feeds the scanner's
    precision figures, so it is required."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    ensure_can_work(by, locked)
    locked.status = Alert.Status.DISMISSED
    locked.dismiss_reason = Alert.DismissReason(reason)
    locked._history_user = by
    locked.save(update_fields=["status", "dismiss_reason", "updated_at"])
    return locked


@transaction.atomic(savepoint=False)
def alert_raise_or_join(
    *,
    desk: str,
    source: str,
    severity: int,
    summary: str,
    matches: Sequence[dict],
    message: Message,
    now: datetime,
    judge_conversation: Callable[[list[str]], "ConversationVerdict"],
    frames: Sequence[str] = (),
    risk_level: int = 0,
) -> Alert | None:
    """Put a scanned message in front of its desk, or nowhere if it does not matter.

    While an alert about the same person is open and was added to within SHOUHU_ALERT_JOIN_WINDOW,
    the message joins it instead of flooding the queue, and the alert is judged on the whole
    conversation: intent in one message and the bought means in the next are one high-risk
    signal. `judge_conversation(texts)` returns that verdict. Otherwise a message at medium or
    above raises a new alert. The scanner acts as no user.
    """
    buyer = message.buyer
    if buyer is not None:
        # One person's messages are judged one after another, so two workers cannot both
        # decide that no alert exists yet. NO KEY: the intake's foreign-key checks on the same
        # buyer (FOR KEY SHARE) must not wait for, or deadlock with, a running scan.
        Buyer.objects.select_for_update(no_key=True).filter(pk=buyer.pk).exists()
        open_alert = (
            Alert.objects.filter(
                desk=desk,
                buyer=buyer,
                status__in=Alert.OPEN_STATUSES,
                updated_at__gte=now - settings.SHOUHU_ALERT_JOIN_WINDOW,
            )
            .order_by("-updated_at")
            .first()
        )
        if open_alert is not None:
            texts = [*open_alert.messages.order_by("sent_at", "id").values_list("text", flat=True), message.text]
            together = judge_conversation(texts)
            if together.severity > severity:
                severity, summary = together.severity, together.reason
            return _alert_join(
                alert=open_alert,
                severity=severity,
                summary=summary,
                matches=matches,
                message=message,
                frames=[*frames, *together.frames],
                risk_level=max(risk_level, together.risk_level),
            )
    if severity < Severity.MEDIUM:
        return None
    return alert_raise(
        desk=desk,
        source=source,
        severity=severity,
        summary=summary,
        matches=matches,
        messages=[message],
        buyer=buyer,
        merchant=message.merchant,
        order=message.order,
        raised_at=now,
        frames=frames,
        risk_level=risk_level,
    )


class ConversationVerdict(NamedTuple):
    """The scanner's verdict on a person's messages read together, on one desk."""

    severity: int
    reason: str
    frames: list[str]
    risk_level: int


def _alert_join(
    *,
    alert: Alert,
    severity: int,
    summary: str,
    matches: Sequence[dict],
    message: Message,
    frames: Sequence[str],
    risk_level: int,
) -> Alert:
    alert.messages.add(message)
    alert.matches = [*alert.matches, *matches]
    alert.frames = list(dict.fromkeys([*alert.frames, *frames]))
    alert.risk_level = max(alert.risk_level, risk_level)
    fields = ["matches", "frames", "risk_level", "updated_at"]
    if severity > alert.severity:
        alert.severity = severity
        alert.summary = summary
        # A worse signal shortens the time to claim, never lengthens it.
        alert.sla_due_at = min(alert.sla_due_at, alert_claim_deadline(severity=severity, raised_at=timezone.now()))
        fields += ["severity", "summary", "sla_due_at"]
    if alert.order_id is None and message.order_id is not None:
        alert.order_id = message.order_id
        fields.append("order")
    became_critical = "severity" in fields and severity == Severity.CRITICAL
    alert._change_reason = f"joined message {message.pk}"
    alert.save(update_fields=fields)
    if became_critical:
        _announce_critical(alert)
    return alert


def _announce_critical(alert: Alert) -> None:
    """Tell the subscribed systems (ids only: the words stay in Shouhu)."""
    webhook_emit(
        event=WebhookSubscription.Event.ALERT_CRITICAL,
        event_id=f"alert.critical:{alert.pk}",
        data={"alert": alert.pk, "desk": alert.desk, "source": alert.source, "raised_at": alert.created_at.isoformat()},
    )


@transaction.atomic
def alert_raise_by_hand(
    *,
    by: User,
    desk: str,
    severity: int,
    summary: str,
    text: str,
    buyer: Buyer | None = None,
    source: str = Source.MANUAL,
    merchant: Merchant | None = None,
    order: Order | None = None,
) -> Alert:
    """An alert a person raises: a specialist from the console, or a shop's report. The severity
    is their judgement or the scanner's verdict on the text, whichever is higher: a default left
    unchanged at 3 a.m. must not hide a critical signal. The scanner also marks the terms it
    knows, for the queue to highlight."""
    from ..scanner import scan_text
    from ..selectors import current_lexicon
    from .intake import message_store

    now = timezone.now()
    message, _ = message_store(
        source=source,
        external_id=f"{source}-{uuid.uuid4()}",
        text=text,
        sent_at=now,
        buyer=buyer,
        merchant=merchant,
        order=order,
    )
    result = scan_text(text, current_lexicon())
    severity = max(severity, result.desk_severity.get(desk, Severity.NONE))
    message.scanned_at = now
    message.save(update_fields=["scanned_at"])
    matches = [
        {"term": m.term, "category": m.category, "start": m.start, "end": m.end, "message_id": message.pk}
        for m in result.matches
    ]
    return alert_raise(
        desk=desk,
        source=source,
        severity=severity,
        summary=summary,
        matches=matches,
        messages=[message],
        buyer=buyer,
        merchant=merchant,
        order=order,
        by=by,
        raised_at=now,
        frames=result.frames_for(desk),
        risk_level=result.level_for(desk),
    )
