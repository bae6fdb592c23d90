"""Check-ins (回访): planned at a local time in the person's zone, sent through the platform's
chat or SMS when due, closed by the person's reply, and chased when no reply comes.

Sending is an outbox: the sweep hands due rows to delivery tasks; each row is taken with SKIP
LOCKED and sent while its lock is held, then marked in the same transaction. A worker that dies
mid-send rolls back and the row is sent again by the next sweep with the same idempotency key,
which the receiving system deduplicates on: the person gets one message.
"""

import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.history import save_with_history
from accounts.models import User
from accounts.refusals import Conflict, Invalid

from .. import channels
from ..choices import Severity, Source
from ..models import Case, CaseEvent, CheckIn, Message, Notification
from .alerts import alert_raise
from .cases import ensure_case_open
from .notifications import Page, notify, notify_each_once
from .outbox import outbox_send
from .timeline import case_event_record


def checkin_due(*, local_day: date, local_time: time, zone: str) -> datetime:
    """The UTC instant of a local wall-clock time in the person's zone (DST-aware: a time that
    does not exist on that day moves forward with the clock, as people do)."""
    tz = zoneinfo.ZoneInfo(zone)
    local = datetime.combine(local_day, local_time, tzinfo=tz)
    # A wall time skipped by a DST change round-trips to another; normalise through UTC.
    return local.astimezone(zoneinfo.ZoneInfo("UTC"))


def tomorrow_morning(zone: str, *, now: datetime | None = None) -> tuple[date, time]:
    """The default check-in: tomorrow 08:30 in the person's zone."""
    local_now = (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(zone))
    return (local_now + timedelta(days=1)).date(), time(8, 30)


@transaction.atomic
def checkin_plan(
    *,
    case: Case,
    by: User,
    local_day: date,
    local_time: time,
    channel: str,
    text: str = "",
    owner: User | None = None,
    days: int = 1,
) -> list[CheckIn]:
    """Promise contacts at a local time in the person's time zone: "good morning" at 08:30
    tomorrow, or at 08:30 on each of `days` days. Each day's time is worked out in the zone for
    that day, so a daily check-in stays at 08:30 across a DST change."""
    ensure_case_open(case)
    if not 1 <= days <= 31:
        raise Invalid(_("Plan between 1 and 31 days of check-ins."))
    zone = case.buyer.time_zone if case.buyer else settings.TIME_ZONE
    planned = []
    for offset in range(days):
        due = checkin_due(local_day=local_day + timedelta(days=offset), local_time=local_time, zone=zone)
        checkin = CheckIn(
            case=case,
            due_at=due,
            send_after=due,
            time_zone=zone,
            channel=CheckIn.Channel(channel),
            text=text,
            owner=owner or case.owner or by,
            created_by=by,
        )
        save_with_history(checkin, by=by)
        planned.append(checkin)
    case_event_record(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.CHECKIN_PLANNED,
        checkin_id=planned[0].pk,
        local=f"{local_day:%Y-%m-%d} {local_time:%H:%M}",
        days=days,
        zone=zone,
        channel=channel,
        text=text,
    )
    return planned


def checkins_due(*, now: datetime, limit: int) -> list[int]:
    """Ids of chat and SMS check-ins whose time to be sent has come, oldest first."""
    return list(
        CheckIn.objects.filter(status=CheckIn.Status.PLANNED, send_after__lte=now)
        .exclude(channel=CheckIn.Channel.PHONE)
        .order_by("send_after")
        .values_list("pk", flat=True)[:limit]
    )


def checkins_deliver(*, checkin_ids: Sequence[int]) -> int:
    """Send each of these check-ins that is still planned and due; returns how many were sent.
    Safe to run twice and on two workers at once."""
    waiting = (
        CheckIn.objects.filter(status=CheckIn.Status.PLANNED)
        .exclude(channel=CheckIn.Channel.PHONE)
        .select_related("case__buyer", "owner")
    )
    return sum(outbox_send(waiting, pk, send=_send, sent=_sent, failed=_failed) for pk in checkin_ids)


