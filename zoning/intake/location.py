"""Where the coordinates fall: SRID domain, plan perimeters, swapped axes, wrong Lambert zone."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import MultiPoint, Polygon

from zoning.crs import MOROCCAN_LAMBERT as LAMBERT_ZONES
from zoning.crs import transformer
from zoning.intake.diagnostics import Code, Diagnostic, error, refuse, xy_text
from zoning.intake.model import PlanPerimeter

# Merchich Lambert zones (EPSG). Nord and Sud share the false origin (500000, 300000), so the
# numbers alone cannot tell them apart: only a perimeter or the declared SRID can.
MOROCCAN_LAMBERT = {srid: zone.name.split(" / ")[-1] for srid, zone in LAMBERT_ZONES.items()}
# EPSG areas of use are drawn to whole hundredths of a degree; communes on a zone's edge may be
# mapped in it, so the domain is widened by this margin before calling a parcel outside.
DOMAIN_MARGIN_M = 10_000.0
_EDGE_POINTS = 32


@lru_cache(maxsize=64)
def epsg_crs(srid: int) -> CRS:
    """The CRS of an EPSG code; an unknown code refuses the request."""
    try:
        return CRS.from_epsg(srid)
    except CRSError:
        refuse(error(Code.UNSUPPORTED_SRID, f"SRID inconnu : EPSG:{srid}."))


def projected_crs(srid: int) -> CRS:
    """The request's CRS, which must be projected: areas are computed in its metres."""
    crs = epsg_crs(srid)
    if not crs.is_projected:
        refuse(error(Code.UNSUPPORTED_SRID, f"EPSG:{srid} n'est pas une projection en mètres."))
    return crs


def zone_name(srid: int) -> str:
    """« EPSG:26191 (Nord Maroc) »."""
    name = MOROCCAN_LAMBERT.get(srid) or epsg_crs(srid).name
    return f"EPSG:{srid} ({name})"


def transform_points(
    points: Sequence[tuple[float, float]], source: CRS, target: CRS
) -> list[tuple[float, float]] | None:
    """Points moved from one CRS to another; None when some land nowhere (out of the math)."""
    if source == target:
        return list(points)
    xs, ys = transformer(source, target).transform([p[0] for p in points], [p[1] for p in points])
    moved = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
    if not all(math.isfinite(x) and math.isfinite(y) for x, y in moved):
        return None
    return moved


@lru_cache(maxsize=16)
def srid_domain(srid: int) -> Any:
    """The EPSG area of use of a projected SRID, in its own metres, widened by the margin."""
    crs = epsg_crs(srid)
    area = crs.area_of_use
    if area is None or not crs.is_projected:
        return None
    west, south, east, north = area.bounds
    edge = [i / _EDGE_POINTS for i in range(_EDGE_POINTS)]
    # The zone's edges are curves once projected: sample them rather than project four corners.
    outline = (
        [(west + (east - west) * t, south) for t in edge]
        + [(east, south + (north - south) * t) for t in edge]
        + [(east - (east - west) * t, north) for t in edge]
        + [(west, north - (north - south) * t) for t in edge]
    )
    projected = transform_points(outline, epsg_crs(4326), crs)
    if projected is None:
        return None
    return Polygon(projected).buffer(DOMAIN_MARGIN_M)


@dataclass(frozen=True)
class Reading:
    """One way of reading the uploaded numbers: in some CRS, possibly with X and Y swapped."""

    points: tuple[tuple[float, float], ...]
    crs: CRS

    def swapped(self) -> Reading:
        """The same numbers with X and Y exchanged."""
        return Reading(tuple((y, x) for x, y in self.points), self.crs)

    def read_as(self, crs: CRS) -> Reading:
        """The same numbers taken in another CRS."""
        return Reading(self.points, crs)

    def hull_in(self, srid: int) -> Any:
        """Convex hull of the points in another SRID; None when they cannot be taken there.

        The hull stands for the parcel here so that location is judged even when the outline
        itself is invalid (crossing sides), and both faults can be reported together.
        """
        moved = transform_points(self.points, self.crs, epsg_crs(srid))
        return MultiPoint(moved).convex_hull if moved else None


