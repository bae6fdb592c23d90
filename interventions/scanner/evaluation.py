"""How well the scanner does on labelled lines: recall per family, false alarms, robustness to
the spellings people use to dodge filters, and the confusion by severity.

A life line is caught when the scanner rates it medium or above on the life desk, a fraud line
when it does so on the fraud desk: an alert on the wrong desk reaches the wrong people. A benign
line is a false alarm when either desk rates it medium or above.
"""

import hashlib
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import opencc

from ..choices import Severity
from .corpus import Line

if TYPE_CHECKING:  # for the annotation only
    from . import ScanResult

# Symbols people put between characters; the normaliser must see through every one.
NOISE = ("■", "◆", "▽", "●", "□", "▲", "☆", "★", "…", "·", "-", "*", "/", "|", "_", "~", "、")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u2060")
VARIANTS = ("noise", "spaces", "zero_width", "traditional", "full_width")


@cache
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def _rng(kind: str, text: str) -> random.Random:
    # Seeded by the text on purpose: the same disguises on every run.
    return random.Random(hashlib.sha256(f"{kind}\t{text}".encode()).digest())  # nosec B311


def disguise(text: str, kind: str) -> str:
    """The text as someone dodging a filter might write it; deterministic for a text and kind."""
    if kind == "noise":
        rng = _rng(kind, text)
        return "".join(char + (rng.choice(NOISE) * rng.randint(1, 2) if rng.random() < 0.4 else "") for char in text)
    if kind == "spaces":
        return " ".join(text)
    if kind == "zero_width":
        rng = _rng(kind, text)
        return "".join(char + rng.choice(ZERO_WIDTH) for char in text)
    if kind == "traditional":
        return _to_traditional().convert(text)
    if kind == "full_width":
        return "".join(
            chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else "\u3000" if char == " " else char for char in text
        )
    raise ValueError(kind)


@dataclass
class Report:
    caught: Counter = field(default_factory=Counter)  # (label, family) -> caught
    total: Counter = field(default_factory=Counter)  # (label, family) -> lines
    # label -> minimum severity -> severity given on the line's desk (any desk for benign lines)
    confusion: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(Counter)))
    variants_caught: Counter = field(default_factory=Counter)  # variant kind -> still caught
    variants_total: Counter = field(default_factory=Counter)
    misses: list[tuple[Line, Severity, str]] = field(default_factory=list)  # positives missed, benign alerted
    critical_below_high: list[tuple[Line, Severity, str]] = field(default_factory=list)
    evaded: list[tuple[Line, str, str]] = field(default_factory=list)  # (line, variant kind, variant)
    everyday_alerted: int = 0  # ordinary-traffic lines at medium or above on any desk
    everyday_total: int = 0
    everyday_alarms: list[tuple[Line, Severity, str]] = field(default_factory=list)  # those lines

    def __repr__(self) -> str:
        # Figures only: a report holds the lines it got wrong, and the test half's lines are not
        # to be read while the scanner is tuned, not even in a failing test's output.
        return (
            f"Report(life={self.recall('life'):.4f}, fraud={self.recall('fraud'):.4f}, "
            f"false_alarms={self.false_alarm_rate:.4f}, robustness={self.robustness:.4f}, "
            f"critical_below_high={len(self.critical_below_high)}, everyday_alarms={self.everyday_alarm_rate:.4f})"
        )

    def add(self, other: "Report") -> None:
        """Count another report's lines in this one (the folds of a cross-validation)."""
        for mine, theirs in (
            (self.caught, other.caught),
            (self.total, other.total),
            (self.variants_caught, other.variants_caught),
            (self.variants_total, other.variants_total),
        ):
            mine.update(theirs)
        for label, by_minimum in other.confusion.items():
            for minimum, given in by_minimum.items():
                self.confusion[label][minimum].update(given)
        self.misses += other.misses
        self.critical_below_high += other.critical_below_high
        self.evaded += other.evaded
        self.everyday_alerted += other.everyday_alerted
        self.everyday_total += other.everyday_total
        self.everyday_alarms += other.everyday_alarms

    def recall(self, label: str) -> float:
        total = sum(n for (lab, _), n in self.total.items() if lab == label)
        return sum(n for (lab, _), n in self.caught.items() if lab == label) / total if total else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return 1 - self.recall("benign")

    @property
    def everyday_alarm_rate(self) -> float:
        return self.everyday_alerted / self.everyday_total if self.everyday_total else 0.0

    @property
    def robustness(self) -> float:
        total = sum(self.variants_total.values())
        return sum(self.variants_caught.values()) / total if total else 1.0

    def family_rows(self) -> list[tuple[str, str, int, int]]:
        return [(label, family, self.caught[label, family], n) for (label, family), n in sorted(self.total.items())]


