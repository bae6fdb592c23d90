"""Webhooks: the platform's order and payment systems learn at once when Shouhu holds an order or
asks for a freeze. A delivery is an outbox row, sent signed and retried with backoff."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    class Event(models.TextChoices):
        ORDER_HOLD_REQUESTED = "order.hold_requested", _("An order is to be held")
        ORDER_HOLD_RELEASED = "order.hold_released", _("A held order may ship again")
        PAYMENT_FREEZE_REQUESTED = "payment.freeze_requested", _("A payment is to be frozen")
        CASE_CLOSED = "case.closed", _("A case was closed")
        ALERT_CRITICAL = "alert.critical", _("A critical alert was raised")

    integration = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("integration"), on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("receiver URL"), max_length=500)
    events = models.JSONField(_("events"), default=list, help_text=_("The events this receiver wants."))
    # Shared with the receiver, who checks each delivery's signature with it.
    secret = models.CharField(_("signing secret"), max_length=100, default=_new_secret)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.integration} → {self.url}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookSubscription.Event.choices)
    # The event's own id: the receiver deduplicates on it (it is also the Idempotency-Key).
    event_id = models.CharField(_("event id"), max_length=120)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    send_after = models.DateTimeField(_("next try"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_event_once_per_subscription")
        ]
        indexes = [models.Index(fields=["send_after"], name="webhook_outbox_idx", condition=Q(status="pending"))]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} → {self.subscription.url}"
