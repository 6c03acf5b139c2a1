"""Rows of fields (from a text file or a spreadsheet) turned into rings of bornes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from zoning.intake.diagnostics import Code, Diagnostic, error, raise_if_errors, refuse, warning
from zoning.intake.model import Borne, SourceParcel
from zoning.intake.numbers import looks_grouped, parse_number, unreadable_hint

Field = str | float

# Header words naming the easting and northing columns; "N°" (numéro) is deliberately not "nord".
_X_NAMES = frozenset({"x", "est", "easting"})
_Y_NAMES = frozenset({"y", "nord", "northing"})
_FIRST_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Row:
    """One line of a text file or one row of a sheet, split into fields."""

    line: int
    fields: tuple[Field, ...]

    @property
    def is_blank(self) -> bool:
        """True when every field is empty: a ring separator."""
        return all(isinstance(f, str) and not f for f in self.fields)

    @property
    def is_label(self) -> bool:
        """True for words without any digit, such as a header `Borne;X;Y` or a title."""
        if not all(isinstance(f, str) for f in self.fields):
            return False
        text = "".join(str(f) for f in self.fields)
        return not any(c.isdigit() for c in text) and any(c.isalpha() for c in text)

    @property
    def quoted(self) -> str:
        """The fields as « a », « b » for a message."""
        return ", ".join(f"« {_field_text(f)} »" for f in self.fields)


@dataclass(frozen=True)
class Layout:
    """How the rows of one upload are to be read."""

    columns: int | None  # 2 (X Y) or 3 (Borne X Y); None when no row has either
    y_first: bool = False
    separator: str | None = None  # text files only: ";", "\t", ",", " "

    @property
    def plain_space_groups(self) -> bool:
        """Whether an ordinary space may group thousands (never where it separates columns)."""
        return self.separator != " "


def _field_text(value: Field) -> str:
    """A field as the user would recognise it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rows_to_source(rows: Sequence[Row], *, fmt: str, separator: str | None = None) -> SourceParcel:
    """Read rows into rings: blank rows split rings, leading headers are skipped."""
    labels, groups = split_rings(rows)
    if not groups:
        refuse(error(Code.EMPTY_INPUT, "Aucune coordonnée trouvée dans le fichier."))
    header = _header(labels)
    layout = Layout(_expected_columns(groups), _y_first(header), separator)
    diagnostics: list[Diagnostic] = []
    if header is not None and layout.y_first:
        diagnostics.append(_reordered_warning(header))
    rings = _read_rings(groups, layout, diagnostics)
    raise_if_errors(diagnostics)
    return SourceParcel(rings=rings, format=fmt, warnings=tuple(diagnostics))


def split_rings(rows: Sequence[Row]) -> tuple[list[Row], list[list[Row]]]:
    """Group data rows into rings at blank rows; label rows opening a ring are set apart."""
    labels: list[Row] = []
    groups: list[list[Row]] = [[]]
    for row in rows:
        if row.is_blank:
            if groups[-1]:
                groups.append([])
        elif row.is_label and not groups[-1]:
            labels.append(row)
        else:
            groups[-1].append(row)
    return labels, [g for g in groups if g]


def _header(labels: Sequence[Row]) -> Row | None:
    """The first label row that names both the X and the Y columns."""
    for row in labels:
        words = _header_words(row)
        if _X_NAMES & set(words) and _Y_NAMES & set(words):
            return row
    return None


def _header_words(row: Row) -> list[str]:
    """First word of each header field, lower-cased (« X (m) » gives « x »)."""
    words = []
    for value in row.fields:
        match = _FIRST_WORD.search(str(value).lower())
        words.append(match.group(0) if match else "")
    return words


def _y_first(header: Row | None) -> bool:
    """True when the header puts the Y column before the X column."""
    if header is None:
        return False
    words = _header_words(header)
    x_at = next(i for i, w in enumerate(words) if w in _X_NAMES)
    y_at = next(i for i, w in enumerate(words) if w in _Y_NAMES)
    return y_at < x_at


def _reordered_warning(header: Row) -> Diagnostic:
    """Say that the columns are read in the order the header gives."""
    return warning(
        Code.COLUMNS_REORDERED,
        f"ligne {header.line} : l'en-tête {header.quoted} place Y avant X ; "
        "les colonnes sont lues dans cet ordre.",
        line=header.line,
    )