def check_location(
    points: Sequence[tuple[float, float]],
    *,
    source_crs: CRS,
    srid: int,
    perimeters: Sequence[PlanPerimeter],
    swap_applied: bool = False,
) -> list[Diagnostic]:
    """Errors when the parcel lies outside its SRID's domain or every plan, and the likely cause."""
    reading = Reading(tuple(points), source_crs)
    if perimeters:
        if plans_hit(reading, perimeters):
            return []
        explained = _swapped_in_plans(reading, perimeters, swap_applied) or _other_zone(
            reading, srid, perimeters
        )
        if explained:
            return explained
    outside_domain = _domain_check(reading, srid, swap_applied)
    if outside_domain:
        return outside_domain
    return [_outside_plans(reading, perimeters)] if perimeters else []


def plans_hit(reading: Reading, perimeters: Sequence[PlanPerimeter]) -> list[str]:
    """Names of the plans the reading falls in (any overlap counts)."""
    hulls: dict[int, Any] = {}
    names = []
    for plan in perimeters:
        if plan.srid not in hulls:
            hulls[plan.srid] = reading.hull_in(plan.srid)
        hull = hulls[plan.srid]
        if hull is not None and hull.intersects(plan.geometry):
            names.append(plan.name)
    return names


def _first_point(reading: Reading) -> tuple[float, float]:
    """The first point as uploaded, where a surveyor starts checking."""
    return reading.points[0]


def _plans_text(names: Sequence[str]) -> str:
    """« le plan « PA Rabat » » or « les plans « A », « B » »."""
    quoted = ", ".join(f"« {n} »" for n in names)
    return f"le plan {quoted}" if len(names) == 1 else f"les plans {quoted}"


def _swapped_in_plans(
    reading: Reading, perimeters: Sequence[PlanPerimeter], swap_applied: bool
) -> list[Diagnostic]:
    """The reading fits no plan but its swap does."""
    names = plans_hit(reading.swapped(), perimeters)
    return [_swapped_error(reading, _plans_text(names), swap_applied)] if names else []


def _swapped_error(reading: Reading, where: str, swap_applied: bool) -> Diagnostic:
    """Say plainly that X and Y look exchanged, and how to proceed."""
    x, y = _first_point(reading)
    if swap_applied:
        message = (
            "X et Y semblent inversés à tort : swap_axes a été demandé, mais ce sont les "
            f"coordonnées telles que saisies qui tombent dans {where}. "
            "Renvoyez la demande sans swap_axes."
        )
    else:
        message = (
            f"X et Y semblent inversés : lue telle quelle, la parcelle (premier point "
            f"{xy_text(x, y)}) ne tombe pas dans {where}, mais avec X et Y échangés "
            f"({xy_text(y, x)}) elle y tombe. "
            "Vérifiez l'ordre des colonnes (X, l'abscisse, d'abord), ou acceptez la lecture "
            "inversée : bouton « Inverser X et Y » du formulaire, ou swap_axes=true dans la "
            "demande."
        )
    return error(Code.AXES_SWAPPED, message, location=(x, y))


def _candidate_zones(reading: Reading, srid: int, perimeters: Sequence[PlanPerimeter]) -> list[int]:
    """Other projected SRIDs the numbers might have been given in: Moroccan zones, plans' SRIDs."""
    if not reading.crs.is_projected:
        return []
    own = {srid, reading.crs.to_epsg()}
    candidates = [*MOROCCAN_LAMBERT, *(p.srid for p in perimeters)]
    unique = list(dict.fromkeys(candidates))
    return [z for z in unique if z not in own and epsg_crs(z).is_projected]


def _other_zone(
    reading: Reading, srid: int, perimeters: Sequence[PlanPerimeter]
) -> list[Diagnostic]:
    """The numbers fit a plan only when read in another Lambert zone."""
    diagnostics = []
    for zone in _candidate_zones(reading, srid, perimeters):
        names = plans_hit(reading.read_as(epsg_crs(zone)), perimeters)
        if names:
            diagnostics.append(_other_zone_error(reading, srid, zone, names))
    return diagnostics


