"""The latest figures of every bench, rendered from their own records into docs/development.md.

Usage, from the repository root:

    .venv/bin/python bench/figures.py            # write the table into the document
    .venv/bin/python bench/figures.py --check    # exit 1 if the document differs from the records

Each bench writes, besides what it prints, a record of its run to bench/results/<bench>.json
(bench/_common.py, results_write): the figures it printed, those the table shows, the target it
checks and whether the run met it, the date, the commit, the CPU and the load average at its start.
This script reads those records and writes one row per bench between the two marker comments of
docs/development.md, replacing only what is between them. tests/test_bench_figures.py runs the
check, so `make test` fails when a bench was run and the document was not brought up to date, or
when the table was edited by hand. A bench never run (or whose record was deleted) has no row.
"""

import argparse
import difflib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "development.md"
START = "<!-- bench-figures:start -->"
END = "<!-- bench-figures:end -->"
# The order of the document's history table; a bench not listed comes after these, by name.
ORDER = [
    "seed",
    "scan",
    "intake",
    "load",
    "console",
    "ring",
    "search",
    "caseload",
    "push",
    "sweep",
    "dashboard",
    "retention",
    "mutation",
]
FIELDS = ["bench", "command", "figures", "headline", "target", "met", "date", "commit", "cpu", "cpus"]


class FiguresError(Exception):
    """A record that cannot be read, or a document without its markers."""


def records(results: Path = RESULTS) -> list[dict]:
    """Every bench's record, in the document's order."""
    found = []
    for path in sorted(results.glob("*.json")):
        try:
            record = json.loads(path.read_text())
        except ValueError as error:
            raise FiguresError(f"{path}: not JSON ({error})") from error
        missing = [name for name in FIELDS if name not in record]
        if missing:
            raise FiguresError(f"{path}: no {', '.join(missing)}")
        found.append(record)
    rank = {bench: n for n, bench in enumerate(ORDER)}
    return sorted(found, key=lambda record: (rank.get(record["bench"], len(ORDER)), record["bench"]))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def row(record: dict) -> str:
    figures = "; ".join(f"{name}: {record['figures'][name]['text']}" for name in record["headline"])
    met = {True: "met", False: "**not met**", None: "not checked"}[record["met"]]
    if record["target"] is None:
        met = "no target"
    date = record["date"]
    if record["commit"]:
        date += f", {record['commit'][:7]}"
        if record.get("uncommitted_changes"):
            date += " with uncommitted changes"
    machine = f"{record['cpu']}, {record['cpus']} CPUs"
    load = record.get("load_average_at_start")
    if load:
        machine += f"; load {load[0]:.2f} at start"
    cells = [f"`{record['command']}`", figures, record["target"] or "none set", met, date, machine]
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def block(found: list[dict]) -> str:
    """What goes between the markers, markers included."""
    lines = [
        START,
        "<!-- Written by bench/figures.py from bench/results/*.json: run it, do not edit this table. -->",
        "",
    ]
    if found:
        lines += ["| bench | figure | target | met | date, commit | machine |", "|---|---|---|---|---|---|"]
        lines += [row(record) for record in found]
    else:
        lines.append("No bench has written its record yet.")
    lines += ["", END]
    return "\n".join(lines)


def rendered(text: str, found: list[dict]) -> str:
    """The document with the table between its markers replaced, and nothing else changed."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < 0 or end < start or text.count(START) > 1 or text.count(END) > 1:
        raise FiguresError(f"the document needs one {START} and, after it, one {END}")
    return text[:start] + block(found) + text[end + len(END) :]


def check(doc: Path = DOC, results: Path = RESULTS) -> str | None:
    """None when the document shows what the records hold; else the difference, as a diff."""
    text = doc.read_text()
    wanted = rendered(text, records(results))
    if wanted == text:
        return None
    diff = difflib.unified_diff(
        text.splitlines(keepends=True), wanted.splitlines(keepends=True), str(doc), "rendered from the records"
    )
    return "".join(diff)


def render(doc: Path = DOC, results: Path = RESULTS) -> bool:
    """Write the table into the document; True if it changed."""
    text = doc.read_text()
    wanted = rendered(text, records(results))
    if wanted == text:
        return False
    doc.write_text(wanted)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the document differs from the records")
    args = parser.parse_args()
    try:
        if args.check:
            difference = check()
            if difference:
                print(difference, end="")
                print(f"\n{DOC.relative_to(ROOT)} differs from bench/results: run .venv/bin/python bench/figures.py")
                return 1
            print(f"{DOC.relative_to(ROOT)} shows the latest figures of bench/results")
            return 0
        changed = render()
        print(f"{DOC.relative_to(ROOT)}: {'table rewritten' if changed else 'already up to date'}")
        return 0
    except FiguresError as error:
        print(f"bench/figures.py: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
