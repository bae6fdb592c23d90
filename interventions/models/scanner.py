"""Changes to the scanner's term lists, proposed, backtested and then published."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Product

from ..scanner.categories import Category as ScanCategory
from .system import ScanTerm


class ScanTermChange(models.Model):
    """One proposed change to the term lists: a new term, a new weight or kind of goods for a
    term, or a term switched off. It changes nothing until it is published, and it can only be
    published after a backtest of the set it belongs to."""

    class Action(models.TextChoices):
        ADD = "add", _("Add a term")
        CHANGE = "change", _("Change a term")
        RETIRE = "retire", _("Switch a term off")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    action = models.CharField(_("change"), max_length=10, choices=Action.choices)
    term = models.ForeignKey(
        ScanTerm, verbose_name=_("term"), on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    phrase = models.CharField(_("phrase"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=ScanCategory.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), default=2)
    goods = models.CharField(_("high-risk goods"), max_length=16, choices=Product.RiskCategory.choices, blank=True)
    reason = models.CharField(_("why"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("term change")
        verbose_name_plural = _("term changes")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="add", term__isnull=True) | (~Q(action="add") & Q(term__isnull=False)),
                name="term_change_names_its_term",
            ),
            models.CheckConstraint(
                condition=(Q(category="exception") & Q(weight=0))
                | (~Q(category="exception") & Q(weight__range=(1, 3))),
                name="term_change_weight_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_by__isnull=False, published_at__isnull=False),
                name="term_change_published_has_publisher",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.phrase} ({self.category})"


class ScannerBacktest(models.Model):
    """What a set of proposed changes would do, before it goes live: the scanner with and without
    them, on the corpus's test half (figures only) and on the stored messages of the last days
    (which messages would alert that did not, and which would stop alerting)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    changes = models.ManyToManyField(ScanTermChange, verbose_name=_("changes"), related_name="backtests")
    # The ids and versions of the changes as they were when the backtest was asked for: a change
    # edited or withdrawn since makes the backtest stale.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    days = models.PositiveSmallIntegerField(_("days of messages"), default=30)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # {"corpus": {"before": {...}, "after": {...}}, "stored": {"messages": n, "added": [...],
    #  "dropped": [...], "added_count": n, "dropped_count": n}}: ids and verdicts, no text.
    results = models.JSONField(_("results"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("scanner backtest")
        verbose_name_plural = _("scanner backtests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"], name="backtest_due_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"
