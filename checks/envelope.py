"""The buildable envelope: parcel minus rights-of-way, no-build servitudes and setback bands.

A setback is the larger of a distance and a ratio of the building's height (docs/formats.md §1,
zone_rules.Setback); each zone part carries its own setbacks, measured from the parcel's
front (the alignement of the planned road), side and rear boundaries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from shapely import unary_union
from shapely.geometry.base import BaseGeometry

from checks.site import ParcelEdges, Site, ZonePart, parcel_edges
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

    @cached_property
    def band(self) -> BaseGeometry | None:
        """The strip of land closer than the setback to its boundary (drawn once: the bands'
        areas and the envelope both use it)."""
        if self.reference is None or not self.distance_m:
            return None
        return self.reference.buffer(self.distance_m)


@dataclass(frozen=True)
class Envelope:
    """The buildable geometry, or None with the reasons it cannot be drawn."""

    geometry: BaseGeometry | None
    unknown: tuple[str, ...]


def _setback(part: ZonePart, side: Side) -> Setback | None:
    """The zone's setback rule for one kind of boundary."""
    setback: Setback | None = getattr(part.rules.setbacks, side)
    return setback


def side_references(site: Site, edges: ParcelEdges) -> dict[Side, BaseGeometry | None]:
    """The lines each kind of setback is measured from: the alignement (roads and front) and
    the side and rear edges; None where they cannot be located."""
    pieces = [site.roads_union(), *([edges.front] if edges.front is not None else [])]
    return {
        "road": unary_union(pieces) if site.roads or edges.front is not None else None,
        "side": edges.side,
        "rear": edges.rear,
    }


def required_setbacks(
    site: Site,
    edges: ParcelEdges,
    height_m: float | None,
    references: Mapping[Side, BaseGeometry | None] | None = None,
    *,
    parts: Sequence[ZonePart] | None = None,
) -> list[RequiredSetback]:
    """Every setback the zone parts (all the site's, or `parts`) impose, with the height-ratio
    ones worked out.

    references: side_references(site, edges), when the caller has them already.
    """
    lines = side_references(site, edges) if references is None else references
    required = []
    seen: set[tuple[str, Side]] = set()
    for part in site.parts if parts is None else parts:
        for side in SIDES:
            setback = _setback(part, side)
            if setback is None or not part.rules.constructible or (part.code, side) in seen:
                continue
            seen.add((part.code, side))
            required.append(
                RequiredSetback(part.code, side, setback.required_m(height_m), lines[side])
            )
    return required


def _blocking(requirement: RequiredSetback) -> str | None:
    """Why this setback cannot be drawn, if it cannot."""
    if requirement.distance_m is None:
        return f"{requirement.zone}: recul {requirement.side} proportionnel à la hauteur inconnue"
    if requirement.reference is None and requirement.distance_m > 0:
        return f"{requirement.zone}: limite {requirement.side} non localisée"
    return None


def buildable_envelope(
    site: Site,
    edges: ParcelEdges,
    requirements: list[RequiredSetback],
    *,
    parts: Sequence[ZonePart] | None = None,
) -> Envelope:
    """The envelope: constructible zone parts minus their setback bands, roads and no-build.

    parts: the zone parts to draw it for, all the site's by default (zone_buildable draws one
    envelope per part of the same site, whose unions of roads and servitudes are made once).
    """
    unknown = tuple(reason for r in requirements if (reason := _blocking(r)) is not None)
    if unknown:
        return Envelope(None, unknown)
    pieces = []
    for part in site.parts if parts is None else parts:
        if not part.rules.constructible:
            continue
        bands = [r.band for r in requirements if r.zone == part.code]
        excluded = unary_union([band for band in bands if band is not None])
        # behind the alignement (the net parcel), off the bands, then off the servitudes
        pieces.append(part.geometry.intersection(site.net_parcel()).difference(excluded))
    return Envelope(unary_union(pieces).difference(site.no_build_union()), ())


def site_envelope(
    site: Site, height_m: float | None
) -> tuple[ParcelEdges, list[RequiredSetback], Envelope]:
    """The parcel's edges, the setbacks for this height and the buildable envelope.

    The one entry point for /check (the project's height) and the note (each zone's maximum
    height, zone_buildable): both draw the same bands from the same edges.
    """
    edges = parcel_edges(site)
    requirements = required_setbacks(site, edges, height_m)
    return edges, requirements, buildable_envelope(site, edges, requirements)


