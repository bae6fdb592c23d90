"""All terms in one Aho–Corasick automaton (ahocorasick-rs, in Rust): the cost of matching grows
with the text, not with the number of terms, so the lists can grow to thousands of phrases. The
second-opinion model's n-grams are summed by an automaton of their own (model.Grams)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ahocorasick_rs import AhoCorasick

from .categories import Category
from .model import Model, shipped
from .normalise import normalise, original_offsets
from .pinyin import between_syllables, letter, reads_as_syllables, spelling

# Where a key of letters must stand on its own (a value's last item, a bit mask): between pinyin
# syllables, or at the start or end of an English word.
SYLLABLES, WORD_START, WORD_END = 1, 2, 4


@dataclass(frozen=True, slots=True)
class Term:
    phrase: str
    category: str
    weight: int = 2
    goods: str = ""  # for a method: the kind of high-risk goods it names (Product.RiskCategory)

    @property
    def is_exception(self) -> bool:
        return self.category == Category.EXCEPTION


class Hit(NamedTuple):
    """A term found in the normalised text: [start, end) are normalised offsets. A tuple, since
    a message can have dozens and they are made for every message scanned."""

    term: Term
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Match:
    """A term as found in the original text: `text[start:end]` is what the person wrote."""

    term: str
    category: str
    start: int
    end: int


class Lexicon:
    """The compiled term lists, and the second-opinion model scans use with them (None: the
    frames judge alone). Immutable: a change to the lists builds a new Lexicon."""

    def __init__(self, terms: Iterable[Term], *, version=0, model: "Model | None" = None) -> None:
        self.version = version
        self.model = model
        self.terms = tuple(terms)
        by_key: dict[str, list[Term]] = {}
        for term in self.terms:
            key = normalise(term.phrase)
            if key:
                by_key.setdefault(key, []).append(term)
        # Each term of Chinese characters spelled in pinyin too (pinyin.py), unless a listed term
        # already is that spelling.
        spelled: dict[str, list[Term]] = {}
        same_phrase: Sequence[Term]
        for key, same_phrase in by_key.items():
            letters = spelling(key)
            if letters is not None and letters not in by_key:
                spelled.setdefault(letters, []).extend(same_phrase)
        # The terms' automaton, and for each of its keys, by index: the terms that count, whether
        # the key is a benign phrase that silences the terms inside it, and where it must stand on
        # its own. The model's n-grams have an automaton of their own (model.Grams).
        keys = sorted(by_key.keys() | spelled.keys())
        self._values: list[tuple[tuple[Term, ...], bool, int]] = []
        for key in keys:
            same_phrase = by_key.get(key) or spelled.get(key) or ()
            counted = tuple(term for term in same_phrase if not term.is_exception)
            self._values.append((counted, len(counted) < len(same_phrase), _edges(key, spelled=key in spelled)))
        self.automaton = AhoCorasick(keys) if keys else None
        self.size = sum(len(same) for same in by_key.values())

    def read(self, normalised: str, text: str | None = None) -> tuple[list[Hit], complex]:
        """The terms in the text (`hits`) and the sum of the model's n-gram weights (0 without a
        model). `text` is what normalised came from."""
        total = self.model.grams.total(normalised) if self.model is not None else 0j
        return self.hits(normalised, text), total

    def hits(self, normalised: str, text: str | None = None) -> list[Hit]:
        """Every term in the text, minus those inside a benign phrase (跳楼 in 跳楼价) and words
        of letters found inside other words (`rope` in `Europe`)."""
        if self.automaton is None:
            return []
        matches = self.automaton.find_matches_as_indexes(normalised, overlapping=True)
        if not matches:
            return []
        values = self._values
        alone = _StandsAlone(normalised, text)
        found: list[Hit] = []
        benign: list[tuple[int, int]] = []
        for index, start, end in matches:
            counted, silences, edges = values[index]
            if edges and not alone(edges, start, end):
                continue
            found.extend(Hit(term, start, end) for term in counted)
            if silences:
                benign.append((start, end))
        if benign:
            found = [hit for hit in found if not any(start <= hit.start and hit.end <= end for start, end in benign)]
        return found

    def goods_in(self, name: str) -> str:
        """The kind of high-risk goods a product name names ("木炭 5斤装" is charcoal), or "" for
        none: the strongest method term with a kind of goods, the longest on a tie. A benign
        phrase silences as in a message (跳绳 is not rope, 活性炭 not charcoal)."""
        best: tuple[int, int, str] = (0, 0, "")
        for hit in self.hits(normalise(name)):
            term = hit.term
            if term.goods and term.category == Category.METHOD and (term.weight, hit.end - hit.start) > best[:2]:
                best = (term.weight, hit.end - hit.start, term.goods)
        return best[2]

    @staticmethod
    def in_original(text: str, hits: list[Hit]) -> list[Match]:
        """The hits as spans of the original text, in reading order, each span once per category."""
        offsets = original_offsets(text)
        matches = {
            Match(
                term=hit.term.phrase, category=hit.term.category, start=offsets[hit.start], end=offsets[hit.end - 1] + 1
            )
            for hit in hits
        }
        return sorted(matches, key=lambda m: (m.start, m.end, m.category))


def _edges(key: str, *, spelled: bool) -> int:
    """Where a key with letters at its edges must stand on its own: a pinyin spelling, or a key
    of letters that reads as pinyin (zisha), between syllables; other letters (rope, end it, 想die)
    at the edges of an English word, so that `rope` is not found in `Europe` nor `end it` in
    `send it`."""
    if not key or not (letter(key[0]) or letter(key[-1])):
        return 0
    if spelled or (all(letter(c) for c in key) and reads_as_syllables(key)):
        return SYLLABLES
    return (WORD_START if letter(key[0]) else 0) | (WORD_END if letter(key[-1]) else 0)


class _StandsAlone:
    """Whether a match of letters stands on its own in one message. The map back to the
    original text, where the spaces between English words still are, is made only when a match
    at a word's edge asks for it."""

    __slots__ = ("normalised", "offsets", "text")
    offsets: list[int] | None

    def __init__(self, normalised: str, text: str | None) -> None:
        self.normalised, self.text, self.offsets = normalised, text, None

    def __call__(self, edges: int, start: int, end: int) -> bool:
        if edges & SYLLABLES:
            return between_syllables(self.normalised, start, end)
        if self.text is None:
            text, first, last = self.normalised, start, end - 1
        else:
            if self.offsets is None:
                self.offsets = original_offsets(self.text)
            text, first, last = self.text, self.offsets[start], self.offsets[end - 1]
        before = normalise(text[first - 1]) if first > 0 else ""
        after = normalise(text[last + 1]) if last + 1 < len(text) else ""
        return not (edges & WORD_START and before and letter(before[-1])) and not (
            edges & WORD_END and after and letter(after[0])
        )


def default_lexicon() -> Lexicon:
    """The term lists the code ships (what an empty term table is filled with on migrate), with
    the shipped model."""
    # The term lists are written as this module's Terms, so they are read after it.
    from .default_terms import default_terms

    return Lexicon(default_terms(), model=shipped())
