"""Declared areas (contenance) as land titles write them, and their comparison with the outline."""

from __future__ import annotations

import math
import re

from zoning.intake.diagnostics import Code, Diagnostic, error, fr, refuse, warning

# Tolerance between the declared and the computed area: the larger of the two, so that small
# parcels are not flagged for the few m² that centimetre rounding of the bornes produces, and
# large ones are held to 2 %. Both figures are planar Lambert areas, like those of the titles.
AREA_TOLERANCE_M2 = 5.0
AREA_TOLERANCE_RATIO = 0.02

_UNITS: dict[str, tuple[int, float]] = {
    # unit: (rank in « ha a ca », square metres)
    "ha": (0, 10_000.0),
    "hectare": (0, 10_000.0),
    "hectares": (0, 10_000.0),
    "a": (1, 100.0),
    "are": (1, 100.0),
    "ares": (1, 100.0),
    "ca": (2, 1.0),
    "centiare": (2, 1.0),
    "centiares": (2, 1.0),
    "m2": (3, 1.0),
}
_TERM = re.compile(
    r"\s*(?P<number>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"\s*(?P<unit>hectares?|ha|centiares?|ca|ares?|a|m2)?(?![a-z0-9])\s*[,;]?"
)
_EXAMPLES = "écrivez par exemple « 1 ha 23 a 45 ca », « 12 a 50 ca » ou « 850 m² »"


def parse_contenance(text: str | float) -> float:
    """A contenance in m²: 850, « 850 m² », « 12 a 50 ca », « 1 ha 23 a 45 ca »."""
    if isinstance(text, int | float):
        return _positive(float(text), str(text))
    normalized = _normalize(text)
    terms = _terms(normalized)
    if terms is None:
        refuse(_unreadable(text, "format non reconnu"))
    return _positive(_total(terms, text), text)


def _normalize(text: str) -> str:
    """Lower-case, m² spelt m2, trailing full stop dropped."""
    lowered = text.strip().lower().replace("m²", "m2").replace("m^2", "m2")
    return lowered.rstrip(". ")


def _terms(text: str) -> list[tuple[float, str | None]] | None:
    """The (number, unit) terms making up the whole text; None when something else is in it."""
    terms = []
    position = 0
    while position < len(text):
        match = _TERM.match(text, position)
        if match is None or match.end() == position:
            return None
        number = re.sub(r"[ \u00a0\u202f]", "", match["number"]).replace(",", ".")
        terms.append((float(number), match["unit"]))
        position = match.end()
    return terms or None


def _total(terms: list[tuple[float, str | None]], text: str) -> float:
    """Sum the terms, refusing units out of order (ha, a, ca) and sub-units of 100 or more."""
    if len(terms) == 1 and terms[0][1] is None:
        return terms[0][0]
    total = 0.0
    last_rank = -1
    for value, unit in terms:
        if unit is None:
            refuse(_unreadable(text, f"unité manquante après {fr(value, 0)}"))
        rank, factor = _UNITS[unit]
        if rank <= last_rank or (rank == 3 and last_rank >= 0):
            refuse(_unreadable(text, "unités dans le désordre ou répétées"))
        if last_rank >= 0 and value >= 100:
            refuse(_unreadable(text, f"{fr(value, 0)} {unit} devrait être inférieur à 100"))
        total += value * factor
        last_rank = rank
    return total


def _positive(value: float, text: str) -> float:
    """A contenance must be a positive finite area."""
    if not math.isfinite(value) or value <= 0:
        refuse(_unreadable(text, "la surface doit être positive"))
    return value


def _unreadable(text: str, reason: str) -> Diagnostic:
    """The contenance could not be read."""
    return error(
        Code.UNREADABLE_CONTENANCE, f"Contenance illisible « {text} » ({reason}) ; {_EXAMPLES}."
    )


def declared_area_m2(declared: str | float | None) -> float | None:
    """The declared area in m², from a number or a contenance text."""
    return None if declared is None else parse_contenance(declared)


def area_mismatch(computed_m2: float, declared_m2: float | None) -> list[Diagnostic]:
    """A warning when the declared area differs from the computed one beyond the tolerance."""
    if declared_m2 is None:
        return []
    tolerance = max(AREA_TOLERANCE_M2, AREA_TOLERANCE_RATIO * computed_m2)
    difference = declared_m2 - computed_m2
    if abs(difference) <= tolerance:
        return []
    percent = 100 * abs(difference) / computed_m2
    return [
        warning(
            Code.AREA_MISMATCH,
            f"La contenance déclarée ({fr(declared_m2)} m²) diffère de la surface calculée "
            f"d'après les bornes ({fr(computed_m2)} m²) de {fr(abs(difference))} m² "
            f"({fr(percent, 1)} %), au-delà de la tolérance de {fr(tolerance)} m² "
            "(le plus grand de 5 m² et de 2 %).",
        )
    ]
