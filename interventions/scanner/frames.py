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

from ..choices import Severity
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

    @classmethod
    def of(cls, frame: str, level: int, *hits: Hit | None) -> "Finding":
        """The finding, with the words that were found (a frame may name a kind of word it did
        not need)."""
        return cls(frame, level, tuple(hit for hit in hits if hit is not None))


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


def level_lowered(level: int, context: int) -> int:
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


# Negation words that deny an everyday use (不是种地, not for camping) and cancel nothing else; the
# uses they deny, among the everyday-use words; and how far before the use the denial may stand
# (不是买来种地).
DENIALS = frozenset({"不是", "唔系", "勿是", "not for", "bukan untuk"})
USES = frozenset(
    {
        "种地", "种田", "种菜", "搬家", "搬屋", "露营", "登山", "攀岩", "烧烤", "烤肉", "切菜", "剃须", "刮胡", "刮脸",
        "钓鱼", "打包", "moving", "shaving", "crafts", "farming", "pindah rumah", "berkhemah",
    }
)  # fmt: skip
DENIAL_REACH = 3


# A context word inside a longer word of these categories is part of that word: 烧烤 in 不是烧烤.
CONTEXT = frozenset({C.SAFETY, C.FICTION, C.WARNING, C.NEGATION})


def _term_weight(hit: Hit) -> int:
    return hit.term.weight


class Evidence:
    """The hits of one message by category, with the negated and the swallowed ones taken out."""

    __slots__ = ("best", "by_category", "denied", "negated")

    def __init__(self, hits: Iterable[Hit]) -> None:
        by_category: dict[str, list[Hit]] = defaultdict(list)
        for hit in hits:
            by_category[hit.term.category].append(hit)
        self.negated: list[Hit] = []
        category: str
        if CONTEXT & by_category.keys():
            spans = [(h.start, h.end) for h in hits if h.term.category not in CONTEXT]
            for category in CONTEXT & by_category.keys():
                by_category[category] = [
                    h
                    for h in by_category[category]
                    if not any(s <= h.start and h.end <= e and e - s > h.end - h.start for s, e in spans)
                ]
        # Everyday use denied (不是种地, not for camping, bukan untuk pindah rumah): the goods are for
        # something else, which is what getting a means for oneself says; it lowers nothing.
        self.denied: list[Hit] = []
        negations = by_category.get(C.NEGATION)
        if negations:
            denials = [n for n in negations if n.term.phrase in DENIALS]
            negations = [n for n in negations if n.term.phrase not in DENIALS]
            for category in NEGATABLE & by_category.keys():
                kept = []
                for hit in by_category[category]:
                    if any(0 <= hit.start - n.end <= NEGATION_REACH and n.start < hit.start for n in negations):
                        self.negated.append(hit)
                    else:
                        kept.append(hit)
                by_category[category] = kept
            if denials and C.SAFETY in by_category:
                kept = []
                for hit in by_category[C.SAFETY]:
                    if hit.term.phrase in USES and any(
                        0 <= hit.start - n.end <= DENIAL_REACH and n.start < hit.start for n in denials
                    ):
                        self.denied.append(hit)
                    else:
                        kept.append(hit)
                by_category[C.SAFETY] = kept
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


def apart(hits: list[Hit]) -> list[Hit]:
    """The hits that are not inside another one: 刚吃了 inside 刚刚吃了 is one word, not two."""
    return [h for h in hits if not any(o is not h and o.start <= h.start and h.end <= o.end for o in hits)]


def strongest_of(e: Evidence, categories: Iterable[str], *, weight: int = 1) -> Hit | None:
    best = None
    for category in categories:
        hit = e.strongest(category, weight)
        if hit is not None and (best is None or hit.term.weight > best.term.weight):
            best = hit
    return best
