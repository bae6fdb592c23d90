"""Choices shared by the models and the scanner (which must not import the models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.IntegerChoices):
    """How urgently a person may be in danger. Integers, so the queue can sort on them."""

    NONE = 0, _("None")
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class Source(models.TextChoices):
    CHAT = "chat", _("Chat")
    COMPLAINT = "complaint", _("Complaint")
    MERCHANT_REPORT = "merchant_report", _("Merchant report")
    ORDER = "order", _("Order")
    MANUAL = "manual", _("Raised by staff")
    CHECKIN = "checkin", _("Check-in without reply")
