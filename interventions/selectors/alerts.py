"""Reads of alerts: the queue and its pages, counts, one alert for its reader."""

import base64
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_desks
from orders.models import MerchantReport

from ..choices import Severity
from ..models import (
    Alert,
    Message,
)

QUEUE_PAGE_SIZE = 50


QUEUE_ORDER = ("-severity", "sla_due_at", "created_at", "id")


# A person with the regions above theirs, which their masked address names (Buyer.address_masked).
BUYER_WITH_REGIONS = "buyer__region__parent__parent"


def open_alerts_for(desks: list[str]) -> QuerySet[Alert]:
    """Open alerts of these desks (the user's: see user_desks), with what a queue row shows."""
    return (
        Alert.objects.on_desks(desks)
        .filter(status__in=Alert.OPEN_STATUSES)
        .select_related("buyer", "merchant", "order__product", "claimed_by")
        .prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("sent_at", "id")))
    )


def queue_page(queryset: QuerySet[Alert], *, after: str = "", size: int = QUEUE_PAGE_SIZE) -> tuple[list[Alert], str]:
    """One page of the queue in queue order, by keyset (never OFFSET): the rows after the cursor,
    and the cursor of the next page ('' when this is the last)."""
    queryset = queryset.order_by(*QUEUE_ORDER)
    position = _decode_cursor(after)
    if position is not None:
        severity, due, created, pk = position
        queryset = queryset.filter(
            Q(severity__lt=severity)
            | Q(severity=severity, sla_due_at__gt=due)
            | Q(severity=severity, sla_due_at=due, created_at__gt=created)
            | Q(severity=severity, sla_due_at=due, created_at=created, id__gt=pk)
        )
    rows = list(queryset[: size + 1])
    if len(rows) <= size:
        return rows, ""
    last = rows[size - 1]
    return rows[:size], _encode_cursor(last)


def _encode_cursor(alert: Alert) -> str:
    raw = f"{alert.severity}|{alert.sla_due_at.isoformat()}|{alert.created_at.isoformat()}|{alert.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple | None:
    try:
        severity, due, created, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return int(severity), datetime.fromisoformat(due), datetime.fromisoformat(created), int(pk)
    except ValueError:
        return None


def new_alert_counts(desks: list[str], *, since: datetime) -> dict:
    """How many alerts reached these desks since `since`, and how many of them are critical."""
    return (
        Alert.objects.on_desks(desks)
        .filter(created_at__gt=since)
        .aggregate(total=Count("id"), critical=Count("id", filter=Q(severity=Severity.CRITICAL)))
    )


def alert_for_user(user: User, pk: int) -> Alert:
    """The alert, if it belongs to a desk the user works; 404 otherwise (never 403)."""
    return get_object_or_404(
        Alert.objects.select_related(
            BUYER_WITH_REGIONS, "merchant", "order__product", "claimed_by", "case", "related_case"
        ).on_desks(user_desks(user)),
        pk=pk,
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


def report_of_alert(alert: Alert):
    """The shop's report the alert came from, with its screenshots and thread, or None."""
    return (
        MerchantReport.objects.filter(alert=alert)
        .select_related("merchant", "reported_by", "order")
        .prefetch_related("attachments", "notes__author")
        .first()
    )
