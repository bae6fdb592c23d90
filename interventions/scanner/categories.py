"""What the scanner looks for, grouped by the desk that acts on it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Desk


class Category(models.TextChoices):
    # Life protection: the seeds' rule is intent + a prepared method (+ a time or a backup plan).
    INTENT = "intent", _("Explicit intent")
    METHOD = "method", _("Method")
    PLAN = "plan", _("Plan, time or preparation")
    BACKUP = "backup", _("Backup plan or earlier attempt")
    GOODBYE = "goodbye", _("Goodbye message")
    SELF_HARM = "self_harm", _("Self-harm")
    RISK_FACTOR = "risk_factor", _("Risk factor")
    MINOR = "minor", _("Minor")
    # Anti-fraud.
    VERIFICATION_CODE = "verification_code", _("Verification code request")
    REFUND_LINK = "refund_link", _("Refund or compensation link")
    IMPERSONATION = "impersonation", _("Impersonating staff or police")
    GAME_CURRENCY = "game_currency", _("Game currency or accounts")
    SAFE_ACCOUNT = "safe_account", _("Safe-account transfer")
    OFF_PLATFORM = "off_platform", _("Off-platform payment")
    BRUSHING = "brushing", _("Order-brushing job")
    ACCOUNT_TAKEOVER = "account_takeover", _("Account used without consent")
    PAYMENT = "payment", _("Money already paid")
    # Both desks: a benign phrase that contains a hot word (跳楼价, 想死你了) silences it.
    EXCEPTION = "exception", _("Benign phrase (exception)")


LIFE_CATEGORIES = frozenset(
    {
        Category.INTENT,
        Category.METHOD,
        Category.PLAN,
        Category.BACKUP,
        Category.GOODBYE,
        Category.SELF_HARM,
        Category.RISK_FACTOR,
        Category.MINOR,
    }
)
FRAUD_CATEGORIES = frozenset(
    {
        Category.VERIFICATION_CODE,
        Category.REFUND_LINK,
        Category.IMPERSONATION,
        Category.GAME_CURRENCY,
        Category.SAFE_ACCOUNT,
        Category.OFF_PLATFORM,
        Category.BRUSHING,
        Category.ACCOUNT_TAKEOVER,
        Category.PAYMENT,
    }
)


def desk_of(category: str) -> str | None:
    if category in LIFE_CATEGORIES:
        return Desk.LIFE
    if category in FRAUD_CATEGORIES:
        return Desk.FRAUD
    return None
