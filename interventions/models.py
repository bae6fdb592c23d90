"""Messages, alerts, cases and their timeline; police units; the worker heartbeat."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Desk

from .choices import Severity, Source
from .scanner.categories import Category as ScanCategory

__all__ = [
    "Alert",
    "Case",
    "CaseEvent",
    "CheckIn",
    "ChecklistTick",
    "EmergencyAction",
    "Heartbeat",
    "Message",
    "Playbook",
    "PoliceLiaison",
    "PoliceReferral",
    "PoliceUnit",
    "RiskAssessment",
    "ScanTerm",
    "Severity",
    "Source",
]


class PoliceUnit(models.Model):
    """A police station or anti-fraud centre that takes referrals, reachable around the clock."""

    class Kind(models.TextChoices):
        POLICE = "police", _("Local police")
        ANTI_FRAUD_CENTRE = "anti_fraud_centre", _("Anti-fraud centre")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        "orders.Region", verbose_name=_("region served"), on_delete=models.PROTECT, related_name="police_units"
    )
    phone_24h = models.CharField(_("24h phone"), max_length=32)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("police unit")
        verbose_name_plural = _("police units")
        ordering = ["region__code", "kind", "name"]
        permissions = [("use_liaison_portal", "Can use the police liaison pages")]
        constraints = [models.UniqueConstraint(fields=["region", "kind", "name"], name="police_unit_unique")]

    def __str__(self) -> str:
        return self.name


class PoliceLiaison(models.Model):
    """Links a liaison login to the one unit whose referrals it may see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="police_liaison"
    )
    unit = models.ForeignKey(
        PoliceUnit, verbose_name=_("police unit"), on_delete=models.CASCADE, related_name="liaisons"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("police liaison")
        verbose_name_plural = _("police liaisons")

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"


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
    text = models.TextField(_("text"))
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

    history = HistoricalRecords()

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
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_severity_display()} {self.summary[:40]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        """Still unclaimed after its claim deadline."""
        return self.status == self.Status.NEW and (now or timezone.now()) > self.sla_due_at


class Case(models.Model):
    """The work done for one person in danger, from the first alert until they are safe."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MONITORING = "monitoring", _("Monitoring")
        CLOSED = "closed", _("Closed")

    class RiskLevel(models.IntegerChoices):
        UNASSESSED = 0, _("Not assessed")
        LOW = 1, _("Low")
        MODERATE = 2, _("Moderate")
        HIGH = 3, _("High")
        CRITICAL = 4, _("Critical")

    class Outcome(models.TextChoices):
        SAFE = "safe", _("Safe")
        REFERRED = "referred", _("Referred to police or care")
        UNREACHABLE = "unreachable", _("Unreachable")
        FRAUD_STOPPED = "fraud_stopped", _("Fraud stopped")
        FRAUD_LOSS = "fraud_loss", _("Money lost")
        FALSE_ALARM = "false_alarm", _("False alarm")

    class Tier(models.TextChoices):
        SPECIALIST = "specialist", _("Specialist")
        SUPERVISOR = "supervisor", _("Supervisor")
        MANAGER = "manager", _("Manager")

    desk = models.CharField(_("desk"), max_length=10, choices=Desk.choices)
    title = models.CharField(_("title"), max_length=200)
    # Indexed by case_buyer_recent_idx, which starts with it.
    buyer = models.ForeignKey(
        "orders.Buyer",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    risk_level = models.PositiveSmallIntegerField(_("risk"), choices=RiskLevel.choices, default=RiskLevel.UNASSESSED)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    closing_summary = models.TextField(_("closing summary"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_cases",
        db_index=False,  # indexed by case_owner_idx, which starts with it
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.SPECIALIST)
    playbook = models.ForeignKey(
        "Playbook", verbose_name=_("playbook"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 串并案: the ring case this case was merged into. Each victim's case stays open for its own
    # work (stop-payment, dissuasion); the ring case carries the work on the ring.
    ring = models.ForeignKey(
        "self",
        verbose_name=_("ring case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ring_members",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("review_emergency_action", "Can review emergency actions after the fact"),
            ("view_summary", "Can see the managers' summary"),
        ]
        constraints = [
            # A closed case always says how it ended and when; an open one never does.
            models.CheckConstraint(
                condition=(Q(status="closed") & ~Q(outcome="") & Q(closed_at__isnull=False))
                | (~Q(status="closed") & Q(outcome="") & Q(closed_at__isnull=True)),
                name="case_closed_iff_outcome",
            ),
            models.CheckConstraint(condition=~Q(ring=F("pk")), name="case_not_its_own_ring"),
        ]
        indexes = [
            models.Index(fields=["desk", "status", "-risk_level"], name="case_desk_open_idx"),
            models.Index(fields=["buyer", "-opened_at"], name="case_buyer_recent_idx"),
            models.Index(fields=["owner", "status"], name="case_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """The number people say on the phone: desk prefix and id, e.g. LP-000042."""
        prefix = "LP" if self.desk == Desk.LIFE else "AF"
        return f"{prefix}-{self.pk:06d}" if self.pk else f"{prefix}-new"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class CaseEvent(models.Model):
    """One line of a case's timeline. Written in the same transaction as the change it records."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        ALERT_LINKED = "alert_linked", _("Alert linked")
        NOTE = "note", _("Note")
        RISK_RATED = "risk_rated", _("Risk rated")
        OWNER_CHANGED = "owner_changed", _("Owner changed")
        ESCALATED = "escalated", _("Escalated")
        STATUS_CHANGED = "status_changed", _("Status changed")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        ASSESSED = "assessed", _("Risk assessed")
        INTERCEPTION_REQUESTED = "interception_requested", _("Interception requested")
        INTERCEPTION_UPDATED = "interception_updated", _("Interception updated")
        REORDER_DETECTED = "reorder_detected", _("Re-order of high-risk goods")
        POLICE_REFERRED = "police_referred", _("Referred to police")
        HANDED_OVER = "handed_over", _("Handed over")
        CHECKIN_PLANNED = "checkin_planned", _("Check-in planned")
        REVIEWED = "reviewed", _("Emergency action reviewed")
        REFERRAL_ANSWERED = "referral_answered", _("Police answered")
        STOP_PAYMENT_REQUESTED = "stop_payment_requested", _("Stop-payment requested")
        STOP_PAYMENT_ANSWERED = "stop_payment_answered", _("Stop-payment answered")
        DISSUADED = "dissuaded", _("Dissuasion recorded")
        PLAYBOOK_ATTACHED = "playbook_attached", _("Playbook attached")
        STEP_DONE = "step_done", _("Playbook step done")
        INDICATOR_ADDED = "indicator_added", _("Indicator added")
        INDICATORS_BLOCKED = "indicators_blocked", _("Indicators blocklisted")
        RING_MERGED = "ring_merged", _("Merged into a ring case")
        RING_GATHERED = "ring_gathered", _("Cases merged into this ring case")
        RING_REFERRED = "ring_referred", _("Referred with its ring")
        RING_EXPORTED = "ring_exported", _("Ring evidence exported")
        RELATED_ALERT = "related_alert", _("Alert on the other desk")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty when the system acted."),
    )
    kind = models.CharField(_("what"), max_length=32, choices=Kind.choices)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="case_event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.get_kind_display()}"


