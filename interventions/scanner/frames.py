"""From the terms found to what the message means: frames, a risk level 0–10, and the reason.

A term alone rarely says much: 农药 is in every farmer's order, 多少片 in every pharmacy question.
A frame is a combination of kinds of words, some of them within a few characters of each other:
a question about amount next to a means (询问致死剂量), an act in the past tense next to a means
(正在实施), a dangerous place next to "I am standing" (身处高处). Each frame that holds gives a
risk level; the message's level is the strongest frame's, raised by what makes it worse (a child,
a time, the means already bought, a backup plan) and lowered by context (a negation right before
the words, a novel or the news, farming or other everyday use).

The level follows the public "Tree Hole" scale used to watch Weibo for people at risk: 10 an
attempt in progress, 8–9 a method and a time, 6–7 a method or a question about one, 3–5 a wish
to die without a method, 1–2 pain or a lone weak word. It maps to the severities the queue sorts
on: 0 none, 1–2 low, 3–5 medium, 6–7 high, 8–10 critical.

Distances are counted in characters of the normalised text, which has no spaces or punctuation,
so the noise people put between characters does not pull words apart.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Desk

from ..choices import Severity
from .categories import FRAUD_CATEGORIES, LIFE_CATEGORIES
from .categories import Category as C
from .lexicon import Hit


class Frame(models.TextChoices):
    # Life protection.
    INTENT = "intent", _("stated intent")
    LETHALITY = "lethality", _("asks how lethal a means is")
    MEANS = "means", _("getting a means for oneself")
    ATTEMPT = "attempt", _("act in progress or just done")
    PLACE = "place", _("at a high or dangerous place")
    FAREWELL = "farewell", _("farewell or finality")
    BURDEN = "burden", _("feels a burden")
    SELF_HARM = "self_harm", _("self-harm")
    PRIOR = "prior", _("earlier attempt or backup plan")
    HOPELESS = "hopeless", _("hopeless, with a means")
    METHOD = "method", _("names a method")
    PREPARED = "prepared", _("means at hand")
    PLAN = "plan", _("the parts of a plan")
    # Anti-fraud.
    SAFE_ACCOUNT = "safe_account", _("safe-account transfer")
    IMPERSONATION = "impersonation", _("impersonator asks for something")
    CODE = "code", _("verification code asked for or taken")
    TAKEOVER = "takeover", _("account used without consent")
    FEE = "fee", _("lure with a fee or deposit")
    REMOTE = "remote", _("screen sharing or remote app")
    OFF_PLATFORM = "off_platform", _("lure off the platform")
    LURE = "lure", _("scam lure")
    PAID = "paid", _("money lost")
    INDICATOR = "indicator", _("blocklisted or look-alike indicator")
    SIGN = "sign", _("a weak sign")


class Raise(models.TextChoices):
    """What makes a life frame worse, named in the reason."""

    METHOD = "method", _("with a method")
    PLACE = "place", _("at a place of danger")
    MINOR = "minor", _("a minor")
    TIME = "time", _("a time or plan")
    ACQUIRED = "acquired", _("means at hand")
    ORDER = "order", _("high-risk goods in the order")
    BACKUP = "backup", _("backup plan")
    GOODBYE = "goodbye", _("farewell")
    INTENT = "intent", _("with intent")
    RISK = "risk", _("risk factor")
    PAID = "paid", _("money already paid")
    INJURY = "injury", _("hurt, just now")


class Lower(models.TextChoices):
    NEGATED = "negated", _("negated")
    FICTION = "fiction", _("fiction or news")
    SAFETY = "safety", _("everyday use")
    WARNING = "warning", _("a warning")
    MODEL = "model", _("the model reads it as everyday talk")


LEVEL_SEVERITY = (
    Severity.NONE,
    Severity.LOW,
    Severity.LOW,
    Severity.MEDIUM,
    Severity.MEDIUM,
    Severity.MEDIUM,
    Severity.HIGH,
    Severity.HIGH,
    Severity.CRITICAL,
    Severity.CRITICAL,
    Severity.CRITICAL,
)


def severity_of(level: int) -> Severity:
    return LEVEL_SEVERITY[max(0, min(level, 10))]


@dataclass(frozen=True, slots=True)
class Finding:
    """One frame that holds, with the words that make it hold."""

    frame: str
    level: int
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class Judgement:
    """One desk's verdict on a message: the level, the frames that hold, and what moved it."""

    level: int
    findings: tuple[Finding, ...] = ()
    raised: tuple[tuple[str, "Hit | None"], ...] = ()
    lowered: tuple[str, ...] = ()
    model_probability: float | None = None
    severity_probability: float | None = None

    @property
    def severity(self) -> Severity:
        return severity_of(self.level)

    @property
    def frames(self) -> list[str]:
        return [finding.frame for finding in self.findings]

    @property
    def acting(self) -> bool:
        """An act under way or a person at a place of danger: never lowered by anything."""
        return any(f.frame in (Frame.ATTEMPT, Frame.PLACE) and f.level >= 8 for f in self.findings)

    def lowered_by_model(self, probability: float) -> "Judgement":
        """The same judgement kept as low: the model reads the words as everyday talk."""
        return Judgement(
            min(self.level, LIFT_LOW_FROM), self.findings, self.raised, (*self.lowered, Lower.MODEL), probability
        )

    def lifted_by_model(self, probability: float) -> "Judgement":
        """The same judgement at medium, on the model's word."""
        return Judgement(max(self.level, MODEL_LEVEL), self.findings, self.raised, self.lowered, probability)

    def raised_by_model(self, probability: float) -> "Judgement":
        """The same judgement at high: the severity model reads it as high or critical."""
        return Judgement(
            max(self.level, HIGH_LEVEL), self.findings, self.raised, self.lowered, self.model_probability, probability
        )


