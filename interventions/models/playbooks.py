"""Playbooks per desk and the ticks of their steps on a case."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Desk

from .cases import Case


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
