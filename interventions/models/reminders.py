"""Promises kept on time: check-ins with the person, the on-duty rota, and the notifications that
page staff. Each due thing is a row with a due time; a sweep every minute claims what is due."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.crypto import EncryptedTextField
from accounts.models import Desk

from .cases import Case


class CheckIn(models.Model):
    """A promised contact with the person ("good morning" at 08:30 their time). Stored in UTC with
    the zone it was planned in. A chat or SMS check-in is sent by the sweep when due; a phone
    check-in is on its owner's "today" list."""

    class Channel(models.TextChoices):
        CHAT = "chat", _("Platform chat message")
        SMS = "sms", _("SMS")
        PHONE = "phone", _("Phone call by a specialist")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        REPLIED = "replied", _("Replied")
        DONE = "done", _("Called")
        MISSED = "missed", _("No reply")
        FAILED = "failed", _("Could not be sent")
        CANCELLED = "cancelled", _("Cancelled")

    AWAITING_REPLY = (Status.SENT, Status.DELIVERED)

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="checkins")
    due_at = models.DateTimeField(_("due"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    text = EncryptedTextField(_("text"), blank=True)  # what the specialist wrote to the person
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="checkins"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Delivery: the next try (the due time, then later after a failed try), and what happened.
    send_after = models.DateTimeField(_("next try"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    reply = models.ForeignKey(
        "Message", verbose_name=_("reply"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # No reply: first a chaser to the owner, then an alert back in the queue.
    chased_at = models.DateTimeField(_("owner chased"), null=True, blank=True)
    requeued_alert = models.ForeignKey(
        "Alert", verbose_name=_("alert raised"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The person's words stay out of the append-only history (see Case.history).
    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["due_at"], name="checkin_due_idx", condition=Q(status="planned")),
            # The sweep's two questions: what is to be sent now, and what waits for a reply.
            models.Index(
                fields=["send_after"], name="checkin_send_idx", condition=Q(status="planned") & ~Q(channel="phone")
            ),
            models.Index(
                fields=["sent_at"], name="checkin_awaiting_idx", condition=Q(status__in=["sent", "delivered"])
            ),
            models.Index(fields=["owner", "due_at"], name="checkin_owner_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def idempotency_key(self) -> str:
        """The key the receiving system deduplicates on: one message per check-in, whatever the
        number of tries or workers."""
        return f"shouhu-checkin-{self.pk}"


class DutyShift(models.Model):
    """Who is on duty for a desk, as what, from when to when: the rota the escalations page."""

    class Role(models.TextChoices):
        SUPERVISOR = "supervisor", _("Supervisor on duty")
        DESK_LEAD = "desk_lead", _("Desk lead")

    desk = models.CharField(_("desk"), max_length=10, choices=Desk.choices)
    role = models.CharField(_("as"), max_length=12, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="duty_shifts"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty rota")
        ordering = ["desk", "role", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="duty_shift_ends_after_start")
        ]
        indexes = [models.Index(fields=["desk", "role", "starts_at", "ends_at"], name="duty_now_idx")]

    def __str__(self) -> str:
        return f"{self.get_desk_display()} {self.get_role_display()}: {self.user}"


class Notification(models.Model):
    """One message to one member of staff on one channel: in the portal, by email, by SMS or by a
    voice call. A row is the outbox: the sweep delivers what is pending, retrying with backoff.
    The key makes each event reach each person on each channel once."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("In the portal")
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        VOICE = "voice", _("Voice call")

    class Kind(models.TextChoices):
        ALERT_UNCLAIMED = "alert_unclaimed", _("Alert not claimed in time")
        STOP_PAYMENT_CLOSING = "stop_payment_closing", _("Stop-payment window closing")
        INTERCEPTION_REQUESTED = "interception_requested", _("The platform asks your shop to hold an order")
        INTERCEPTION_OVERDUE = "interception_overdue", _("Merchant has not answered an interception")
        REPORT_NOTE = "report_note", _("New message about a report")
        BREAK_GLASS = "break_glass", _("A case was read outside its desk")
        CHECKIN_NO_REPLY = "checkin_no_reply", _("No reply to a check-in")
        CHECKIN_CALL_DUE = "checkin_call_due", _("Check-in call due")
        CHECKIN_FAILED = "checkin_failed", _("Check-in could not be sent")
        DIGEST = "digest", _("Morning digest")
        REVIEW_FOLLOW_UP = "review_follow_up", _("A review gave you a follow-up")
        CASE_ESCALATED = "case_escalated", _("A case was escalated to the supervisors")
        FIRST_ACTION_OVERDUE = "first_action_overdue", _("No first action on a high-risk case")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("what"), max_length=24, choices=Kind.choices)
    # Staff-facing words only: references and links, never the person's name, phone or messages,
    # since SMS and email leave the portal.
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    send_after = models.DateTimeField(_("next try"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["send_after"], name="notification_outbox_idx", condition=Q(status="pending")),
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread_idx",
                condition=Q(channel="portal", read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.title}"
