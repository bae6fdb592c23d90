"""What is done on a case: risk assessments, police referrals, emergency actions under review."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.crypto import EncryptedTextField

from .cases import Case
from .police import PoliceUnit


class RiskAssessment(models.Model):
    """One rating of a person's suicide risk: the C-SSRS screener and the seeds' risk factors.
    A re-assessment is a new row; the case shows the latest and keeps them all."""

    class Factor(models.TextChoices):
        EXPLICIT_INTENT = "explicit_intent", _("Explicit intent")
        PREPARED_METHOD = "prepared_method", _("A method prepared (bought, within reach)")
        BACKUP_PLAN = "backup_plan", _("A backup plan")
        RECENT_SETBACK = "recent_setback", _("A recent setback (break-up, debt, loss)")
        PSYCHIATRIC_HISTORY = "psychiatric_history", _("Long insomnia, depression or psychiatric history")
        RESEARCHED_OR_ATTEMPTED = "researched_or_attempted", _("Researched methods or attempted before")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="assessments")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT)
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)
    # {"q1".."q6": bool, "q6_recent": bool}: the six screener questions, and whether the
    # behaviour of question 6 was within the past three months.
    cssrs = models.JSONField(_("C-SSRS answers"), default=dict)
    factors = models.JSONField(_("risk factors"), default=list)
    level = models.PositiveSmallIntegerField(_("risk"), choices=Case.RiskLevel.choices)
    note = EncryptedTextField(_("note"), blank=True)  # what the specialist noted of the person

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.get_level_display()}"


class PoliceReferral(models.Model):
    """A report to a police unit or anti-fraud centre about a case, and what came of it."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        RECEIVED = "received", _("Received by the unit")
        CLOSED = "closed", _("Closed")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="referrals")
    unit = models.ForeignKey(
        PoliceUnit, verbose_name=_("police unit"), on_delete=models.PROTECT, related_name="referrals"
    )
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("referred by"), on_delete=models.PROTECT)
    referred_at = models.DateTimeField(_("referred"), default=timezone.now)
    what_reported = EncryptedTextField(_("what was reported"))  # the person, their words, their place
    reference_no = models.CharField(_("police reference number"), max_length=64, blank=True)
    # A ring referred as one: the ring's other cases this one referral covers.
    covers = models.ManyToManyField(
        Case, verbose_name=_("other cases of the ring"), related_name="ring_referrals", blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REPORTED)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)

    # The person's words stay out of the append-only history (see Case.history).
    history = HistoricalRecords(excluded_fields=["what_reported", "outcome"])

    class Meta:
        verbose_name = _("police referral")
        verbose_name_plural = _("police referrals")
        ordering = ["-referred_at"]
        indexes = [
            # The few referrals the police have not acknowledged: the case list's "waiting" and clocks.
            models.Index(
                fields=["case"], condition=Q(status="reported", received_at__isnull=True), name="referral_unacked_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} → {self.unit}"


class EmergencyAction(models.Model):
    """An action taken at once on a specialist's word (high or critical risk), waiting for a
    supervisor's review after the fact. Nothing waits for approval; everything is reviewed."""

    class Kind(models.TextChoices):
        INTERCEPTION = "interception", _("Order interception")
        REFERRAL = "referral", _("Police referral")
        STOP_PAYMENT = "stop_payment", _("Stop-payment")

    class Review(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed")
        FLAGGED = "flagged", _("Flagged for a review")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="emergency_actions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    interception = models.OneToOneField(
        "orders.InterceptionRequest", verbose_name=_("interception"), on_delete=models.PROTECT, null=True, blank=True
    )
    referral = models.OneToOneField(
        PoliceReferral, verbose_name=_("police referral"), on_delete=models.PROTECT, null=True, blank=True
    )
    stop_payment = models.OneToOneField(
        "fraud.StopPaymentRequest", verbose_name=_("stop-payment"), on_delete=models.PROTECT, null=True, blank=True
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken"), default=timezone.now)
    risk_level = models.PositiveSmallIntegerField(_("risk at the time"), choices=Case.RiskLevel.choices)
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = EncryptedTextField(_("review note"), blank=True)

    # The person's words stay out of the append-only history (see Case.history).
    history = HistoricalRecords(excluded_fields=["review_note"])

    class Meta:
        verbose_name = _("emergency action")
        verbose_name_plural = _("emergency actions")
        ordering = ["taken_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(review="pending") & Q(reviewed_by__isnull=True) & Q(reviewed_at__isnull=True))
                | (~Q(review="pending") & Q(reviewed_by__isnull=False) & Q(reviewed_at__isnull=False)),
                name="emergency_action_reviewed_iff_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(interception__isnull=False) | Q(referral__isnull=False) | Q(stop_payment__isnull=False),
                name="emergency_action_names_its_action",
            ),
        ]
        indexes = [models.Index(fields=["taken_at"], name="emergency_pending_idx", condition=Q(review="pending"))]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.get_kind_display()}"
