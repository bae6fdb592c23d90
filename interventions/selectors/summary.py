"""The managers' summary and the worker's heartbeat."""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import Desk
from fraud.models import Dissuasion, StopPaymentRequest

from ..choices import Severity
from ..models import (
    Case,
    Heartbeat,
)
from .alerts import open_alert_counts
from .cases import open_case_counts

HEARTBEAT_NAME = "worker"


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


def managers_summary(*, now: datetime | None = None) -> dict:
    """The figures of the managers' start page, laid out per desk, most severe first."""
    now = now or timezone.now()
    alerts = open_alert_counts(now=now)
    cases = open_case_counts()
    severities = [s for s in reversed(Severity.choices) if s[0] > 0]  # Alert.severity's choices
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
    return {"desks": desks, "heartbeat": heartbeat_status(now=now), "now": now, "fraud": fraud_totals()}


def fraud_totals() -> dict:
    """What the anti-fraud desk saved, all time: computed in the database."""
    dissuaded = Dissuasion.objects.aggregate(
        convinced=Count("id", filter=Q(convinced=True)), protected=Sum("amount_protected")
    )
    frozen = StopPaymentRequest.objects.aggregate(
        frozen=Count("id", filter=Q(status="frozen")), amount=Sum("frozen_amount")
    )
    return {
        "convinced": dissuaded["convinced"],
        "protected": dissuaded["protected"] or 0,
        "frozen": frozen["frozen"],
        "frozen_amount": frozen["amount"] or 0,
    }
