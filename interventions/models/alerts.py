"""Messages from the platform's traffic and the alerts the scanner raises on them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.crypto import EncryptedTextField
from accounts.desks import DeskScopedQuerySet
from accounts.models import Desk

from ..choices import Severity, Source


class Message(models.Model):
    """One piece of customer-service traffic, stored once and scanned for danger."""

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    channel = models.CharField(_("channel"), max_length=64, blank=True)
    external_id = models.CharField(_("external ID"), max_length=128)
    buyer = models.ForeignKey(
        "orders.Buyer",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    merchant = models.ForeignKey(
        "orders.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, null=True, blank=True
    )
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, null=True, blank=True)
    # What the integration sent, kept even when no such merchant or order is known (yet).
    merchant_ref = models.CharField(_("merchant ref"), max_length=64, blank=True)
    order_ref = models.CharField(_("order ref"), max_length=64, blank=True)
    text = EncryptedTextField(_("text"))
    sent_at = models.DateTimeField(_("sent"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    scanned_at = models.DateTimeField(_("scanned"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            # A message re-sent by an integration is the same message.
            models.UniqueConstraint(fields=["source", "external_id"], name="message_once_per_source"),
        ]
        indexes = [
            models.Index(fields=["received_at"], name="message_unscanned_idx", condition=Q(scanned_at__isnull=True)),
            models.Index(fields=["buyer", "-sent_at"], name="message_buyer_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.external_id}"


class Alert(models.Model):
    """A signal that someone may be in danger, waiting in a desk's queue until a person acts on it."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CLAIMED = "claimed", _("Claimed")
        DISMISSED = "dismissed", _("Dismissed")
        PROMOTED = "promoted", _("Promoted to a case")
        MERGED = "merged", _("Merged into a case")

    class DismissReason(models.TextChoices):
        FALSE_ALARM = "false_alarm", _("False alarm")
        DUPLICATE = "duplicate", _("Duplicate")
        NOT_ACTIONABLE = "not_actionable", _("Nothing to act on")

    OPEN_STATUSES = (Status.NEW, Status.CLAIMED)

    desk = models.CharField(_("desk"), max_length=10, choices=Desk.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    summary = models.CharField(_("reason"), max_length=300, help_text=_("One line a specialist can read."))
    # [{"term", "category", "start", "end", "message_id"}]: offsets are into the original text.
    matches = models.JSONField(_("matched terms"), default=list, blank=True)
    # The scanner's frames that held (["lethality", "prepared"]) and its risk level 0-10: what the
    # desk's decisions on the alert are counted against, per frame, in the figures.
    frames = models.JSONField(_("scanner frames"), default=list, blank=True)
    risk_level = models.PositiveSmallIntegerField(_("risk level (0-10)"), default=0)
    messages = models.ManyToManyField(Message, verbose_name=_("messages"), related_name="alerts", blank=True)
    # Indexed by alert_buyer_recent_idx, which starts with it.
    buyer = models.ForeignKey(
        "orders.Buyer",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        db_index=False,
    )
    merchant = models.ForeignKey(
        "orders.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
    )
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    case = models.ForeignKey(
        "Case", verbose_name=_("case"), on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    # The same person's case on the other desk, when the alert was raised: a fraud victim who
    # writes of despair gets a life-protection alert that both desks see beside the fraud case.
    related_case = models.ForeignKey(
        "Case",
        verbose_name=_("the person's case on the other desk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="related_alerts",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_alerts",
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    dismiss_reason = models.CharField(_("dismissed as"), max_length=20, choices=DismissReason.choices, blank=True)
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    sla_due_at = models.DateTimeField(_("claim by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # A summary typed by hand can name the person: it stays out of the append-only history
    # (see Case.history).
    objects = DeskScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["summary"])

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        permissions = [
            ("work_queue", "Can work the triage queue"),
            ("triage_any", "Can act on alerts claimed by others, and triage in bulk"),
            ("submit_intake", "Can push messages and orders through the intake API"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(severity__gte=1), name="alert_severity_at_least_low"),
            models.CheckConstraint(
                condition=~Q(status="claimed") | Q(claimed_by__isnull=False, claimed_at__isnull=False),
                name="alert_claimed_has_claimant",
            ),
            models.CheckConstraint(
                condition=~Q(status="new") | Q(claimed_by__isnull=True, claimed_at__isnull=True),
                name="alert_new_has_no_claimant",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["promoted", "merged"]) | Q(case__isnull=False),
                name="alert_promoted_has_case",
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismiss_reason=""),
                name="alert_dismissed_has_reason",
            ),
        ]
        indexes = [
            # The queue: open alerts of a desk, most dangerous first, then the nearest deadline.
            models.Index(
                fields=["desk", "-severity", "sla_due_at"],
                name="alert_queue_idx",
                condition=Q(status__in=["new", "claimed"]),
            ),
            models.Index(fields=["-created_at", "-id"], name="alert_recent_idx"),
            models.Index(fields=["buyer", "-created_at"], name="alert_buyer_recent_idx"),
            # The ring: the case of each alert an indicator was seen in, from this index alone. By
            # the primary key, each alert is a row to read (16 ms for a hub indicator's few thousand),
            # and PostgreSQL, costing that about as much as reading every alert that has a case
            # through the case index (110 ms), took either from one ANALYZE to the next.
            models.Index(fields=["id"], include=["case"], name="alert_case_idx", condition=Q(case__isnull=False)),
            # The figures' roll-up finds the days whose alerts changed since its last run.
            models.Index(fields=["updated_at"], name="alert_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_severity_display()} {self.summary[:40]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        """Still unclaimed after its claim deadline."""
        return self.status == self.Status.NEW and (now or timezone.now()) > self.sla_due_at
