"""Indicators (phones, accounts, devices, payees, links) and where each was seen.

Linking (信息挂接) is the same indicator sighted in several alerts or cases.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.crypto import EncryptedTextField


class Indicator(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone number")
        ACCOUNT = "account", _("Platform account")
        DEVICE = "device", _("Device")
        PAYEE = "payee", _("Payee account")
        URL = "url", _("Link")
        DOMAIN = "domain", _("Domain")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Normalised so that two spellings of one phone or link are one indicator.
    value = models.CharField(_("value"), max_length=500)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, null=True, blank=True
    )
    # The blocklist: an indicator confirmed as fraudulent. A new message that carries it alerts at once.
    blocked_at = models.DateTimeField(_("blocklisted"), null=True, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("blocklisted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    block_reason = models.CharField(_("why it is blocklisted"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="indicator_unique_kind_value"),
            models.CheckConstraint(
                condition=Q(blocked_at__isnull=True) | (Q(blocked_by__isnull=False) & ~Q(block_reason="")),
                name="indicator_blocked_with_who_and_why",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "value"], name="indicator_blocked_idx", condition=Q(blocked_at__isnull=False))
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None


class Sighting(models.Model):
    """An indicator seen in one alert or one case. Seen twice in the same place is one sighting."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="sightings"
    )
    alert = models.ForeignKey(
        "interventions.Alert",
        verbose_name=_("alert"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sightings",
    )
    case = models.ForeignKey(
        "interventions.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sightings",
    )
    seen_at = models.DateTimeField(_("seen"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")
        constraints = [
            models.CheckConstraint(
                condition=Q(alert__isnull=False) ^ Q(case__isnull=False), name="sighting_has_one_place"
            ),
            models.UniqueConstraint(
                fields=["indicator", "alert"], condition=Q(alert__isnull=False), name="sighting_once_per_alert"
            ),
            models.UniqueConstraint(
                fields=["indicator", "case"], condition=Q(case__isnull=False), name="sighting_once_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} @ {self.alert_id or self.case_id}"


class OfficialDomain(models.Model):
    """A domain that is ours. The look-alike check flags links that imitate one of these."""

    domain = models.CharField(
        _("domain"), max_length=253, unique=True, help_text=_("The registered domain, e.g. taobao.com.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("official domain")
        verbose_name_plural = _("official domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class StopPaymentRequest(models.Model):
    """A request to an anti-fraud centre to stop (止付) or freeze (冻结) money a victim just paid.
    The money can still be stopped for about 30 minutes after the victim reported: the clock runs
    from `reported_at`."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        RECEIVED = "received", _("Received by the centre")
        FROZEN = "frozen", _("Frozen")
        TOO_LATE = "too_late", _("Too late")

    case = models.ForeignKey(
        "interventions.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="stop_payments"
    )
    unit = models.ForeignKey(
        "interventions.PoliceUnit",
        verbose_name=_("anti-fraud centre"),
        on_delete=models.PROTECT,
        related_name="stop_payments",
    )
    payee_account = models.CharField(_("payee account"), max_length=100)
    amount = models.DecimalField(_("amount paid (yuan)"), max_digits=12, decimal_places=2)
    paid_at = models.DateTimeField(_("paid"))
    reported_at = models.DateTimeField(_("victim reported"))
    transaction_ref = models.CharField(_("transaction reference"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    frozen_amount = models.DecimalField(
        _("amount frozen (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stop-payment request")
        verbose_name_plural = _("stop-payment requests")
        ordering = ["-requested_at"]
        indexes = [
            # The few requests the centre has not answered: the case list's "waiting" and clocks.
            models.Index(
                fields=["case"], condition=Q(status="requested", answered_at__isnull=True), name="stop_unanswered_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="stop_payment_amount_positive"),
            models.CheckConstraint(
                # NULL passes a CHECK in SQL: say "not null" outright.
                condition=~Q(status="frozen") | (Q(frozen_amount__isnull=False) & Q(frozen_amount__gt=0)),
                name="stop_payment_frozen_has_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee_account} {self.amount}"

    @property
    def deadline(self):
        """The end of the window in which the money can still be stopped."""
        return self.reported_at + settings.SHOUHU_STOP_PAYMENT_WINDOW

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.REQUESTED, self.Status.RECEIVED)


class DissuasionScript(models.Model):
    """What to say to someone about to pay a scammer (劝阻), per kind of scam. Kept by managers."""

    class ScamType(models.TextChoices):
        GAME_CURRENCY = "game_currency", _("Game currency or accounts")
        REFUND = "refund", _("Refund or compensation")
        SAFE_ACCOUNT = "safe_account", _("Safe account")
        BRUSHING = "brushing", _("Part-time order brushing")
        OTHER = "other", _("Other")

    scam_type = models.CharField(_("kind of scam"), max_length=20, choices=ScamType.choices, unique=True)
    points = models.JSONField(_("what to say"), default=list, help_text=_("Short points, in order."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dissuasion script")
        verbose_name_plural = _("dissuasion scripts")
        ordering = ["scam_type"]

    def __str__(self) -> str:
        return self.get_scam_type_display()


class Dissuasion(models.Model):
    """One attempt to stop a victim from paying: were they reached, convinced, how much was saved."""

    case = models.ForeignKey(
        "interventions.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="dissuasions"
    )
    scam_type = models.CharField(_("kind of scam"), max_length=20, choices=DissuasionScript.ScamType.choices)
    reached = models.BooleanField(_("reached the person"))
    convinced = models.BooleanField(_("convinced not to pay"))
    amount_protected = models.DecimalField(_("amount protected (yuan)"), max_digits=12, decimal_places=2, default=0)
    note = EncryptedTextField(_("note"), blank=True)  # what the victim said
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("dissuasion")
        verbose_name_plural = _("dissuasions")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_protected__gte=0), name="dissuasion_amount_not_negative"),
            # One cannot convince someone one did not reach.
            models.CheckConstraint(
                condition=Q(reached=True) | Q(convinced=False), name="dissuasion_convinced_if_reached"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.at:%Y-%m-%d}"
