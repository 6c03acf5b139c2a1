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
_X_NAMES = frozenset({"x", "est", "easting", "abscisse", "abscisses", "longitude", "lon"})
_Y_NAMES = frozenset(
    {"y", "nord", "northing", "ordonnée", "ordonnées", "ordonnee", "ordonnees", "latitude", "lat"}
)
_FIRST_WORD = re.compile(r"[^\W\d_]+")
# What a coordinate typed with a slip still looks like (358760,00, 3587x0,00, 358.760,00): six
# digits, or three with a decimal part; never a date, a fraction (1/500, TF 12345/R), a time
# or a long run of digits (a telephone or an identifier).
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_DECIMAL_PART = re.compile(r"\d[.,]\d")
_LONG_DIGIT_RUN = re.compile(r"[+]?\d{9,}")
# A borne's name in the first column: B1, P12, S 3, 12, A.
_BORNE_ID = re.compile(r"[A-Z]{0,3}\s?\d{1,4}[A-Z']?|[A-Z]", re.IGNORECASE)


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
    """Read rows into rings: title lines and headers above the coordinates are skipped (and
    named), blank rows split rings."""
    titles, body = split_titles(rows, separator)
    rings_split = split_rings(body)
    if not rings_split.groups:
        refuse(error(Code.EMPTY_INPUT, "Aucune coordonnée trouvée dans le fichier."))
    header = _header([*titles, *rings_split.labels])
    layout = Layout(_expected_columns(rings_split.groups), _y_first(header), separator)
    diagnostics: list[Diagnostic] = []
    skipped = [r for r in [*titles, *rings_split.labels] if not _names_columns(r)]
    if skipped:
        diagnostics.append(_titles_warning(skipped))
    if header is not None and layout.y_first:
        diagnostics.append(_reordered_warning(header))
    rings = _read_rings(rings_split.groups, layout, diagnostics)
    raise_if_errors(diagnostics)
    return SourceParcel(
        rings=rings, format=fmt, warnings=tuple(diagnostics), breaks=rings_split.breaks
    )


def split_titles(rows: Sequence[Row], separator: str | None) -> tuple[list[Row], list[Row]]:
    """The title lines above the first row of coordinates (« Levé topographique … », a date,
    the property's name, the header), and the rows from that one on.

    Without any row that looks like coordinates, nothing is set apart: the rows are then
    reported one by one as unreadable.
    """
    layout = Layout(None, separator=separator)
    for index, row in enumerate(rows):
        if not row.is_blank and _looks_like_coordinates(row, layout):
            return [r for r in rows[:index] if not r.is_blank], list(rows[index:])
    return [], list(rows)


def _looks_like_coordinates(row: Row, layout: Layout) -> bool:
    """A row of coordinates, or one a slip spoilt: X and Y read as numbers, two fields that
    look like coordinates, or a borne's name followed by one."""
    fields = row.fields
    if len(fields) in (2, 3):
        x, y = (parse_number(f, plain_space_groups=layout.plain_space_groups) for f in fields[-2:])
        if x is not None and y is not None:
            return True
    like = [_looks_like_coordinate(f) for f in fields]
    named = len(fields) >= 2 and _BORNE_ID.fullmatch(_field_text(fields[0]).strip()) is not None
    return sum(like) >= 2 or (named and any(like[1:]))


def _looks_like_coordinate(value: Field) -> bool:
    """A field that is a coordinate, perhaps mistyped (see _DATE and its neighbours)."""
    text = _field_text(value).strip()
    digits = sum(c.isdigit() for c in text)
    letters = sum(c.isalpha() for c in text)
    if letters > 2 or any(c in text for c in "/:") or _DATE.search(text):
        return False
    if _LONG_DIGIT_RUN.fullmatch(text.replace(" ", "")):
        return False
    return digits >= 6 or (digits >= 3 and _DECIMAL_PART.search(text) is not None)


def _names_columns(row: Row) -> bool:
    """True for a header naming the X and Y columns (never reported as a title)."""
    words = set(_header_words(row))
    return bool(_X_NAMES & words and _Y_NAMES & words)


def _titles_warning(skipped: Sequence[Row]) -> Diagnostic:
    """Name the title lines that were skipped, so that nothing is dropped unseen."""
    numbers = [row.line for row in skipped]
    quoted = " ; ".join(_title_text(row) for row in skipped[:5]) + (
        " …" if len(skipped) > 5 else ""
    )
    if len(numbers) == 1:
        lines = f"Ligne {numbers[0]} ignorée, lue comme un titre"
    else:
        lines = f"Lignes {_joined(numbers)} ignorées, lues comme des titres"
    return warning(
        Code.TITLE_SKIPPED,
        f"{lines} et non comme des coordonnées : {quoted}.",
        line=numbers[0],
    )


def _title_text(row: Row) -> str:
    """A title line as the user wrote it, cut short."""
    text = " ".join(_field_text(f) for f in row.fields if _field_text(f).strip())
    return f"« {text if len(text) <= 60 else text[:57] + '…'} »"


def _joined(numbers: Sequence[int]) -> str:
    """« 1, 2 et 4 »."""
    texts = [str(n) for n in numbers]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " et " + texts[-1]


@dataclass(frozen=True)
class RingRows:
    """Data rows grouped in rings, the label rows set apart, and the blank lines before each."""

    labels: list[Row]
    groups: list[list[Row]]
    breaks: tuple[tuple[int, ...], ...]


def split_rings(rows: Sequence[Row]) -> RingRows:
    """Group data rows into rings at blank rows; label rows opening a ring are set apart."""
    labels: list[Row] = []
    groups: list[list[Row]] = [[]]
    breaks: list[list[int]] = [[]]
    for row in rows:
        if row.is_blank:
            if groups[-1]:
                groups.append([])
                breaks.append([])
            if len(groups) > 1:
                breaks[-1].append(row.line)
        elif row.is_label and not groups[-1]:
            labels.append(row)
        else:
            groups[-1].append(row)
    kept = [(g, tuple(b)) for g, b in zip(groups, breaks, strict=True) if g]
    return RingRows(labels, [g for g, _ in kept], tuple(b for _, b in kept))


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