def _other_zone_error(reading: Reading, srid: int, zone: int, names: Sequence[str]) -> Diagnostic:
    """Name the zone in which the coordinates fit a plan."""
    source = reading.crs.to_epsg() or srid
    return error(
        Code.OTHER_ZONE,
        f"Lues en {zone_name(source)}, ces coordonnées ne tombent dans aucun plan ; lues en "
        f"{zone_name(zone)}, elles tombent dans {_plans_text(names)}. Vérifiez la zone "
        f"Lambert : la demande devrait sans doute indiquer le SRID {zone}.",
        location=_first_point(reading),
    )


def _domain_check(reading: Reading, srid: int, swap_applied: bool) -> list[Diagnostic]:
    """Outside the SRID's area of use: swapped axes when the swap fits, else plainly outside."""
    domain = srid_domain(srid)
    if domain is None or _inside(domain, reading.hull_in(srid)):
        return []
    if _inside(domain, reading.swapped().hull_in(srid)):
        where = f"la zone de validité de {zone_name(srid)}"
        return [_swapped_error(reading, where, swap_applied)]
    return [_outside_domain_error(reading, srid)]


def _inside(domain: Any, hull: Any) -> bool:
    """True when the hull exists and touches the domain (a parcel straddling its edge counts)."""
    return hull is not None and bool(domain.intersects(hull))


def _outside_domain_error(reading: Reading, srid: int) -> Diagnostic:
    """Coordinates outside the SRID's area of use, with the zones they would fit, if any."""
    fits = [
        zone
        for zone in _candidate_zones(reading, srid, ())
        if _inside(srid_domain(zone), reading.read_as(epsg_crs(zone)).hull_in(zone))
    ]
    hint = ""
    if fits:
        hint = " Elles conviendraient en " + " ou ".join(zone_name(z) for z in fits) + "."
    elif _look_like_degrees(reading):
        hint = (
            " Ces nombres ressemblent à des degrés (longitude, latitude), pas à des mètres "
            "Lambert : donnez les coordonnées Lambert, ou envoyez un fichier GeoJSON en WGS 84."
        )
    elif _cannot_be_degrees(reading):
        hint = (
            " Le fichier les déclare en degrés (WGS 84), ce qu'elles ne peuvent pas être : "
            "déclarez leur SRID Lambert, ou retirez le membre « crs »."
        )
    x, y = _first_point(reading)
    return error(
        Code.OUTSIDE_SRID_AREA,
        f"Les coordonnées ({xy_text(x, y)} pour le premier point) sont hors de la zone de "
        f"validité de {zone_name(srid)}.{hint}",
        location=(x, y),
    )


def _look_like_degrees(reading: Reading) -> bool:
    """Numbers read as metres that all fit longitude and latitude: a GPS or web map export."""
    return reading.crs.is_projected and all(
        abs(x) <= 180 and abs(y) <= 90 for x, y in reading.points
    )


def _cannot_be_degrees(reading: Reading) -> bool:
    """Numbers declared in degrees that are out of any longitude or latitude (metres, surely)."""
    return not reading.crs.is_projected and any(
        abs(x) > 180 or abs(y) > 90 for x, y in reading.points
    )


def _outside_plans(reading: Reading, perimeters: Sequence[PlanPerimeter]) -> Diagnostic:
    """The parcel falls in none of the plans offered, in any reading tried."""
    names = [p.name for p in perimeters]
    listed = ", ".join(f"« {n} »" for n in names[:5]) + (" …" if len(names) > 5 else "")
    x, y = _first_point(reading)
    return error(
        Code.OUTSIDE_PLANS,
        f"La parcelle ({xy_text(x, y)} pour le premier point) ne tombe dans aucun plan "
        f"d'aménagement couvert ({listed}), ni avec X et Y échangés, ni dans une autre zone "
        "Lambert.",
        location=(x, y),
    )
