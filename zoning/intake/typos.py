"""Typing slips in a coordinate: the single edits that may have produced a typed value.

A surveyor's list is typed by hand, and one slip in one figure moves a borne by metres
(two digits swapped at the end) or by hundreds of kilometres (a digit dropped, the decimal
separator one place off). Undoing every single edit of the typed value, and keeping those that
bring the borne back among its neighbours, finds the value it probably should have had.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Polygon

from zoning.intake.model import Borne

# An ordinary corner once a slip is undone: within RIGHT_ANGLE_TOLERANCE_DEG of a right angle,
# or straight (a borne along a side), and no angle under CORRECTED_MIN_ANGLE_DEG in the part.
# The tolerance is tight because undoing the real slip gives back the surveyed corner exactly,
# while squaring a real oblique corner by chance is seldom that exact (measured: 5 real
# outlines in 30 000 found such a swap with 1,5°, 1 in 50 with 5°).
RIGHT_ANGLE_TOLERANCE_DEG = 1.5
STRAIGHT_ANGLE_DEG = 175.0
CORRECTED_MIN_ANGLE_DEG = 45.0
# Only the slip that moves a borne by metres, not kilometres, keeps it inside the plan.
NEARBY_SLIPS = ("transposed",)

# Coordinates are typed to the centimetre, sometimes to the millimetre: edits are made on the
# value written with up to 3 decimals, trailing zeros dropped (358703.10 is « 358703.1 »).
_DECIMALS = 3


# Each kind of slip: its likelihood rank (the likeliest first; it breaks ties between
# corrections) and how a message names it.
SLIPS: dict[str, tuple[int, str]] = {
    "separator": (0, "virgule décimale mal placée"),  # 35870,31 for 358703,1
    "swapped_axes": (0, "X et Y inversés sur cette ligne"),
    "transposed": (1, "deux chiffres voisins inversés"),  # 358617 for 358671
    "doubled": (2, "un chiffre tapé deux fois"),  # 3587703,1 for 358703,1
    "dropped": (2, "un chiffre oublié"),  # 35873,1 for 358703,1
    "extra": (3, "un chiffre en trop"),
    "wrong": (4, "un chiffre erroné"),
}


@dataclass(frozen=True)
class Correction:
    """A borne as it probably was: which coordinate changed, from what, to what, and why."""

    borne: Borne
    axis: str  # "X", "Y", or "XY" for the two exchanged
    typed: float
    value: float
    slip: str  # a key of SLIPS

    @property
    def rank(self) -> int:
        """The slip's likelihood rank (0 the likeliest)."""
        return SLIPS[self.slip][0]

    @property
    def xy(self) -> tuple[float, float]:
        """The borne's corrected position."""
        if self.axis == "XY":
            return (self.borne.y, self.borne.x)
        if self.axis == "X":
            return (self.value, self.borne.y)
        return (self.borne.x, self.value)

    @property
    def explanation(self) -> str:
        """« deux chiffres inversés »."""
        return SLIPS[self.slip][1]


def typed_text(value: float) -> str:
    """The value as it was probably typed: 358703.1, 35870.31, 358617."""
    text = f"{abs(value):.{_DECIMALS}f}".rstrip("0").rstrip(".")
    return ("-" if value < 0 else "") + text


def single_edits(value: float, slips: Sequence[str] | None = None) -> Iterator[tuple[float, str]]:
    """Every value one slip away from `value` (each with its slip), without repeats."""
    text = typed_text(value)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    wanted = set(slips) if slips is not None else set(SLIPS) - {"swapped_axes"}
    seen = {text}
    for edited, slip in _edits(text):
        if slip in wanted and edited not in seen and _readable(edited):
            seen.add(edited)
            yield float(sign + edited), slip


def _edits(text: str) -> Iterator[tuple[str, str]]:
    """The raw single edits of a typed number (digits and at most one point)."""
    yield from _moved_separator(text)
    yield from _transposed(text)
    yield from _removed(text)
    yield from _inserted(text)
    yield from _replaced(text)


def _moved_separator(text: str) -> Iterator[tuple[str, str]]:
    """The same digits with the decimal point elsewhere (or none)."""
    digits = text.replace(".", "")
    for place in range(1, len(digits) + 1):
        yield (digits[:place] + "." + digits[place:]).rstrip("."), "separator"


def _transposed(text: str) -> Iterator[tuple[str, str]]:
    """Two neighbouring digits exchanged."""
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a.isdigit() and b.isdigit() and a != b:
            yield text[:i] + b + a + text[i + 2 :], "transposed"


