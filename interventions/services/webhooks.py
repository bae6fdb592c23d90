"""Webhooks out: events queued for each subscription that wants them, sent signed after the
transaction commits (and by the sweep, should that send be lost), retried with backoff.

Every delivery is a POST of {"event", "id", "occurred_at", "data"} with the headers
Idempotency-Key (the event id, for the receiver to deduplicate on), X-Shouhu-Event,
X-Shouhu-Timestamp and X-Shouhu-Signature: HMAC-SHA256 of "<timestamp>.<body>" with the
subscription's secret. Receivers refuse a timestamp older than five minutes (the replay window).
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from config.celery import enqueue_after_commit

from .. import channels
from ..models import WebhookDelivery, WebhookSubscription
from .outbox import outbox_send


def webhook_emit(*, event: str, event_id: str, data: dict) -> list[int]:
    """Queue one event for every active subscription that wants it. Emitting the same event id
    again queues nothing new. Call it inside the transaction of the change it reports."""
    now = timezone.now()
    wanted = [sub for sub in WebhookSubscription.objects.filter(is_active=True) if event in sub.events]
    payload = {"event": event, "id": event_id, "occurred_at": now.isoformat(), "data": data}
    rows = [WebhookDelivery(subscription=sub, event=event, event_id=event_id, payload=payload) for sub in wanted]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        WebhookDelivery.objects.filter(
            event_id=event_id, subscription__in=wanted, status=WebhookDelivery.Status.PENDING
        ).values_list("pk", flat=True)
    )
    if ids:
        enqueue_after_commit("interventions.tasks.deliver_webhooks", ids, left_to="the sweep of due deliveries")
    return ids


def webhooks_due(*, now: datetime, limit: int) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, send_after__lte=now)
        .order_by("send_after")
        .values_list("pk", flat=True)[:limit]
    )


def webhooks_deliver(*, delivery_ids: Sequence[int]) -> int:
    """Send these deliveries if still pending and due; safe to run twice and on two workers."""
    waiting = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).select_related("subscription")
    return sum(outbox_send(waiting, pk, send=_send, sent=_sent, failed=_failed) for pk in delivery_ids)


def _send(delivery: WebhookDelivery) -> dict:
    return channels.signed_post(
        delivery.subscription.url,
        delivery.payload,
        key=delivery.event_id,
        secret=delivery.subscription.secret,
        headers={"X-Shouhu-Event": delivery.event},
    )


def _sent(delivery: WebhookDelivery, answer: dict, now: datetime) -> None:
    delivery.status, delivery.delivered_at, delivery.response_code = WebhookDelivery.Status.DELIVERED, now, 200
    delivery.save(update_fields=["attempts", "status", "delivered_at", "response_code", "last_error"])


def _failed(delivery: WebhookDelivery, failure: channels.DeliveryFailed, gave_up: bool) -> None:
    delivery.response_code = failure.status_code
    if gave_up:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save(update_fields=["attempts", "response_code", "last_error", "send_after", "status"])


@transaction.atomic
def webhooks_resend(*, deliveries: Sequence[WebhookDelivery]) -> int:
    """Send these deliveries again (from the admin): pending now, with a fresh count of tries."""
    ids = [delivery.pk for delivery in deliveries]
    count = WebhookDelivery.objects.filter(pk__in=ids).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, send_after=timezone.now(), delivered_at=None
    )
    enqueue_after_commit("interventions.tasks.deliver_webhooks", ids, left_to="the sweep of due deliveries")
    return count
