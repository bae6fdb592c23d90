"""The alert scanner: normalise, match, judge. Pure functions over text; no database.

`scan_text` is the one code path used by the intake task, staff alerts, `manage.py scan`, the
evaluation on the corpus and the backtest.
"""

from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import Desk

from ..choices import Severity
from .categories import Category
from .frames import (
    CONCRETE,
    HIGH_LEVEL,
    LIFT_LOW_FROM,
    MEDIUM_LEVEL,
    NOTHING,
    VETO_SCORE,
    VETO_UP_TO,
    Frame,
    Judgement,
    Lower,
    Raise,
)
from .lexicon import Hit, Lexicon, Match, Term
from .model import Model, probability
from .normalise import normalise
from .verdict import judge, with_amounts

__all__ = ["Category", "Lexicon", "Match", "ScanResult", "Term", "scan_text"]

_NONE = Severity.NONE
_EMPTY: MappingProxyType[str, Any] = MappingProxyType({})  # shared by every empty result, so read-only


class ScanResult:
    """What the scanner found in one message. The judgement per desk is made at once; the offsets
    back into the original text and the readable reasons are worked out only when asked for, so
    the many messages that match a weak term and never alert do not pay for them."""

    # Read-only mappings: the shared empty one, or the dicts made for this message.
    judgements: Mapping[str, Judgement]
    desk_severity: Mapping[str, Severity]

    def __init__(self, text: str, hits: list[Hit] | None = None, judgements: dict[str, Judgement] | None = None):
        self.text = text
        self._hits = hits or []
        self.severity = _NONE
        self.desk: str | None = None
        if not judgements:
            # Most messages: nothing found, nothing more to work out.
            self.judgements = self.desk_severity = _EMPTY
            return
        # Per desk: a message can matter to both (a fraud victim who writes of despair).
        self.judgements = judgements
        self.desk_severity = {desk: judgement.severity for desk, judgement in judgements.items()}
        # The more dangerous desk leads; on a tie, life protection does.
        lead = max(judgements, key=lambda d: (judgements[d].level, d == Desk.LIFE))
        if self.desk_severity[lead] > _NONE:
            self.severity, self.desk = self.desk_severity[lead], lead

    @property
    def severity_name(self) -> str:
        return Severity(self.severity).name.lower()

    def level_for(self, desk: str) -> int:
        """The risk level 0–10 on one desk."""
        return self.judgements.get(desk, NOTHING).level

    @property
    def names_something_concrete(self) -> bool:
        """Whether the words name a means, an act or a place."""
        return _concrete(self._hits)

    def frames_for(self, desk: str) -> list[str]:
        return self.judgements.get(desk, NOTHING).frames

    @cached_property
    def matches(self) -> list[Match]:
        return Lexicon.in_original(self.text, self._hits) if self._hits else []

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(m.category for m in self.matches))

    def reason_for(self, desk: str) -> str:
        """One line a specialist can read about this message, for one desk: the severity with the
        level, then each frame with the words that make it hold, strongest first, then what
        raised or lowered it. 危急(9/10):询问致死方式或剂量「吃多少片」「安眠药」 + 手段已到手"""
        judgement = self.judgements.get(desk, NOTHING)
        if judgement.severity <= Severity.NONE:
            return ""
        return _reason(judgement)

    @property
    def reason(self) -> str:
        return self.reason_for(self.desk) if self.desk else ""

    def as_json(self) -> dict:
        """The command-line contract of `manage.py scan`."""
        return {
            "text": self.text,
            "severity": self.severity_name,
            "desk": self.desk,
            "categories": self.categories,
            "matches": [{"term": m.term, "start": m.start, "end": m.end} for m in self.matches],
            "reason": self.reason,
        }


def scan_text(text: str, lexicon: Lexicon, *, high_risk_product: bool = False) -> ScanResult:
    """Scan one message: the frames judge the terms found; the model, when the lexicon has one,
    may lift a message they rated below medium to medium."""
    normalised = normalise(text)
    hits, weight = lexicon.read(normalised, text)
    if hits:
        hits = with_amounts(hits, normalised)
    judgements = judge(hits, high_risk_product=high_risk_product) if hits else {}
    if lexicon.model is not None:
        judgements = second_opinion(
            lexicon.model, lexicon.model.scores_of(weight, normalised), normalised, judgements, hits
        )
    return ScanResult(text, hits, judgements) if judgements else ScanResult(text)


