"""`manage.py scanner_train [--with-desk] [--output PATH]`: build the second-opinion model.

Trains on the development half of the corpus (never the test half) and the ordinary traffic of
corpus/ordinary_dev.tsv, and, with --with-desk, on the desk's decisions too: the messages of alerts
that became or joined a case (labelled with their desk) and of alerts dismissed as false alarms
(benign). Writes interventions/scanner/model.json
unless --output says otherwise. The same inputs always give the same file; the repository's
file is built without --with-desk, so `git diff` after a rebuild shows nothing.

Needs scikit-learn, a dependency of this command only.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from interventions.scanner import corpus
from interventions.scanner.default_terms import default_terms
from interventions.scanner.model import MODEL_PATH
from interventions.scanner.training import frame_reading, train, write
from interventions.selectors import scanner_desk_examples


class Command(BaseCommand):
    help = "Train the scanner's second-opinion model from the development half (and the desk's decisions)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--with-desk", action="store_true", help="add the desk's confirmed and dismissed alerts")
        parser.add_argument("--output", type=Path, default=MODEL_PATH)

    def handle(self, *args, with_desk: bool, output: Path, **options) -> None:
        # A desk decision has no minimum level: train() takes None for it.
        examples: list[tuple[str, str, int | None]] = [
            (line.text, line.label, int(line.minimum)) for line in corpus.half("dev")
        ]
        everyday = [line.text for line in corpus.ordinary()]
        sources = {"corpus_dev": len(examples), "ordinary": len(everyday)}
        if with_desk:
            desk = scanner_desk_examples()
            examples += [(text, label, None) for text, label in desk]
            sources["desk_decisions"] = len(desk)
        content = train(examples, frame_reading(default_terms()), sources=sources, everyday=everyday)
        write(content, output)
        for desk, part in content["desks"].items():
            held_out = part["held_out"]
            self.stdout.write(
                f"{desk}: {len(part['weights']):,} n-grams; lifts to medium at {part['lift_concrete']:.2f} a "
                f"concrete sign, at {part['lift_low']:.2f} another sign, at {part['lift_weak']:.2f} a weak word, "
                f"at {part['lift_none']:.2f} nothing; "
                f"held out: recall {held_out['recall']:.3f}, false alarms added on hard benign lines "
                f"{held_out['benign_alarms_added']:.3f}, on everyday traffic {held_out['everyday_alarms']:.3f}"
            )
        self.stdout.write(f"wrote {output} from {len(examples) + len(everyday):,} examples")
