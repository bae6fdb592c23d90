"""The managers' figures, rolled up per day so that a quarter reads in milliseconds: a few hundred
rows a day instead of every alert. A sweep recomputes each day whose records changed
(services/figures.py); the rows are derived data, rebuilt from the records at will."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Desk

from ..choices import Severity


class AlertDayFigure(models.Model):
    """Alerts raised on one day (portal time) on one desk at one severity, and how many were claimed,
    and claimed within their SLA."""

    day = models.DateField(_("day"))
    desk = models.CharField(_("desk"), max_length=10, choices=Desk.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    raised = models.PositiveIntegerField(_("raised"))
    claimed = models.PositiveIntegerField(_("claimed"))
    claimed_within_sla = models.PositiveIntegerField(_("claimed within the SLA"))

    class Meta:
        verbose_name = _("alerts of a day")
        verbose_name_plural = _("alerts per day")
        constraints = [models.UniqueConstraint(fields=["day", "desk", "severity"], name="alert_day_figure_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.desk} {self.severity}: {self.raised}"


class CaseDayFigure(models.Model):
    """Cases opened on one day on one desk, how many were acted on, and how many within the target."""

    day = models.DateField(_("day"))
    desk = models.CharField(_("desk"), max_length=10, choices=Desk.choices)
    opened = models.PositiveIntegerField(_("opened"))
    acted = models.PositiveIntegerField(_("acted on"))
    acted_within_target = models.PositiveIntegerField(_("acted on within the target"))

    class Meta:
        verbose_name = _("cases of a day")
        verbose_name_plural = _("cases per day")
        constraints = [models.UniqueConstraint(fields=["day", "desk"], name="case_day_figure_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.desk}: {self.opened}"


class TermDayFigure(models.Model):
    """Of the alerts raised on one day on one desk that a scanner term matched: how many became (or
    joined) a case, and how many were dismissed as false alarms."""

    day = models.DateField(_("day"))
    desk = models.CharField(_("desk"), max_length=10, choices=Desk.choices)
    term = models.CharField(_("term"), max_length=100)
    category = models.CharField(_("category"), max_length=20)
    confirmed = models.PositiveIntegerField(_("became a case"))
    false_alarms = models.PositiveIntegerField(_("false alarms"))

    class Meta:
        verbose_name = _("scanner term of a day")
        verbose_name_plural = _("scanner terms per day")
        constraints = [models.UniqueConstraint(fields=["day", "desk", "term", "category"], name="term_day_figure_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.desk} {self.term}: {self.confirmed}/{self.false_alarms}"


class FrameDayFigure(models.Model):
    """Of the alerts raised on one day on one desk in which a scanner frame held: how many became
    (or joined) a case, and how many were dismissed as false alarms."""

    day = models.DateField(_("day"))
    desk = models.CharField(_("desk"), max_length=10, choices=Desk.choices)
    frame = models.CharField(_("frame"), max_length=20)
    confirmed = models.PositiveIntegerField(_("became a case"))
    false_alarms = models.PositiveIntegerField(_("false alarms"))

    class Meta:
        verbose_name = _("scanner frame of a day")
        verbose_name_plural = _("scanner frames per day")
        constraints = [models.UniqueConstraint(fields=["day", "desk", "frame"], name="frame_day_figure_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.desk} {self.frame}: {self.confirmed}/{self.false_alarms}"


class DurationBucket(models.Model):
    """How many waits of one kind, on one day and desk (and severity, for claims), fell in one
    bucket. Bucket b ≥ 1 holds waits from 1.05^(b−1) to 1.05^b seconds (bucket 0: under a second),
    so a percentile read from summed buckets is within 5 % of the exact one, whatever the range."""

    class Measure(models.TextChoices):
        CLAIM = "claim", _("Time to claim")
        FIRST_ACTION = "first_action", _("Time to first action")

    day = models.DateField(_("day"))
    desk = models.CharField(_("desk"), max_length=10, choices=Desk.choices)
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices)
    # The alert's severity for claims; 0 for first actions, which are counted per case.
    severity = models.PositiveSmallIntegerField(_("severity"))
    bucket = models.PositiveSmallIntegerField(_("bucket"))
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        verbose_name = _("duration bucket")
        verbose_name_plural = _("duration buckets")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "day", "desk", "severity", "bucket"], name="duration_bucket_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.day} {self.desk} #{self.bucket}: {self.count}"


class FigureRollup(models.Model):
    """Up to when the daily figures have taken in changes. One row; its lock keeps two sweeps from
    rolling up at once."""

    name = models.CharField(_("name"), max_length=32, unique=True)
    covered_until = models.DateTimeField(_("changes taken in until"), null=True, blank=True)

    class Meta:
        verbose_name = _("figures roll-up")
        verbose_name_plural = _("figures roll-ups")

    def __str__(self) -> str:
        return self.name
