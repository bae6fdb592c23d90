"""Building the second-opinion model (`model.json`) from labelled text. Run by `manage.py
scanner_train`; needs scikit-learn, which the portal itself never imports at run time.

Reproducible: the same examples give the same file on one machine, and the same thresholds with
weights equal to the last places on another (a deterministic solver, a seeded fold split,
weights rounded, keys sorted). The lift thresholds are chosen by cross-validation on the examples
themselves, together with the frames: the lowest probabilities at which the model's lifts, added
to what the frames already raise, keep false alarms on benign examples within the budget.
"""

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

from . import Lexicon, scan_text
from .frames import LIFT_LOW_FROM, MEDIUM_LEVEL, VETO_SCORE, VETO_UP_TO
from .model import features, positions
from .normalise import normalise

DESKS = ("life", "fraud")
SEED = 18
FOLDS = 5
VETO_PROBABILITY = 1.0 / (1.0 + math.exp(-VETO_SCORE))
C = 20.0  # inverse regularisation strength, chosen on the development half by cross-validation
# N-grams found in more than this share of everyday traffic (的, 了, 我) tell the desks apart little
# and would be most of the matches the scanner sums for every message: they are left out.
MAX_SHARE = 0.02
MIN_WEIGHT = 0.05  # weights smaller than this move no verdict and are left out of the file
HIGH, CRITICAL = 3, 4  # Severity values
SEVERITY_C = 1.0
# How much more a critical example weighs than another when the lift thresholds are chosen.
CRITICAL_WORTH = 5
# The share of held-out critical examples the severity model's threshold lifts to high.
CRITICAL_COVERAGE = 0.995
FALSE_ALARM_BUDGET = {"life": 0.028, "fraud": 0.004}  # added to the frames' own, on benign examples
# Ordinary traffic is most of what the scanner reads: a lift that raised one everyday message in a
# hundred would bury the desk, so its own budget is far smaller (held-out, frames and lifts).
EVERYDAY_BUDGET = {"life": 0.013, "fraud": 0.002}  # 1 %, then 1.1 %, until rounds 15 and 16: docs/scanner.md
# The danger model lifts straight to high: a person in critical danger whom the frames missed must
# not wait behind the medium queue. Its false alarms cost a specialist more, so its budget is small.
DANGER_BUDGET = 0.004
DANGER_EVERYDAY_BUDGET = 0.001


def frame_reading(terms) -> Callable[[str, str], tuple[int, bool]]:
    """What the frames alone see in a text on a desk, with the given terms: the risk level 0-10
    and whether the words name a means, an act or a place."""
    frames_only = Lexicon(terms)

    def reading(text: str, desk: str) -> tuple[int, bool]:
        result = scan_text(text, frames_only)
        return result.level_for(desk), result.names_something_concrete

    return reading


