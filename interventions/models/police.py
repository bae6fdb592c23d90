"""Police units and their liaisons: where a case is referred, and who answers for the unit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
