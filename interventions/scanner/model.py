"""The second opinion: a small linear model over character n-grams of the normalised text.

The frames know why a message is dangerous and say so; they only know the wordings someone wrote
into the lists. The model has read every line of the development half, the ordinary traffic of
ordinary_dev.tsv (and, once trained with `--with-desk`, the desk's own confirmed and dismissed
alerts) and scores wordings nobody listed, by the pieces of words they share with what it has
read. Four things follow from its scores (scanner.second_opinion): a message the frames left
below medium is lifted to medium when the desk's model is sure enough (surer when the frames saw
nothing at all); a medium life verdict is raised to high when the severity model reads it as high
or critical; any life verdict below high is raised to high when the danger model reads a person in
critical danger; and a verdict up to high that the model gives less than a 5 % chance is kept as
low.
Each move is named in the reason, with its score.

The model is a file in the repository (`model.json`), built by `manage.py scanner_train` from
the corpus with fixed settings, so the same corpus always gives the same file. Scoring needs no
learning library: the weighted n-grams are keys of one Aho–Corasick automaton, and a message's
score per desk is the bias plus the weight of every n-gram occurrence found, in one pass.
Both desks' weights share that pass: each n-gram's weight is a complex number.
"""

import json
import math
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Generic, TypeVar

from ahocorasick_rs import AhoCorasick

MODEL_PATH = Path(__file__).resolve().parent / "model.json"
NGRAMS = (1, 2, 3)
# Latin letters lose their word breaks in normalisation ("i just took" -> "ijusttook"), and a
# trigram of letters says little. Longer runs of letters are read too: pieces of English, Malay and
# pinyin words ("took", "bottl", "tiaol") that one-to-three-character grams cannot tell apart.
LETTER_NGRAMS = (4, 5)
_LETTERS = re.compile("[a-z]{4,}")  # runs long enough for the shortest of LETTER_NGRAMS


def features(normalised: str) -> list[str]:
    """The n-grams the model reads in a normalised text, every occurrence: each 1-, 2- and
    3-gram, and each 4- and 5-gram of Latin letters only. The scanner finds exactly these by
    matching the weighted n-grams as keys anywhere in the text."""
    grams = [normalised[i : i + n] for n in NGRAMS for i in range(len(normalised) - n + 1)]
    for run in _LETTERS.findall(normalised):
        grams.extend(run[i : i + n] for n in LETTER_NGRAMS for i in range(len(run) - n + 1))
    return grams


def positions(normalised: str) -> int:
    """How many 1-, 2- and 3-gram positions a text has: its score is divided by the square root
    of this, so a long message is not dangerous for its length alone."""
    length = len(normalised)
    return max(1, 3 * length - 3) if length > 1 else 1


Weight = TypeVar("Weight", float, complex)


class Grams(Generic[Weight]):
    """Weighted n-grams in one Aho–Corasick automaton (ahocorasick-rs): a text's total is the sum
    of the weights of every occurrence found, in one pass. The automaton keeps the n-grams' own
    string objects and hands each match back as one of them, so a match costs no new object, and
    the weights are looked up and summed in C (map over the dict)."""

    def __init__(self, weights: dict[str, Weight], zero: Weight):
        self.weights: dict[str, Weight] = weights
        self.zero: Weight = zero
        self.automaton = AhoCorasick(list(weights), store_patterns=True) if weights else None

    def total(self, normalised: str) -> Weight:
        if self.automaton is None:
            return self.zero
        found = self.automaton.find_matches_as_strings(normalised, overlapping=True)
        return sum(map(self.weights.__getitem__, found), self.zero)


@dataclass(frozen=True)
class DeskModel:
    """One desk's settings: the probability that a message is that desk's is
    1 / (1 + exp(-(bias + the summed weights of its n-gram occurrences / sqrt(positions)))).
    The lifts are compared as log-odds, so a message costs no exponential."""

    bias: float
    lift_none: float  # a message the frames found no sign in is lifted to medium at this probability
    lift_weak: float  # one they found only a weak word in (今晚, 好累: level 1)
    lift_low: float  # one they saw a sign in
    lift_concrete: float  # one they saw a concrete sign in: a means, an act or a place

    @cached_property
    def lift_low_score(self) -> float:
        return _log_odds(self.lift_low)

    @cached_property
    def lowest_lift_score(self) -> float:
        return min(self.lift_none_score, self.lift_weak_score, self.lift_low_score, self.lift_concrete_score)

    @cached_property
    def lift_weak_score(self) -> float:
        return _log_odds(self.lift_weak)

    @cached_property
    def lift_concrete_score(self) -> float:
        return _log_odds(self.lift_concrete)

    @cached_property
    def lift_none_score(self) -> float:
        return _log_odds(self.lift_none)