NOTHING = Judgement(0)


def _lowered(level: int, context: int) -> int:
    """A level in a context that explains the words away (farming, a novel, a warning): a clear
    context leaves a low signal at most, which the model may still lift; a weak one takes two off."""
    return min(level, 2) if context >= 2 else level - 2


MEDIUM_LEVEL = 3  # the lowest level that alerts
LIFT_LOW_FROM = 2  # a verdict from this level up is "low" to the model: the frames found a real sign
MODEL_LEVEL = 3  # the model alone lifts to the lowest medium level
# A verdict up to high that the model gives less than a 5 % chance is kept as low (shown, not
# queued): on the corpus this halves the frames' false alarms and misses no one it caught.
VETO_UP_TO = 7
VETO_SCORE = math.log(0.05 / 0.95)
HIGH_LEVEL = 6  # the lowest high level: the severity model lifts a medium life verdict to it
# Kinds of words that make a sign concrete: a means, an act or a place. The model lifts a message
# that names one at a lower probability than one that does not.
CONCRETE = frozenset({C.METHOD, C.ATTEMPT, C.PLACE})

# Categories whose words a negation right before them cancels (我不会自杀, 没想过死).
NEGATABLE = frozenset({C.INTENT, C.SELF_HARM, C.BURDEN, C.GOODBYE})
NEGATION_REACH = 1  # characters between the negation and the word it cancels
# A context word inside a longer word of these categories is part of that word: 烧烤 in 不是烧烤.
CONTEXT = frozenset({C.SAFETY, C.FICTION, C.WARNING, C.NEGATION})


def _term_weight(hit: Hit) -> int:
    return hit.term.weight