def _expected_columns(groups: Sequence[Sequence[Row]]) -> int | None:
    """The layout most rows follow: 3 (Borne X Y) or 2 (X Y); a tie goes to 3."""
    counts = Counter(len(row.fields) for group in groups for row in group)
    if not counts[2] and not counts[3]:
        return None
    return 3 if counts[3] >= counts[2] else 2


def _read_rings(
    groups: Sequence[Sequence[Row]], layout: Layout, diagnostics: list[Diagnostic]
) -> tuple[tuple[Borne, ...], ...]:
    """Read every row of every ring, numbering points in reading order."""
    rings: list[tuple[Borne, ...]] = []
    rank = 0
    for ring_number, group in enumerate(groups, start=1):
        bornes: list[Borne] = []
        for row in group:
            rank += 1
            result = read_row(row, layout, ring=ring_number, rank=rank)
            if isinstance(result, Borne):
                bornes.append(result)
            else:
                diagnostics.extend(result)
        rings.append(tuple(bornes))
    return tuple(rings)


def read_row(row: Row, layout: Layout, *, ring: int, rank: int) -> Borne | list[Diagnostic]:
    """One borne from one row, or the diagnostics saying why the row cannot be read."""
    if layout.columns is None or len(row.fields) != layout.columns:
        return [_column_count_error(row, layout)]
    borne_id = _borne_id(row.fields[0]) if layout.columns == 3 else None
    x_field, y_field = row.fields[-2], row.fields[-1]
    if layout.y_first:
        x_field, y_field = y_field, x_field
    x = parse_number(x_field, plain_space_groups=layout.plain_space_groups)
    y = parse_number(y_field, plain_space_groups=layout.plain_space_groups)
    if x is None or y is None:
        return _unreadable(row, borne_id, [("X", x_field, x), ("Y", y_field, y)])
    return Borne(id=borne_id, x=x, y=y, line=row.line, ring=ring, rank=rank)


def _borne_id(value: Field) -> str | None:
    """The borne's name as written; an empty cell gives no name."""
    text = _field_text(value).strip()
    return text or None


def _unreadable(
    row: Row, borne_id: str | None, values: Sequence[tuple[str, Field, float | None]]
) -> list[Diagnostic]:
    """One diagnostic per coordinate of the row that is not a number."""
    found = []
    for axis, raw, parsed in values:
        if parsed is not None:
            continue
        text = _field_text(raw)
        what = f"{axis} manquant" if not text.strip() else f"{axis} illisible « {text} »"
        hint = unreadable_hint(text)
        what += f" ({hint})" if hint else ""
        found.append(
            error(
                Code.UNREADABLE_VALUE, f"ligne {row.line} : {what}.", line=row.line, point=borne_id
            )
        )
    return found


def _column_count_error(row: Row, layout: Layout) -> Diagnostic:
    """Explain a row whose number of values does not fit the file's layout."""
    text = " ".join(_field_text(f) for f in row.fields)
    grouped = looks_grouped(text) if layout.separator == " " else None
    if grouped is not None:
        return error(
            Code.THOUSANDS_SEPARATOR,
            f"ligne {row.line} : « {grouped} » semble utiliser une espace comme séparateur de "
            "milliers, or les espaces séparent ici les colonnes ; écrivez le nombre sans espace "
            f"({grouped.replace(' ', '')}).",
            line=row.line,
        )
    expected = {2: "2 (« X Y »)", 3: "3 (« Borne X Y »)"}.get(
        layout.columns or 0, "2 (« X Y ») ou 3 (« Borne X Y »)"
    )
    hint = ""
    if layout.separator == "," and len(row.fields) > (layout.columns or 3):
        hint = (
            " ; si la virgule est votre séparateur décimal, séparez les colonnes par « ; », "
            "une tabulation ou des espaces"
        )
    return error(
        Code.COLUMN_COUNT,
        f"ligne {row.line} : {len(row.fields)} valeur(s) ({row.quoted}) au lieu de {expected}"
        f"{hint}.",
        line=row.line,
    )
