"""The alert scanner: normalise, match, judge. Pure functions over text; no database.

`scan_text` is the one code path used by the intake task, staff alerts, `manage.py scan`, the
evaluation on the corpus and the backtest.
"""

from functools import cached_property

from django.utils.translation import gettext as _

from ..choices import Severity
from .categories import Category
from .frames import NOTHING, Frame, Judgement, Lower, Raise, judge
from .lexicon import Hit, Lexicon, Match, Term
from .model import Model
from .normalise import normalise

__all__ = ["Category", "Lexicon", "Match", "ScanResult", "Term", "scan_text"]


class ScanResult:
    """What the scanner found in one message. The judgement per desk is made at once; the offsets
    back into the original text and the readable reasons are worked out only when asked for, so
    the many messages that match a weak term and never alert do not pay for them."""

    def __init__(self, text: str, hits: list[Hit] | None = None, judgements: dict[str, Judgement] | None = None):
        self.text = text
        self._hits = hits or []
        # Per desk: a message can matter to both (a fraud victim who writes of despair).
        self.judgements = judgements or {}
        self.desk_severity = {desk: judgement.severity for desk, judgement in self.judgements.items()}
        self.severity = Severity.NONE
        self.desk: str | None = None
        if self.judgements:
            # The more dangerous desk leads; on a tie, life protection does.
            lead = max(self.judgements, key=lambda d: (self.judgements[d].level, d == "life"))
            if self.desk_severity[lead] > Severity.NONE:
                self.severity, self.desk = self.desk_severity[lead], lead

    @property
    def severity_name(self) -> str:
        return Severity(self.severity).name.lower()

    def level_for(self, desk: str) -> int:
        """The risk level 0–10 on one desk."""
        return self.judgements.get(desk, NOTHING).level

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
    hits = lexicon.hits(normalised)
    judgements = judge(hits, high_risk_product=high_risk_product) if hits else {}
    if lexicon.model is not None:
        judgements = second_opinion(lexicon.model, normalised, judgements)
    return ScanResult(text, hits, judgements) if judgements else ScanResult(text)


def second_opinion(model: Model, normalised: str, judgements: dict[str, Judgement]) -> dict[str, Judgement]:
    """The model's lifts: a desk's verdict below medium becomes medium when the model is sure
    enough (surer when the frames found nothing at all). It never lowers a verdict."""
    if all(judgement.severity >= Severity.MEDIUM for judgement in judgements.values()) and len(judgements) == 2:
        return judgements
    probabilities = model.probabilities(normalised)
    lifted = dict(judgements)
    for desk, probability in probabilities.items():
        judgement = judgements.get(desk, NOTHING)
        threshold = model.desks[desk].lift_low if judgement.severity == Severity.LOW else model.desks[desk].lift_none
        if judgement.severity < Severity.MEDIUM and probability >= threshold:
            lifted[desk] = judgement.lifted_by_model(probability)
    return lifted


def _reason(judgement: Judgement) -> str:
    parts = []
    if judgement.model_probability is not None:
        parts.append(_("reads like earlier cases (model %(score).2f)") % {"score": judgement.model_probability})
    for finding in sorted(judgement.findings, key=lambda f: -f.level):
        words = "".join(f"「{hit.term.phrase}」" for hit in dict.fromkeys(finding.hits))
        parts.append(f"{Frame(finding.frame).label}{words}")
    parts += [str(Raise(reason).label) for reason in judgement.raised]
    line = f"{judgement.severity.label}({judgement.level}/10):" + " + ".join(dict.fromkeys(parts))
    if judgement.lowered:
        line += " " + _("(lowered: %(why)s)") % {"why": ", ".join(str(Lower(why).label) for why in judgement.lowered)}
    return line