class Evidence:
    """The hits of one message by category, with the negated and the swallowed ones taken out."""

    __slots__ = ("best", "by_category", "negated")

    def __init__(self, hits: Iterable[Hit]) -> None:
        by_category: dict[str, list[Hit]] = defaultdict(list)
        for hit in hits:
            by_category[hit.term.category].append(hit)
        self.negated: list[Hit] = []
        if CONTEXT & by_category.keys():
            spans = [(h.start, h.end) for h in hits if h.term.category not in CONTEXT]
            for category in CONTEXT & by_category.keys():
                by_category[category] = [
                    h
                    for h in by_category[category]
                    if not any(s <= h.start and h.end <= e and e - s > h.end - h.start for s, e in spans)
                ]
        negations = by_category.get(C.NEGATION)
        if negations:
            for category in NEGATABLE & by_category.keys():
                kept = []
                for hit in by_category[category]:
                    if any(0 <= hit.start - n.end <= NEGATION_REACH and n.start < hit.start for n in negations):
                        self.negated.append(hit)
                    else:
                        kept.append(hit)
                by_category[category] = kept
        self.by_category = by_category
        # The strongest hit of each category (the first of equal weight), looked up many times.
        self.best: dict[str, Hit] = {}
        for category, category_hits in by_category.items():
            if category_hits:
                self.best[category] = max(category_hits, key=_term_weight)

    def strongest(self, category: str, weight: int = 1) -> Hit | None:
        best = self.best.get(category)
        return best if best is not None and best.term.weight >= weight else None

    def weight(self, category: str) -> int:
        best = self.best.get(category)
        return best.term.weight if best is not None else 0

    def near(
        self,
        first: str,
        second: str,
        window: int,
        *,
        weight: int = 1,
        second_weight: int = 1,
        in_order: bool = False,
    ) -> tuple[Hit, Hit] | None:
        """A hit of each category, not the same words, at most `window` characters apart (0:
        touching or overlapping); with `in_order`, the first before the second."""
        for a in self.by_category.get(first, ()):
            if a.term.weight < weight:
                continue
            for b in self.by_category.get(second, ()):
                if (
                    b.term.weight >= second_weight
                    and (a.start, a.end) != (b.start, b.end)
                    and max(a.start, b.start) - min(a.end, b.end) <= window
                    and (not in_order or (a.start < b.start and a.end <= b.end))
                ):
                    return a, b
        return None


# Frames that rest on a means or a place: everyday use of the same goods (farming, a barbecue, a
# pharmacy question) or the same places (camping by the sea) lowers them. A stated wish to die, a
# goodbye or a burden is not lowered by it.
EVERYDAY_FRAMES = frozenset(
    {
        Frame.LETHALITY,
        Frame.MEANS,
        Frame.METHOD,
        Frame.HOPELESS,
        Frame.PREPARED,
        Frame.PLACE,
        Frame.ATTEMPT,
        Frame.PLAN,
    }
)
# Frames that say the person themself is at risk; what makes it worse (a means, a time, a child)
# raises only these. A method or a place named alone stays where it is.
PERSONAL_FRAMES = frozenset(
    {
        Frame.INTENT,
        Frame.LETHALITY,
        Frame.ATTEMPT,
        Frame.FAREWELL,
        Frame.BURDEN,
        Frame.SELF_HARM,
        Frame.PRIOR,
        Frame.MEANS,
    }
)
STRONG_LIFE_FRAMES = frozenset(
    {Frame.LETHALITY, Frame.ATTEMPT, Frame.PLACE, Frame.FAREWELL, Frame.MEANS, Frame.PRIOR, Frame.PREPARED}
)


def _personal(finding: Finding) -> bool:
    return finding.frame in PERSONAL_FRAMES or (
        finding.frame in (Frame.PLACE, Frame.PREPARED, Frame.PLAN) and finding.level >= 6
    )


