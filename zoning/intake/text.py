"""Text coordinate lists (.txt, .csv, pasted text): separator and decimal mark detected per file."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

from zoning.intake.diagnostics import Code, Diagnostic, error, refuse
from zoning.intake.model import SourceParcel
from zoning.intake.rows import Row, rows_to_source

# A comma is a decimal mark when it sits between two digits inside a whitespace-separated token.
_NON_DECIMAL_COMMA = re.compile(r"(?<!\d),|,(?!\d)")
# Ordinary spaces and tabs separate columns; no-break spaces do not (they group thousands).
_WHITESPACE_COLUMNS = re.compile(r"[ \t]+")


def decode_text(data: bytes) -> str:
    """Decode an uploaded text file: UTF-16 with BOM, UTF-8, else Windows-1252 (French Excel)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_text(data: bytes | str) -> SourceParcel:
    """Read a coordinate list (`Borne X Y` or `X Y` per line; a blank line starts another ring)."""
    text = decode_text(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    if "\x00" in text:
        refuse(_nul_error(text))
    lines = text.splitlines()
    separator = detect_separator(lines)
    rows = [Row(number, split_line(line, separator)) for number, line in enumerate(lines, 1)]
    return rows_to_source(rows, fmt="text", separator=separator)


def _nul_error(text: str) -> Diagnostic:
    """A NUL character: a binary file (a workbook, a drawing) renamed, or UTF-16 without BOM."""
    line = len((text[: text.index("\x00")] + "x").splitlines())
    return error(
        Code.UNREADABLE_FILE,
        f"ligne {line} : caractère nul (\\x00) ; le fichier n'est pas un texte (un classeur ou "
        "un dessin renommé ?). Envoyez la liste en .txt, .csv ou .xlsx.",
        line=line,
    )


def detect_separator(lines: Sequence[str]) -> str:
    """The column separator of a file: `;`, tab, `,` or whitespace (then commas are decimal)."""
    # Lines without digits (headers, titles) may use another layout; use them only if alone.
    data = [line for line in lines if any(c.isdigit() for c in line)] or list(lines)
    if any(";" in line for line in data):
        return ";"
    if data and all(_tab_separated(line) for line in data):
        return "\t"
    with_comma = [line for line in data if "," in line]
    decimal_like = sum(1 for line in with_comma if _comma_is_decimal(line))
    # A majority vote, so that one line with a missing space does not flip the whole file.
    if with_comma and decimal_like * 2 < len(with_comma):
        return ","
    return " "


def _tab_separated(line: str) -> bool:
    """True for a line whose columns are tabs alone (a paste from a spreadsheet)."""
    return "\t" in line and not any(" " in field.strip() for field in line.split("\t"))


def _comma_is_decimal(line: str) -> bool:
    """True for `B1 366745,09 381141,99`: several tokens, every comma between digits."""
    return len(line.split()) >= 2 and _NON_DECIMAL_COMMA.search(line) is None


def split_line(line: str, separator: str) -> tuple[str, ...]:
    """Split one line into stripped fields, dropping the empty ones a spreadsheet export appends."""
    if separator == " ":
        fields = _WHITESPACE_COLUMNS.split(line.strip())
    else:
        fields = [field.strip() for field in line.split(separator)]
    while fields and not fields[-1]:
        fields.pop()
    return tuple(fields)
