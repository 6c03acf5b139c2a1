"""A borne far from the others of its part: a typing slip, named before what it causes.

One figure dropped or the decimal separator one place off (35870,31 for 358703,1) throws a
borne hundreds of kilometres away; the outline then crosses itself, and a message about
crossing sides hides the real mistake. So each part of the parcel is checked for a borne far
from the rest first, with the value it probably should have had.

Rule: within one part, take the median point of the bornes (median X, median Y) and the median
distance R of the bornes to it. A borne is aberrant when it lies more than
max(ABERRANT_MIN_M, ABERRANT_RATIO × R) from that median point **and** from every other borne of
the part (isolated: a long arm of an L-shaped parcel has two bornes at its end, close to each
other, and is not flagged). With 500 m and 10 × R, a 40 m lot's borne is aberrant beyond 500 m,
a 2 km farm's never by less than 10 km; the slips that matter (a digit dropped or doubled, the
separator off, the thousands swapped) move a borne by tens or hundreds of kilometres.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from zoning.intake.diagnostics import Code, Diagnostic, error
from zoning.intake.model import Borne
from zoning.intake.numbers import french_distance, french_number
from zoning.intake.typos import Correction, corrections, is_simple, replaced, sharpness

ABERRANT_MIN_M = 500.0
ABERRANT_RATIO = 10.0
# A corrected borne is back among its neighbours within 3 × R of the median point (a corner of
# a rectangle is at about R, the apex of a triangle within 2 R), or 20 m for very small parts.
BACK_RATIO = 3.0
BACK_MIN_M = 20.0
# Beyond this many points the part is not typed by hand; do not search it for slips.
MAX_SEARCHED_POINTS = 1000


def aberrant_bornes(bornes: Sequence[Borne], *, typed: bool = True) -> list[Diagnostic]:
    """An error for each borne far from the others of its part, with its probable value.

    typed: the coordinates are the numbers as typed (not transformed from another CRS), so a
    slip in their digits can be undone.
    """
    if len(bornes) < 3:
        return []
    centre, radius = _median_centre(bornes)
    limit = max(ABERRANT_MIN_M, ABERRANT_RATIO * radius)
    found = []
    for index, borne in enumerate(bornes):
        if math.dist(borne.xy, centre) <= limit:
            continue
        nearest = _nearest_other(bornes, index)
        if nearest > limit:
            correction = None
            if typed and len(bornes) <= MAX_SEARCHED_POINTS:
                correction = probable_position(bornes, index, centre, radius)
            found.append(_aberrant(borne, nearest, correction))
    return found


def _median_centre(bornes: Sequence[Borne]) -> tuple[tuple[float, float], float]:
    """The median point of the bornes and their median distance to it: both ignore one stray."""
    centre = (statistics.median(b.x for b in bornes), statistics.median(b.y for b in bornes))
    return centre, statistics.median(math.dist(b.xy, centre) for b in bornes)


def _nearest_other(bornes: Sequence[Borne], index: int) -> float:
    """Distance from one borne to the nearest other borne of the part."""
    here = bornes[index].xy
    return min(math.dist(here, b.xy) for i, b in enumerate(bornes) if i != index)


def probable_position(
    bornes: Sequence[Borne], index: int, centre: tuple[float, float], radius: float
) -> Correction | None:
    """The single-slip correction that brings the borne back among the others, best first.

    Best: an outline that does not cross itself, then the likeliest slip (separator, swapped
    axes, transposed digits, dropped digit, …), then the widest smallest angle (the most
    ordinary shape), then the nearest to the median point.
    """
    back = max(BACK_RATIO * radius, radius + BACK_MIN_M)
    points = [b.xy for b in bornes]
    ranked = []
    for correction in corrections(bornes[index]):
        distance = math.dist(correction.xy, centre)
        if distance > back:
            continue
        moved = replaced(points, index, correction.xy)
        simple = is_simple(moved)
        smallest = min(sharpness(moved, i) for i in range(len(moved)))
        ranked.append(((not simple, correction.rank, -round(smallest), distance), correction))
    if not ranked:
        return None
    return min(ranked, key=lambda item: item[0])[1]


def _aberrant(borne: Borne, distance: float, correction: Correction | None) -> Diagnostic:
    """Name the borne, how far it is, and what it probably should read."""
    where = f"ligne {borne.line}" if borne.line is not None else f"point {borne.name}"
    text = (
        f"{borne.definite[:1].upper()}{borne.definite[1:]} est à {french_distance(distance)} "
        "des autres bornes de la parcelle : "
        "c'est sans doute une faute de frappe."
    )
    if correction is None:
        text += (
            f" Vérifiez ses coordonnées (X = {_coordinate(borne.x)} ; Y = {_coordinate(borne.y)})."
        )
    else:
        text += f" {probable_text(correction)} ; corrigez la {where}."
    return error(
        Code.ABERRANT_BORNE,
        text,
        line=borne.line,
        point=borne.name,
        location=borne.xy,
        ring=borne.ring,
        bornes=(borne.name,),
        probable=correction.xy if correction else None,
    )


def probable_text(correction: Correction) -> str:
    """« X = 35 870,31 devrait probablement être 358 703,10 (virgule décimale mal placée) »."""
    borne = correction.borne
    if correction.axis == "XY":
        return (
            f"X = {_coordinate(borne.x)} et Y = {_coordinate(borne.y)} semblent inversés sur "
            f"cette ligne : X = {_coordinate(borne.y)} ; Y = {_coordinate(borne.x)} probablement"
        )
    return (
        f"{correction.axis} = {_coordinate(correction.typed)} devrait probablement être "
        f"{_coordinate(correction.value)} ({correction.explanation})"
    )


def _coordinate(value: float) -> str:
    """A coordinate to the centimetre, the French way (358 703,10)."""
    return french_number(value, 2)