class LiftToHigh:
    """A model read after the desk models, on the few messages they single out, whose one
    threshold lifts a life verdict to high: the severity model (among life messages, is this one
    high or critical? read for a medium verdict) and the danger model (among all messages, is this
    a person in critical danger? read when the life model gives at least a 5 % chance)."""

    def __init__(self, bias: float, lift_high: float, weights: dict[str, float]):
        self.bias = bias
        self.lift_high = lift_high
        self.lift_high_score = _log_odds(lift_high)
        self.grams: Grams[float] = Grams(weights, 0.0)
        self.size = len(weights)

    def score(self, normalised: str) -> float:
        return self.bias + self.grams.total(normalised) * positions(normalised) ** -0.5


class Model:
    """Both desks' weights in one automaton. Each n-gram's value is a complex number, the life
    weight as its real part and the fraud weight as its imaginary part, so one C-level sum over
    the automaton's matches scores both desks at once."""

    def __init__(
        self,
        desks: dict[str, DeskModel],
        weights: dict[str, dict[str, float]],
        trained_on: dict,
        severity: LiftToHigh | None = None,
        danger: LiftToHigh | None = None,
    ):
        self.desks = desks
        self.severity = severity
        self.danger = danger
        self.life, self.fraud = desks["life"], desks["fraud"]
        self.trained_on = trained_on
        # n-gram -> life weight + fraud weight * 1j: one sum scores both desks.
        grams = sorted({gram for per_desk in weights.values() for gram in per_desk})
        self.weights = {
            gram: complex(weights["life"].get(gram, 0.0), weights["fraud"].get(gram, 0.0)) for gram in grams
        }
        self.grams: Grams[complex] = Grams(self.weights, 0j)

    def scores_of(self, total: complex, normalised: str) -> tuple[float, float]:
        """The (life, fraud) log-odds of a normalised text whose n-gram weights sum to `total`."""
        scale = positions(normalised) ** -0.5
        return self.life.bias + total.real * scale, self.fraud.bias + total.imag * scale

    def scores(self, normalised: str) -> tuple[float, float]:
        """The (life, fraud) log-odds of a normalised text."""
        return self.scores_of(self.grams.total(normalised), normalised)

    def probabilities(self, normalised: str) -> dict[str, float]:
        life, fraud = self.scores(normalised)
        return {"life": probability(life), "fraud": probability(fraud)}


def probability(score: float) -> float:
    """Log-odds to probability."""
    return 1.0 / (1.0 + math.exp(-max(min(score, 30.0), -30.0)))


def _log_odds(probability: float) -> float:
    return (
        math.log(probability / (1.0 - probability))
        if 0.0 < probability < 1.0
        else math.copysign(99.0, probability - 0.5)
    )


def load(path: Path = MODEL_PATH) -> Model | None:
    """The model in `path`, or None when there is none (the frames then judge alone)."""
    if not path.exists():
        return None
    return from_content(json.loads(path.read_text(encoding="utf-8")))


def from_content(data: dict) -> Model:
    """The model a model file holds, from its parsed content."""
    desks = {
        desk: DeskModel(
            bias=part["bias"],
            lift_none=part["lift_none"],
            lift_weak=part.get("lift_weak", part["lift_none"]),
            lift_low=part["lift_low"],
            lift_concrete=part.get("lift_concrete", part["lift_low"]),
        )
        for desk, part in data["desks"].items()
    }
    weights = {desk: part["weights"] for desk, part in data["desks"].items()}
    severity, danger = (
        LiftToHigh(part["bias"], part["lift_high"], part["weights"]) if part else None
        for part in (data.get("severity"), data.get("danger"))
    )
    return Model(desks, weights, data["trained_on"], severity, danger)


@cache
def shipped() -> Model | None:
    """The model the repository ships, loaded once per process."""
    return load()