def train(
    examples: Sequence[tuple[str, str, int | None]],
    frame_reading: Callable[[str, str], tuple[int, bool]],
    *,
    sources: dict,
    everyday: Sequence[str] = (),
) -> dict:
    """The model file's content, from (text, label, minimum severity) examples whose labels are
    life, fraud or benign (the minimum may be None, for the desk's decisions), and `everyday`
    benign texts of ordinary traffic. `frame_reading(text, desk)` is the risk level 0-10 the frames
    give the text on a desk, and whether it names a means, an act or a place.

    The false-alarm budget is a share of the benign examples only: everyday texts are easy, and
    counting them would let the lifts raise more of the hard benign cases the halves hold. Their
    own false alarms still count against it."""
    is_everyday = [False] * len(examples) + [True] * len(everyday)
    examples = [*examples, *((text, "benign", 0) for text in everyday)]
    # scikit-learn and numpy are development dependencies: read only when a model is trained.
    import numpy as np
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    labels = [label for _, label, _ in examples]
    matrix, vocabulary, idf = _weighted_ngrams([normalise(text) for text, _, _ in examples], is_everyday)
    readings = {desk: [frame_reading(text, desk) for text, _, _ in examples] for desk in DESKS}
    desks = {}
    life_held_out = None
    for desk in DESKS:
        target = np.asarray([label == desk for label in labels])
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
        held_out = cross_val_predict(_logistic(), matrix, target, cv=folds, method="predict_proba")[:, 1]
        if desk == "life":
            life_held_out = held_out
        worth = [CRITICAL_WORTH if minimum == CRITICAL else 1 for _, _, minimum in examples]
        lifts, figures = _thresholds(held_out, labels, readings, desk, worth, is_everyday)
        fitted = _logistic().fit(matrix, target)
        desks[desk] = {
            "bias": round(float(fitted.intercept_[0]), 4),
            **lifts,
            "held_out": figures,
            "weights": _rounded_weights(fitted, vocabulary, idf),
        }
    severity = _severity_model(examples, matrix, vocabulary, idf)
    danger = _danger_model(examples, matrix, vocabulary, idf, life_held_out, is_everyday)
    digest = hashlib.sha256("\n".join(f"{label}\t{text}" for text, label, _ in examples).encode()).hexdigest()
    return {
        "trained_on": {**sources, "examples": len(examples), "sha256": digest},
        "desks": desks,
        "severity": severity,
        "danger": danger,
    }


def _weighted_ngrams(texts: list[str], is_everyday: list[bool]):
    """What the scanner computes: every n-gram occurrence found, weighted by its idf (folded into
    the weight), the sum divided by the square root of the text's n-gram positions. Returns the
    matrix, its n-grams and their idf."""
    # scikit-learn, numpy and scipy are development dependencies: read only when a model is trained.
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    vectoriser = CountVectorizer(analyzer=features, min_df=2, lowercase=False)
    counts = vectoriser.fit_transform(texts).astype(float)
    common = _common_in_everyday(counts, np.asarray(is_everyday))
    counts = counts[:, ~common]
    idf = TfidfTransformer().fit(counts).idf_
    scale = sparse.diags([1.0 / math.sqrt(positions(text)) for text in texts])
    matrix = (scale @ counts @ sparse.diags(idf)).tocsr()
    return matrix, vectoriser.get_feature_names_out()[~common], idf


def _common_in_everyday(counts, everyday):
    """The n-grams found in more than MAX_SHARE of the everyday texts (的, 了, 我): most of what
    every ordinary message would match, so they are left out. Measured on everyday traffic, not
    on the corpus, where words like 死 and 药 are common by design and carry the signal."""
    if not everyday.any():
        return (counts > 0).mean(axis=0).A1 > MAX_SHARE
    return (counts[everyday] > 0).mean(axis=0).A1 > MAX_SHARE


def _severity_model(examples, matrix, vocabulary, idf) -> dict:
    """Among life examples with a known minimum severity: is this one high or critical? Its lift
    threshold is the held-out probability that the critical examples reach at the
    CRITICAL_COVERAGE share, so that a critical message the frames leave at medium is lifted."""
    # scikit-learn, numpy and scipy are development dependencies: read only when a model is trained.
    import numpy as np
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rows = [i for i, (_, label, minimum) in enumerate(examples) if label == "life" and minimum is not None]
    minimum = np.asarray([examples[i][2] for i in rows])
    target = minimum >= HIGH
    sub = matrix[rows]
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    held_out = cross_val_predict(_logistic(SEVERITY_C), sub, target, cv=folds, method="predict_proba")[:, 1]
    threshold = float(np.quantile(held_out[minimum >= CRITICAL], 1 - CRITICAL_COVERAGE))
    fitted = _logistic(SEVERITY_C).fit(sub, target)
    return {
        "bias": round(float(fitted.intercept_[0]), 4),
        "lift_high": round(threshold, 4),
        "weights": _rounded_weights(fitted, vocabulary, idf),
    }


