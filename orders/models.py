"""Merchants, their products and staff, buyers, orders, and the regions they are in."""

import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.crypto import EncryptedTextField, phone_normalise
from accounts.models import validate_time_zone


class Region(models.Model):
    """An administrative division (GB/T 2260 code): province, city or district.

    Orders are shipped to one, buyers live in one, police units serve one.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        CITY = 2, _("City")
        DISTRICT = 3, _("District")

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        # The level first, so a province never fetches its parent; with no parent_id, Django answers
        # None without a query.
        if self.level > self.Level.PROVINCE and self.parent is not None:
            return f"{self.parent.name} {self.name}"
        return self.name

    def lineage(self) -> list["Region"]:
        """This region and the regions it is part of, nearest first."""
        regions: list[Region] = []
        region: Region | None = self
        while region is not None:
            regions.append(region)
            region = region.parent
        return regions


class Merchant(models.Model):
    """A partner shop on the marketplace."""

    external_ref = models.CharField(_("shop ID"), max_length=64, unique=True)
    name = models.CharField(_("shop name"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    emergency_contact_name = models.CharField(_("24h emergency contact"), max_length=100)
    emergency_phone = models.CharField(_("24h emergency phone"), max_length=32)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Set by the shop's admins: every login of the shop must then use a second factor.
    second_factor_required = models.BooleanField(_("second factor required"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["name"]
        permissions = [("use_merchant_portal", "Can use the merchant portal")]

    def __str__(self) -> str:
        return self.name


class MerchantMembership(models.Model):
    """Links a merchant staff login to its one shop. Shop admins manage the shop's other staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="merchant_membership"
    )
    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="memberships"
    )
    is_admin = models.BooleanField(_("shop admin"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("merchant staff member")
        verbose_name_plural = _("merchant staff")

    def __str__(self) -> str:
        return f"{self.user} @ {self.merchant}"


class Product(models.Model):
    class RiskCategory(models.TextChoices):
        NONE = "none", _("Not high-risk")
        PESTICIDE = "pesticide", _("Pesticide / herbicide")
        SEDATIVE = "sedative", _("Sleeping pills / sedatives")
        CHARCOAL = "charcoal", _("Charcoal")
        ROPE = "rope", _("Rope")
        KNIFE = "knife", _("Knives")
        OTHER = "other", _("Other high-risk goods")

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="products"
    )
    external_ref = models.CharField(_("item ID"), max_length=64)
    name = models.CharField(_("name"), max_length=300)
    risk_category = models.CharField(
        _("high-risk goods category"), max_length=16, choices=RiskCategory.choices, default=RiskCategory.NONE
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "external_ref"], name="product_ref_unique_per_merchant")
        ]
        indexes = [
            models.Index(
                fields=["risk_category"], name="product_high_risk_idx", condition=~models.Q(risk_category="none")
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_high_risk(self) -> bool:
        return self.risk_category != self.RiskCategory.NONE


def phone_mask(phone: str) -> str:
    """A phone number as staff see it until they reveal it: the first three digits and the last
    four (138****8000), the country code left out. Too short to mask: stars only."""
    digits = phone_normalise(phone)
    if not digits:
        return ""
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


class Buyer(models.Model):
    """A marketplace account that buys or writes. Personal data is kept to what the work needs.

    The phone number and the street address are encrypted at rest and shown masked; the full
    values only to a reader who reveals them with a purpose (interventions.services.contact).
    They are written through orders.services.buyer_contact_apply, which keeps the phone's blind
    index with it."""

    account_ref = models.CharField(_("platform account"), max_length=64, unique=True)
    nickname = models.CharField(_("nickname"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    # HMAC of the normalised number (accounts.crypto.phone_index): the same phone on two accounts.
    phone_index = models.CharField(_("phone lookup key"), max_length=64, blank=True, default="", db_index=True)
    address = EncryptedTextField(_("street address"), blank=True, default="")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(_("first seen"), default=timezone.now)

    class Meta:
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")

    def __str__(self) -> str:
        return self.nickname or self.account_ref

    @property
    def phone_masked(self) -> str:
        return phone_mask(self.phone)

    @property
    def address_masked(self) -> str:
        """Where the person lives, to the district at most: the names of the buyer's region and
        the regions it is part of, never a part of the street address itself."""
        if self.region is None:
            return ""
        return " ".join(region.name for region in reversed(self.region.lineage()))

    @property
    def phone_dial(self) -> str:
        """The number for a tel: link: digits and a leading +, as written."""
        return re.sub(r"[^\d+]", "", self.phone)


class Order(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    external_ref = models.CharField(_("order number"), max_length=64, unique=True)
    # buyer and merchant are indexed by the two composite indexes below, which start with them.
    buyer = models.ForeignKey(
        Buyer, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="orders")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    region = models.ForeignKey(
        Region, verbose_name=_("shipping region"), on_delete=models.PROTECT, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CREATED)
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=64, blank=True)
    ordered_at = models.DateTimeField(_("ordered"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["buyer", "-ordered_at"], name="order_buyer_recent_idx"),
            models.Index(fields=["merchant", "-ordered_at"], name="order_merchant_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.external_ref

    @property
    def can_still_be_held(self) -> bool:
        """Not yet with the carrier: the merchant can hold it instead of recalling it."""
        return self.status in {self.Status.CREATED, self.Status.PAID}


class InterceptionRequest(models.Model):
    """The platform asks a merchant to hold an order before it ships, or recall it from the carrier."""

    class Kind(models.TextChoices):
        HOLD = "hold", _("Hold before shipping")
        RECALL = "recall", _("Recall from the carrier")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed by the merchant")
        HELD = "held", _("Held")
        SHIPPED = "shipped", _("Already shipped")
        FAILED = "failed", _("Could not be stopped")
        RELEASED = "released", _("Released: may ship")

    OPEN_STATUSES = (Status.REQUESTED, Status.CONFIRMED)
    # What a shop may answer (from its portal, or by phone to the specialist). Released is the
    # specialist's own decision afterwards, and requested is where it starts.
    SHOP_ANSWERS = (Status.CONFIRMED, Status.HELD, Status.SHIPPED, Status.FAILED)

    case = models.ForeignKey(
        "interventions.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="interceptions"
    )
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="interceptions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    deadline = models.DateTimeField(_("answer by"))
    note = EncryptedTextField(_("note"), blank=True)  # what the specialist told the shop of the person
    tracking_no = models.CharField(_("tracking number"), max_length=64, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    # The note may name the person; history is append-only, so it never holds it (retention).
    history = HistoricalRecords(excluded_fields=["note"])

    class Meta:
        verbose_name = _("interception request")
        verbose_name_plural = _("interception requests")
        ordering = ["-requested_at"]
        constraints = [
            # One live request per order: asking twice must not page the merchant twice.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["requested", "confirmed"]),
                name="interception_one_open_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class MerchantReport(models.Model):
    """A partner shop's report of danger heard in its own customer service (上报): it lands in the
    queue as an alert, and the shop follows it and answers the specialist's questions here."""

    class Kind(models.TextChoices):
        LIFE = "life", _("Suicide or self-harm risk")
        FRAUD = "fraud", _("Fraud")
        OTHER = "other", _("Other danger")

    merchant = models.ForeignKey(Merchant, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="reports")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("what happened"), max_length=8, choices=Kind.choices)
    talking_now = models.BooleanField(_("talking with them right now"), default=False)
    buyer = models.ForeignKey(
        Buyer, verbose_name=_("buyer"), on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    text = EncryptedTextField(_("the conversation"))
    alert = models.OneToOneField(
        "interventions.Alert", verbose_name=_("alert"), on_delete=models.PROTECT, related_name="merchant_report"
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)

    class Meta:
        verbose_name = _("merchant report")
        verbose_name_plural = _("merchant reports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["merchant", "-created_at"], name="report_merchant_recent_idx")]

    def __str__(self) -> str:
        return f"{self.merchant} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


def _screenshot_path(attachment: "ReportAttachment", filename: str) -> str:
    # A random name: the uploader's file name never reaches the disk or a URL.
    return f"reports/{attachment.report.created_at:%Y/%m}/{uuid.uuid4().hex}.{attachment.extension}"


class ReportAttachment(models.Model):
    """A screenshot with a report: checked by its content and re-encoded without its metadata.
    Served only through a permission-checked view, never from a public media URL."""

    report = models.ForeignKey(
        MerchantReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_screenshot_path, max_length=200)
    content_type = models.CharField(_("type"), max_length=20)
    extension = models.CharField(_("extension"), max_length=5)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))

    class Meta:
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.report} #{self.pk}"


class ReportNote(models.Model):
    """One message of the thread between the shop and the specialist about a report."""

    report = models.ForeignKey(MerchantReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    from_platform = models.BooleanField(_("from the platform"))
    text = EncryptedTextField(_("text"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("report message")
        verbose_name_plural = _("report messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report}: {self.text[:30]}"