def judge_life(evidence: Evidence, *, high_risk_product: bool = False) -> Judgement:
    """The life-protection level of one message."""
    e = evidence
    findings = _life_findings(e)
    if not findings:
        return NOTHING
    lowered: list[str] = []
    acting = any(f.frame in (Frame.ATTEMPT, Frame.PLACE) and f.level >= 9 for f in findings)
    wish = e.weight(C.INTENT) >= 2 or e.weight(C.SELF) >= 3
    if not acting and not wish and e.weight(C.SAFETY) >= 1:
        findings = [
            Finding(f.frame, _lowered(f.level, e.weight(C.SAFETY)), f.hits) if f.frame in EVERYDAY_FRAMES else f
            for f in findings
        ]
        lowered.append(Lower.SAFETY)
    level = max(finding.level for finding in findings)
    raised: list[tuple[str, Hit | None]] = []

    def lift(reason: str, to: int, because: Hit | None = None) -> None:
        nonlocal level
        if to > level:
            level = min(to, 10)
            raised.append((reason, because))

    personal = [f for f in findings if _personal(f) and f.level >= 4]
    frames = {f.frame for f in personal}
    named = e.strongest(C.METHOD)
    method = named is not None or high_risk_product
    if personal:
        level = max(level, max(f.level for f in personal))
        # The seeds' rule: intent with a method is high; add a time, a backup plan or a child
        # and it is critical.
        if method:
            lift(Raise.METHOD if named else Raise.ORDER, 7, named)
        if e.weight(C.PLAN) >= 2:
            lift(Raise.TIME, 8 if method or frames & STRONG_LIFE_FRAMES else level + 1, e.strongest(C.PLAN))
        if method and e.weight(C.ACQUIRE) >= 2:
            lift(Raise.ACQUIRED, max(level + 1, 7), e.strongest(C.ACQUIRE))
        if e.weight(C.BACKUP) >= 2:
            lift(Raise.BACKUP, max(level + 1, 6), e.strongest(C.BACKUP))
        if e.weight(C.GOODBYE) >= 2 and Frame.FAREWELL not in frames:
            lift(Raise.GOODBYE, max(level + 1, 6), e.strongest(C.GOODBYE))
        if e.weight(C.MINOR) >= 2:
            lift(Raise.MINOR, 8 if method else level + 1, e.strongest(C.MINOR))
        if Frame.SELF_HARM in frames and e.weight(C.ATTEMPT) >= 2:
            # Self-harm just done, with blood or worse: an act, as critical as any other.
            lift(Raise.INJURY, 8, e.strongest(C.ATTEMPT))
        if high_risk_product and named:
            # The order holds the means the message names: it is at hand.
            lift(Raise.ORDER, level + 1)
        # Recall first: a wish to die next to anything concrete (a place, a means at hand) is at
        # least high, so that no one in danger waits behind the medium queue.
        if e.weight(C.PLACE) >= 2:
            lift(Raise.PLACE, 6, e.strongest(C.PLACE))
        if e.weight(C.ACQUIRE) >= 2:
            lift(Raise.ACQUIRED, 6, e.strongest(C.ACQUIRE))
    elif level >= 2 and e.weight(C.RISK_FACTOR) >= 2 and method:
        lift(Raise.RISK, level + 1, e.strongest(C.RISK_FACTOR))

    if not acting and e.weight(C.FICTION) >= 1:
        level = _lowered(level, e.weight(C.FICTION))
        lowered.append(Lower.FICTION)
    if e.negated:
        lowered.append(Lower.NEGATED)
    return Judgement(max(level, 0), tuple(findings), tuple(raised), tuple(lowered))


# Words of a decision taken (a plan category term): next to a method, they are intent.
RESOLVED = frozenset({"想好了", "决定了", "想通了", "想明白了", "打算"})
# What backs a weaker wish to die into a real signal.
SUPPORTING = (C.PLAN, C.GOODBYE, C.BURDEN, C.RISK_FACTOR, C.MINOR, C.SELF, C.BACKUP, C.PLACE)


