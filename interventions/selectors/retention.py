"""Reads for retention: which closed cases are past the period that keeps the person's data."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from ..models import Case


def retention_cutoff(now: datetime) -> datetime:
    """A case closed before this is past SHOUHU_RETENTION_DAYS."""
    return now - timedelta(days=settings.SHOUHU_RETENTION_DAYS)


def cases_due_for_anonymisation(*, now: datetime) -> QuerySet[Case]:
    """Closed before the cutoff, not under a legal hold, not anonymised yet: what the sweep takes,
    oldest first (case_retention_due_idx). The one statement of the rule: the service checks it
    again under the row lock."""
    return Case.objects.filter(
        status=Case.Status.CLOSED,
        closed_at__lt=retention_cutoff(now),
        legal_hold=False,
        anonymised_at__isnull=True,
    ).order_by("closed_at", "pk")