def _sent(checkin: CheckIn, answer: dict, now: datetime) -> None:
    delivered = answer.get("status") == "delivered"
    checkin.status = CheckIn.Status.DELIVERED if delivered else CheckIn.Status.SENT
    checkin.sent_at = now
    checkin.delivered_at = now if delivered else None
    checkin.save(update_fields=["status", "sent_at", "delivered_at", "attempts", "last_error"])
    case_event_record(
        case=checkin.case,
        actor=None,
        kind=CaseEvent.Kind.CHECKIN_SENT,
        checkin_id=checkin.pk,
        channel=checkin.channel,
        status=checkin.status,
    )


def _send(checkin: CheckIn) -> dict:
    buyer = checkin.case.buyer
    if buyer is None:
        raise channels.DeliveryFailed("the case has no person to write to")
    if checkin.channel == CheckIn.Channel.SMS:
        return channels.sms(account_ref=buyer.account_ref, text=checkin.text, key=checkin.idempotency_key)
    return channels.chat_to_buyer(
        account_ref=buyer.account_ref,
        text=checkin.text,
        key=checkin.idempotency_key,
        case_reference=checkin.case.reference,
    )


def _failed(checkin: CheckIn, failure: channels.DeliveryFailed, gave_up: bool) -> None:
    """Try again later; after the last try, tell the owner so the promise is kept another way."""
    fields = ["attempts", "last_error", "send_after"]
    if gave_up:
        checkin.status = CheckIn.Status.FAILED
        fields.append("status")
        case_event_record(
            case=checkin.case,
            actor=None,
            kind=CaseEvent.Kind.CHECKIN_FAILED,
            checkin_id=checkin.pk,
            error=checkin.last_error,
        )
        notify(
            recipients=[checkin.owner],
            kind=Notification.Kind.CHECKIN_FAILED,
            title=_("Check-in for %(case)s could not be sent: call instead") % {"case": checkin.case.reference},
            link=reverse("interventions:case", args=[checkin.case_id]),
            key=f"checkin:{checkin.pk}:failed",
        )
    checkin.save(update_fields=fields)


def checkin_replies_record(messages: Iterable[Message]) -> int:
    """A message from a person who awaits a check-in reply closes that check-in: the reply is on
    the case's timeline. Called by the scan, in its transaction; one query for a whole batch."""
    by_buyer: dict[int, list[Message]] = {}
    for message in messages:
        if message.buyer_id:
            by_buyer.setdefault(message.buyer_id, []).append(message)
    if not by_buyer:
        return 0
    awaiting = (
        CheckIn.objects.select_for_update(of=("self",))
        .filter(
            case__buyer__in=by_buyer,
            status__in=CheckIn.AWAITING_REPLY,
        )
        .exclude(case__status=Case.Status.CLOSED)
        .select_related("case")
        .order_by("sent_at")
    )
    closed = 0
    for checkin in awaiting:
        buyer_id, sent_at = checkin.case.buyer_id, checkin.sent_at
        # Never None: the filter names the case's person, and a check-in is marked sent with its time.
        if buyer_id is None or sent_at is None:
            raise ValueError(f"check-in {checkin.pk} awaits a reply without a person or a time sent")
        reply = next((m for m in by_buyer[buyer_id] if m.sent_at >= sent_at), None)
        if reply is None:
            continue
        checkin.status, checkin.replied_at, checkin.reply = CheckIn.Status.REPLIED, reply.sent_at, reply
        checkin.save(update_fields=["status", "replied_at", "reply"])
        case_event_record(
            case=checkin.case,
            actor=None,
            kind=CaseEvent.Kind.CHECKIN_REPLIED,
            checkin_id=checkin.pk,
            message_id=reply.pk,
            text=reply.text[:500],
        )
        closed += 1
    return closed


def checkins_chase(*, now: datetime) -> int:
    """Check-ins with no reply in time: first a chaser to the owner, then, still nothing, an
    alert back in the queue. A phone check-in not marked as called counts the same from its due
    time. Returns how many check-ins moved on a step."""
    reply_within = settings.SHOUHU_CHECKIN_REPLY_WITHIN
    open_cases = CheckIn.objects.exclude(case__status=Case.Status.CLOSED).select_related("case", "owner")
    to_chase = open_cases.filter(chased_at__isnull=True).filter(_awaiting_since(now - reply_within))
    moved = 0
    for checkin in to_chase[: settings.SHOUHU_SWEEP_LIMIT]:
        moved += _chase(checkin, now)
    to_requeue = open_cases.filter(
        chased_at__lte=now - settings.SHOUHU_CHECKIN_REQUEUE_AFTER, requeued_alert__isnull=True
    ).filter(_awaiting_since(now))
    for checkin in to_requeue[: settings.SHOUHU_SWEEP_LIMIT]:
        moved += _requeue(checkin, now)
    return moved


