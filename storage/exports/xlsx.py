"""The status workbook as an .xlsx file: implements bot.core.ports.WorkbookWriter.

Written with XlsxWriter rather than openpyxl because it measured better here, on the size the
issue sets (2,000 units with 3 versions each: 8,000 rows of 10-11 cells with dates and fills):
0.86 s and 33 MB of memory for XlsxWriter, 1.46 s and 56 MB for openpyxl (its write-only mode
took 1.99 s). XlsxWriter only writes, which is all an export does; openpyxl reads the files
back in the tests, and python-calamine, a reader of its own, checks that they open.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import unicodedata
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bot.core.statusbook import CellFormat, Column, Mark, Sheet, Value, Workbook

NUMBER_FORMATS = {
    CellFormat.TEXT: None,
    CellFormat.INTEGER: "0",
    CellFormat.DAYS: "0.0",
    CellFormat.DATE: "dd/mm/yyyy",
    CellFormat.MOMENT: "dd/mm/yyyy hh:mm",
}
# The width each format shows its values in, in characters.
SHOWN_WIDTH = {CellFormat.DATE: 10, CellFormat.MOMENT: 16}
# Excel's own "Neutral" and "Bad" fills, which readers know: late in amber, missing in rose.
FILLS = {Mark.PLAIN: None, Mark.LATE: "#FFEB9C", Mark.MISSING: "#FFC7CE"}
MAX_WIDTH = 50  # characters; a wider column pushes the rest off a laptop's screen
LONG_WIDTH = 60  # for free text, which wraps inside it
MIN_WIDTH = 6
LINE_HEIGHT = 15  # points: a line of the default 11-point font
MAX_LINES = 20  # a row taller than this scrolls within itself
MAX_CELL = 32_767  # the most characters Excel keeps in a cell


class XlsxWriter:
    """Implements bot.core.ports.WorkbookWriter."""

    def write(self, book: Workbook, path: Path) -> None:
        write_workbook(book, path)


def workbook_bytes(book: Workbook) -> bytes:
    """`book` as the bytes of an .xlsx file (for an archive entry)."""
    with tempfile.TemporaryDirectory(prefix="baocao-xlsx-") as folder:
        path = Path(folder) / "book.xlsx"
        write_workbook(book, path)
        return path.read_bytes()


def write_workbook(book: Workbook, path: Path) -> None:
    """Write `book` to `path` whole or not at all (a hidden file beside it, renamed)."""
    # Made by the writer itself, so that the file gets the usual permissions (the umask's).
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        _render(book, temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _render(book: Workbook, filename: Path) -> None:
    workbook = xlsxwriter.Workbook(
        str(filename),
        {
            "in_memory": True,
            # What people typed stays text: never a formula, a link or a number.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"title": book.title})
    styles = _Styles(workbook)
    for sheet in book.sheets:
        _sheet(workbook.add_worksheet(sheet.name), sheet, styles)
    workbook.close()


class _Styles:
    """One Format per look, made once: a format per cell would bloat the file."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.heading = workbook.add_format({})
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.cells: dict[tuple[CellFormat, bool, Mark], Format] = {}

    def cell(self, column: Column, mark: Mark) -> Format:
        key = (column.format, column.long, mark)
        if key not in self.cells:
            spec: dict[str, Any] = {"valign": "top", "border": 1, "border_color": "#BFBFBF"}
            number = NUMBER_FORMATS[column.format]
            if number is not None:
                spec["num_format"] = number
            if column.long:
                spec["text_wrap"] = True
            fill = FILLS[mark]
            if fill is not None:
                spec["bg_color"] = fill
            self.cells[key] = self.workbook.add_format(spec)
        return self.cells[key]


def _sheet(ws: Worksheet, sheet: Sheet, styles: _Styles) -> None:
    for row, heading in enumerate(sheet.heading):
        ws.write_string(row, 0, _text(heading), styles.title if row == 0 else styles.heading)
    top = len(sheet.heading) + 1  # a blank line between the heading and the table
    for col, column in enumerate(sheet.columns):
        ws.write_string(top, col, column.title, styles.header)
    widths = [
        _width(column, [row.values[col] for row in sheet.rows])
        for col, column in enumerate(sheet.columns)
    ]
    for offset, line in enumerate(sheet.rows, start=1):
        for col, (column, value) in enumerate(zip(sheet.columns, line.values, strict=True)):
            _cell(ws, top + offset, col, value, styles.cell(column, line.mark))
        lines = _lines(sheet.columns, line.values, widths)
        if lines > 1:  # readers do not grow a row for wrapped text themselves
            ws.set_row(top + offset, LINE_HEIGHT * lines)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(top + 1, 0)
    last = len(sheet.columns) - 1
    ws.autofilter(top, 0, top + len(sheet.rows), last)
    # Printed as the Office files it: landscape A4, as wide as a page, the header on each page.
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top)


def _cell(ws: Worksheet, row: int, col: int, value: Value, style: Format) -> None:
    if value is None:
        ws.write_blank(row, col, None, style)
    elif isinstance(value, str):
        ws.write_string(row, col, _text(value), style)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, style)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime.combine(value, time()), style)
    else:
        ws.write_number(row, col, value, style)


def _text(value: str) -> str:
    return value[:MAX_CELL]


def _width(column: Column, values: list[Value]) -> float:
    """The column's width in characters: its longest value as shown, or its title.

    Letters are counted after composing them (NFC), so that a Vietnamese letter with two marks
    counts as one character whether it was typed as one code point or as a letter and marks.
    """
    widest = max((_shown_length(column, value) for value in values if value is not None), default=0)
    title = len(unicodedata.normalize("NFC", column.title))
    limit = LONG_WIDTH if column.long else MAX_WIDTH
    return float(min(max(widest, title, MIN_WIDTH) + 2, limit))


def _lines(columns: tuple[Column, ...], values: tuple[Value, ...], widths: list[float]) -> int:
    """How many lines the row's wrapped free text takes at the columns' widths."""
    most = 1
    for column, value, width in zip(columns, values, widths, strict=True):
        if column.long and isinstance(value, str):
            room = max(int(width) - 2, 1)
            count = sum(
                max(1, -(-len(part) // room))
                for part in unicodedata.normalize("NFC", value).splitlines()
            )
            most = max(most, count)
    return min(most, MAX_LINES)


def _shown_length(column: Column, value: Value) -> int:
    if column.format in SHOWN_WIDTH:
        return SHOWN_WIDTH[column.format]
    if isinstance(value, float):
        return len(f"{value:.1f}")
    text = unicodedata.normalize("NFC", str(value))
    return max((len(line) for line in text.splitlines()), default=0)