def _plan_parts(e: Evidence) -> list[tuple[int, Hit]]:
    """(points, the words) for each part of a plan the message has; empty unless it has a means,
    an act or a place, the concrete part."""
    method, act, place = e.strongest(C.METHOD), e.strongest(C.ATTEMPT), e.strongest(C.PLACE, 2)
    if method is None and act is None and place is None:
        return []
    parts: list[tuple[int, Hit | None]] = [
        (2 if method is not None and method.term.weight >= 2 else 1, method),
        (3 if act is not None and act.term.weight >= 3 else 2, act),
        (2, place),
        (1, e.strongest(C.PLAN)),
        (1, e.strongest(C.ACQUIRE, 2)),
        (1, e.strongest(C.GOODBYE)),
        (
            2 if e.weight(C.INTENT) >= 2 else 1,
            e.strongest(C.INTENT) or e.strongest(C.SELF, 2) or e.strongest(C.WISH, 2),
        ),
        (2, e.strongest(C.MINOR, 2)),  # a child with a means: the seeds' critical
        (1, e.strongest(C.RISK_FACTOR, 2) or e.strongest(C.BURDEN, 2)),
        (1, e.strongest(C.BACKUP, 2)),
    ]
    return [(points, hit) for points, hit in parts if hit is not None]


