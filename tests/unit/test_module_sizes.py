"""The database layer stays in pieces a reader can hold: no module under infra/db over ~500
lines unless its docstring says why ("Long because ...")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DB = Path(__file__).resolve().parents[2] / "clockwork_desktop" / "infra" / "db"
MAX_LINES = 500


@pytest.mark.parametrize("path", sorted(DB.glob("*.py")), ids=lambda p: p.name)
def test_db_module_is_short_or_says_why(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    if lines <= MAX_LINES:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert "Long because" in docstring, (
        f"{path.name} has {lines} lines: split it by port, or say in its docstring why not "
        "(a sentence starting 'Long because')"
    )
