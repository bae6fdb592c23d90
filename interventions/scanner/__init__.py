"""The alert scanner: normalise, match, classify. Pure functions over text; no database.

`scan_text` is the one code path used by the intake task and by `manage.py scan`.
"""

from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _

from ..choices import Severity
from .categories import Category, desk_of
from .classify import desk_severities
from .lexicon import Hit, Lexicon, Term
from .normalise import normalise, original_offsets

__all__ = ["Category", "Lexicon", "Match", "ScanResult", "Term", "scan_text"]


@dataclass(frozen=True, slots=True)
class Match:
    """A term as found in the original text: `text[start:end]` is what the person wrote."""

    term: str
    category: str
    start: int
    end: int


class ScanResult:
    """What the scanner found in one message. Severity and desk are decided at once; the offsets
    back into the original text and the readable reasons are worked out only when asked for, so
    the many messages that match a weak term and never alert do not pay for them."""

    def __init__(
        self,
        text: str,
        hits: list[Hit] | None = None,
        desk_severity: dict[str, int] | None = None,
        high_risk_product: bool = False,
    ) -> None:
        self.text = text
        self._hits = hits or []
        self._high_risk_product = high_risk_product
        # Per desk: a message can matter to both (a fraud victim who writes of despair).
        self.desk_severity = desk_severity or {}
        self.severity = Severity.NONE
        self.desk: str | None = None
        if self.desk_severity:
            # The more dangerous desk leads; on a tie, life protection does.
            lead = max(self.desk_severity, key=lambda d: (self.desk_severity[d], d == "life"))
            if self.desk_severity[lead] > Severity.NONE:
                self.severity, self.desk = self.desk_severity[lead], lead

    @property
    def severity_name(self) -> str:
        return Severity(self.severity).name.lower()

    @cached_property
    def matches(self) -> list[Match]:
        return _in_original(self.text, self._hits) if self._hits else []

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(m.category for m in self.matches))

    def reason_for(self, desk: str) -> str:
        """One line a specialist can read about this message, for one desk."""
        level = self.desk_severity.get(desk, Severity.NONE)
        return _reason(level, desk, self._hits, self._high_risk_product) if level > Severity.NONE else ""

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
    """Scan one message. Most messages match nothing and leave after one translate and one pass
    of the automaton."""
    hits = lexicon.hits(normalise(text))
    if not hits:
        return ScanResult(text)
    return ScanResult(text, hits, desk_severities(hits, high_risk_product=high_risk_product), high_risk_product)


def _in_original(text: str, hits: list[Hit]) -> list[Match]:
    offsets = original_offsets(text)
    matches = {
        Match(term=hit.term.phrase, category=hit.term.category, start=offsets[hit.start], end=offsets[hit.end - 1] + 1)
        for hit in hits
    }
    return sorted(matches, key=lambda m: (m.start, m.end, m.category))


def _reason(severity: int, desk: str, hits: list[Hit], high_risk_product: bool) -> str:
    """One line a specialist can read: what was found, by category, strongest first."""
    strongest: dict[str, Hit] = {}
    for hit in hits:
        category = hit.term.category
        if desk_of(category) == desk and (
            category not in strongest or hit.term.weight > strongest[category].term.weight
        ):
            strongest[category] = hit
    parts = [
        f"{Category(category).label}「{hit.term.phrase}」"
        for category, hit in sorted(strongest.items(), key=lambda item: -item[1].term.weight)
    ]
    if high_risk_product and desk == "life":
        parts.append(_("high-risk goods in the order"))
    return f"{Severity(severity).label}:" + " + ".join(parts)
