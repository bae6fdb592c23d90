"""Cases and their timeline."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.crypto import EncryptedJSONField, EncryptedTextField
from accounts.desks import DeskScopedQuerySet
from accounts.models import Desk
from config.db import TokenSetField


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

    # How a case of each desk can end: a person kept safe is the life desk's outcome, money stopped
    # or lost the anti-fraud desk's. Both desks refer to the police, lose touch, or find a false alarm.
    DESK_OUTCOMES = {
        Desk.LIFE: (Outcome.SAFE, Outcome.REFERRED, Outcome.UNREACHABLE, Outcome.FALSE_ALARM),
        Desk.FRAUD: (
            Outcome.FRAUD_STOPPED,
            Outcome.FRAUD_LOSS,
            Outcome.REFERRED,
            Outcome.UNREACHABLE,
            Outcome.FALSE_ALARM,
        ),
    }

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
    closing_summary = EncryptedTextField(_("closing summary"), blank=True)  # it speaks of the person
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
    # Retention (services/retention.py): a closed case loses the person's data once past
    # SHOUHU_RETENTION_DAYS, unless a supervisor or manager holds it for a legal matter.
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.CharField(
        _("why it is held"),
        max_length=300,
        blank=True,
        help_text=_("The legal matter (court, police request, complaint), not the person."),
    )
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    legal_hold_at = models.DateTimeField(_("held since"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    # The history tables are append-only in the database (accounts/audit.py): text copied there
    # could never be anonymised, short of letting the app rewrite its own audit trail. So the
    # free text that can name or describe the person stays out of history; the timeline records
    # it (opening, closing) until retention anonymises the case. The hold's reason stays in: it is
    # the audit of why data was kept, and is written about the legal matter.
    objects = DeskScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["title", "closing_summary"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("review_emergency_action", "Can review emergency actions after the fact"),
            ("view_summary", "Can see the managers' summary"),
            ("place_legal_hold", "Can place or lift a legal hold on a case"),
        ]
        constraints = [
            # A closed case always says how it ended and when; an open one never does.
            models.CheckConstraint(
                condition=(Q(status="closed") & ~Q(outcome="") & Q(closed_at__isnull=False))
                | (~Q(status="closed") & Q(outcome="") & Q(closed_at__isnull=True)),
                name="case_closed_iff_outcome",
            ),
            models.CheckConstraint(condition=~Q(ring=F("pk")), name="case_not_its_own_ring"),
            # A hold always says who placed it, when and why; a case without one keeps none of it.
            models.CheckConstraint(
                condition=(
                    Q(legal_hold=True, legal_hold_by__isnull=False, legal_hold_at__isnull=False)
                    & ~Q(legal_hold_reason="")
                )
                | Q(legal_hold=False, legal_hold_by__isnull=True, legal_hold_at__isnull=True, legal_hold_reason=""),
                name="case_legal_hold_has_who_when_why",
            ),
            # Only a closed case without a hold is anonymised, and it stays closed and unheld.
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True) | Q(status="closed", legal_hold=False),
                name="case_anonymised_closed_unheld",
            ),
        ]
        indexes = [
            models.Index(fields=["desk", "status", "-risk_level"], name="case_desk_open_idx"),
            # The case list: the open cases in its order (risk, then since when), with what its views
            # and counts ask of each, so that a page reads the first rows of the index and the counts
            # read the index alone (interventions/selectors/caseload.py).
            models.Index(
                fields=["-risk_level", "opened_at", "id"],
                include=["desk", "owner", "tier"],
                condition=Q(status__in=["open", "monitoring"]),
                name="case_open_list_idx",
            ),
            models.Index(fields=["buyer", "-opened_at"], name="case_buyer_recent_idx"),
            models.Index(fields=["owner", "status"], name="case_owner_idx"),
            # The figures: cases closed in a period, and the days whose cases changed (roll-up); the
            # case list's closed view and its count, which read the index alone.
            models.Index(
                fields=["closed_at"],
                include=["desk", "status", "risk_level", "opened_at", "id"],
                name="case_closed_idx",
                condition=Q(closed_at__isnull=False),
            ),
            models.Index(fields=["updated_at"], name="case_updated_idx"),
            # The retention sweep: closed cases still holding the person's data, oldest first. It
            # shrinks as cases are anonymised.
            models.Index(
                fields=["closed_at"],
                name="case_retention_due_idx",
                condition=Q(closed_at__isnull=False, anonymised_at__isnull=True, legal_hold=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """The number people say on the phone: desk prefix and id, e.g. LP-000042."""
        prefix = "LP" if self.desk == Desk.LIFE else "AF"
        return f"{prefix}-{self.pk:06d}" if self.pk else f"{prefix}-new"

    @property
    def outcomes(self) -> tuple["Case.Outcome", ...]:
        """The outcomes a case of this desk may close with."""
        return self.DESK_OUTCOMES[Desk(self.desk)]

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def retention_ends_at(self) -> datetime | None:
        """From when the nightly sweep anonymises the closed case, unless it is held."""
        if self.closed_at is None:
            return None
        return self.closed_at + timedelta(days=settings.SHOUHU_RETENTION_DAYS)


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
        CHECKIN_SENT = "checkin_sent", _("Check-in sent")
        CHECKIN_FAILED = "checkin_failed", _("Check-in could not be sent")
        CHECKIN_REPLIED = "checkin_replied", _("The person replied")
        CHECKIN_CHASED = "checkin_chased", _("No reply: owner reminded")
        CHECKIN_MISSED = "checkin_missed", _("No reply: back in the queue")
        CHECKIN_CALLED = "checkin_called", _("Check-in call made")
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
        REVIEW_OPENED = "review_opened", _("Blameless review opened")
        REVIEW_CONCLUDED = "review_concluded", _("Blameless review concluded")
        LEGAL_HOLD_SET = "legal_hold_set", _("Legal hold placed")
        LEGAL_HOLD_LIFTED = "legal_hold_lifted", _("Legal hold lifted")
        ANONYMISED = "anonymised", _("Personal data removed (retention)")
        CONTACT_REVEALED = "contact_revealed", _("Contact details revealed")

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
    # Encrypted whole: a note, a reason or a reply quotes what someone wrote about the person.
    payload = EncryptedJSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    # A note's words as a blind index (interventions.notes): the search finds the note by a word
    # without its words in plain anywhere. None for every other line, and once the case is
    # anonymised. The GIN index over it is built by migration 0027 (PostgreSQL only).
    note_index = TokenSetField(_("word index of a note"), null=True, blank=True, editable=False)

    # What a history row of the case keeps as its change reason: a pointer to the line, not the
    # words. History is append-only (accounts/audit.py); the timeline is where retention can
    # anonymise the words. The audit pages read them through the pointer (interventions/audit.py).
    CHANGE_REASON_PREFIX = "timeline:"

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="case_event_timeline_idx"),
            # The figures' roll-up finds the cases acted on since its last run.
            models.Index(fields=["created_at"], name="case_event_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.get_kind_display()}"

    @property
    def as_change_reason(self) -> str:
        return f"{self.CHANGE_REASON_PREFIX}{self.pk}"

    @property
    def words(self) -> str:
        """The reason or the text written with the change, if any."""
        return self.payload.get("reason") or self.payload.get("text") or ""
