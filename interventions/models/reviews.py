"""Blameless post-incident reviews (复盘) of hard cases, and the follow-up actions they produce."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.crypto import EncryptedTextField

from .actions import EmergencyAction
from .cases import Case


class IncidentReview(models.Model):
    """What happened on a case, what went well and what made it hard, in the words of the people
    who were there. It asks about the work and the system, never who is to blame: there is no field
    for a culprit, on purpose. The case's timeline is read from the case itself."""

    class Status(models.TextChoices):
        OPEN = "open", _("Being written")
        CONCLUDED = "concluded", _("Concluded")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="incident_reviews")
    # The emergency action a supervisor flagged, when that is what opened the review.
    flagged_action = models.OneToOneField(
        EmergencyAction,
        verbose_name=_("flagged emergency action"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incident_review",
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    what_happened = EncryptedTextField(_("what happened"), blank=True)
    went_well = EncryptedTextField(_("what went well"), blank=True)
    made_it_hard = EncryptedTextField(_("what made it hard"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concluded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)

    # What happened is told with the person in it: the texts stay out of the append-only history
    # (see Case.history), and retention anonymises them with the case.
    history = HistoricalRecords(excluded_fields=["title", "what_happened", "went_well", "made_it_hard"])

    class Meta:
        verbose_name = _("incident review")
        verbose_name_plural = _("incident reviews")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="concluded") & Q(concluded_by__isnull=False) & Q(concluded_at__isnull=False))
                | (Q(status="open") & Q(concluded_by__isnull=True) & Q(concluded_at__isnull=True)),
                name="incident_review_concluded_iff_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ReviewAction(models.Model):
    """A change a review decided on (a playbook step, a term list, a training, a tool), with the
    person who sees it through. Tracked until done, whether or not the review is concluded."""

    review = models.ForeignKey(
        IncidentReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    description = models.CharField(_("what will change"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="review_actions"
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review follow-up")
        verbose_name_plural = _("review follow-ups")
        ordering = ["done_at", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_by__isnull=True, done_at__isnull=True)
                | Q(done_by__isnull=False, done_at__isnull=False),
                name="review_action_done_by_and_at",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "due_on"], name="review_action_open_idx", condition=Q(done_at__isnull=True))
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
