"""XLSX files through XlsxWriter.

A workbook written by hand broke on control characters in names (invalid XML) and relied on
us knowing every escaping rule of the format. XlsxWriter is maintained, has no dependencies,
escapes control characters as the format requires and writes in memory. It is imported only
when a workbook is written. Strings go through ``write_string``: text from Jira is never
turned into a formula, a number or a link.
"""

from __future__ import annotations

import io

from clockwork_desktop.core.export import Table

MAX_CELL_CHARS = 32767  # Excel's limit; XlsxWriter warns and truncates beyond it


def xlsx_bytes(table: Table, sheet_name: str = "Timesheet") -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as workbook:
        sheet = workbook.add_worksheet(sheet_name[:31])
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    sheet.write_string(r, c, str(value)[:MAX_CELL_CHARS])
                else:
                    sheet.write_number(r, c, value)
    return buffer.getvalue()
