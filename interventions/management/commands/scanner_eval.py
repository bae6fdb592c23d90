"""`manage.py scanner_eval [--half test|dev] [--lists live|default] [--misses] [--check]`.

Measures the scanner on one half of the labelled corpus (interventions/scanner/corpus): recall
per family, the false-alarm rate on benign lines, robustness to disguised spellings of every
caught positive (noise symbols, spaces, zero-width characters, traditional characters, full-width
letters), the confusion by severity, and the critical lines rated below high.

`--misses` lists what the scanner got wrong, and works on the development half only: the test
half is measured, never read while terms and rules are written. `--check` exits with status 1
when a threshold of the README is not met.
"""

from django.core.management.base import BaseCommand, CommandError

from interventions.choices import Severity
from interventions.scanner import Lexicon, corpus, scan_text
from interventions.scanner.evaluation import VARIANTS, evaluate, failures
from interventions.scanner.lexicon import default_lexicon
from interventions.selectors import current_lexicon

SHOWN = (Severity.NONE, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)


class Command(BaseCommand):
    help = "Measure the scanner on the labelled corpus: recall, false alarms, robustness, confusion."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--half", choices=corpus.HALVES, default="test")
        parser.add_argument(
            "--lists",
            choices=["live", "default"],
            default="live",
            help="the database's live term lists (as intake scans), or the lists the code ships",
        )
        parser.add_argument("--no-model", action="store_true", help="the frames alone, without the second opinion")
        parser.add_argument("--misses", action="store_true", help="list the lines it gets wrong (dev half only)")
        parser.add_argument("--check", action="store_true", help="exit 1 when a threshold is not met")

    def handle(self, *args, half: str, lists: str, no_model: bool, misses: bool, check: bool, **options) -> None:
        if misses and half != "dev":
            raise CommandError("--misses reads the lines, so it works on the development half only.")
        lexicon = current_lexicon() if lists == "live" else default_lexicon()
        if no_model:
            lexicon = Lexicon(lexicon.terms)
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

    def _families(self, report) -> None:
        self.stdout.write(f"{'label':<7} {'family':<14} {'caught':>7} {'lines':>6} {'rate':>6}")
        for label, family, caught, total in report.family_rows():
            word = "quiet" if label == "benign" else "caught"
            self.stdout.write(f"{label:<7} {family:<14} {caught:>7} {total:>6} {caught / total:>6.1%}  {word}")

    def _summary(self, report, half: str, lexicon: Lexicon) -> None:
        w = self.stdout.write
        w("")
        model = "with the model" if lexicon.model is not None else "frames alone"
        w(f"half: {half}; {lexicon.size:,} terms, {model}")
        w(f"life recall (medium or above on the life desk):  {report.recall('life'):.3f}")
        w(f"fraud recall (medium or above on the fraud desk): {report.recall('fraud'):.3f}")
        w(f"benign false alarms (medium or above, any desk):  {report.false_alarm_rate:.3f}")
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