def _life_findings(e: Evidence) -> list[Finding]:
    found: list[Finding] = []

    def add(frame: str, level: int, *hits: Hit | None) -> None:
        found.append(Finding(frame, level, tuple(hit for hit in hits if hit is not None)))

    intent = e.strongest(C.INTENT)
    wanting = e.near(C.WISH, C.INTENT, 3, in_order=True)
    refusing = e.near(C.REFUSAL, C.LIVING, 2, weight=2, second_weight=2, in_order=True)
    if intent is not None and intent.term.weight >= 2:
        backed = any(e.weight(c) >= 2 for c in SUPPORTING) or e.weight(C.METHOD) >= 1
        add(Frame.INTENT, 5 if intent.term.weight >= 3 else 4 if backed else 2, intent)
    elif refusing:
        add(Frame.INTENT, 5 if refusing[1].term.weight >= 3 else 4, *refusing)
    elif wanting:
        add(Frame.INTENT, 4 if wanting[0].term.weight >= 2 else 2, *wanting)
    elif (
        e.strongest(C.PLAN, 2)
        and e.strongest(C.PLAN, 2).term.phrase in RESOLVED
        and (e.weight(C.METHOD) >= 2 or e.weight(C.PLACE) >= 2)
    ):
        # "我决定了,跳河": a decision taken, next to a way of dying.
        add(Frame.INTENT, 5, e.strongest(C.PLAN, 2), e.strongest(C.METHOD) or e.strongest(C.PLACE))
    elif intent is not None:
        add(Frame.SIGN, 2, intent)
    wish = (
        e.strongest(C.INTENT, 2)
        or (refusing or wanting or (None,))[-1]
        or e.strongest(C.SELF, 2)
        or e.strongest(C.GOODBYE, 2)
    )

    # A question about death next to a means; or about amount or height next to a means, from
    # someone who wishes to die or says it is for themself; or about death itself.
    near = e.near(C.LETHALITY, C.METHOD, 16, weight=2)
    amount = e.near(C.LETHALITY, C.METHOD, 10)
    lethal = e.strongest(C.LETHALITY, 3)
    if near:
        add(Frame.LETHALITY, 7, *near)
    elif amount and (wish or e.weight(C.PLAN) >= 2 or e.weight(C.LETHALITY) >= 2):
        add(Frame.LETHALITY, 7, *amount, wish)
    elif lethal is not None:
        add(Frame.LETHALITY, 6, lethal)
    elif e.strongest(C.LETHALITY, 2) and wish:
        add(Frame.LETHALITY, 6, e.strongest(C.LETHALITY, 2), wish)

    # The act, done or under way: unmistakable words; an act next to a means; or a plain
    # "took it" next to a means with what it feels like, an amount or a wish.
    act = e.strongest(C.ATTEMPT, 3)
    # A plain "took" with medicine in general (药吃了, 刚吃了…药) is every patient's day: it needs
    # a named means here, or what it feels like, an amount or a wish below.
    near = e.near(C.ATTEMPT, C.METHOD, 10, weight=2, second_weight=2)
    plain = e.near(C.ATTEMPT, C.METHOD, 4)
    # What it feels like: the other act words, not the plain act itself nor a word inside it.
    felt = [
        h
        for h in _apart(e.by_category.get(C.ATTEMPT, []))
        if plain is None or h.end <= plain[0].start or h.start >= plain[0].end
    ]
    if act is not None:
        add(Frame.ATTEMPT, 10, act)
    elif near:
        add(Frame.ATTEMPT, 10, *near)
    elif plain and (felt or wish or e.weight(C.LETHALITY) >= 1):
        add(Frame.ATTEMPT, 9, *plain)
    elif e.strongest(C.ATTEMPT, 2) and ((felt and len(felt) >= 2) or wish):
        add(Frame.ATTEMPT, 8, e.strongest(C.ATTEMPT, 2), wish)

    # At a high or dangerous place: said to be there, or with a wish to die.
    place = e.strongest(C.PLACE, 3)
    there = e.near(C.PRESENCE, C.PLACE, 8, weight=2, second_weight=2)
    if place is not None:
        add(Frame.PLACE, 8, place)
    elif there:
        add(Frame.PLACE, 8, *there)
    elif e.strongest(C.PLACE, 2) and (wish or e.weight(C.PRESENCE) >= 2 or e.weight(C.METHOD) >= 2):
        add(Frame.PLACE, 7, e.strongest(C.PLACE, 2), wish)
    elif e.strongest(C.PLACE, 2):
        add(Frame.PLACE, 2, e.strongest(C.PLACE, 2))

    # A means for oneself; or a means at hand with a time (the charcoal is bought, tonight).
    means = e.strongest(C.METHOD, 1)
    self_use = e.strongest(C.SELF, 2)
    at_hand = e.strongest(C.ACQUIRE, 2)
    when = e.strongest(C.PLAN, 2)
    if means is not None and self_use is not None:
        add(Frame.MEANS, 7, means, self_use)
    if means is not None and at_hand is not None and when is not None:
        add(Frame.PREPARED, 8, means, at_hand, when)
    elif means is not None and (at_hand or when) and (e.weight(C.GOODBYE) >= 2 or e.weight(C.BACKUP) >= 2):
        add(Frame.PREPARED, 7, means, at_hand or when)
    elif means is not None and means.term.weight >= 2 and (at_hand or when):
        add(Frame.PREPARED, 2, means, at_hand or when)

    # The parts of a plan, added up: whatever the wording, a means with an act, a time, a goodbye
    # and a wish is critical, as in the seeds' rule, though no listed frame may hold.
    parts = _plan_parts(e)
    if parts:
        points = sum(points for points, _ in parts)
        level = 8 if points >= 7 else 6 if points >= 5 else 4 if points >= 4 else 0
        if level:
            add(Frame.PLAN, level, *(hit for _, hit in parts))

    goodbye = e.strongest(C.GOODBYE, 2)
    if goodbye is not None:
        add(Frame.FAREWELL, 6 if goodbye.term.weight >= 3 else 2, goodbye)

    burden = e.strongest(C.BURDEN, 2)
    if burden is not None:
        add(Frame.BURDEN, 5 if burden.term.weight >= 3 else 2, burden)

    harm = e.strongest(C.SELF_HARM, 2)
    if harm is not None:
        add(Frame.SELF_HARM, 6 if harm.term.weight >= 3 else 2, harm)

    prior = e.strongest(C.BACKUP, 3)
    again = e.strongest(C.BACKUP, 2)
    if prior is not None:
        add(Frame.PRIOR, 5, prior)
    elif again is not None and wish and len(e.by_category[C.BACKUP]) >= 2:
        add(Frame.PRIOR, 4, *e.by_category[C.BACKUP][:2])

    risk = e.strongest(C.RISK_FACTOR, 2)
    method = e.strongest(C.METHOD, 2)
    if risk is not None and method is not None and not (method.start <= risk.start and risk.end <= method.end):
        # Despair and a means, as two things (抑郁 inside 抗抑郁药 is one).
        add(Frame.HOPELESS, 4, risk, method)

    method = e.strongest(C.METHOD, 3)
    if method is not None:
        add(Frame.METHOD, 2, method)
    elif not found:
        weak = next(
            (e.strongest(c) for c in (C.METHOD, C.PLAN, C.RISK_FACTOR, C.BACKUP, C.PLACE) if e.strongest(c)), None
        )
        if weak is not None:
            add(Frame.METHOD if weak.term.category == C.METHOD else Frame.SIGN, 1, weak)
    return found


