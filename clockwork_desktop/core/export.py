"""Timesheet export as CSV and TSV text; XLSX is written in infra (a real library).

Cells that a spreadsheet would run as a formula (``=HYPERLINK(…)`` as a Jira display name)
are written with a leading apostrophe, the usual way to say "this is text".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence

Cell = str | int | float
Table = Sequence[Sequence[Cell]]
XlsxWriter = Callable[[Table], bytes]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.:]\d+)?")  # -38:00, -1.5: data, not formulas
# A tab ends a cell; these end a row in some spreadsheet or editor (CR alone does in Excel),
# so the text after one would be a cell of its own, formula guard or not.
_CELL_BREAK = re.compile("[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def safe_cell(cell: Cell) -> Cell:
    if (
        isinstance(cell, str)
        and cell.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(cell)
    ):
        return "'" + cell
    return cell


def to_tsv(table: Table) -> str:
    """Tab-separated text for pasting into spreadsheets."""
    return (
        "\n".join("\t".join(_CELL_BREAK.sub(" ", str(safe_cell(c))) for c in row) for row in table)
        + "\n"
    )


def csv_text(table: Table) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([safe_cell(c) for c in row] for row in table)
    return buffer.getvalue()


def encode_table(table: Table, suffix: str, xlsx: XlsxWriter) -> bytes:
    """The file's bytes for an extension: .xlsx (by ``xlsx``), .tsv or .txt, otherwise CSV."""
    suffix = suffix.lower()
    if suffix == ".xlsx":
        return xlsx(table)
    if suffix in (".tsv", ".txt"):
        return to_tsv(table).encode("utf-8")
    return csv_text(table).encode("utf-8")
