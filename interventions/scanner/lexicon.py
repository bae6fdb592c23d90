"""All terms in one Aho–Corasick automaton: the cost of matching grows with the text, not with
the number of terms, so the lists can grow to thousands of phrases."""

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from .categories import Category
from .normalise import normalise


@dataclass(frozen=True, slots=True)
class Term:
    phrase: str
    category: str
    weight: int = 2

    @property
    def is_exception(self) -> bool:
        return self.category == Category.EXCEPTION


@dataclass(frozen=True, slots=True)
class Hit:
    """A term found in the normalised text: [start, end) are normalised offsets."""

    term: Term
    start: int
    end: int


class Lexicon:
    """The compiled term lists. Immutable: a change to the lists builds a new Lexicon."""

    def __init__(self, terms: Iterable[Term], *, version: int = 0) -> None:
        self.version = version
        self.automaton = ahocorasick.Automaton()
        by_key: dict[str, list[Term]] = {}
        for term in terms:
            key = normalise(term.phrase)
            if key:
                by_key.setdefault(key, []).append(term)
        for key, same_phrase in by_key.items():
            self.automaton.add_word(key, (len(key), tuple(same_phrase)))
        self.size = sum(len(same) for same in by_key.values())
        if by_key:
            self.automaton.make_automaton()

    def hits(self, normalised: str) -> list[Hit]:
        """Every term in the text, minus those inside a benign phrase (跳楼 in 跳楼价)."""
        if not self.size:
            return []
        found = [
            Hit(term, end + 1 - length, end + 1)
            for end, (length, terms) in self.automaton.iter(normalised)
            for term in terms
        ]
        if not found:
            return found
        benign = [(hit.start, hit.end) for hit in found if hit.term.is_exception]
        return [
            hit
            for hit in found
            if not hit.term.is_exception and not any(start <= hit.start and hit.end <= end for start, end in benign)
        ]