def judge_fraud(e: Evidence) -> Judgement:
    """The anti-fraud level of one message."""
    found: list[Finding] = []

    def add(frame: str, level: int, *hits: Hit | None) -> None:
        found.append(Finding(frame, level, tuple(hit for hit in hits if hit is not None)))

    safe = e.strongest(C.SAFE_ACCOUNT, 2)
    if safe is not None:
        add(Frame.SAFE_ACCOUNT, 7 if safe.term.weight >= 3 else 5, safe)

    asked = e.near(C.REQUEST, C.VERIFICATION_CODE, 10, weight=2, second_weight=2) or e.near(
        C.VERIFICATION_CODE, C.REQUEST, 10, weight=2, second_weight=2
    )
    code = e.strongest(C.VERIFICATION_CODE, 3)
    if asked:
        add(Frame.CODE, 7, *asked)
    elif code is not None:
        add(Frame.CODE, 6, code)

    takeover = e.strongest(C.ACCOUNT_TAKEOVER, 2)
    if takeover is not None:
        add(Frame.TAKEOVER, 5 if takeover.term.weight >= 3 else 2, takeover)

    impersonation = e.strongest(C.IMPERSONATION, 2)
    ask = _strongest_of(e, (C.REQUEST, C.FEE, C.LINK, C.REMOTE, C.SAFE_ACCOUNT, C.REFUND_LINK), weight=2)
    if impersonation is not None and ask is not None and ask is not impersonation:
        add(Frame.IMPERSONATION, 7 if impersonation.term.weight >= 3 else 6, impersonation, ask)
    elif impersonation is not None and impersonation.term.weight >= 3:
        add(Frame.IMPERSONATION, 4, impersonation)

    remote = e.strongest(C.REMOTE, 2)
    if remote is not None:
        add(Frame.REMOTE, 6 if remote.term.weight >= 3 else 2, remote)

    lures = (C.BRUSHING, C.INVESTMENT, C.LOAN, C.PRIZE, C.GAME_CURRENCY, C.REFUND_LINK, C.ROMANCE)
    lure = _strongest_of(e, lures)
    fee = e.strongest(C.FEE, 2)
    # A weak lure (皮肤, steam) with an ordinary payment is a game top-up; with a fee that only
    # scams ask for (解冻费, 认证费) it is not.
    if (
        lure is not None
        and fee is not None
        and (fee.start, fee.end) != (lure.start, lure.end)
        and (lure.term.weight >= 2 or fee.term.weight >= 3)
    ):
        add(Frame.FEE, 7, lure, fee)
    elif fee is not None and fee.term.weight >= 3:
        add(Frame.FEE, 4, fee)
    off = e.strongest(C.OFF_PLATFORM, 2)
    if lure is not None and off is not None and (off.start, off.end) != (lure.start, lure.end):
        add(Frame.OFF_PLATFORM, 6, lure, off)
    if lure is not None and lure.term.weight >= 3:
        add(Frame.LURE, 4, lure)
    elif lure is not None and lure.term.weight >= 2:
        helper = _strongest_of(e, (C.LINK, C.REQUEST, C.OFF_PLATFORM, C.IMPERSONATION), weight=2)
        if helper is not None and helper is not lure:
            add(Frame.LURE, 2, lure, helper)
    link = e.strongest(C.LINK, 2)
    if link is not None and (link.term.weight >= 3 or e.weight(C.REQUEST) >= 2 or e.weight(C.VERIFICATION_CODE) >= 2):
        add(Frame.LURE, 2, link)

    paid = e.strongest(C.PAYMENT, 3)
    if paid is not None:
        add(Frame.PAID, 4, paid)

    if not found:
        weak = _strongest_of(e, _FRAUD_WEAK)
        return Judgement(1, (Finding(Frame.SIGN, 1, (weak,)),)) if weak is not None else NOTHING

    level = max(finding.level for finding in found)
    raised: list[tuple[str, Hit | None]] = []
    if e.weight(C.PAYMENT) >= 2 and level >= 5:
        level += 2 if level >= 7 else 1
        raised.append((Raise.PAID, e.strongest(C.PAYMENT)))
    lowered: list[str] = []
    warning = e.weight(C.WARNING)
    if warning >= 3 or (warning >= 1 and e.weight(C.PAYMENT) < 3):
        level = _lowered(level, warning)
        lowered.append(Lower.WARNING)
    if e.weight(C.FICTION) >= 2:
        level = _lowered(level, e.weight(C.FICTION))
        lowered.append(Lower.FICTION)
    return Judgement(max(0, min(level, 10)), tuple(found), tuple(raised), tuple(lowered))