def _danger_model(examples, matrix, vocabulary, idf, life_held_out, is_everyday) -> dict:
    """Among all messages: is this a person in critical danger? It reads every message the life
    model does not call everyday talk (at least a 5 % chance), and lifts to high at the lowest
    held-out probability whose lifts of benign examples stay within DANGER_BUDGET, and of everyday
    traffic within DANGER_EVERYDAY_BUDGET."""
    # scikit-learn, numpy and scipy are development dependencies: read only when a model is trained.
    import numpy as np
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    target = np.asarray([label == "life" and minimum == CRITICAL for _, label, minimum in examples])
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    held_out = cross_val_predict(_logistic(), matrix, target, cv=folds, method="predict_proba")[:, 1]
    everyday = np.asarray(is_everyday)
    benign = np.asarray([label == "benign" for _, label, _ in examples]) & ~everyday
    read = np.asarray(life_held_out) >= VETO_PROBABILITY
    grid = np.round(0.10 + 0.01 * np.arange(90), 2)
    allowed = [
        t
        for t in grid
        if (benign & read & (held_out >= t)).sum() <= DANGER_BUDGET * benign.sum()
        and (everyday & read & (held_out >= t)).sum() <= DANGER_EVERYDAY_BUDGET * max(everyday.sum(), 1)
    ]
    threshold = float(allowed[0]) if allowed else 1.0
    fitted = _logistic().fit(matrix, target)
    lifted = read & (held_out >= threshold)
    return {
        "bias": round(float(fitted.intercept_[0]), 4),
        "lift_high": threshold,
        "held_out": {
            "critical_lifted": round(float(lifted[target].mean()), 4),
            "benign_lifted": round(float(lifted[benign].mean()), 4),
        },
        "weights": _rounded_weights(fitted, vocabulary, idf),
    }


def _rounded_weights(fitted, vocabulary, idf) -> dict[str, float]:
    """A fitted model's n-gram weights as the scanner sums them (idf folded in), rounded, sorted,
    and without those too small to move a verdict."""
    weights = {
        str(gram): round(float(weight * factor), 4)
        for gram, weight, factor in zip(vocabulary, fitted.coef_[0], idf, strict=True)
        if abs(weight * factor) >= MIN_WEIGHT
    }
    return dict(sorted(weights.items()))


def _logistic(strength: float = C):
    # scikit-learn, numpy and scipy are development dependencies: read only when a model is trained.
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=strength, solver="liblinear", class_weight="balanced", max_iter=10000, random_state=0)


def _strata(probability, level, concrete):
    """The examples the frames already alert on (and the model does not veto), and the others by
    what the frames saw: each kind has its own lift threshold."""
    vetoed = (level >= MEDIUM_LEVEL) & (level <= VETO_UP_TO) & (probability < VETO_PROBABILITY)
    already = (level >= MEDIUM_LEVEL) & ~vetoed
    sign = (level >= LIFT_LOW_FROM) & ~already
    weak = (level > 0) & (level < LIFT_LOW_FROM) & ~already
    return already, {
        "lift_none": ~already & ~sign & ~weak,
        "lift_weak": weak,
        "lift_low": sign & ~concrete,
        "lift_concrete": sign & concrete,
    }


