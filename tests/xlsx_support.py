"""Reading a status workbook back, with openpyxl cell by cell and python-calamine as a second,
independent reader (it stands in for "opens without a repair prompt")."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

LATE_FILL = "FFFFEB9C"
MISSING_FILL = "FFFFC7CE"


def sheets(source: Path | bytes) -> dict[str, Worksheet]:
    """Every sheet, by name, as openpyxl reads it; python-calamine must read each too."""
    data = source if isinstance(source, bytes) else source.read_bytes()
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in calamine.sheet_names:
        calamine.get_sheet_by_name(name).to_python()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == calamine.sheet_names
    return {ws.title: ws for ws in book.worksheets}


def table(ws: Worksheet) -> tuple[int, list[str], list[tuple[Any, ...]]]:
    """The header row's number, the column titles and the rows under them."""
    header = next(
        row[0].row
        for row in ws.iter_rows(max_col=1)
        if row[0].value in ("STT",)  # the first column of every table
    )
    titles = [cell.value for cell in ws[header]]
    rows = [tuple(cell.value for cell in row) for row in ws.iter_rows(min_row=header + 1)]
    return header, titles, rows


def fill(ws: Worksheet, row: int) -> str:
    return str(ws.cell(row, 2).fill.fgColor.rgb)


def to_pdf(path: Path, folder: Path) -> Path | None:
    """The workbook converted by LibreOffice, when it is installed with Calc (it is too large
    to install for the tests); None without it."""
    soffice = shutil.which("soffice")
    # Writer alone (installed for documents) cannot load a workbook: Calc is its own package.
    if soffice is None or not (Path(soffice).resolve().parent / "libsclo.so").exists():
        return None
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder / (path.stem + ".pdf")