class ScanTerm(models.Model):
    """One phrase of the scanner's term lists. Managers tune the lists in the admin; every change
    is in history, and the scanner rebuilds its automaton on the next batch after a change."""

    phrase = models.CharField(_("phrase"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=ScanCategory.choices)
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        default=2,
        help_text=_(
            "3: clear on its own. 2: clear in context. 1: weak, only supports a stronger signal. "
            "Benign phrases (exceptions) have 0."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scan term")
        verbose_name_plural = _("scan terms")
        ordering = ["category", "-weight", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["phrase", "category"], name="scan_term_once_per_category"),
            models.CheckConstraint(
                condition=(Q(category="exception") & Q(weight=0))
                | (~Q(category="exception") & Q(weight__range=(1, 3))),
                name="scan_term_weight_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phrase} ({self.get_category_display()})"


class Heartbeat(models.Model):
    """The last time a periodic task ran on a worker: a stopped worker or beat shows as stale."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    last_beat_at = models.DateTimeField(_("last beat"))
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name


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
    note = models.TextField(_("note"), blank=True)

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
    what_reported = models.TextField(_("what was reported"))
    reference_no = models.CharField(_("police reference number"), max_length=64, blank=True)
    # A ring referred as one: the ring's other cases this one referral covers.
    covers = models.ManyToManyField(
        Case, verbose_name=_("other cases of the ring"), related_name="ring_referrals", blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REPORTED)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("police referral")
        verbose_name_plural = _("police referrals")
        ordering = ["-referred_at"]

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
    review_note = models.TextField(_("review note"), blank=True)

    history = HistoricalRecords()

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


class CheckIn(models.Model):
    """A promised contact with the person ("good morning" at 08:30 their time). Stored in UTC with
    the zone it was planned in; the reminders send it when due."""

    class Channel(models.TextChoices):
        CHAT = "chat", _("Platform chat message")
        SMS = "sms", _("SMS")
        PHONE = "phone", _("Phone call by a specialist")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        REPLIED = "replied", _("Replied")
        MISSED = "missed", _("No reply")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="checkins")
    due_at = models.DateTimeField(_("due"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    text = models.TextField(_("text"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="checkins"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["due_at"], name="checkin_due_idx", condition=Q(status="planned"))]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.due_at:%Y-%m-%d %H:%M}"


class Playbook(models.Model):
    """A short step list (应急预案) a person can follow under stress, per kind of case. Managers
    keep them in the admin; attached to a case, it becomes a checklist whose ticks are timeline
    events."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    desk = models.CharField(_("desk"), max_length=10, choices=Desk.choices)
    steps = models.JSONField(_("steps"), default=list, help_text=_("One short instruction per step, in order."))
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        ordering = ["desk", "name"]

    def __str__(self) -> str:
        return self.name


class ChecklistTick(models.Model):
    """A step of the case's playbook done, by whom and when. Its text is kept as it was then."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="ticks")
    playbook = models.ForeignKey(Playbook, verbose_name=_("playbook"), on_delete=models.PROTECT)
    step = models.PositiveSmallIntegerField(_("step"))
    text = models.CharField(_("text"), max_length=300)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT)
    done_at = models.DateTimeField(_("done"), default=timezone.now)

    class Meta:
        verbose_name = _("checklist tick")
        verbose_name_plural = _("checklist ticks")
        constraints = [models.UniqueConstraint(fields=["case", "playbook", "step"], name="tick_once_per_step")]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.step}"
