"""Every read that the interventions pages, API and tasks need."""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User

from .models import Alert, Case, Heartbeat, PoliceUnit, ScanTerm
from .scanner import Lexicon, Term

QUEUE_PAGE_SIZE = 50
HEARTBEAT_NAME = "worker"


def queue_alerts(*, desks: list[str], limit: int = QUEUE_PAGE_SIZE) -> QuerySet[Alert]:
    """Open alerts of the given desks, the most dangerous first, then the nearest claim deadline."""
    return (
        Alert.objects.filter(desk__in=desks, status__in=Alert.OPEN_STATUSES)
        .select_related("buyer", "merchant", "order", "claimed_by")
        .order_by("-severity", "sla_due_at", "created_at", "id")[:limit]
    )


def open_alert_counts(*, now: datetime | None = None) -> dict:
    """Open alerts per desk and severity, and how many are past their claim deadline."""
    now = now or timezone.now()
    rows = (
        Alert.objects.filter(status__in=Alert.OPEN_STATUSES)
        .values("desk", "severity")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=Q(status=Alert.Status.NEW, sla_due_at__lt=now)),
        )
    )
    return {(row["desk"], row["severity"]): row for row in rows}


def open_case_counts() -> dict:
    """Cases not closed, per desk and risk level."""
    rows = Case.objects.exclude(status=Case.Status.CLOSED).values("desk", "risk_level").annotate(total=Count("id"))
    return {(row["desk"], row["risk_level"]): row["total"] for row in rows}


def heartbeat_status(*, now: datetime | None = None) -> dict:
    """When the worker last ran the heartbeat task, and whether that is too long ago."""
    now = now or timezone.now()
    beat = Heartbeat.objects.filter(name=HEARTBEAT_NAME).first()
    if beat is None:
        return {"last_beat_at": None, "worker": "", "is_stale": True}
    return {
        "last_beat_at": beat.last_beat_at,
        "worker": beat.worker,
        "is_stale": now - beat.last_beat_at > settings.SHOUHU_HEARTBEAT_STALE_AFTER,
    }


def police_unit_for_liaison(user: User) -> PoliceUnit | None:
    """The one unit a liaison works for, or None."""
    return PoliceUnit.objects.select_related("region", "region__parent").filter(liaisons__user=user).first()


def managers_summary(*, now: datetime | None = None) -> dict:
    """The figures of the managers' start page, laid out per desk, most severe first."""
    from accounts.models import Desk

    now = now or timezone.now()
    alerts = open_alert_counts(now=now)
    cases = open_case_counts()
    severities = [s for s in reversed(Alert._meta.get_field("severity").choices) if s[0] > 0]
    risks = list(reversed(Case.RiskLevel.choices))
    desks = []
    for desk, desk_label in Desk.choices:
        alert_rows = [
            {
                "severity": value,
                "label": label,
                "total": alerts.get((desk, value), {}).get("total", 0),
                "overdue": alerts.get((desk, value), {}).get("overdue", 0),
            }
            for value, label in severities
        ]
        case_rows = [{"risk": value, "label": label, "total": cases.get((desk, value), 0)} for value, label in risks]
        desks.append(
            {
                "desk": desk,
                "label": desk_label,
                "alerts": alert_rows,
                "open_alerts": sum(row["total"] for row in alert_rows),
                "overdue_alerts": sum(row["overdue"] for row in alert_rows),
                "cases": case_rows,
                "open_cases": sum(row["total"] for row in case_rows),
            }
        )
    return {"desks": desks, "heartbeat": heartbeat_status(now=now), "now": now}


_lexicon_cache: dict[str, Lexicon] = {}


def scan_term_list_version() -> tuple:
    """Changes whenever a term is added, edited, switched off or removed. Edits through the admin
    move `updated_at`; the counts and the weight sum also catch a bulk `.update()`."""
    active = Q(is_active=True)
    summary = ScanTerm.objects.aggregate(
        count=Count("id"),
        active=Count("id", filter=active),
        weights=Sum("weight", filter=active),
        changed=Max("updated_at"),
        last_id=Max("id"),
    )
    return tuple(summary.values())


def current_lexicon() -> Lexicon:
    """The compiled active term lists, rebuilt in this process only when the lists changed.
    One small query per call, so call it once per batch, not per message."""
    version = scan_term_list_version()
    cached = _lexicon_cache.get("current")
    if cached is None or cached.version != version:
        terms = ScanTerm.objects.filter(is_active=True).values_list("phrase", "category", "weight")
        cached = Lexicon([Term(phrase, category, weight) for phrase, category, weight in terms], version=version)
        _lexicon_cache["current"] = cached
    return cached
