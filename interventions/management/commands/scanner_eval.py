"""`manage.py scanner_eval [--half test|dev | --lines FILE] [--lists default|live] [--folds N] [--misses] [--check]`.

Measures the scanner on one half of the labelled corpus (interventions/scanner/corpus): recall
per family, the false-alarm rate on benign lines, robustness to disguised spellings of every
caught positive (noise symbols, spaces, zero-width characters, traditional characters, full-width
letters), the confusion by severity, and the critical lines rated below high.

`--misses` lists what the scanner got wrong (and the everyday lines that would alert), and works on
the development half only: the test
half is measured, never read while terms and rules are written. `--check` exits with status 1
when a threshold of docs/scanner.md is not met.

`--lines FILE` measures the lines of a file instead of a half: a new blind round (corpus/fresh.tsv),
before it joins the halves, gives a figure for wording nobody has tuned for.

`--folds N` cross-validates the whole scanner on the development half: each of N parts is scanned
with a model trained (as `scanner_train` does) on the other parts, so the figures and misses are
those of wording the model has not read. The shipped model has read the whole half, and measured
on it looks better than it is. Needs scikit-learn, like `scanner_train`.
"""

from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from interventions.choices import Severity
from interventions.scanner import Lexicon, corpus, scan_text
from interventions.scanner.evaluation import VARIANTS, Report, evaluate, failures
from interventions.scanner.lexicon import default_lexicon
from interventions.scanner.model import from_content
from interventions.scanner.training import fold_models, frame_reading
from interventions.selectors import current_lexicon

SHOWN = (Severity.NONE, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)