def _removed(text: str) -> Iterator[tuple[str, str]]:
    """One digit less: doubled when it repeats its neighbour, else extra."""
    for i, char in enumerate(text):
        if char.isdigit():
            doubled = text[i - 1 : i] == char or text[i + 1 : i + 2] == char
            yield text[:i] + text[i + 1 :], "doubled" if doubled else "extra"


def _inserted(text: str) -> Iterator[tuple[str, str]]:
    """One digit more, anywhere."""
    for i in range(len(text) + 1):
        for digit in "0123456789":
            yield text[:i] + digit + text[i:], "dropped"


def _replaced(text: str) -> Iterator[tuple[str, str]]:
    """One digit replaced by another."""
    for i, char in enumerate(text):
        for digit in "0123456789" if char.isdigit() else "":
            if digit != char:
                yield text[:i] + digit + text[i + 1 :], "wrong"


def _readable(text: str) -> bool:
    """A plain number: digits with at most one point, not starting with a needless zero."""
    integer = text.split(".")[0]
    return bool(text) and text[0] != "." and not (len(integer) > 1 and integer[0] == "0")


def corrections(borne: Borne, slips: Sequence[str] | None = None) -> Iterator[Correction]:
    """Every single-slip correction of a borne: its X, its Y, or both exchanged."""
    for axis, typed in (("X", borne.x), ("Y", borne.y)):
        for value, slip in single_edits(typed, slips):
            yield Correction(borne, axis, typed, value, slip)
    if slips is None or "swapped_axes" in slips:
        yield Correction(borne, "XY", borne.x, borne.y, "swapped_axes")


def sharpness(points: Sequence[tuple[float, float]], index: int) -> float:
    """The angle in degrees (0 to 180) between the two sides meeting at a vertex of a ring."""
    count = len(points)
    x, y = points[index]
    (px, py), (nx, ny) = points[index - 1], points[(index + 1) % count]
    ax, ay, bx, by = px - x, py - y, nx - x, ny - y
    norms = math.hypot(ax, ay) * math.hypot(bx, by)
    if norms == 0:
        return 180.0
    cosine = max(-1.0, min(1.0, (ax * bx + ay * by) / norms))
    return math.degrees(math.acos(cosine))


def replaced(
    points: Sequence[tuple[float, float]], index: int, xy: tuple[float, float]
) -> list[tuple[float, float]]:
    """The ring's points with one of them moved."""
    moved = list(points)
    moved[index] = xy
    return moved


def is_simple(points: Sequence[tuple[float, float]]) -> bool:
    """True when the ring's outline neither crosses nor touches itself."""
    polygon: Any = Polygon(points)
    return bool(polygon.is_valid) and polygon.area > 0


def compactness(points: Sequence[tuple[float, float]]) -> float:
    """4πA/P²: 1 for a disc, 0,785 for a square, 0,05 for a strip 60 times longer than wide."""
    polygon: Any = Polygon(points)
    perimeter = float(polygon.length)
    return 4 * math.pi * float(polygon.area) / perimeter**2 if perimeter else 0.0


def ordinary_swap(
    bornes: Sequence[Borne], index: int, *, compactness_gain: float | None = None
) -> Correction | None:
    """A swap of two neighbouring digits of one borne's X or Y that leaves an ordinary outline.

    Ordinary: the borne's angle within RIGHT_ANGLE_TOLERANCE_DEG of 90° or over
    STRAIGHT_ANGLE_DEG, no angle under CORRECTED_MIN_ANGLE_DEG left in the part, an outline that
    does not cross itself and, when `compactness_gain` is given, a compactness that many times
    the typed one (squaring a real oblique corner changes little; removing a spike, much).
    The best: the widest smallest angle.
    """
    points = [b.xy for b in bornes]
    count = len(points)
    floor = compactness(points) * compactness_gain if compactness_gain is not None else 0.0
    best: tuple[float, Correction] | None = None
    for correction in corrections(bornes[index], NEARBY_SLIPS):
        moved = replaced(points, index, correction.xy)
        own = sharpness(moved, index)
        if abs(own - 90) > RIGHT_ANGLE_TOLERANCE_DEG and own < STRAIGHT_ANGLE_DEG:
            continue
        smallest = min(sharpness(moved, i) for i in range(count))
        if smallest < CORRECTED_MIN_ANGLE_DEG or not is_simple(moved):
            continue
        if compactness(moved) < floor:
            continue
        if best is None or smallest > best[0]:
            best = (smallest, correction)
    return best[1] if best else None
