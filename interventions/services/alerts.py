"""Writes to alerts: raising, claiming, dismissing."""

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.history import history_notes, save_with_history
from accounts.models import User
from accounts.refusals import Conflict, NotYours
from accounts.roles import TRIAGE_ANY
from orders.models import Buyer, Merchant, Order

from .. import live
from ..choices import Source
from ..models import Alert, Case, CaseEvent, Message, Severity, WebhookSubscription
from ..scanner import scan_text
from ..selectors import case_on_other_desk, current_lexicon, recent_cases_of
from .messages import message_store
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
    recent_cases: dict[int, list[Case]] | None = None,
) -> Alert:
    """Put a new alert in its desk's queue with its claim deadline. `by` is None for the scanner,
    whose frames and risk level 0-10 the alert keeps for the figures.

    When the person has a case on the other desk (a fraud victim now writing of despair), the
    alert is linked to it and that case's timeline says so, so both specialists see both.
    `recent_cases`: the people's recent cases (selectors.recent_cases_of), when a batch has read
    them already."""
    raised_at = raised_at or timezone.now()
    related_case = (
        case_on_other_desk(buyer, desk=desk, now=raised_at, recent=recent_cases) if buyer is not None else None
    )
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
    save_with_history(alert, by=by)
    alert.messages.add(*messages)
    live.queue_changed(desk, kind="raised")
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


class AlertNotYours(NotYours):
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


class AlertAlreadyClaimed(Conflict):
    """Someone else claimed the alert first (or it left the queue)."""

    code = "already_claimed"

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
    save_with_history(locked, by=by, update_fields=["status", "claimed_by", "claimed_at", "updated_at"])
    live.queue_changed(locked.desk, kind="claimed")
    return locked


@transaction.atomic
def alert_claim_next(*, by: User, desks: Sequence[str]) -> Alert | None:
    """Claim the most urgent unclaimed alert of these desks for `by`, or None when there is none.
    Two people pressing "next" at once get two different alerts: the rows are taken with SKIP
    LOCKED."""
    alert = (
        Alert.objects.select_for_update(skip_locked=True)
        .on_desks(desks)
        .filter(status=Alert.Status.NEW)
        .order_by("-severity", "sla_due_at", "created_at", "id")
        .first()
    )
    if alert is None:
        return None
    alert.status, alert.claimed_by, alert.claimed_at = Alert.Status.CLAIMED, by, timezone.now()
    save_with_history(alert, by=by, update_fields=["status", "claimed_by", "claimed_at", "updated_at"])
    live.queue_changed(alert.desk, kind="claimed")
    return alert


@transaction.atomic
def alert_dismiss(*, alert: Alert, by: User, reason: str) -> Alert:
    """Take an open alert out of the queue as not needing a case. The reason feeds the scanner's
    precision figures, so it is required."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    ensure_can_work(by, locked)
    locked.status = Alert.Status.DISMISSED
    locked.dismiss_reason = Alert.DismissReason(reason)
    save_with_history(locked, by=by, update_fields=["status", "dismiss_reason", "updated_at"])
    live.queue_changed(locked.desk, kind="dismissed")
    return locked


class PeopleAtHand:
    """What a scan batch must know of its people before it raises or joins their alerts, read
    for the whole batch in four queries, where one message at a time cost up to four each.

    Each person is locked first (FOR NO KEY UPDATE, in id order), so that two workers judge one
    person's messages one after the other and cannot both decide that no alert exists yet; NO
    KEY, because the intake's foreign-key checks on the same buyer (FOR KEY SHARE) must not wait
    for, or deadlock with, a running scan. Then, read under those locks: the person's open alert
    per desk added to within SHOUHU_ALERT_JOIN_WINDOW (the latest), the words of its messages,
    and the person's recent cases (for a new alert's related case). The batch's own raises and
    joins are noted as they happen, so the later messages of the batch see them. Only for use
    inside the transaction that scans the batch."""

    def __init__(self, buyer_ids: Iterable[int], *, now: datetime) -> None:
        ids = sorted(set(buyer_ids))
        list(Buyer.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=True).values_list("pk"))
        self.open: dict[tuple[int | None, str], Alert] = {}
        alerts = Alert.objects.filter(
            buyer_id__in=ids,
            status__in=Alert.OPEN_STATUSES,
            updated_at__gte=now - settings.SHOUHU_ALERT_JOIN_WINDOW,
        ).order_by("updated_at", "id")
        for alert in alerts:
            self.open[(alert.buyer_id, alert.desk)] = alert  # the latest updated wins, as a join picks it
        self._words: dict[int, list[tuple[datetime, int, str]]] = {alert.pk: [] for alert in self.open.values()}
        linked = Alert.messages.through.objects.filter(alert_id__in=self._words).values_list(
            "alert_id", "message__sent_at", "message_id", "message__text"
        )
        for alert_id, sent_at, message_id, text in linked:
            self._words[alert_id].append((sent_at, message_id, text))
        self.recent_cases = recent_cases_of(ids, now=now) if ids else {}

    def open_alert(self, buyer: Buyer, desk: str) -> Alert | None:
        return self.open.get((buyer.pk, desk))

    def words(self, alert: Alert) -> list[str]:
        """The texts of the alert's messages, oldest first."""
        return [text for _sent_at, _id, text in sorted(self._words.get(alert.pk, []))]

    def noted(self, alert: Alert, message: Message) -> None:
        """The message joined or raised `alert`."""
        if alert.buyer_id is not None:
            self.open[(alert.buyer_id, alert.desk)] = alert
        self._words.setdefault(alert.pk, []).append((message.sent_at, message.pk, message.text))


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
    people: PeopleAtHand,
    frames: Sequence[str] = (),
    risk_level: int = 0,
) -> Alert | None:
    """Put a scanned message in front of its desk, or nowhere if it does not matter.

    While an alert about the same person is open and was added to within SHOUHU_ALERT_JOIN_WINDOW,
    the message joins it instead of flooding the queue, and the alert is judged on the whole
    conversation: intent in one message and the bought means in the next are one high-risk
    signal. `judge_conversation(texts)` returns that verdict. Otherwise a message at medium or
    above raises a new alert. The scanner acts as no user. `people` holds the message's person,
    locked (PeopleAtHand).
    """
    buyer = message.buyer
    alert = None
    if buyer is not None and (open_alert := people.open_alert(buyer, desk)) is not None:
        together = judge_conversation([*people.words(open_alert), message.text])
        if together.severity > severity:
            severity, summary = together.severity, together.reason
        alert = _alert_join(
            alert=open_alert,
            severity=severity,
            summary=summary,
            matches=matches,
            message=message,
            frames=[*frames, *together.frames],
            risk_level=max(risk_level, together.risk_level),
        )
    elif severity >= Severity.MEDIUM:
        alert = alert_raise(
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
            recent_cases=people.recent_cases,
        )
    if alert is not None:
        people.noted(alert, message)
    return alert


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
    history_notes(alert)._change_reason = f"joined message {message.pk}"
    alert.save(update_fields=fields)
    live.queue_changed(alert.desk, kind="joined")
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
