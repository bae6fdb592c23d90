"""From the terms found to a severity a specialist can trust, and a reason they can read.

Severity comes from combinations, as in the seeds' rule: explicit intent with a prepared method
is high; add a time, a backup plan, a goodbye or a child and it is critical. A high-risk product
in the order the message is about counts as a prepared method. One word alone rarely alerts.
"""

from collections import defaultdict
from collections.abc import Iterable

from accounts.models import Desk

from ..choices import Severity
from .categories import Category as C
from .categories import desk_of
from .lexicon import Hit

CRITICAL, HIGH, MEDIUM, LOW, NONE = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.NONE,
)


def strengths(hits: Iterable[Hit]) -> dict[str, int]:
    """Per category, the weight of its strongest term (0 when absent)."""
    strength: dict[str, int] = defaultdict(int)
    for hit in hits:
        strength[hit.term.category] = max(strength[hit.term.category], hit.term.weight)
    return strength


def life_severity(s: dict[str, int]) -> int:
    intent, method, plan = s[C.INTENT], s[C.METHOD], s[C.PLAN]
    backup, goodbye, harm, risk, minor = s[C.BACKUP], s[C.GOODBYE], s[C.SELF_HARM], s[C.RISK_FACTOR], s[C.MINOR]
    aggravating = max(plan, backup, goodbye, minor) >= 2
    if intent >= 2 and method >= 1 and aggravating:
        return CRITICAL
    if method >= 2 and plan >= 2 and minor >= 2:
        return CRITICAL
    if intent >= 2 and (method >= 1 or aggravating or risk >= 2):
        return HIGH
    if method >= 2 and (plan >= 2 or backup >= 2 or goodbye >= 2):
        return HIGH
    if harm >= 2 and (method >= 1 or plan >= 2):
        return HIGH
    if intent >= 2 or harm >= 2 or goodbye >= 3 or backup >= 3:
        return MEDIUM
    if intent == 1 and (risk >= 1 or method >= 1):
        return MEDIUM
    if method >= 1 and risk >= 2:
        return MEDIUM
    if intent or method or plan or goodbye or harm or risk:
        return LOW
    return NONE


def fraud_severity(s: dict[str, int]) -> int:
    paid = s[C.PAYMENT]
    lure = max(s[C.GAME_CURRENCY], s[C.REFUND_LINK], s[C.OFF_PLATFORM], s[C.BRUSHING], s[C.IMPERSONATION])
    if s[C.SAFE_ACCOUNT] >= 3 and paid >= 1:
        return CRITICAL
    if s[C.SAFE_ACCOUNT] >= 3 or (s[C.IMPERSONATION] >= 3 and lure >= 2):
        return HIGH
    if lure >= 2 and paid >= 2:
        return HIGH
    if s[C.ACCOUNT_TAKEOVER] >= 3 and s[C.VERIFICATION_CODE] >= 2:
        return HIGH
    if s[C.VERIFICATION_CODE] >= 3:
        return HIGH
    if s[C.ACCOUNT_TAKEOVER] >= 3 or s[C.BRUSHING] >= 3 or s[C.IMPERSONATION] >= 3 or s[C.REFUND_LINK] >= 3:
        return MEDIUM
    if lure >= 2 and (s[C.VERIFICATION_CODE] >= 2 or paid >= 1 or s[C.OFF_PLATFORM] >= 2):
        return MEDIUM
    if s[C.VERIFICATION_CODE] >= 2 and s[C.OFF_PLATFORM] >= 2:
        return MEDIUM
    if paid >= 3:
        return MEDIUM
    if lure or paid or s[C.VERIFICATION_CODE] or s[C.ACCOUNT_TAKEOVER]:
        return LOW
    return NONE


def desk_severities(hits: list[Hit], *, high_risk_product: bool = False) -> dict[str, int]:
    """Severity per desk. Life terms are judged on every message, fraud complaints included:
    a victim who writes of despair after losing money is a life-protection case too."""
    s = strengths(hits)
    life = life_severity(s)
    if high_risk_product and life >= LOW:
        # The goods are bought: what the person wrote about is within reach. One level up.
        life = min(life + 1, CRITICAL)
    return {Desk.LIFE: life, Desk.FRAUD: fraud_severity(s)}


def categories_for(hits: Iterable[Hit], desk: str) -> list[str]:
    seen: list[str] = []
    for hit in hits:
        if desk_of(hit.term.category) == desk and hit.term.category not in seen:
            seen.append(hit.term.category)
    return seen