def evaluate(
    lines: Iterable[Line], scan: Callable[[str], "ScanResult"], *, variants: bool = True, everyday: Iterable[Line] = ()
) -> Report:
    """Scan every line (and, with `variants`, five disguised copies of every caught positive), and
    count the `everyday` lines of ordinary traffic that would alert."""
    report = Report()
    for line in everyday:
        result = scan(line.text)
        report.everyday_total += 1
        if result.severity >= Severity.MEDIUM:
            report.everyday_alerted += 1
            report.everyday_alarms.append((line, Severity(result.severity), result.reason))
    for line in lines:
        given, reason = _verdict(line, scan(line.text))
        ok = given < Severity.MEDIUM if line.desk is None else given >= Severity.MEDIUM
        key = (line.label, line.family)
        report.total[key] += 1
        report.caught[key] += ok
        report.confusion[line.label][Severity(line.minimum)][Severity(given)] += 1
        if not ok:
            report.misses.append((line, Severity(given), reason))
        if line.minimum == Severity.CRITICAL and line.desk == "life" and given < Severity.HIGH:
            report.critical_below_high.append((line, Severity(given), reason))
        if variants and ok and line.desk is not None:
            for kind in VARIANTS:
                disguised = disguise(line.text, kind)
                still, _ = _verdict(line, scan(disguised))
                report.variants_total[kind] += 1
                report.variants_caught[kind] += still >= Severity.MEDIUM
                if still < Severity.MEDIUM:
                    report.evaded.append((line, kind, disguised))
    return report


def _verdict(line: Line, result) -> tuple[int, str]:
    if line.desk is None:
        return result.severity, result.reason
    return result.desk_severity.get(line.desk, Severity.NONE), result.reason_for(line.desk)


# What `make test` holds the scanner to on the test half (docs/scanner.md, "How well it finds
# people"). The first four are issue 18's; the last is ours: everyday traffic is most of what the
# scanner reads, and one alert in a hundred ordinary messages would bury the desk. It was 0.01 until
# round 17, when holding it would have left fifteen more people in critical danger below high, and
# 0.011 until round 18, when holding it (a life everyday budget of 1.2 %) would have left eight
# more (67 against 59) and life recall at 0.961 against 0.964 (docs/scanner.md).
THRESHOLDS = {
    "life_recall": 0.97,
    "fraud_recall": 0.92,
    "false_alarms": 0.04,
    "robustness": 0.98,
    "everyday_alarms": 0.0125,
}


def failures(report: Report) -> dict[str, str]:
    """Each threshold the report does not meet (keyed as THRESHOLDS, plus "critical_below_high"),
    in words; empty when all are met."""
    problems = {}
    if report.recall("life") < THRESHOLDS["life_recall"]:
        problems["life_recall"] = f"life recall {report.recall('life'):.3f} < {THRESHOLDS['life_recall']}"
    if report.recall("fraud") < THRESHOLDS["fraud_recall"]:
        problems["fraud_recall"] = f"fraud recall {report.recall('fraud'):.3f} < {THRESHOLDS['fraud_recall']}"
    if report.false_alarm_rate > THRESHOLDS["false_alarms"]:
        problems["false_alarms"] = f"benign false alarms {report.false_alarm_rate:.3f} > {THRESHOLDS['false_alarms']}"
    if report.robustness < THRESHOLDS["robustness"]:
        problems["robustness"] = f"evasion robustness {report.robustness:.3f} < {THRESHOLDS['robustness']}"
    if report.everyday_alarm_rate > THRESHOLDS["everyday_alarms"]:
        problems["everyday_alarms"] = (
            f"everyday traffic alerts {report.everyday_alarm_rate:.4f} > {THRESHOLDS['everyday_alarms']}"
        )
    if report.critical_below_high:
        problems["critical_below_high"] = (
            f"{len(report.critical_below_high)} life lines expected critical are rated below high"
        )
    return problems
