"""The buildable envelope: parcel minus rights-of-way, no-build servitudes and setback bands.

A setback is the larger of a distance and a ratio of the building's height (docs/formats.md §1,
zone_rules.Setback); each zone part carries its own setbacks, measured from the parcel's
front (the alignement of the planned road), side and rear boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shapely import unary_union
from shapely.geometry.base import BaseGeometry

from checks.site import ParcelEdges, Site, ZonePart
from checks.zone_rules import Setback

Side = Literal["road", "side", "rear"]
SIDES: tuple[Side, ...] = ("road", "side", "rear")


@dataclass(frozen=True)
class RequiredSetback:
    """The setback a zone part requires from one kind of boundary, and from which lines.

    distance_m is None when the height it depends on is unknown; reference is None when the
    boundary cannot be located (no road nor front edge given).
    """

    zone: str
    side: Side
    distance_m: float | None
    reference: BaseGeometry | None


@dataclass(frozen=True)
class Envelope:
    """The buildable geometry, or None with the reasons it cannot be drawn."""

    geometry: BaseGeometry | None
    unknown: tuple[str, ...]


def _setback(part: ZonePart, side: Side) -> Setback | None:
    """The zone's setback rule for one kind of boundary."""
    setback: Setback | None = getattr(part.rules.setbacks, side)
    return setback


def _reference(site: Site, edges: ParcelEdges, side: Side) -> BaseGeometry | None:
    """The lines a setback is measured from: alignement (roads, front) or side/rear edges."""
    if side == "road":
        pieces = [*site.roads, *([edges.front] if edges.front is not None else [])]
        return unary_union(pieces) if pieces else None
    return edges.side if side == "side" else edges.rear


def required_setbacks(
    site: Site, edges: ParcelEdges, height_m: float | None
) -> list[RequiredSetback]:
    """Every setback the zone parts impose, with the height-ratio ones worked out."""
    required = []
    seen: set[tuple[str, Side]] = set()
    for part in site.parts:
        for side in SIDES:
            setback = _setback(part, side)
            if setback is None or not part.rules.constructible or (part.code, side) in seen:
                continue
            seen.add((part.code, side))
            reference = _reference(site, edges, side)
            required.append(
                RequiredSetback(part.code, side, setback.required_m(height_m), reference)
            )
    return required


def _blocking(requirement: RequiredSetback) -> str | None:
    """Why this setback cannot be drawn, if it cannot."""
    if requirement.distance_m is None:
        return f"{requirement.zone}: recul {requirement.side} proportionnel à la hauteur inconnue"
    if requirement.reference is None and requirement.distance_m > 0:
        return f"{requirement.zone}: limite {requirement.side} non localisée"
    return None


def _band(requirement: RequiredSetback) -> BaseGeometry | None:
    """The strip of land closer than the setback to its boundary."""
    if requirement.reference is None or not requirement.distance_m:
        return None
    return requirement.reference.buffer(requirement.distance_m)


def buildable_envelope(
    site: Site, edges: ParcelEdges, requirements: list[RequiredSetback]
) -> Envelope:
    """The envelope: constructible zone parts minus their setback bands, roads and no-build."""
    unknown = tuple(reason for r in requirements if (reason := _blocking(r)) is not None)
    if unknown:
        return Envelope(None, unknown)
    pieces = []
    for part in site.parts:
        if not part.rules.constructible:
            continue
        bands = [_band(r) for r in requirements if r.zone == part.code]
        excluded = unary_union([band for band in bands if band is not None])
        pieces.append(part.geometry.intersection(site.parcel).difference(excluded))
    removed = unary_union([*site.roads, *site.no_build])
    return Envelope(unary_union(pieces).difference(removed), ())
