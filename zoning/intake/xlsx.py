"""Spreadsheets (.xlsx): the first sheet, one point a row, the same columns as a text list."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from zoning.intake.diagnostics import Code, error, refuse
from zoning.intake.model import SourceParcel
from zoning.intake.rows import Field, Row, rows_to_source


def read_xlsx(data: bytes) -> SourceParcel:
    """Read the first sheet of a workbook; rows are numbered as Excel numbers them."""
    values = _sheet_values(data)
    cells = [[_cell_field(v) for v in row] for row in values]
    left = _leftmost_column(cells)
    rows = [Row(number, _trim(row[left:])) for number, row in enumerate(cells, start=1)]
    return rows_to_source(rows, fmt="xlsx")


def _sheet_values(data: bytes) -> list[tuple[Any, ...]]:
    """Cell values of the first sheet, row by row from row 1; refuse what is not a workbook."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        message = f"Classeur Excel illisible ({exc.__class__.__name__})."
        refuse(error(Code.UNREADABLE_FILE, message))
    sheet = workbook.worksheets[0]
    return list(sheet.iter_rows(min_row=1, values_only=True))


def _cell_field(value: Any) -> Field:
    """A cell as a field: numbers stay numbers, everything else becomes stripped text."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")  # a date in a title row, as the surveyor sees it
    return str(value).strip()


def _leftmost_column(rows: Sequence[Sequence[Field]]) -> int:
    """Index of the first column used by any row, so a table may start in column B."""
    used = [
        next(i for i, f in enumerate(row) if f != "") for row in rows if any(f != "" for f in row)
    ]
    return min(used, default=0)


def _trim(fields: Sequence[Field]) -> tuple[Field, ...]:
    """Drop the empty cells after the last filled one."""
    end = len(fields)
    while end and fields[end - 1] == "":
        end -= 1
    return tuple(fields[:end])
