"""The alert scanner: normalise, match, classify. Pure functions over text; no database.

`scan_text` is the one code path used by the intake task and by `manage.py scan`.
"""

from dataclasses import dataclass, field

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


@dataclass(slots=True)
class ScanResult:
    text: str
    severity: int = Severity.NONE
    desk: str | None = None
    categories: list[str] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    reason: str = ""
    # Per desk: a message can matter to both (a fraud victim who writes of despair).
    desk_severity: dict[str, int] = field(default_factory=dict)
    desk_reason: dict[str, str] = field(default_factory=dict)

    @property
    def severity_name(self) -> str:
        return Severity(self.severity).name.lower()

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
    of the automaton; only matching ones pay for offsets and classification."""
    hits = lexicon.hits(normalise(text))
    if not hits:
        return ScanResult(text=text)
    by_desk = desk_severities(hits, high_risk_product=high_risk_product)
    # The more dangerous desk leads; on a tie, life protection does.
    desk = max(by_desk, key=lambda d: (by_desk[d], d == "life"))
    severity = by_desk[desk]
    matches = _in_original(text, hits)
    reasons = {d: _reason(level, d, hits, high_risk_product) for d, level in by_desk.items() if level > Severity.NONE}
    return ScanResult(
        text=text,
        severity=severity,
        desk=desk if severity > Severity.NONE else None,
        categories=list(dict.fromkeys(m.category for m in matches)),
        matches=matches,
        reason=reasons.get(desk, ""),
        desk_severity=by_desk,
        desk_reason=reasons,
    )


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
