"""`manage.py scan [FILE]`: one JSON object per input line, in order.

Reads UTF-8 text, one message per line (standard input without FILE), and prints
{"text", "severity", "desk", "categories", "matches": [{"term", "start", "end"}], "reason"}.
It runs the scanner exactly as the intake task does: the same term lists from the database,
the same normalisation, matching and classification.
"""

import json
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from interventions.scanner import Lexicon, scan_text
from interventions.scanner.lexicon import default_lexicon
from interventions.selectors import current_lexicon


class Command(BaseCommand):
    help = "Scan messages (one per line) and print one JSON result per line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", help="UTF-8 text file; standard input when omitted")

    def handle(self, *args, file: str | None = None, **options) -> None:
        lexicon = self._lexicon()
        source = open(file, encoding="utf-8") if file else sys.stdin  # noqa: SIM115
        try:
            for line in source:
                result = scan_text(line.rstrip("\r\n"), lexicon)
                self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        finally:
            if file:
                source.close()

    def _lexicon(self) -> Lexicon:
        try:
            return current_lexicon()
        except DatabaseError:
            # A database without migrations has no term table yet: scan with the lists that
            # the first migrate would load, and say so.
            self.stderr.write("The term table is not there (run migrate); scanning with the default term lists.")
            return default_lexicon()
