"""The scanner's term list and the worker heartbeat."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orders.models import Product

from ..scanner.categories import Category as ScanCategory


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
    goods = models.CharField(
        _("high-risk goods"),
        max_length=16,
        choices=Product.RiskCategory.choices,
        blank=True,
        help_text=_("For a method: the kind of goods a product named with this phrase is."),
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