@dataclass(frozen=True)
class SetbackBand:
    """One setback band of a zone part: its distance and the parcel's land inside it.

    height_m is the height a height-ratio setback (H/2) was worked out for: the zone's maximum.
    geometry and area_m2 are None when the boundary cannot be located or the height is unknown;
    the area is the net parcel's (off the rights-of-way) inside the zone part and the band.
    """

    zone: str
    side: Side
    distance_m: float | None
    fixed_m: float
    height_ratio: float | None
    height_m: float | None
    geometry: BaseGeometry | None
    area_m2: float | None


@dataclass(frozen=True)
class ZoneBuildable:
    """What a zone part of the parcel leaves to build on, and why.

    envelope_m2: the part minus its setback bands, the rights-of-way and no-build servitudes;
    ces_cap_m2: CES × the part's net land (off the rights-of-way), None when no CES is set;
    footprint_m2: the smaller of the two, None when the envelope cannot be drawn.
    """

    zone: str
    part_m2: float
    alignment_m2: float
    no_build_m2: float
    setbacks_m2: float | None
    bands: tuple[SetbackBand, ...]
    envelope: Envelope
    envelope_m2: float | None
    ces_max: float | None
    ces_cap_m2: float | None
    footprint_m2: float | None
    constructible: bool


def _area(geometry: BaseGeometry) -> float:
    return float(geometry.area)


def _bands(
    part: ZonePart, land: BaseGeometry, requirements: list[RequiredSetback]
) -> tuple[SetbackBand, ...]:
    """The part's bands, each with the land of the part it takes."""
    bands = []
    for requirement in requirements:
        rule = _setback(part, requirement.side)
        assert rule is not None  # required_setbacks lists only the rules the zone sets
        band = requirement.band
        located = requirement.distance_m is not None and (
            requirement.reference is not None or not requirement.distance_m
        )
        taken = land.intersection(band) if band is not None else None
        area = None if not located else (round(_area(taken), 2) if taken is not None else 0.0)
        bands.append(
            SetbackBand(
                zone=part.code,
                side=requirement.side,
                distance_m=requirement.distance_m,
                fixed_m=rule.distance_m,
                height_ratio=rule.height_ratio,
                height_m=part.rules.max_height_m if rule.height_ratio is not None else None,
                geometry=taken,
                area_m2=area,
            )
        )
    return tuple(bands)


def zone_buildable(site: Site) -> list[ZoneBuildable]:
    """Per zone part: the setback bands at the zone's maximum height, the envelope, the CES cap.

    The envelope is buildable_envelope's, the same as /check draws, restricted to one part and
    with a height-ratio setback worked out for the height the zone allows (its largest band).
    """
    edges = parcel_edges(site)
    net = site.net_parcel()
    no_build = site.no_build_union()
    references = side_references(site, edges)  # once for the site, not once per zone part
    results = []
    for part in site.parts:
        in_parcel = part.geometry.intersection(site.parcel)
        land = in_parcel.intersection(net)
        height = part.rules.max_height_m
        requirements = required_setbacks(site, edges, height, references, parts=[part])
        bands = _bands(part, land, requirements)
        envelope = buildable_envelope(site, edges, requirements, parts=[part])
        results.append(_zone_result(part, in_parcel, land, no_build, bands, envelope))
    return results


def _zone_result(
    part: ZonePart,
    in_parcel: BaseGeometry,
    land: BaseGeometry,
    no_build: BaseGeometry,
    bands: tuple[SetbackBand, ...],
    envelope: Envelope,
) -> ZoneBuildable:
    """The figures of one zone part, the footprint capped by the CES."""
    constructible = part.rules.constructible
    ces = part.rules.ces_max
    ces_cap = round(ces * _area(land), 2) if ces is not None and constructible else None
    located = [b.geometry for b in bands if b.geometry is not None]
    setbacks = None if any(b.area_m2 is None for b in bands) else _area(unary_union(located))
    if not constructible:
        envelope_m2: float | None = 0.0
    elif envelope.geometry is None:
        envelope_m2 = None
    else:
        envelope_m2 = round(_area(envelope.geometry), 2)
    footprint = envelope_m2
    if footprint is not None and ces_cap is not None:
        footprint = min(footprint, ces_cap)
    return ZoneBuildable(
        zone=part.code,
        part_m2=round(_area(in_parcel), 2),
        alignment_m2=round(_area(in_parcel) - _area(land), 2),
        no_build_m2=round(_area(land.intersection(no_build)), 2),
        setbacks_m2=None if setbacks is None else round(setbacks, 2),
        bands=bands,
        envelope=envelope if constructible else Envelope(None, ()),
        envelope_m2=envelope_m2,
        ces_max=ces,
        ces_cap_m2=ces_cap,
        footprint_m2=footprint,
        constructible=constructible,
    )