def _thresholds(
    held_out, labels: list[str], readings: dict[str, list[tuple[int, bool]]], desk: str, worth, is_everyday
) -> tuple[dict[str, float], dict]:
    """The lift thresholds by what the frames saw (nothing, a weak word, a sign, a concrete sign)
    with the highest held-out recall on `desk` whose added false alarms on benign examples stay
    within the budget; on a tie, fewer false alarms, then the stricter thresholds. Recall is
    weighed by `worth`: a person in critical danger counts CRITICAL_WORTH times. Each stratum's
    counts are summed over a grid, so every combination is tried. Also returns what the chosen
    thresholds do on the held-out examples: the share of the desk's examples at medium or above,
    and the false alarms."""
    # scikit-learn, numpy and scipy are development dependencies: read only when a model is trained.
    import numpy as np

    probability = np.asarray(held_out)
    level = np.asarray([level for level, _ in readings[desk]])
    concrete = np.asarray([concrete for _, concrete in readings[desk]])
    everyday = np.asarray(is_everyday)
    benign = np.asarray([label == "benign" for label in labels]) & ~everyday
    positive = np.asarray([label == desk for label in labels])
    already, strata = _strata(probability, level, concrete)
    grid = np.round(0.10 + 0.02 * np.arange(45), 2)
    worth = np.asarray(worth, dtype=float)

    def combined(counted, weight) -> np.ndarray:
        """For every combination of thresholds (one axis per stratum), the weight of the
        `counted` examples lifted."""
        total: np.ndarray | None = None
        for stratum in strata.values():
            per_threshold = np.array([weight[counted & stratum & (probability >= t)].sum() for t in grid])
            total = per_threshold if total is None else total[..., None] + per_threshold
        if total is None:  # never: the strata above are not empty
            raise ValueError("no strata to combine")
        return total

    ones = np.ones(len(probability))
    caught = combined(positive, worth)
    alarms = combined(benign, ones)
    everyday_alarms = (everyday & already).sum() + combined(everyday, ones)
    allowed = (alarms <= FALSE_ALARM_BUDGET[desk] * benign.sum()) & (
        everyday_alarms <= EVERYDAY_BUDGET[desk] * everyday.sum()
    )
    strictness = sum(np.expand_dims(grid, [a for a in range(len(strata)) if a != axis]) for axis in range(len(strata)))
    # Lexicographic best: most caught, then fewest alarms, then the strictest thresholds.
    key = np.where(allowed, caught * 1e6 - alarms * 1e2 + strictness, -np.inf)
    best = np.unravel_index(int(np.argmax(key)), key.shape)
    chosen = {name: float(grid[index]) for name, index in zip(strata, best, strict=True)}
    lifted = [stratum & (probability >= chosen[name]) for name, stratum in strata.items()]
    alerted = already | np.any(lifted, axis=0)
    held_out_figures = {
        "recall": round(float(alerted[positive].mean()), 4),
        "benign_alarms_added": round(float(alarms[best] / benign.sum()), 4),
        "everyday_alarms": round(float(alerted[everyday].mean()), 4) if everyday.any() else None,
    }
    return chosen, held_out_figures


def write(content: dict, path: Path) -> None:
    path.write_text(json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", "utf-8")


def fold_models(
    examples: Sequence[tuple[str, str, int | None]],
    frame_reading: Callable[[str, str], tuple[int, bool]],
    *,
    everyday: Sequence[str] = (),
    folds: int = FOLDS,
):
    """For cross-validating the whole scanner on the development half: yields, for each of
    `folds` seeded parts of the examples (and of the everyday texts), the indices of the examples
    and everyday texts held out and the model content trained, as `train` does, on the rest."""
    # scikit-learn, numpy and scipy are development dependencies: read only when a model is trained.
    import numpy as np
    from sklearn.model_selection import KFold, StratifiedKFold

    parts = StratifiedKFold(folds, shuffle=True, random_state=SEED).split(
        np.zeros(len(examples)), [label for _, label, _ in examples]
    )
    everyday_parts = (
        KFold(folds, shuffle=True, random_state=SEED).split(np.zeros(len(everyday))) if everyday else [((), ())] * folds
    )
    for (kept, held), (everyday_kept, everyday_held) in zip(parts, everyday_parts, strict=True):
        content = train(
            [examples[i] for i in kept],
            frame_reading,
            sources={"fold": True},
            everyday=[everyday[i] for i in everyday_kept],
        )
        yield list(held), list(everyday_held), content
