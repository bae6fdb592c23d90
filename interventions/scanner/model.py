"""The second opinion: a small linear model over character n-grams of the normalised text.

The frames know why a message is dangerous and say so; they only know the wordings someone wrote
into the lists. The model has read every line of the development half (and, once trained with
`--with-desk`, the desk's own confirmed and dismissed alerts) and scores wordings nobody listed,
by the pieces of words they share with what it has read. It never rates a message on its own
beyond medium, and never lowers what the frames found: it lifts a message the frames saw
something in (or, when it is very sure, one they missed) to medium, with its score in the reason.

The model is a file in the repository (`model.json`), built by `manage.py scanner_train` from
the corpus with fixed settings, so the same corpus always gives the same file. Scoring needs no
learning library: the weighted n-grams are keys of one Aho–Corasick automaton, and a message's
score per desk is the bias plus the weight of every n-gram occurrence found, in one pass.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ahocorasick

MODEL_PATH = Path(__file__).resolve().parent / "model.json"
NGRAMS = (1, 2, 3)


def positions(normalised: str) -> int:
    """How many n-gram positions a text has: its score is divided by the square root of this, so
    a long message is not dangerous for its length alone."""
    return max(1, sum(max(0, len(normalised) - n + 1) for n in NGRAMS))


@dataclass(frozen=True)
class DeskModel:
    """One desk's settings: the probability that a message is that desk's is
    1 / (1 + exp(-(bias + the summed weights of its n-gram occurrences)))."""

    bias: float
    lift_low: float  # a message the frames rated low is lifted to medium at this probability
    lift_none: float  # a message the frames found nothing in is lifted at this probability


class Model:
    """Both desks' weights in one automaton: each n-gram maps to its weight on every desk."""

    def __init__(self, desks: dict[str, DeskModel], weights: dict[str, dict[str, float]], trained_on: dict):
        self.desks = desks
        self.trained_on = trained_on
        self.order = ("life", "fraud")
        self.automaton = ahocorasick.Automaton()
        grams = sorted({gram for per_desk in weights.values() for gram in per_desk})
        for gram in grams:
            self.automaton.add_word(gram, tuple(weights[desk].get(gram, 0.0) for desk in self.order))
        if grams:
            self.automaton.make_automaton()
        self.size = len(grams)

    def probabilities(self, normalised: str) -> dict[str, float]:
        life = fraud = 0.0
        if self.size:
            for _, (to_life, to_fraud) in self.automaton.iter(normalised):
                life += to_life
                fraud += to_fraud
        scale = positions(normalised) ** -0.5
        return {
            "life": _logistic(self.desks["life"].bias + life * scale),
            "fraud": _logistic(self.desks["fraud"].bias + fraud * scale),
        }


def _logistic(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(score, 30.0), -30.0)))


def load(path: Path = MODEL_PATH) -> Model | None:
    """The model in `path`, or None when there is none (the frames then judge alone)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    desks = {
        desk: DeskModel(bias=part["bias"], lift_low=part["lift_low"], lift_none=part["lift_none"])
        for desk, part in data["desks"].items()
    }
    weights = {desk: part["weights"] for desk, part in data["desks"].items()}
    return Model(desks, weights, data["trained_on"])


@cache
def shipped() -> Model | None:
    """The model the repository ships, loaded once per process."""
    return load()
