"""One ring checked on its own: closing point, duplicates, enough points, no self-crossing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import LineString, MultiPoint, Polygon

from zoning.intake.aberrant import MAX_SEARCHED_POINTS, aberrant_bornes, probable_text
from zoning.intake.diagnostics import Code, Diagnostic, error, fr, has_errors, warning, xy_text
from zoning.intake.model import Borne
from zoning.intake.typos import ordinary_swap

# Coordinates are typed to the centimetre: two points closer than a millimetre are one point.
SAME_POINT_M = 0.001
# A closing borne typed again with its own rounding may land a few centimetres off the first.
CLOSING_TOLERANCE_M = 0.05
# Below this a ring has no surface worth a note (aligned points typed by mistake).
MIN_RING_AREA_M2 = 0.01


@dataclass(frozen=True)
class CleanRing:
    """A ring ready to be assembled: number, kept bornes (not closed), name for messages."""

    number: int
    bornes: tuple[Borne, ...]
    label: str

    @property
    def polygon(self) -> Any:
        """The ring as a shapely Polygon without holes."""
        return Polygon([b.xy for b in self.bornes])


def ring_label(bornes: Sequence[Borne], number: int, count: int) -> str:
    """« la parcelle » for a single ring, else « la partie n° 2 de la parcelle (ligne 8) ».

    Users read « partie » (a part of their property, or a hole in it), never « anneau ».
    """
    if count == 1:
        return "la parcelle"
    first_line = bornes[0].line if bornes else None
    where = f" (ligne {first_line})" if first_line is not None else ""
    return f"la partie n° {number} de la parcelle{where}"


def clean_ring(
    bornes: Sequence[Borne],
    *,
    number: int,
    label: str,
    typed: bool = True,
    blank_lines: Sequence[int] = (),
) -> tuple[CleanRing, list[Diagnostic]]:
    """Drop repeated points, check the count, a stray borne and the outline; return the ring and
    its findings.

    typed: the coordinates are the numbers as typed (a slip in their digits can be undone);
    blank_lines: the blank lines that set this part apart from the rest of the list.
    """
    kept, diagnostics = drop_consecutive_duplicates(bornes)
    kept, closing = drop_closing_point(kept)
    diagnostics.extend(closing)
    ring = CleanRing(number, tuple(kept), label)
    if has_errors(closing):
        return ring, diagnostics
    if len(kept) < 3:
        diagnostics.append(_too_few(ring, blank_lines))
        return ring, diagnostics
    stray = aberrant_bornes(kept, typed=typed)
    if stray:
        # The crossings a stray borne makes would only hide it: name the borne alone.
        diagnostics.extend(stray)
        return ring, diagnostics
    diagnostics.extend(outline_errors(ring, typed=typed))
    return ring, diagnostics


def same_point(a: Borne, b: Borne, tolerance: float = SAME_POINT_M) -> bool:
    """True when two bornes are at the same place, within the tolerance."""
    return math.dist(a.xy, b.xy) <= tolerance


def drop_consecutive_duplicates(bornes: Sequence[Borne]) -> tuple[list[Borne], list[Diagnostic]]:
    """Remove a borne typed twice in a row, with a warning naming both."""
    kept: list[Borne] = []
    diagnostics: list[Diagnostic] = []
    for borne in bornes:
        if kept and same_point(kept[-1], borne):
            diagnostics.append(_duplicate_warning(kept[-1], borne))
        else:
            kept.append(borne)
    return kept, diagnostics


def _duplicate_warning(first: Borne, second: Borne) -> Diagnostic:
    """Two consecutive bornes at the same place."""
    return warning(
        Code.DUPLICATE_POINT,
        f"{_capitalized(first.label)} et {second.label} ont les mêmes coordonnées "
        f"({xy_text(*second.xy)}) : {second.name} est ignorée.",
        line=second.line,
        point=second.name,
        location=second.xy,
        ring=second.ring,
        bornes=(first.name, second.name),
    )


def drop_closing_point(bornes: Sequence[Borne]) -> tuple[list[Borne], list[Diagnostic]]:
    """Drop the last borne when it repeats the first; both closed and open lists are accepted."""
    kept = list(bornes)
    if len(kept) < 2:
        return kept, []
    first, last = kept[0], kept[-1]
    if same_point(first, last):
        return kept[:-1], []
    if first.id is None or last.id != first.id:
        return kept, []
    gap = math.dist(first.xy, last.xy)
    if gap <= CLOSING_TOLERANCE_M:
        return kept[:-1], [_closing_warning(first, last, gap)]
    return kept, [_closing_error(first, last, gap)]


def _closing_warning(first: Borne, last: Borne, gap: float) -> Diagnostic:
    """The closing borne repeats the first one a few centimetres off: the first one is kept."""
    return warning(
        Code.CLOSING_POINT_ADJUSTED,
        f"{_capitalized(last.label)} ferme le contour à {fr(gap * 100, 1)} cm de {first.label} ; "
        f"les coordonnées de la première sont retenues.",
        line=last.line,
        point=last.name,
        location=last.xy,
        ring=last.ring,
        bornes=(first.name, last.name),
    )


def _closing_error(first: Borne, last: Borne, gap: float) -> Diagnostic:
    """The same borne name with two different positions: one of them is mistyped."""
    return error(
        Code.CLOSING_POINT_MISMATCH,
        f"{_capitalized(last.label)} répète {first.label} pour fermer le contour, mais à "
        f"{fr(gap)} m ({xy_text(*first.xy)} puis {xy_text(*last.xy)}) : l'une des deux est "
        "erronée.",
        line=last.line,
        point=last.name,
        location=last.xy,
        ring=last.ring,
        bornes=(first.name, last.name),
    )


def _too_few(ring: CleanRing, blank_lines: Sequence[int] = ()) -> Diagnostic:
    """A part needs three distinct points; a blank line may have cut it off by mistake."""
    names = ", ".join(b.name for b in ring.bornes) or "aucun"
    count = len(ring.bornes)
    first = ring.bornes[0] if ring.bornes else None
    return error(
        Code.TOO_FEW_POINTS,
        f"{_capitalized(ring.label)} n'a que {count} point(s) distinct(s) ({names}) ; "
        f"il en faut au moins 3.{_blank_line_hint(blank_lines)}",
        line=first.line if first else None,
        ring=ring.number,
        bornes=tuple(b.name for b in ring.bornes),
    )


def _blank_line_hint(blank_lines: Sequence[int]) -> str:
    """Suggest removing the blank line that made a part of its own (one a line starts a part)."""
    if not blank_lines:
        return ""
    if len(blank_lines) == 1:
        which = f"La ligne vide {blank_lines[0]} la sépare"
        remove = "supprimez-la"
    else:
        which = f"Les lignes vides {_joined(blank_lines)} la séparent"
        remove = "supprimez-les"
    return (
        f" {which} du reste de la liste (une ligne vide commence une autre partie de la "
        f"parcelle) : si ces points font partie du même contour, {remove}."
    )


def _joined(numbers: Sequence[int]) -> str:
    """« 5, 6 et 9 »."""
    texts = [str(n) for n in numbers]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " et " + texts[-1]


def _capitalized(text: str) -> str:
    """First letter upper-cased, the rest untouched."""
    return text[:1].upper() + text[1:]


def outline_errors(ring: CleanRing, *, typed: bool = True) -> list[Diagnostic]:
    """Flat outline, a point visited twice, sides crossing each other (with the borne whose
    digit swap would undo the crossing, when one does)."""
    # The hull, not the ring's own area: a figure-of-eight's two lobes cancel out to zero.
    if MultiPoint([b.xy for b in ring.bornes]).convex_hull.area < MIN_RING_AREA_M2:
        return [_degenerate(ring)]
    repeated = repeated_points(ring)
    skip = [d.location for d in repeated if d.location is not None]
    crossed = crossings(ring, skip)
    if crossed and typed and len(ring.bornes) <= MAX_SEARCHED_POINTS:
        crossed = _explained(ring, crossed)
    return [*repeated, *crossed]


def _explained(ring: CleanRing, crossed: list[Diagnostic]) -> list[Diagnostic]:
    """Name, in the first crossing, the borne whose two swapped digits make the crossing."""
    names = list(dict.fromkeys(name for d in crossed for name in d.bornes))
    index_of = {b.name: i for i, b in enumerate(ring.bornes)}
    for name in names:
        correction = ordinary_swap(ring.bornes, index_of[name])
        if correction is None:
            continue
        borne = correction.borne
        where = f"la ligne {borne.line}" if borne.line is not None else f"le point {borne.name}"
        first = crossed[0]
        message = (
            f"{first.message} Ce croisement vient sans doute d'une faute de frappe "
            f"{borne.at_label} : {probable_text(correction)} ; corrigez {where}."
        )
        update: dict[str, object] = {
            "message": message,
            "point": borne.name,
            "probable": correction.xy,
            "line": borne.line,
        }
        return [first.model_copy(update=update), *crossed[1:]]
    return crossed


def _degenerate(ring: CleanRing) -> Diagnostic:
    """All points on one line."""
    first = ring.bornes[0]
    return error(
        Code.DEGENERATE_RING,
        f"Les points de {ring.label} sont alignés : la surface est nulle.",
        line=first.line,
        ring=ring.number,
        bornes=tuple(b.name for b in ring.bornes),
    )


def repeated_points(ring: CleanRing) -> list[Diagnostic]:
    """Non-consecutive bornes at the same place: the outline passes twice through one point."""
    seen: dict[tuple[float, float], Borne] = {}
    diagnostics = []
    for borne in ring.bornes:
        key = (round(borne.x, 3), round(borne.y, 3))
        if key in seen:
            diagnostics.append(_repeated(seen[key], borne, ring))
        else:
            seen[key] = borne
    return diagnostics


def _repeated(first: Borne, second: Borne, ring: CleanRing) -> Diagnostic:
    """A point visited twice by the outline."""
    return error(
        Code.REPEATED_POINT,
        f"{_capitalized(first.label)} et {second.label} ont les mêmes coordonnées "
        f"({xy_text(*second.xy)}) : le contour de {ring.label} passe deux fois par ce point.",
        line=second.line,
        point=second.name,
        location=second.xy,
        ring=ring.number,
        bornes=(first.name, second.name),
    )


def crossings(ring: CleanRing, skip: Sequence[tuple[float, float]] = ()) -> list[Diagnostic]:
    """Every pair of sides that cross or overlap, located, with the bornes that bound them."""
    bornes = ring.bornes
    count = len(bornes)
    sides = [LineString([bornes[i].xy, bornes[(i + 1) % count].xy]) for i in range(count)]
    left, right = shapely.STRtree(sides).query(sides, predicate="intersects")
    diagnostics = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        shared = sides[i].intersection(sides[j])
        adjacent = j == i + 1 or (i == 0 and j == count - 1)
        # Neighbouring sides always meet at their common borne; only an overlap is a fault.
        if adjacent and shared.length == 0:
            continue
        where = _first_xy(shared)
        if any(math.dist(where, p) <= SAME_POINT_M for p in skip):
            continue
        diagnostics.append(_crossing(ring, i, j, shared, where))
    return diagnostics


def _first_xy(geometry: Any) -> tuple[float, float]:
    """A point of the intersection: the crossing point, or the start of an overlap."""
    x, y = shapely.get_coordinates(geometry)[0]
    return (float(x), float(y))


def _side(ring: CleanRing, index: int) -> tuple[Borne, Borne]:
    """The two bornes bounding side `index` (the last side closes back to the first borne)."""
    return ring.bornes[index], ring.bornes[(index + 1) % len(ring.bornes)]


def _side_text(start: Borne, end: Borne) -> str:
    """« B2–B3 (lignes 3–4) »."""
    lines = f" (lignes {start.line}–{end.line})" if start.line and end.line else ""
    return f"{start.name}–{end.name}{lines}"


def _crossing(
    ring: CleanRing, i: int, j: int, shared: Any, where: tuple[float, float]
) -> Diagnostic:
    """Two sides that cross (a point) or run over each other (a segment)."""
    a, b = _side(ring, i)
    c, d = _side(ring, j)
    verb = "se croisent en" if shared.geom_type == "Point" else "se superposent à partir de"
    return error(
        Code.SELF_INTERSECTION,
        f"Le contour de {ring.label} se recoupe : les côtés {_side_text(a, b)} et "
        f"{_side_text(c, d)} {verb} {xy_text(*where)}.",
        location=where,
        ring=ring.number,
        bornes=(a.name, b.name, c.name, d.name),
    )