class Command(BaseCommand):
    help = "Measure the scanner on the labelled corpus: recall, false alarms, robustness, confusion."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--half", choices=corpus.HALVES, default="test")
        parser.add_argument(
            "--lists",
            choices=["live", "default"],
            default="default",
            help="the lists the code ships (the default, no database needed), or the database's live lists "
            "(as intake scans them)",
        )
        parser.add_argument("--no-model", action="store_true", help="the frames alone, without the second opinion")
        parser.add_argument("--lines", type=Path, help="measure the lines of this file (a new round) instead of a half")
        parser.add_argument(
            "--folds", type=int, default=0, help="cross-validate the scanner on the development half in N parts"
        )
        parser.add_argument("--misses", action="store_true", help="list the lines it gets wrong (dev half only)")
        parser.add_argument("--check", action="store_true", help="exit 1 when a threshold is not met")

    def handle(
        self,
        *args,
        half: str,
        lines: Path | None,
        lists: str,
        no_model: bool,
        folds: int,
        misses: bool,
        check: bool,
        **options,
    ):
        if misses and (half != "dev" or lines):
            raise CommandError("--misses reads the lines, so it works on the development half only.")
        if folds and (half != "dev" or no_model or lines):
            raise CommandError("--folds trains models on the development half, so it works there and with the model.")
        lexicon = self._live_lexicon() if lists == "live" else default_lexicon()
        if no_model:
            lexicon = Lexicon(lexicon.terms)
        self.folds = folds
        if folds:
            report = self._cross_validated(lexicon.terms, folds)
        elif lines:
            try:
                measured = corpus.read(lines)
            except (OSError, corpus.CorpusError) as error:
                raise CommandError(str(error)) from error
            report = evaluate(measured, lambda text: scan_text(text, lexicon))
            half = lines.name
        else:
            report = evaluate(corpus.half(half), lambda text: scan_text(text, lexicon), everyday=corpus.ordinary(half))
        self._families(report)
        self._summary(report, half, lexicon)
        self._confusion(report)
        if misses:
            self._misses(report)
        problems = failures(report)
        for problem in problems.values():
            self.stdout.write(f"NOT MET: {problem}")
        if not problems:
            self.stdout.write("all thresholds met")
        if check and problems:
            raise SystemExit(1)

    def _live_lexicon(self) -> Lexicon:
        try:
            return current_lexicon()
        except DatabaseError as error:
            raise CommandError(
                f"The database's term lists cannot be read ({error}): run `manage.py migrate`, "
                "or measure the lists the code ships with --lists default."
            ) from error

    def _cross_validated(self, terms, folds: int) -> Report:
        lines, everyday = corpus.half("dev"), corpus.ordinary("dev")
        examples = [(line.text, line.label, int(line.minimum)) for line in lines]
        everyday_texts = [line.text for line in everyday]
        report = Report()
        parts = fold_models(examples, frame_reading(terms), everyday=everyday_texts, folds=folds)
        for number, (held, everyday_held, content) in enumerate(parts, 1):
            lexicon = Lexicon(terms, model=from_content(content))
            report.add(
                evaluate(
                    [lines[i] for i in held],
                    partial(scan_text, lexicon=lexicon),
                    everyday=[everyday[i] for i in everyday_held],
                )
            )
            self.stderr.write(f"fold {number} of {folds} scanned")
        return report

    def _families(self, report) -> None:
        self.stdout.write(f"{'label':<7} {'family':<14} {'caught':>7} {'lines':>6} {'rate':>6}")
        for label, family, caught, total in report.family_rows():
            word = "quiet" if label == "benign" else "caught"
            self.stdout.write(f"{label:<7} {family:<14} {caught:>7} {total:>6} {caught / total:>6.1%}  {word}")

    def _summary(self, report, half: str, lexicon: Lexicon) -> None:
        w = self.stdout.write
        w("")
        model = "with the model" if lexicon.model is not None else "frames alone"
        if self.folds:
            model = f"with models cross-validated in {self.folds} parts"
        w(f"half: {half}; {lexicon.size:,} terms, {model}")
        w(f"life recall (medium or above on the life desk):  {report.recall('life'):.3f}")
        w(f"fraud recall (medium or above on the fraud desk): {report.recall('fraud'):.3f}")
        w(f"benign false alarms (medium or above, any desk):  {report.false_alarm_rate:.3f}")
        if report.everyday_total:
            w(
                f"everyday traffic alerts (ordinary_{half}.tsv, {report.everyday_total:,} lines): "
                f"{report.everyday_alarm_rate:.4f}"
            )
        by_kind = ", ".join(
            f"{kind} {report.variants_caught[kind] / report.variants_total[kind]:.3f}"
            for kind in VARIANTS
            if report.variants_total[kind]
        )
        w(f"evasion robustness (disguised caught positives still caught): {report.robustness:.3f} ({by_kind})")
        w(f"life lines expected critical and rated below high: {len(report.critical_below_high)}")

    def _confusion(self, report) -> None:
        w = self.stdout.write
        w("")
        w("confusion by severity (rows: expected minimum; columns: given, on the line's desk)")
        w(f"{'':<18}" + "".join(f"{Severity(s).name.lower():>10}" for s in SHOWN))
        for label in corpus.LABELS:
            for minimum, given in sorted(report.confusion[label].items()):
                row = f"{label} {Severity(minimum).name.lower()}"
                w(f"{row:<18}" + "".join(f"{given[s]:>10}" for s in SHOWN))

    def _misses(self, report) -> None:
        w = self.stdout.write
        w("")
        for line, given, reason in report.misses:
            w(f"MISS {line.label}/{line.family} {Severity(given).name.lower()}: {line.text}  | {reason}")
        for line, given, reason in report.critical_below_high:
            w(f"UNDER critical {line.family} {Severity(given).name.lower()}: {line.text}  | {reason}")
        for line, kind, disguised in report.evaded:
            w(f"EVADED {kind} {line.family}: {disguised}")
        for line, given, reason in report.everyday_alarms:
            w(f"EVERYDAY {Severity(given).name.lower()}: {line.text}  | {reason}")
