"""The TSV that export and Copy produce: one row per line, no cell a spreadsheet would run."""

from __future__ import annotations

import pytest

from clockwork_desktop.core.export import csv_text, to_tsv

# Every character that some spreadsheet or str.splitlines treats as the end of a line.
LINE_BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[f"U+{ord(b[0]):04X}" for b in LINE_BREAKS])
def test_a_line_break_inside_jira_text_cannot_start_a_formula_row(brk: str) -> None:
    name = f'Mallory{brk}=HYPERLINK("https://evil.example","x")'
    text = to_tsv([["Person", "Hours"], [name, 2], [f"{brk}=1+1", 1]])
    rows = text.splitlines()
    assert len(rows) == 3
    cells = [cell for row in rows for cell in row.split("\t")]
    assert not [c for c in cells if c.startswith(("=", "+", "@", "-"))]
    assert "Mallory" in rows[1]


def test_csv_keeps_line_breaks_inside_quotes_and_guards_each_cell() -> None:
    text = csv_text([["a\r=1+1", "=2+2"]])
    assert text.startswith('"a\r=1+1",\'=2+2')
