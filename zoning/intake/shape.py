"""Shapes a typing slip makes and real parcels do not: warned, naming the borne, never refused.

Two digits swapped at the end of a coordinate (358617 for 358671) move a borne by tens of
metres: the outline stays inside the plan and valid, but grows a spike (or a notch) that only
a declared contenance would reveal. Each part of an accepted parcel is checked:

- ``angle_aigu``: the two sides at a borne meet at less than ACUTE_ANGLE_DEG (15°), a spike out
  or a notch in. Or at less than SUSPECT_ANGLE_DEG (35°) when swapping two neighbouring digits
  of that borne's X or Y gives an ordinary outline (typos.ordinary_swap): the borne's corner
  within RIGHT_ANGLE_TOLERANCE_DEG (1,5°) of a right angle or straight (STRAIGHT_ANGLE_DEG,
  175°), no angle under CORRECTED_MIN_ANGLE_DEG (45°) left in the part, no crossing, and a
  compactness 4πA/P² at least COMPACTNESS_GAIN (1,25) times the typed one.
- ``cote_disproportionne``: both sides at a borne are more than SIDE_RATIO (4) times as long as
  every other side of the part (a borne thrown out of a small lot). Parts of 4 bornes or more.
- ``forme_improbable``: the part is narrower than MIN_MEAN_WIDTH_M (1 m) on average (twice the
  area over the perimeter), or its compactness is under MIN_COMPACTNESS (0,01: thinner than a
  strip 300 times longer than wide). The borne named is the one whose removal leaves the most
  compact outline.

The warning gives the probable value when a digit swap explains it. One warning per borne
(angle first), at most MAX_WARNINGS per part; the shape as a whole only when no borne is named.

Measured (tests/zoning/intake/test_shape.py, shapes.py): 30 realistic outlines, each
placed 1 000 times at random (turned, one in four square with the axes), none refused; 5 of the
30 000 warned, all trapezoids with a 20° to 35° corner that one digit swap squares exactly
(1 in 50 of those with a 5° tolerance, hence 1,5°): lots from 10 × 10 m to 30 × 60 m, a
250 × 400 m farm, 8 × 500 m and 5 × 800 m lanières, strips with ends cut at 30° and 60°,
trapezoids, triangles, wedges between roads at 20° and 25°, L (down to 10 m arms, 200 m long),
T and U shapes, a flag lot (3 × 40 m access), a cut corner, a curved front digitised every
2 m, intermediate bornes a few decimetres off line, a jog, fields of 7 and 12 bornes. Of 3 000
digit swaps in the last three figures of a borne of such lots, the swaps that keep the outline
valid are warned, naming the borne, 1 time in 4 when they move it by half to twice the lot's
size, 9 times in 10 beyond (3 in 4 with the right value); smaller moves make ordinary shapes
and are not. The others are refused: a crossing (with the borne named and its value when a
swap explains it, 2 times in 3), or borne_aberrante.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from shapely.geometry import Polygon

from zoning.intake.aberrant import probable_text
from zoning.intake.diagnostics import Code, Diagnostic, fr, warning
from zoning.intake.model import Borne
from zoning.intake.numbers import french_distance
from zoning.intake.rings import CleanRing
from zoning.intake.typos import Correction, compactness, ordinary_swap, replaced, sharpness

ACUTE_ANGLE_DEG = 15.0
SUSPECT_ANGLE_DEG = 35.0
SIDE_RATIO = 4.0
MIN_MEAN_WIDTH_M = 1.0
MIN_COMPACTNESS = 0.01
COMPACTNESS_GAIN = 1.25
MAX_WARNINGS = 5
# Beyond this many bornes a part was not typed by hand: only the plain thresholds apply.
MAX_SEARCHED_POINTS = 1000


@dataclass(frozen=True)
class Part:
    """One part's bornes and the measures the checks share."""

    ring: CleanRing
    angles: tuple[float, ...]  # at each borne, 0 to 180°
    sides: tuple[float, ...]  # side i runs from borne i to borne i + 1

    @property
    def bornes(self) -> tuple[Borne, ...]:
        """The part's bornes, in order."""
        return self.ring.bornes

    @cached_property
    def longest_sides(self) -> list[tuple[int, float]]:
        """The three longest sides (index, length), longest first: enough to skip two."""
        return heapq.nlargest(3, enumerate(self.sides), key=lambda side: side[1])

    @property
    def points(self) -> list[tuple[float, float]]:
        """The bornes' coordinates."""
        return [b.xy for b in self.ring.bornes]


def shape_warnings(rings: Sequence[CleanRing], *, typed: bool = True) -> list[Diagnostic]:
    """Warnings on spikes, out-of-scale sides and implausible shapes, part by part.

    typed: the coordinates are the numbers as uploaded, so a digit swap may be suggested.
    """
    found: list[Diagnostic] = []
    for ring in rings:
        if len(ring.bornes) >= 3:
            found.extend(_part_warnings(_measured(ring), typed=typed)[:MAX_WARNINGS])
    return found


def _measured(ring: CleanRing) -> Part:
    """Angles and side lengths of a part."""
    points = [b.xy for b in ring.bornes]
    count = len(points)
    angles = tuple(sharpness(points, i) for i in range(count))
    sides = tuple(math.dist(points[i], points[(i + 1) % count]) for i in range(count))
    return Part(ring, angles, sides)


