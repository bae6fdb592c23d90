"""Notifications that page staff, and the clocks that send them.

A notification is a row per person and channel, keyed so that an event pages each person on
each channel once however many sweeps see it. Portal rows are shown at once; email, SMS and
voice rows are an outbox that delivery tasks send with retries and backoff.

The escalation clocks, run by the sweep every minute:
- an alert still unclaimed pages the desk's supervisor on duty, then its desk lead
  (SHOUHU_ALERT_ESCALATION);
- a stop-payment near the end of its window pages the case owner;
- an interception the merchant has not answered by its deadline pages the owner and the
  supervisor on duty;
- a high-risk case with no first action SHOUHU_FIRST_ACTION_WITHIN after it opened pages its
  owner and the supervisor on duty.
An escalated case pages the desk's supervisors on duty at once.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.celery import enqueue_after_commit
from fraud.models import StopPaymentRequest
from orders.models import InterceptionRequest

from .. import channels
from ..choices import Severity
from ..models import Alert, Case, DutyShift, Notification
from ..selectors import cases_awaiting_first_action, morning_digest, on_duty, supervisors
from .outbox import outbox_send

# The channels each kind of notification goes out on, besides the portal, when the person has
# the address for it. Pages that must wake someone also ring.
PAGE = [Notification.Channel.PORTAL, Notification.Channel.SMS, Notification.Channel.EMAIL]
CHANNELS: dict[str, list[Notification.Channel]] = {  # by kind, looked up with the stored str
    Notification.Kind.ALERT_UNCLAIMED: PAGE,
    Notification.Kind.STOP_PAYMENT_CLOSING: PAGE,
    Notification.Kind.INTERCEPTION_OVERDUE: PAGE,
    Notification.Kind.INTERCEPTION_REQUESTED: PAGE,
    Notification.Kind.REPORT_NOTE: [Notification.Channel.PORTAL],
    Notification.Kind.BREAK_GLASS: [Notification.Channel.PORTAL, Notification.Channel.EMAIL],
    Notification.Kind.CHECKIN_NO_REPLY: PAGE,
    Notification.Kind.CHECKIN_FAILED: PAGE,
    Notification.Kind.CHECKIN_CALL_DUE: [Notification.Channel.PORTAL],
    Notification.Kind.DIGEST: [Notification.Channel.PORTAL, Notification.Channel.EMAIL],
    Notification.Kind.REVIEW_FOLLOW_UP: [Notification.Channel.PORTAL, Notification.Channel.EMAIL],
    Notification.Kind.CASE_ESCALATED: PAGE,
    Notification.Kind.FIRST_ACTION_OVERDUE: PAGE,
}


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    key: str,
    body: str = "",
    link: str = "",
    channels: Sequence[str] | None = None,
) -> list[int]:
    """Tell these people, on the kind's channels they have an address for, once per `key`.
    Returns the ids of the new rows to send (after the transaction commits, they are sent)."""
    now = timezone.now()
    rows = []
    for user, channel in _planned(recipients, kind, channels):
        portal = channel == Notification.Channel.PORTAL
        rows.append(
            Notification(
                recipient=user,
                channel=channel,
                kind=kind,
                title=title[:200],
                body=body,
                link=link,
                key=_row_key(key, channel, user),
                status=Notification.Status.SENT if portal else Notification.Status.PENDING,
                sent_at=now if portal else None,
                send_after=now,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # ignore_conflicts returns no ids; the rows this call inserted are those stamped with its `now`.
    outbox = list(
        Notification.objects.filter(
            key__in=[row.key for row in rows], status=Notification.Status.PENDING, created_at=now
        ).values_list("pk", flat=True)
    )
    if outbox:
        enqueue_after_commit(
            "interventions.tasks.deliver_notifications", outbox, left_to="the sweep of due notifications"
        )
    return outbox


def _planned(recipients: Iterable[User], kind: str, channels: Sequence[str] | None) -> list[tuple[User, str]]:
    """(person, channel) for each row notify writes: each person once, on each of the kind's
    channels they have an address for."""
    people = {user.pk: user for user in recipients}.values()
    return [(user, channel) for user in people for channel in channels or CHANNELS[kind] if _reachable(user, channel)]


def _row_key(key: str, channel: str, user: User) -> str:
    return f"{key}:{channel}:{user.pk}"


@dataclass(frozen=True)
class Page:
    """One notify() call, to be made unless every row of it exists already."""

    recipients: list
    kind: str
    title: str
    key: str
    body: str = ""
    link: str = ""
    channels: Sequence[str] | None = None


def notify_each_once(pages: Sequence[Page]) -> int:
    """The clocks see the same alert or deadline every minute until someone acts. One query tells
    which pages have all their rows already; only the others are written. Returns how many were."""
    wanted = {
        page.key: [_row_key(page.key, c, u) for u, c in _planned(page.recipients, page.kind, page.channels)]
        for page in pages
    }
    existing = set(
        Notification.objects.filter(key__in=[key for keys in wanted.values() for key in keys]).values_list(
            "key", flat=True
        )
    )
    fresh = [page for page in pages if not existing.issuperset(wanted[page.key])]
    for page in fresh:
        notify(
            recipients=page.recipients,
            kind=page.kind,
            title=page.title,
            key=page.key,
            body=page.body,
            link=page.link,
            channels=page.channels,
        )
    return len(fresh)


def _on_duty_memo(now: datetime):
    """on_duty for one sweep, asked once per desk and role rather than once per alert."""
    known: dict[tuple[str, str], list[User]] = {}

    def lookup(desk: str, role: str) -> list[User]:
        if (desk, role) not in known:
            known[(desk, role)] = on_duty(desk=desk, role=role, at=now)
        return known[(desk, role)]

    return lookup


def _reachable(user: User, channel: str) -> bool:
    if channel == Notification.Channel.EMAIL:
        return bool(user.email)
    if channel in (Notification.Channel.SMS, Notification.Channel.VOICE):
        return bool(user.paging_phone)
    return True


def notifications_due(*, now: datetime, limit: int) -> list[int]:
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING, send_after__lte=now)
        .order_by("send_after")
        .values_list("pk", flat=True)[:limit]
    )


def notifications_deliver(*, notification_ids: Sequence[int]) -> int:
    """Send each of these pending notifications that is due; safe to run twice, and on two
    workers at once (rows are taken with SKIP LOCKED and sent under their lock)."""
    waiting = Notification.objects.filter(status=Notification.Status.PENDING).select_related("recipient")
    return sum(outbox_send(waiting, pk, send=_send, sent=_sent, failed=_failed) for pk in notification_ids)


def _sent(row: Notification, answer: dict, now: datetime) -> None:
    row.status, row.sent_at = Notification.Status.SENT, now
    row.save(update_fields=["attempts", "status", "sent_at", "last_error"])


def _failed(row: Notification, failure: channels.DeliveryFailed, gave_up: bool) -> None:
    if gave_up:
        row.status = Notification.Status.FAILED
    row.save(update_fields=["attempts", "last_error", "send_after", "status"])


def _send(row: Notification) -> None:
    link = f"{settings.SHOUHU_PORTAL_URL}{row.link}" if row.link else ""
    text = "\n".join(part for part in (row.title, row.body, link) if part)
    if row.channel == Notification.Channel.EMAIL:
        channels.email(to=row.recipient.email, subject=row.title, body=text)
    elif row.channel == Notification.Channel.SMS:
        channels.sms(phone=row.recipient.paging_phone, text=text, key=row.key)
    elif row.channel == Notification.Channel.VOICE:
        channels.voice_call(phone=row.recipient.paging_phone, text=row.title, key=row.key)


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's portal notifications read: these, or all of them."""
    unread = Notification.objects.filter(recipient=user, channel=Notification.Channel.PORTAL, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


# --- the escalation clocks ----------------------------------------------------------------------


def alerts_escalate(*, now: datetime) -> int:
    """Page the people on duty about alerts still unclaimed past each tier of their severity.
    Returns how many pages went out anew."""
    duty = _on_duty_memo(now)
    pages = []
    for severity_name, tiers in settings.SHOUHU_ALERT_ESCALATION.items():
        severity = Severity[severity_name.upper()]
        for tier, (after, role) in enumerate(tiers, start=1):
            waiting = Alert.objects.filter(
                status=Alert.Status.NEW, severity=severity, created_at__lte=now - after
            ).order_by("created_at")[: settings.SHOUHU_SWEEP_LIMIT]
            for alert in waiting:
                minutes = int((now - alert.created_at).total_seconds() // 60)
                pages.append(
                    Page(
                        recipients=duty(alert.desk, role),
                        kind=Notification.Kind.ALERT_UNCLAIMED,
                        title=_("%(severity)s alert unclaimed for %(minutes)d min on the %(desk)s desk")
                        % {
                            "severity": alert.get_severity_display(),
                            "minutes": minutes,
                            "desk": alert.get_desk_display(),
                        },
                        # No summary: it quotes the person's words, and pages leave the portal by SMS.
                        link=reverse("interventions:alert", args=[alert.pk]),
                        key=f"alert:{alert.pk}:tier{tier}",
                    )
                )
    return notify_each_once(pages)


def stop_payments_page(*, now: datetime) -> int:
    """Page the owner of each stop-payment whose window closes within SHOUHU_STOP_PAYMENT_PAGE_BEFORE."""
    window = settings.SHOUHU_STOP_PAYMENT_WINDOW
    closing = StopPaymentRequest.objects.filter(
        status__in=[StopPaymentRequest.Status.REQUESTED, StopPaymentRequest.Status.RECEIVED],
        reported_at__lte=now - window + settings.SHOUHU_STOP_PAYMENT_PAGE_BEFORE,
        reported_at__gt=now - window,
    ).select_related("case__owner", "requested_by")
    pages = [
        Page(
            recipients=[stop.case.owner or stop.requested_by],
            kind=Notification.Kind.STOP_PAYMENT_CLOSING,
            title=_("Stop-payment for %(case)s: %(minutes)d min left in the window")
            % {"case": stop.case.reference, "minutes": max(int((stop.deadline - now).total_seconds() // 60), 0)},
            body=_("Call the anti-fraud centre if it has not answered."),
            link=reverse("interventions:case", args=[stop.case_id]),
            key=f"stop:{stop.pk}:closing",
        )
        for stop in closing
    ]
    return notify_each_once(pages)


def interceptions_escalate(*, now: datetime) -> int:
    """Page the case owner and the supervisor on duty about interceptions unanswered by their
    deadline: the parcel may be leaving."""
    duty = _on_duty_memo(now)
    overdue = InterceptionRequest.objects.filter(
        status=InterceptionRequest.Status.REQUESTED, deadline__lte=now
    ).select_related("case__owner", "order__merchant")
    pages = [
        Page(
            recipients=[user for user in [i.case.owner, *duty(i.case.desk, DutyShift.Role.SUPERVISOR)] if user],
            kind=Notification.Kind.INTERCEPTION_OVERDUE,
            title=_("%(shop)s has not answered the interception for %(case)s")
            % {"shop": i.order.merchant, "case": i.case.reference},
            body=_("Call the shop's emergency contact."),
            link=reverse("interventions:case", args=[i.case_id]),
            key=f"interception:{i.pk}:overdue",
        )
        for i in overdue
    ]
    return notify_each_once(pages)


def case_escalation_page(*, case: Case, by: User, at: datetime) -> None:
    """Page the desk's supervisors on duty about a case handed up to them `at` this time. The
    reason stays on the case's timeline: it speaks of the person, and is encrypted and anonymised
    with the case, which a notification is not."""
    notify(
        recipients=on_duty(desk=case.desk, role=DutyShift.Role.SUPERVISOR, at=at),
        kind=Notification.Kind.CASE_ESCALATED,
        title=_("%(case)s escalated by %(name)s") % {"case": case.reference, "name": by.display_name},
        body=_("The reason is on the case's timeline."),
        link=reverse("interventions:case", args=[case.pk]),
        key=f"case:{case.pk}:escalated:{at.timestamp():.6f}",
    )


def first_actions_page(*, now: datetime) -> int:
    """Page the owner and the supervisor on duty about each high-risk case with no first action
    SHOUHU_FIRST_ACTION_WITHIN after it opened. Returns how many pages went out anew."""
    duty = _on_duty_memo(now)
    pages = [
        Page(
            recipients=[user for user in [case.owner, *duty(case.desk, DutyShift.Role.SUPERVISOR)] if user],
            kind=Notification.Kind.FIRST_ACTION_OVERDUE,
            title=_("%(case)s: no first action %(minutes)d min after it opened")
            % {"case": case.reference, "minutes": int((now - case.opened_at).total_seconds() // 60)},
            body=_("Call the person, hold the order or refer to the police now, or hand the case over."),
            link=reverse("interventions:case", args=[case.pk]),
            key=f"case:{case.pk}:first-action",
        )
        for case in cases_awaiting_first_action(now=now)[: settings.SHOUHU_SWEEP_LIMIT]
    ]
    return notify_each_once(pages)


# --- the digest ---------------------------------------------------------------------


def morning_digests_send(*, now: datetime | None = None) -> int:
    """Each supervisor's morning digest: open cases by risk, check-ins due today, what is overdue."""
    now = now or timezone.now()
    sent = 0
    for user in supervisors():
        digest = morning_digest(user, now=now)
        day = timezone.localtime(now, digest["zone"]).date()
        notify(
            recipients=[user],
            kind=Notification.Kind.DIGEST,
            title=_("Morning digest %(day)s") % {"day": day.isoformat()},
            body=digest["text"],
            link=reverse("interventions:queue"),
            key=f"digest:{day.isoformat()}",
        )
        sent += 1
    return sent