_FRAUD_WEAK = (
    C.VERIFICATION_CODE,
    C.REFUND_LINK,
    C.IMPERSONATION,
    C.GAME_CURRENCY,
    C.OFF_PLATFORM,
    C.BRUSHING,
    C.INVESTMENT,
    C.LOAN,
    C.PRIZE,
    C.FEE,
    C.ACCOUNT_TAKEOVER,
    C.PAYMENT,
)


def _apart(hits: list[Hit]) -> list[Hit]:
    """The hits that are not inside another one: 刚吃了 inside 刚刚吃了 is one word, not two."""
    return [h for h in hits if not any(o is not h and o.start <= h.start and h.end <= o.end for o in hits)]


def _strongest_of(e: Evidence, categories: Iterable[str], *, weight: int = 1) -> Hit | None:
    best = None
    for category in categories:
        hit = e.strongest(category, weight)
        if hit is not None and (best is None or hit.term.weight > best.term.weight):
            best = hit
    return best


def judge(hits: list[Hit], *, high_risk_product: bool = False) -> dict[str, Judgement]:
    """Both desks' judgements of one message (empty when neither desk finds anything). Life
    terms are judged on every message, fraud complaints included: a victim who writes of despair
    after losing money is a life case too."""
    kinds = {hit.term.category for hit in hits}
    if not (kinds & LIFE_SIGNS or kinds & FRAUD_SIGNS):
        return {}  # only words that support a frame: most messages that match a term leave here
    evidence = Evidence(hits)
    kinds = evidence.best.keys()
    life = judge_life(evidence, high_risk_product=high_risk_product) if kinds & LIFE_SIGNS else NOTHING
    fraud = judge_fraud(evidence) if kinds & FRAUD_SIGNS else NOTHING
    if life is NOTHING and fraud is NOTHING:
        return {}
    return {Desk.LIFE: life, Desk.FRAUD: fraud}


# Kinds of words without which a desk's frames cannot hold: the others (a wish, getting hold of
# something, being somewhere, a request) only ever support them. Most messages that match a
# term match only those, and leave here.
LIFE_SIGNS = LIFE_CATEGORIES - {C.ACQUIRE, C.PRESENCE, C.WISH, C.MINOR, C.SELF, C.LIVING}
FRAUD_SIGNS = FRAUD_CATEGORIES - {C.REQUEST}
