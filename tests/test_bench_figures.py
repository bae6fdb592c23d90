"""The benchmark figures in docs/development.md are rendered from the benches' own records
(bench/results/*.json) by bench/figures.py; this fails the suite when the two disagree. Nothing is
timed here: the records are read and the document compared."""

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


figures = _module("figures")
common = _module("_common")


def test_development_doc_shows_the_latest_bench_figures():
    difference = figures.check()
    assert difference is None, (
        "docs/development.md differs from bench/results/; run .venv/bin/python bench/figures.py\n" + difference
    )


def test_each_record_says_what_was_measured_when_and_on_what():
    for path in sorted(figures.RESULTS.glob("*.json")):
        record = json.loads(path.read_text())
        assert record["bench"] == path.stem, path
        assert record["headline"], path
        assert set(record["headline"]) <= set(record["figures"]), path
        for shown in record["figures"].values():
            assert isinstance(shown["value"], int | float), path
            assert shown["text"], path
        assert record["met"] in (True, False, None), path
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["date"]), path
        assert re.fullmatch(r"[0-9a-f]{40}", record["commit"]), path
        assert record["cpu"], path
        assert record["cpus"] >= 1, path
        assert len(record["load_average_at_start"]) == 3, path


@pytest.fixture
def copies(tmp_path):
    """The document and the records, copied: the tests below change them."""
    doc = tmp_path / "development.md"
    shutil.copy(figures.DOC, doc)
    results = tmp_path / "results"
    results.mkdir()
    for path in figures.RESULTS.glob("*.json"):
        shutil.copy(path, results)
    return doc, results


def _record(results: Path, monkeypatch, *, met: bool, argv: list[str]) -> dict:
    """A record as a bench writes it, through the benches' own helper."""
    monkeypatch.setattr(common, "RESULTS", results)
    monkeypatch.setattr(sys, "argv", argv)
    common.results_write(
        "console",
        figures={"queue median": common.figure(151.04, "ms", 1), "queue queries": common.figure(21)},
        headline=["queue median"],
        target="queue and case page median < 150 ms",
        met=met,
    )
    path = results / "console.json"
    return json.loads(path.read_text()) if path.exists() else {}


def test_a_new_record_fails_the_check_until_the_doc_is_rendered(copies, monkeypatch):
    doc, results = copies
    before = doc.read_text()
    record = _record(results, monkeypatch, met=False, argv=["bench/console.py", "--runs", "7"])

    assert figures.check(doc, results) is not None
    assert figures.render(doc, results)
    assert figures.check(doc, results) is None

    after = doc.read_text()
    row = next(line for line in after.splitlines() if line.startswith("| `bench/console.py --runs 7`"))
    assert "queue median: 151.0 ms" in row
    assert "queue queries" not in row  # recorded, not a headline figure
    assert "**not met**" in row
    assert record["cpu"] in row
    assert record["commit"][:7] in row
    # Nothing outside the markers changed: the hand-written history is kept.
    outside = re.compile(re.escape(figures.START) + ".*?" + re.escape(figures.END), re.DOTALL)
    assert outside.sub("", after) == outside.sub("", before)


def test_a_bench_run_by_another_bench_writes_no_record(copies, monkeypatch):
    _doc, results = copies
    before = {path.name: path.read_text() for path in results.glob("*.json")}
    monkeypatch.setenv(common.RECORD_ENV, "no")

    _record(results, monkeypatch, met=True, argv=["bench/console.py"])

    assert {path.name: path.read_text() for path in results.glob("*.json")} == before


def test_a_table_edited_by_hand_fails_the_check(copies):
    doc, results = copies
    text = doc.read_text()
    doc.write_text(text.replace(figures.END, "| `bench/ring.py` | median: 1.0 ms | | met | | |\n" + figures.END))

    assert figures.check(doc, results) is not None


def test_a_doc_without_the_markers_is_refused(copies):
    doc, results = copies
    doc.write_text(doc.read_text().replace(figures.START, ""))

    with pytest.raises(figures.FiguresError):
        figures.check(doc, results)