def _awaiting_since(before: datetime) -> Q:
    sent = Q(status__in=CheckIn.AWAITING_REPLY, sent_at__lte=before)
    call = Q(status=CheckIn.Status.PLANNED, channel=CheckIn.Channel.PHONE, due_at__lte=before)
    return sent | call


@transaction.atomic
def _chase(checkin: CheckIn, now: datetime) -> int:
    updated = CheckIn.objects.filter(pk=checkin.pk, chased_at__isnull=True).update(chased_at=now)
    if not updated:  # another sweep got there first
        return 0
    notify(
        recipients=[checkin.owner],
        kind=Notification.Kind.CHECKIN_NO_REPLY,
        title=_("No reply to the check-in of %(case)s") % {"case": checkin.case.reference},
        body=_("Due %(due)s. Call the person, or the check-in goes back to the queue.")
        % {"due": timezone.localtime(checkin.due_at).strftime("%m-%d %H:%M")},
        link=reverse("interventions:case", args=[checkin.case_id]),
        key=f"checkin:{checkin.pk}:chase",
    )
    case_event_record(case=checkin.case, actor=None, kind=CaseEvent.Kind.CHECKIN_CHASED, checkin_id=checkin.pk)
    return 1


@transaction.atomic
def _requeue(checkin: CheckIn, now: datetime) -> int:
    locked = CheckIn.objects.select_for_update().filter(pk=checkin.pk, requeued_alert__isnull=True).first()
    if locked is None:
        return 0
    case = checkin.case
    alert = alert_raise(
        desk=case.desk,
        source=Source.CHECKIN,
        severity=Severity.HIGH,
        summary=_("No reply to the check-in of %(case)s: reach the person") % {"case": case.reference},
        buyer=case.buyer,
        raised_at=now,
    )
    locked.requeued_alert, locked.status = alert, CheckIn.Status.MISSED
    locked.save(update_fields=["requeued_alert", "status"])
    case_event_record(
        case=case, actor=None, kind=CaseEvent.Kind.CHECKIN_MISSED, checkin_id=checkin.pk, alert_id=alert.pk
    )
    return 1


@transaction.atomic
def checkin_record_call(*, checkin: CheckIn, by: User, reached: bool, note: str = "") -> CheckIn:
    """The specialist made the phone check-in: reached the person or not."""
    locked = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if locked.status != CheckIn.Status.PLANNED:
        raise Conflict(_("This check-in is no longer waiting."))
    locked.status = CheckIn.Status.DONE if reached else CheckIn.Status.MISSED
    locked.replied_at = timezone.now() if reached else None
    save_with_history(locked, by=by, update_fields=["status", "replied_at"])
    case_event_record(
        case=locked.case, actor=by, kind=CaseEvent.Kind.CHECKIN_CALLED, checkin_id=locked.pk, reached=reached, text=note
    )
    return locked


def checkin_calls_due(*, now: datetime) -> int:
    """A phone check-in whose time has come goes on its owner's notifications (and "today" list).
    Returns how many owners were told anew."""
    due = CheckIn.objects.filter(
        status=CheckIn.Status.PLANNED,
        channel=CheckIn.Channel.PHONE,
        due_at__lte=now,
        due_at__gt=now - settings.SHOUHU_CHECKIN_REPLY_WITHIN,
    ).select_related("case", "owner")[: settings.SHOUHU_SWEEP_LIMIT]
    pages = [
        Page(
            recipients=[checkin.owner],
            kind=Notification.Kind.CHECKIN_CALL_DUE,
            title=_("Check-in call due: %(case)s") % {"case": checkin.case.reference},
            link=reverse("interventions:today"),
            key=f"checkin:{checkin.pk}:call",
            channels=[Notification.Channel.PORTAL],
        )
        for checkin in due
    ]
    return notify_each_once(pages)