def _part_warnings(part: Part, *, typed: bool) -> list[Diagnostic]:
    """Borne by borne (angle, then sides), then the part as a whole."""
    search = typed and len(part.bornes) <= MAX_SEARCHED_POINTS
    found: list[Diagnostic] = []
    for index in range(len(part.bornes)):
        finding = _angle_finding(part, index, search) or _side_finding(part, index, search)
        if finding is not None:
            found.append(finding)
    found = _without_consequences(part, found)
    if not found:
        found.extend(_shape_finding(part, search))
    return found


def _without_consequences(part: Part, found: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The explained findings first; a finding their correction removes is a consequence.

    A notch makes its neighbours acute too: once the borne that made it is named with its
    probable value, their angles are not other mistakes.
    """
    index_of = {b.name: i for i, b in enumerate(part.bornes)}
    explained = [d for d in found if d.probable is not None]
    corrected = [
        replaced(part.points, index_of[str(d.point)], d.probable)
        for d in explained
        if d.probable is not None
    ]
    kept = list(explained)
    for finding in found:
        if finding.probable is not None:
            continue
        index = index_of[str(finding.point)]
        if not any(sharpness(points, index) >= SUSPECT_ANGLE_DEG for points in corrected):
            kept.append(finding)
    return kept


def _angle_finding(part: Part, index: int, search: bool) -> Diagnostic | None:
    """A spike or a notch at this borne: very acute, or acute and explained by a digit swap."""
    angle = part.angles[index]
    if angle >= SUSPECT_ANGLE_DEG:
        return None
    correction = _spike_correction(part, index) if search else None
    if angle >= ACUTE_ANGLE_DEG and correction is None:
        return None
    borne = part.bornes[index]
    before, after = _neighbours(part, index)
    strength = "très aigu" if angle < ACUTE_ANGLE_DEG else "aigu"
    text = (
        f"Angle {strength} ({fr(angle, 0)}°) {borne.at_label}, entre les côtés "
        f"{before.name}–{borne.name} et {borne.name}–{after.name} : la parcelle forme une "
        "pointe ou une entaille, ce qui trahit souvent une faute de frappe."
    )
    return _finding(Code.ACUTE_ANGLE, text, part, index, correction)


def _side_finding(part: Part, index: int, search: bool) -> Diagnostic | None:
    """Both sides at this borne out of scale with every other side of the part."""
    count = len(part.sides)
    if count < 4:
        return None
    before, after = part.sides[index - 1], part.sides[index]
    adjacent = {index, (index - 1) % count}
    longest_other = next(s for i, s in part.longest_sides if i not in adjacent)
    if min(before, after) <= SIDE_RATIO * longest_other:
        return None
    borne = part.bornes[index]
    previous, following = _neighbours(part, index)
    text = (
        f"Les côtés {previous.name}–{borne.name} ({french_distance(before)}) et "
        f"{borne.name}–{following.name} ({french_distance(after)}), de part et d'autre "
        f"{borne.of_label}, sont plus de {fr(SIDE_RATIO, 0)} fois plus longs que tous les autres "
        f"côtés (au plus {french_distance(longest_other)}) : vérifiez cette borne."
    )
    correction = _spike_correction(part, index) if search else None
    return _finding(Code.DISPROPORTIONATE_SIDE, text, part, index, correction)


def _shape_finding(part: Part, search: bool) -> list[Diagnostic]:
    """A part too thin for its area: no real parcel is that narrow."""
    polygon = Polygon(part.points)
    area, perimeter = float(polygon.area), float(polygon.length)
    if perimeter == 0:
        return []
    width = 2 * area / perimeter
    if width >= MIN_MEAN_WIDTH_M and compactness(part.points) >= MIN_COMPACTNESS:
        return []
    index = _most_out_of_place(part)
    borne = part.bornes[index]
    text = (
        f"Forme improbable pour {part.ring.label} : {fr(area, 2)} m² sur un contour de "
        f"{french_distance(perimeter)}, soit {french_distance(width)} de large en moyenne. "
        f"Vérifiez {borne.definite}, qui l'étire le plus."
    )
    correction = _spike_correction(part, index) if search else None
    return [_finding(Code.IMPLAUSIBLE_SHAPE, text, part, index, correction)]


def _most_out_of_place(part: Part) -> int:
    """The borne whose removal leaves the most compact outline (the sharpest angle for a
    triangle, or for a part too large to try every borne)."""
    if len(part.bornes) <= 3 or len(part.bornes) > MAX_SEARCHED_POINTS:
        return min(range(len(part.angles)), key=lambda i: part.angles[i])
    points = part.points
    return max(
        range(len(points)), key=lambda index: compactness(points[:index] + points[index + 1 :])
    )


def _neighbours(part: Part, index: int) -> tuple[Borne, Borne]:
    """The bornes before and after one borne along the outline."""
    bornes = part.bornes
    return bornes[index - 1], bornes[(index + 1) % len(bornes)]


def _spike_correction(part: Part, index: int) -> Correction | None:
    """A digit swap of this borne that removes the spike: it must also improve the shape."""
    return ordinary_swap(part.bornes, index, compactness_gain=COMPACTNESS_GAIN)


def _finding(
    code: Code, text: str, part: Part, index: int, correction: Correction | None
) -> Diagnostic:
    """The warning, with the probable value when a digit swap explains it."""
    borne = part.bornes[index]
    if correction is not None:
        where = f"la ligne {borne.line}" if borne.line is not None else f"le point {borne.name}"
        text += f" {probable_text(correction)} : vérifiez {where}."
    text += " La demande est acceptée telle quelle."
    return warning(
        code,
        text,
        line=borne.line,
        point=borne.name,
        location=borne.xy,
        ring=part.ring.number,
        bornes=(borne.name,),
        probable=correction.xy if correction is not None else None,
    )
