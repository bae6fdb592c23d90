"""Every write to alerts, cases, their timeline, police units and the heartbeat.

The console, the API, the admin and the Celery tasks all call these functions; each change a
person makes writes its timeline event in the same transaction.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from orders.models import Buyer, Merchant, Order, Region

from .models import Alert, Case, CaseEvent, Heartbeat, Message, PoliceLiaison, PoliceUnit, Severity


def alert_claim_deadline(*, severity: int, raised_at: datetime) -> datetime:
    """When an alert of this severity must have been claimed, per SHOUHU_CLAIM_SLA."""
    name = Severity(max(severity, Severity.LOW)).name.lower()
    return raised_at + settings.SHOUHU_CLAIM_SLA[name]


def message_store(
    *,
    source: str,
    external_id: str,
    text: str,
    sent_at: datetime,
    channel: str = "",
    buyer: Buyer | None = None,
    merchant: Merchant | None = None,
    order: Order | None = None,
) -> tuple[Message, bool]:
    """Store a message once per (source, external id). Returns the message and whether it is new."""
    return Message.objects.get_or_create(
        source=source,
        external_id=external_id,
        defaults={
            "text": text,
            "sent_at": sent_at,
            "channel": channel,
            "buyer": buyer,
            "merchant": merchant,
            "order": order,
        },
    )


@transaction.atomic
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
) -> Alert:
    """Put a new alert in its desk's queue with its claim deadline. `by` is None for the scanner."""
    raised_at = raised_at or timezone.now()
    alert = Alert(
        desk=desk,
        source=source,
        severity=severity,
        summary=summary,
        matches=list(matches),
        buyer=buyer,
        merchant=merchant,
        order=order,
        raised_by=by,
        created_at=raised_at,
        sla_due_at=alert_claim_deadline(severity=severity, raised_at=raised_at),
    )
    alert._history_user = by
    alert.save()
    alert.messages.add(*messages)
    return alert


def case_event_record(*, case: Case, actor: User | None, kind: str, **payload) -> CaseEvent:
    """Append one line to the case's timeline. Call it inside the transaction of the change."""
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, payload=payload)


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
    case._history_user = opened_by
    case.save()
    case_event_record(case=case, actor=opened_by, kind=CaseEvent.Kind.OPENED, title=title)
    for alert in alerts:
        _alert_attach(alert=alert, case=case, status=Alert.Status.PROMOTED, by=opened_by)
    return case


def _alert_attach(*, alert: Alert, case: Case, status: str, by: User | None) -> None:
    alert.case = case
    alert.status = status
    alert._history_user = by
    alert.save(update_fields=["case", "status", "updated_at"])
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
    """Set the case's risk level; the timeline keeps who rated it, when, from what, and why."""
    previous = case.risk_level
    case.risk_level = level
    case._history_user = by
    case._change_reason = reason
    case.save(update_fields=["risk_level", "updated_at"])
    case_event_record(
        case=case, actor=by, kind=CaseEvent.Kind.RISK_RATED, previous=previous, level=level, reason=reason
    )
    return case


def case_add_note(*, case: Case, by: User, text: str) -> CaseEvent:
    return case_event_record(case=case, actor=by, kind=CaseEvent.Kind.NOTE, text=text)


def heartbeat_record(*, name: str, worker: str = "") -> Heartbeat:
    """Note that `name` ran just now. One row per name, however often it runs."""
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_beat_at": timezone.now(), "worker": worker[:200]}
    )
    return heartbeat


@transaction.atomic
def police_unit_register(
    *, name: str, kind: str, region: Region, phone_24h: str, address: str = "", by: User | None = None
) -> PoliceUnit:
    unit = PoliceUnit(name=name, kind=kind, region=region, phone_24h=phone_24h, address=address)
    unit.full_clean()
    unit._history_user = by
    unit.save()
    return unit


@transaction.atomic
def police_liaison_link(*, user: User, unit: PoliceUnit, by: User | None) -> PoliceLiaison:
    """Make `user` a liaison of `unit`; a liaison belongs to exactly one unit."""
    liaison = PoliceLiaison(user=user, unit=unit)
    liaison._history_user = by
    liaison.save()
    return liaison


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
def alert_dismiss(*, alert: Alert, by: User, reason: str) -> Alert:
    """Take an open alert out of the queue as not needing a case. The reason feeds the scanner's
    precision figures, so it is required."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if not locked.is_open:
        raise AlertAlreadyClaimed(locked)
    locked.status = Alert.Status.DISMISSED
    locked.dismiss_reason = Alert.DismissReason(reason)
    locked._history_user = by
    locked.save(update_fields=["status", "dismiss_reason", "updated_at"])
    return locked