def second_opinion(
    model: Model, scores: tuple[float, float], normalised: str, judgements: dict[str, Judgement], hits: list[Hit]
) -> dict[str, Judgement]:
    """The model's word on each desk's verdict. Below medium, a verdict becomes medium when the
    model is sure enough (surer when the frames found no sign at all). A medium life verdict
    becomes high when the severity model reads it as high or critical. A medium or high verdict
    that the model reads, with near certainty, as everyday talk is kept as low, shown but not
    queued; an act under way or a person at the edge is never lowered. `scores` are the model's
    (life, fraud) log-odds for the text."""
    if not judgements and scores[0] < _lowest_life_score(model) and scores[1] < model.fraud.lowest_lift_score:
        return judgements  # most messages: nothing found and nothing the model would lift
    lifted = judgements
    for desk, desk_model, score in ((Desk.LIFE, model.life, scores[0]), (Desk.FRAUD, model.fraud, scores[1])):
        judgement = judgements.get(desk, NOTHING)
        if judgement.level >= MEDIUM_LEVEL:
            if judgement.level <= VETO_UP_TO and score < VETO_SCORE and not judgement.acting:
                lifted = {**lifted, desk: judgement.lowered_by_model(probability(score))}
                continue
        elif score >= _lift_score(desk_model, judgement, hits):
            judgement = judgement.lifted_by_model(probability(score))
            lifted = {**lifted, desk: judgement}
        else:
            continue
        if desk == Desk.LIFE and judgement.level < HIGH_LEVEL and model.severity is not None:
            severe = model.severity.score(normalised)
            if severe >= model.severity.lift_high_score:
                lifted = {**lifted, desk: judgement.raised_by_model(probability(severe))}
    return _danger_read(model, scores[0], normalised, lifted)


def _danger_read(model: Model, life_score: float, normalised: str, judgements: dict[str, Judgement]):
    """A life verdict below high becomes high when the danger model reads a person in critical
    danger, unless the life model reads the words as everyday talk."""
    life = judgements.get(Desk.LIFE, NOTHING)
    if model.danger is None or life.level >= HIGH_LEVEL or life_score < VETO_SCORE:
        return judgements
    danger = model.danger.score(normalised)
    if danger < model.danger.lift_high_score:
        return judgements
    return {**judgements, Desk.LIFE: life.raised_by_model(probability(danger))}


def _lowest_life_score(model: Model) -> float:
    return min(model.life.lowest_lift_score, VETO_SCORE) if model.danger is not None else model.life.lowest_lift_score


def _lift_score(desk_model, judgement: Judgement, hits: list[Hit]) -> float:
    """The model's lift threshold for this verdict, as log-odds: lower the more the frames saw."""
    if judgement.level < LIFT_LOW_FROM:
        return desk_model.lift_weak_score if judgement.level > 0 else desk_model.lift_none_score
    return desk_model.lift_concrete_score if _concrete(hits) else desk_model.lift_low_score


def _concrete(hits: list[Hit]) -> bool:
    return any(hit.term.category in CONCRETE for hit in hits)


def _reason(judgement: Judgement) -> str:
    parts = []
    if judgement.model_probability is not None and judgement.level >= MEDIUM_LEVEL:
        parts.append(_("reads like earlier cases (model %(score).2f)") % {"score": judgement.model_probability})
    if judgement.severity_probability is not None:
        parts.append(_("reads as high risk (model %(score).2f)") % {"score": judgement.severity_probability})
    for finding in sorted(judgement.findings, key=lambda f: -f.level):
        words = "".join(f"「{hit.term.phrase}」" for hit in dict.fromkeys(finding.hits))
        parts.append(f"{Frame(finding.frame).label}{words}")
    parts += [
        f"{Raise(reason).label}" + (f"「{hit.term.phrase}」" if hit is not None else "")
        for reason, hit in judgement.raised
    ]
    line = f"{judgement.severity.label}({judgement.level}/10):" + " + ".join(dict.fromkeys(parts))
    if judgement.lowered:
        line += " " + _("(lowered: %(why)s)") % {"why": ", ".join(str(Lower(why).label) for why in judgement.lowered)}
    return line
