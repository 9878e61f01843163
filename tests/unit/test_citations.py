"""Code and comments cite only what the repository holds: a reader can follow every citation."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("clockwork_desktop", "tests", "benchmarks", "tools", ".ci", "docs")
TOP_FILES = ("README.md", "SECURITY.md", "pyproject.toml", "build.spec")
SUFFIXES = {".py", ".md", ".toml", ".spec", ".txt", ".cfg", ".ini", ".sh", ""}

# Documents that live outside the repository and were once cited from it.
OUTSIDE = re.compile(
    r"\bDESIGN\.md\b|\breference notes\b|\brest-notes\b|\bnotes\s+§|\bnotes\s+10[bc]\b",
    re.IGNORECASE,
)
# A repository path under docs/ (not the tail of a URL such as https://host/docs/page).
DOCS_PATH = re.compile(r"(?<![\w/.:-])docs/[\w./-]*[\w]")
SECTION = re.compile(r"docs/architecture\.md\s+§\s*(\d+(?:\.\d+)?)")
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)


def _texts() -> dict[str, str]:
    files = [ROOT / name for name in TOP_FILES if (ROOT / name).is_file()]
    for folder in SCANNED:
        files += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts
        ]
    this = Path(__file__).resolve()
    texts = {}
    for path in files:
        if path.resolve() == this:
            continue
        try:
            texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (icons, bundles): no citations there
    return texts


def test_nothing_cites_a_document_outside_the_repository() -> None:
    found = [
        f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
        for name, text in _texts().items()
        for m in OUTSIDE.finditer(text)
    ]
    assert found == []


def test_every_cited_docs_path_exists() -> None:
    missing = sorted(
        {
            f"{name}: {m.group(0)}"
            for name, text in _texts().items()
            for m in DOCS_PATH.finditer(text)
            if not (ROOT / m.group(0)).exists()
        }
    )
    assert missing == []


def test_every_cited_section_of_the_architecture_exists() -> None:
    sections = set(HEADING.findall((ROOT / "docs" / "architecture.md").read_text("utf-8")))
    assert {"1", "2", "3", "5", "9"} <= sections
    cited = {
        f"{name}: §{m.group(1)}"
        for name, text in _texts().items()
        for m in SECTION.finditer(text)
        if m.group(1) not in sections
    }
    assert cited == set()
