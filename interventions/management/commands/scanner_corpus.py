"""`manage.py scanner_corpus split|add|ordinary [--half dev|test] FILE…`.

`split` made the two halves once, from the first lines written for the corpus: duplicates
dropped, then a seeded split stratified by family. It refuses to run again over existing halves,
since a second split would move lines the rules were already written against into the test half.

`add` puts new lines into the halves: each line is checked, a line the corpus already holds is
dropped, and each new line joins the half its text hashes to (seed 18), so adding never moves an
old line.

`ordinary` adds everyday customer-service lines to corpus/ordinary_dev.tsv, which the model trains
on, or with `--half test` to corpus/ordinary_test.tsv, which measures how much everyday traffic
would alert and is never trained on. Keep the two from the same writers apart: a writer's lines go
to one file only.
"""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interventions.scanner import corpus


class Command(BaseCommand):
    help = "Make the scanner corpus's two halves once (split), add new lines to them (add) or to ordinary traffic."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["split", "add", "ordinary"])
        parser.add_argument("files", nargs="+", type=Path, help="TSV files: label, minimum, family, text")
        parser.add_argument("--half", choices=corpus.HALVES, default="dev", help="for `ordinary`: which file")

    def handle(self, *args, action: str, files: list[Path], half: str, **options) -> None:
        try:
            lines = [line for path in files for line in corpus.read(path)]
        except (OSError, corpus.CorpusError) as error:
            raise CommandError(str(error)) from error
        if action == "split":
            self._split(lines)
        elif action == "ordinary":
            self._ordinary(lines, half)
        else:
            self._add(lines)

    def _split(self, lines: list[corpus.Line]) -> None:
        paths = {name: corpus.CORPUS_DIR / f"{name}.tsv" for name in corpus.HALVES}
        if any(path.exists() for path in paths.values()):
            raise CommandError("The corpus is already split; add new lines with `scanner_corpus add`.")
        halves = corpus.split(corpus.deduplicated(lines))
        for name, path in paths.items():
            corpus.write(path, halves[name])
        self._report(
            {name: halves[name] for name in corpus.HALVES}, dropped=len(lines) - sum(map(len, halves.values()))
        )

    def _add(self, lines: list[corpus.Line]) -> None:
        known = [line for name in corpus.HALVES for line in corpus.half(name)]
        new = corpus.deduplicated(lines, known=known)
        added: dict[str, list[corpus.Line]] = {name: [] for name in corpus.HALVES}
        for line in new:
            added[corpus.half_for(line)].append(line)
        for name, joining in added.items():
            if joining:
                with open(corpus.CORPUS_DIR / f"{name}.tsv", "a", encoding="utf-8") as out:
                    out.writelines(line.as_tsv() + "\n" for line in joining)
        self._report(added, dropped=len(lines) - len(new))

    def _ordinary(self, lines: list[corpus.Line], half: str) -> None:
        """Ordinary traffic: everyday benign lines only, none that the corpus already holds."""
        if any(line.label != "benign" or line.family != "everyday" for line in lines):
            raise CommandError("Ordinary traffic is benign everyday lines only.")
        known = [line for name in corpus.HALVES for line in corpus.half(name) + corpus.ordinary(name)]
        new = corpus.deduplicated(lines, known=known)
        with open(corpus.ordinary_path(half), "a", encoding="utf-8") as out:
            out.writelines(line.as_tsv() + "\n" for line in new)
        self.stdout.write(f"ordinary {half}: {len(new)} lines added, {len(lines) - len(new)} dropped as duplicates")

    def _report(self, halves: dict[str, list[corpus.Line]], *, dropped: int) -> None:
        for name, lines in halves.items():
            labels = Counter(line.label for line in lines)
            counts = ", ".join(f"{label} {labels[label]}" for label in corpus.LABELS)
            self.stdout.write(f"{name}: {len(lines)} lines ({counts})")
        self.stdout.write(f"dropped as duplicates: {dropped}")
