"""A person's notifications, today's check-ins and the morning digest."""

import zoneinfo
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.desks import on_desks
from accounts.models import User
from accounts.selectors import user_desks
from orders.models import InterceptionRequest

from ..models import (
    Alert,
    Case,
    CheckIn,
    Notification,
)


def unread_notification_count(user: User) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.PORTAL, read_at__isnull=True
    ).count()


def notifications_for(user: User, *, limit: int = 50) -> list:
    return list(Notification.objects.filter(recipient=user, channel=Notification.Channel.PORTAL)[:limit])


# A check-in not done yet: to send or to call, or sent and awaiting the person's reply.
CHECKINS_STILL_DUE = (CheckIn.Status.PLANNED, *CheckIn.AWAITING_REPLY)


def end_of_day_for(user: User, now: datetime) -> datetime:
    """The last instant of the user's today, in their own time zone."""
    zone = zoneinfo.ZoneInfo(user.time_zone)
    return datetime.combine(timezone.localtime(now, zone).date(), datetime.max.time(), tzinfo=zone)


def checkins_today(user: User, *, now: datetime | None = None) -> list[CheckIn]:
    """The user's check-ins of today in their own time zone, and any earlier still waiting:
    phone calls to make, messages that await a reply."""
    end_of_day = end_of_day_for(user, now or timezone.now())
    return list(
        CheckIn.objects.filter(owner=user, status__in=CHECKINS_STILL_DUE, due_at__lte=end_of_day)
        .exclude(case__status=Case.Status.CLOSED)
        .select_related("case__buyer")
        .order_by("due_at")
    )


def morning_digest(user: User, *, now: datetime) -> dict:
    """A supervisor's morning: open cases by risk, check-ins due today, and what is overdue, on
    the desks they work. Counts in the database; the text goes in the portal and by email."""
    desks = user_desks(user)
    zone = zoneinfo.ZoneInfo(user.time_zone)
    today = timezone.localtime(now, zone).date()
    day_start = datetime.combine(today, datetime.min.time(), tzinfo=zone)
    open_cases = dict(
        Case.objects.on_desks(desks)
        .exclude(status=Case.Status.CLOSED)
        .values_list("risk_level")
        .annotate(total=Count("pk"))
        .values_list("risk_level", "total")
    )
    checkins = CheckIn.objects.filter(
        on_desks(desks, via="case__"), due_at__gte=day_start, due_at__lt=day_start + timedelta(days=1)
    )
    overdue_alerts = Alert.objects.on_desks(desks).filter(status=Alert.Status.NEW, sla_due_at__lt=now).count()
    overdue_interceptions = InterceptionRequest.objects.filter(
        on_desks(desks, via="case__"), status=InterceptionRequest.Status.REQUESTED, deadline__lt=now
    ).count()
    missed = CheckIn.objects.filter(
        on_desks(desks, via="case__"),
        status__in=[CheckIn.Status.MISSED, CheckIn.Status.FAILED],
        due_at__gte=now - timedelta(days=1),
    ).count()
    lines = [
        _("Open cases by risk: %(counts)s")
        % {
            "counts": ", ".join(
                f"{label} {open_cases.get(value, 0)}" for value, label in reversed(Case.RiskLevel.choices)
            )
        },
        _("Check-ins due today: %(n)d") % {"n": checkins.count()},
        _("Overdue: %(alerts)d unclaimed alerts, %(interceptions)d unanswered interceptions")
        % {"alerts": overdue_alerts, "interceptions": overdue_interceptions},
        _("Check-ins without reply or not sent since yesterday: %(n)d") % {"n": missed},
    ]
    return {"zone": zone, "text": "\n".join(lines)}
