"""What the scanner looks for, grouped by the desk that acts on it.

A category is a kind of words. On their own most of them mean little; the frames
(`life_frames.py`, `fraud_frames.py`) give them meaning by combination and distance: a question about amount next to a
means, an act in the past tense next to a means, a place of danger next to "I am standing".
Context categories (negation, fiction, safety, warning) lower what they stand next to.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Desk


class Category(models.TextChoices):
    # Life protection: the seeds' rule is intent + a prepared method (+ a time or a backup plan).
    INTENT = "intent", _("Explicit intent")
    METHOD = "method", _("Method")
    LETHALITY = "lethality", _("Question about lethality or amount")
    AMOUNT = "amount", _("An amount of pills or doses")
    ATTEMPT = "attempt", _("Act in progress or just done")
    PLACE = "place", _("High or dangerous place")
    PRESENCE = "presence", _("Being somewhere now")
    ACQUIRE = "acquire", _("Getting hold of something")
    PLAN = "plan", _("Plan, time or preparation")
    BACKUP = "backup", _("Backup plan or earlier attempt")
    GOODBYE = "goodbye", _("Goodbye or finality")
    BURDEN = "burden", _("Feeling a burden")
    SELF_HARM = "self_harm", _("Self-harm")
    RISK_FACTOR = "risk_factor", _("Risk factor")
    MINOR = "minor", _("Minor")
    SELF = "self", _("Speaking of oneself")
    WISH = "wish", _("Wanting or deciding")
    REFUSAL = "refusal", _("Not wanting any more")
    LIVING = "living", _("Living, waking, going on")
    # Anti-fraud.
    VERIFICATION_CODE = "verification_code", _("Verification code")
    REQUEST = "request", _("Asked to hand over or do something")
    REFUND_LINK = "refund_link", _("Refund or compensation lure")
    IMPERSONATION = "impersonation", _("Impersonating staff, police or someone known")
    GAME_CURRENCY = "game_currency", _("Game currency or accounts")
    SAFE_ACCOUNT = "safe_account", _("Safe-account transfer")
    OFF_PLATFORM = "off_platform", _("Off-platform contact or payment")
    BRUSHING = "brushing", _("Order-brushing or task job")
    INVESTMENT = "investment", _("Investment lure")
    LOAN = "loan", _("Loan or credit-record lure")
    PRIZE = "prize", _("Prize or gift lure")
    ROMANCE = "romance", _("Online romance")
    FEE = "fee", _("Fee, deposit or unfreezing charge")
    REMOTE = "remote", _("Screen sharing or remote app")
    LINK = "link", _("Link or QR code")
    ACCOUNT_TAKEOVER = "account_takeover", _("Account used without consent")
    PAYMENT = "payment", _("Money already paid")
    # Context, for both desks: it lowers what it stands next to.
    NEGATION = "negation", _("Negation")
    FICTION = "fiction", _("Fiction, homework or news")
    SAFETY = "safety", _("Everyday or safe use")
    WARNING = "warning", _("Warning about scams")
    # Both desks: a benign phrase that contains a hot word (跳楼价, 想死你了) silences it.
    EXCEPTION = "exception", _("Benign phrase (exception)")


LIFE_CATEGORIES = frozenset(
    {
        Category.INTENT,
        Category.METHOD,
        Category.LETHALITY,
        Category.AMOUNT,
        Category.ATTEMPT,
        Category.PLACE,
        Category.PRESENCE,
        Category.ACQUIRE,
        Category.PLAN,
        Category.BACKUP,
        Category.GOODBYE,
        Category.BURDEN,
        Category.SELF_HARM,
        Category.RISK_FACTOR,
        Category.MINOR,
        Category.SELF,
        Category.WISH,
        Category.REFUSAL,
        Category.LIVING,
    }
)
FRAUD_CATEGORIES = frozenset(
    {
        Category.VERIFICATION_CODE,
        Category.REQUEST,
        Category.REFUND_LINK,
        Category.IMPERSONATION,
        Category.GAME_CURRENCY,
        Category.SAFE_ACCOUNT,
        Category.OFF_PLATFORM,
        Category.BRUSHING,
        Category.INVESTMENT,
        Category.LOAN,
        Category.PRIZE,
        Category.ROMANCE,
        Category.FEE,
        Category.REMOTE,
        Category.LINK,
        Category.ACCOUNT_TAKEOVER,
        Category.PAYMENT,
    }
)
CONTEXT_CATEGORIES = frozenset({Category.NEGATION, Category.FICTION, Category.SAFETY, Category.WARNING})


def desk_of(category: str) -> str | None:
    if category in LIFE_CATEGORIES:
        return Desk.LIFE
    if category in FRAUD_CATEGORIES:
        return Desk.FRAUD
    return None
