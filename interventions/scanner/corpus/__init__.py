"""The labelled corpus the scanner is measured on: reading, checking and splitting its lines.

Two halves, `dev.tsv` and `test.tsv`, fixed once by a seeded split. Terms and rules are written
against the development half; the test half is only measured. New lines join a half by a
seeded hash of their text, so adding lines never moves an old one from one half to the other.
"""

import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ...choices import Severity
from ..normalise import normalise

CORPUS_DIR = Path(__file__).resolve().parent
HALVES = ("dev", "test")
# Ordinary customer-service traffic, in two files written by different people: the model learns
# from the first that everyday talk ("今晚能送到吗", "我先下了") is not a signal (the halves' benign
# lines are mostly hard cases), and the second measures how much everyday traffic would alert.
ORDINARY = "ordinary"
SEED = 18

LABELS = ("life", "fraud", "benign")
FAMILIES = {
    "life": (
        "intent",
        "lethality",
        "means",
        "attempt",
        "place",
        "farewell",
        "burden",
        "hopeless",
        "self_harm",
        "prior",
        "minor",
        "indirect",
        "third_party",
    ),
    "fraud": (
        "brushing",
        "investment",
        "loan",
        "fake_cs",
        "fake_police",
        "credit",
        "fake_shopping",
        "fake_leader",
        "game_trade",
        "romance",
        "code_theft",
        "phishing",
        "fake_store",
    ),
    "benign": (
        "farming",
        "bbq",
        "rope",
        "blades",
        "medicine",
        "hyperbole",
        "fiction",
        "homework",
        "refund",
        "login_code",
        "scam_news",
        "sales_slang",
        "death_everyday",
        "everyday",
        "mood",
    ),
}
SEVERITIES = {"none": Severity.NONE, "medium": Severity.MEDIUM, "high": Severity.HIGH, "critical": Severity.CRITICAL}


class CorpusError(ValueError):
    """A line that does not follow the corpus format; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    minimum: Severity
    family: str
    text: str

    @property
    def desk(self) -> str | None:
        """The desk that must act on the line; None for a benign line."""
        return None if self.label == "benign" else self.label

    def as_tsv(self) -> str:
        return "\t".join((self.label, Severity(self.minimum).name.lower(), self.family, self.text))


def parse(row: str, *, where: str = "") -> Line:
    fields = row.rstrip("\r\n").split("\t")
    if len(fields) != 4:
        raise CorpusError(f"{where}: {len(fields)} fields, 4 expected (label, minimum, family, text)")
    label, minimum, family, text = fields
    if label not in LABELS:
        raise CorpusError(f"{where}: label {label!r} is not one of {', '.join(LABELS)}")
    if family not in FAMILIES[label]:
        raise CorpusError(f"{where}: family {family!r} is not a {label} family")
    if minimum not in SEVERITIES:
        raise CorpusError(f"{where}: minimum severity {minimum!r} is not one of {', '.join(SEVERITIES)}")
    if (label == "benign") != (minimum == "none"):
        raise CorpusError(f"{where}: benign lines have minimum 'none', and only they do")
    if not text.strip():
        raise CorpusError(f"{where}: empty text")
    return Line(label, SEVERITIES[minimum], family, text.strip())


def read(path: Path) -> list[Line]:
    with open(path, encoding="utf-8") as source:
        return [parse(row, where=f"{path.name}:{number}") for number, row in enumerate(source, 1) if row.strip()]


def half(name: str) -> list[Line]:
    """The development or the test half."""
    if name not in HALVES:
        raise CorpusError(f"no half named {name!r}; there are {', '.join(HALVES)}")
    return read(CORPUS_DIR / f"{name}.tsv")


def ordinary(name: str = "dev") -> list[Line]:
    """Ordinary traffic: the lines the model learns from (dev) or those it is measured on (test);
    none if the file is not there."""
    path = ordinary_path(name)
    return read(path) if path.exists() else []


def ordinary_path(name: str) -> Path:
    if name not in HALVES:
        raise ValueError(name)
    return CORPUS_DIR / f"{ORDINARY}_{name}.tsv"


def deduplicated(lines: Iterable[Line], *, known: Iterable[Line] = ()) -> list[Line]:
    """Lines whose text is new: not in `known` and not earlier in `lines` (compared as the scanner
    sees them, so a copy with other spaces or punctuation is a copy)."""
    seen = {normalise(line.text) for line in known}
    kept = []
    for line in lines:
        key = normalise(line.text)
        if key and key not in seen:
            seen.add(key)
            kept.append(line)
    return kept


def split(lines: list[Line], *, seed: int = SEED) -> dict[str, list[Line]]:
    """The one-time split, stratified by label and family: each family's lines are shuffled with
    the seed and dealt alternately, so both halves hold every family in about equal numbers."""
    by_family: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for line in lines:
        by_family[line.label, line.family].append(line)
    halves: dict[str, list[Line]] = {name: [] for name in HALVES}
    for key in sorted(by_family):
        group = sorted(by_family[key], key=lambda line: line.text)
        # A seeded generator on purpose: the split must come out the same on every machine.
        random.Random(f"{seed}:{key[0]}:{key[1]}").shuffle(group)  # nosec B311
        for index, line in enumerate(group):
            halves[HALVES[index % 2]].append(line)
    return halves


def half_for(line: Line, *, seed: int = SEED) -> str:
    """The half a line added later joins: fixed by its text, whatever else is added."""
    digest = hashlib.sha256(f"{seed}\t{line.text}".encode()).digest()
    return HALVES[digest[0] % 2]


def write(path: Path, lines: Iterable[Line]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line.as_tsv() + "\n")
