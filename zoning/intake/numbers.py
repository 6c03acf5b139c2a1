"""Numbers as people type them (decimal point or comma, thousands grouped only where
unambiguous), and as messages write them (French format)."""

from __future__ import annotations

import math
import re

# No-break and thin spaces come from number formatting (French Excel writes 366 745,09 with them),
# never from someone separating columns, so they are safe to read as thousands separators.
FORMATTING_SPACES = "\u00a0\u202f\u2009"
ALL_SPACES = " " + FORMATTING_SPACES

_PLAIN = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})


def _grouped_pattern(spaces: str) -> re.Pattern[str]:
    """A number grouped by thousands with one of these spaces: 366 745,09."""
    return re.compile(rf"[+-]?\d{{1,3}}(?:[{spaces}]\d{{3}})+(?:[.,]\d+)?")


_GROUPED_FORMATTING = _grouped_pattern(FORMATTING_SPACES)
_GROUPED_ANY = _grouped_pattern(ALL_SPACES)


def parse_number(text: str | float, *, plain_space_groups: bool = False) -> float | None:
    """Read 366745,09 / 366745.09 / 366 745,09; None when unreadable.

    plain_space_groups: also accept an ordinary space as thousands separator (only where spaces
    cannot be column separators, i.e. inside a `;`, tab or comma separated field).
    """
    if isinstance(text, float | int):
        return float(text)
    value = text.strip().translate(_MINUS_SIGNS)
    grouped = _GROUPED_ANY if plain_space_groups else _GROUPED_FORMATTING
    if grouped.fullmatch(value):
        value = re.sub(f"[{ALL_SPACES}]", "", value)
    if not _PLAIN.fullmatch(value):
        return None
    return float(value.replace(",", "."))


#: Thousands separator of French typography (U+202F), as the NRU letter and PDF print numbers.
THOUSANDS = "\u202f"


def french_number(value: float, decimals: int = 2) -> str:
    """A number written the French way: 358\u202f703,10 (decimal comma, narrow no-break space)."""
    rounded = round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0: no « -0,00 »
    return f"{rounded:,.{decimals}f}".replace(",", THOUSANDS).replace(".", ",")


def french_distance(metres: float) -> str:
    """A distance for a sentence: « 322,8 km » from 1 km, « 54 m », « 0,35 m » under 10 m."""
    if metres >= 1000:
        return f"{french_number(metres / 1000, 1)} km"
    return f"{french_number(metres, 0 if metres >= 10 else 2)} m"


_LETTER_O = re.compile(r"\d[oO]|[oO]\d")


def unreadable_hint(text: str) -> str:
    """The slip that most likely made a typed number unreadable, or an empty string."""
    if _LETTER_O.search(text):
        return "la lettre O à la place d'un zéro ?"
    if sum(text.count(mark) for mark in ".,") > 1:
        return (
            "deux séparateurs (« . » et « , ») : écrivez le nombre avec un seul séparateur "
            "décimal, sans séparateur de milliers"
        )
    return ""


def looks_grouped(text: str) -> str | None:
    """The first number grouped by ordinary spaces in a line (366 745,09), if any."""
    match = re.search(r"(?<![\w.,])\d{1,3}(?: \d{3})+(?:[.,]\d+)?(?![\d])", text)
    return match.group(0) if match else None


def position(value: object) -> tuple[float, float] | None:
    """An [x, y, ...] position from JSON (numbers or numeric strings); None when unreadable."""
    if not isinstance(value, list | tuple) or len(value) < 2:
        return None
    x, y = (_coordinate(v) for v in value[:2])
    if x is None or y is None:
        return None
    return (x, y)


def _coordinate(value: object) -> float | None:
    """One finite coordinate from a JSON value."""
    if isinstance(value, bool):
        return None
    number = parse_number(value) if isinstance(value, str | float | int) else None
    return number if number is not None and math.isfinite(number) else None
