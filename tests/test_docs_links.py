"""The README and the documents are read by a newcomer: every link in them leads somewhere inside
the repository, and a link to a heading finds that heading."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "interventions/scanner/corpus/README.md"]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(document: Path) -> set[str]:
    """The anchors a renderer gives the document's headings: lower case, spaces to hyphens,
    punctuation dropped (CJK kept)."""
    headings = re.findall(r"^#+ (.*)$", document.read_text(), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_link_of_the_document_resolves_inside_the_repository(document):
    broken = []
    for target in LINK.findall(document.read_text()):
        path, _, anchor = target.partition("#")
        if "://" in path or path.startswith("mailto:"):
            broken.append(f"{target}: outside the repository")
            continue
        linked = (document.parent / path).resolve() if path else document
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}: no such heading")
    assert broken == []


def test_the_readme_stays_a_newcomers_page():
    assert (ROOT / "README.md").stat().st_size <= 12 * 1024
