"""A project on a parcel: procedure, commission, deadlines, compliance and fee.

The rules are in checks/ (pure); here they meet the plan. The plan ADDS facts to what the
petitioner declared (checks.sectors: a mapped médina, a lotissement réceptionné, the land's
use), never removes one; the plan's sectors, the servitudes over the parcel and the roads
along it bring in the administrations of art. 26 (checks.avis); the zone rules and geometries
come from the overlay. A parcel outside every plan is answered, not refused: Annexe 2 §7
makes it a grand projet (a note, art. 6, is still refused there: geoportal.nru.issue).
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import shapely
import shapely.geometry
import yaml
from shapely.geometry import LineString
from sqlalchemy import Connection, text

from checks.avis import (
    DEFAULT_TABLE_PATH,
    AdministrationsTable,
    RoadFact,
    ServitudeFact,
    SiteFacts,
    avis_requis,
    load_table,
    road_category,
)
from checks.calendar import CalendarOverrides, WorkingCalendar
from checks.commission import Commission, commission_members
from checks.compliance import check_compliance
from checks.deadlines import Events, deadlines_for
from checks.fees import (
    DEFAULT_TARIF_PATH,
    FeeFacts,
    FeeQuote,
    Tarif,
    compute_fee,
    fee_input_from_project,
    load_tarif,
)
from checks.procedure import classify
from checks.project import Procedure, Project
from checks.results import Check, Reason
from checks.sectors import PlanFacts, merge_sector_facts, sector_kinds_of
from geoportal.parcels import Located, ParcelRequest, locate
from geoportal.site import plan_site
from zoning.crs import WGS84, transform_geometry
from zoning.intake import ParcelInput
from zoning.overlay import Overlay
from zoning.refusal import Invalid, Problem

#: A road whose right-of-way comes this close to the parcel runs along it (art. 26: the road
#: authority); a few metres absorb the digitising gap between a plan's road and a cadastre.
ADJOINING_ROAD_M = 3.0
ADJOINING_ROADS_SQL = text("""
SELECT ref, min(name) AS name FROM roads
WHERE plan_id = :plan AND ST_DWithin(geom, ST_GeomFromEWKB(:parcel), :distance)
GROUP BY ref ORDER BY ref
""")


#: The part of a footprint outside the envelope drawn only above the check's tolerance
#: (checks.compliance.AREA_TOLERANCE_M2: a 10 cm square is drawing slack).
OUTSIDE_AREA_TOLERANCE_M2 = 0.01


class FrontBornesError(Invalid, ValueError):
    """The bornes named as the street front do not form a side of the parcel."""

    def __init__(self, detail: str) -> None:
        super().__init__("front_bornes", detail, [Problem("front_bornes", detail, "front_bornes")])


def load_calendar(path: Path | None) -> WorkingCalendar:
    """The working-day calendar with the agency's override table (YAML), when there is one.

    Kept per version of the file (its modification time): the agency may edit the table while
    the service runs, and the holidays of each year are computed once, not per request.
    """
    if path is None or not path.exists():
        return _calendar(None, 0)
    return _calendar(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _calendar(path: Path | None, version: int) -> WorkingCalendar:
    if path is None:
        return WorkingCalendar()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return WorkingCalendar(CalendarOverrides.model_validate(data))


def current_tarif(path: Path = DEFAULT_TARIF_PATH) -> Tarif:
    """The agency's tariff file, read again only when it changes."""
    return _tarif(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _tarif(path: Path, version: int) -> Tarif:
    return load_tarif(path)


def current_avis_table(path: Path = DEFAULT_TABLE_PATH) -> AdministrationsTable:
    """The agency's table of art. 26 administrations, read again only when it changes."""
    return _avis_table(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _avis_table(path: Path, version: int) -> AdministrationsTable:
    return load_table(path)


def zoned(overlay: Overlay) -> bool:
    """Whether the plan's zones cover the parcel (to its tolerance): its use is then defined."""
    in_zones = sum(float(zone["area_m2"]) for zone in overlay.zones)
    return overlay.parcel_area_m2 - in_zones <= overlay.tolerance_m2


def plan_facts(overlay: Overlay | None) -> PlanFacts:
    """What the plan says of the parcel for Annexes 2 and 3; None: outside every plan."""
    if overlay is None:
        return PlanFacts(outside_plans=True)
    return PlanFacts(sector_kinds=sector_kinds_of(overlay.sectors), zoned=zoned(overlay))


def site_facts(conn: Connection, overlay: Overlay, geometry: Any, storage_srid: int) -> SiteFacts:
    """Sectors, servitudes and adjoining roads of the parcel, for art. 26."""
    ewkb = shapely.to_wkb(shapely.set_srid(geometry, storage_srid), include_srid=True)
    rows = conn.execute(
        ADJOINING_ROADS_SQL,
        {"plan": overlay.plan_id, "parcel": ewkb, "distance": ADJOINING_ROAD_M},
    )
    roads = [RoadFact(ref=ref, name=name, category=road_category(ref, name)) for ref, name in rows]
    servitudes = [ServitudeFact(kind=s["kind"], label=s.get("label")) for s in overlay.servitudes]
    return SiteFacts(sectors=sector_kinds_of(overlay.sectors), servitudes=servitudes, roads=roads)


def classify_project(
    project: Project,
    calendar: WorkingCalendar,
    *,
    filed_on: dt.date | None = None,
    overlay: Overlay | None = None,
    located: bool = False,
    site: SiteFacts | None = None,
    events: Events | None = None,
) -> dict[str, Any]:
    """Procedure with its reasons, the commission and the deadlines from the filing date.

    located: the parcel was placed (overlay None then means outside every plan).
    """
    outside = located and overlay is None
    facts = merge_sector_facts(project, plan_facts(overlay) if located else None)
    project = facts.project
    result = classify(project, hors_plan=outside)
    filed = filed_on or dt.date.today()
    deadlines = (
        deadlines_for(result.procedure, filed, calendar, events, project.kind)
        if result.procedure is not None
        else []
    )
    commission = _commission(project, result.procedure, result.rgc_applicable, site, overlay)
    return {
        "procedure": result.procedure,
        "rgc_applicable": result.rgc_applicable,
        "reasons": [r.model_dump() for r in result.reasons],
        "missing": result.missing,
        "commission": [m.model_dump() for m in commission.members],
        "commission_reasons": [r.model_dump() for r in commission.reasons],
        "deadlines": {
            "filed_on": filed.isoformat(),
            "steps": [d.model_dump(mode="json") for d in deadlines],
            "provisional": any(d.provisional for d in deadlines),
        },
        "sector_flags": facts.flags,
        "sector_flags_source": facts.source,
        "plan": overlay.plan_name if overlay else None,
        "outside_plans": outside,
    }


def _commission(
    project: Project,
    procedure: Procedure | None,
    applicable: bool,
    site: SiteFacts | None,
    overlay: Overlay | None,
) -> Commission:
    """The commission with the art. 26 administrations; none where the RGC does not apply."""
    if not applicable:
        return Commission(members=[], reasons=[])
    if site is None:
        sectors = sector_kinds_of(overlay.sectors) if overlay is not None else frozenset()
        site = SiteFacts(sectors=sectors)
    avis = avis_requis(project, site, current_avis_table())
    return commission_members(project, procedure, avis)


def classify_on_plan(
    conn: Connection,
    project: Project,
    calendar: WorkingCalendar,
    *,
    storage_srid: int,
    plan: str | None = None,
    filed_on: dt.date | None = None,
    events: Events | None = None,
) -> dict[str, Any]:
    """Classify; with coordinates, the plan under the parcel adds its facts."""
    if project.coordinates is None:
        return classify_project(project, calendar, filed_on=filed_on, events=events)
    request = ParcelRequest(coordinates=project.coordinates, srid=project.srid, plan=plan)
    found = locate(conn, request, storage_srid)
    site = (
        site_facts(conn, found.overlay, found.geometry, storage_srid)
        if found.overlay is not None
        else None
    )
    return classify_project(
        project,
        calendar,
        filed_on=filed_on,
        overlay=found.overlay,
        located=True,
        site=site,
        events=events,
    )


def check_project(
    conn: Connection,
    request: ParcelRequest,
    project: Project,
    calendar: WorkingCalendar,
    *,
    storage_srid: int,
    filed_on: dt.date | None = None,
    front_bornes: list[str] | None = None,
    events: Events | None = None,
) -> dict[str, Any]:
    """Compliance of the project on the parcel, with the procedure and the buildable envelope."""
    found = locate(conn, request, storage_srid, with_site=True)
    parcel, geometry, overlay = found.parcel, found.geometry, found.overlay
    if overlay is None:
        return _check_outside_plans(found, project, calendar, storage_srid, filed_on, events)
    geometries = overlay.site_geometries()
    front_edges = _front_edges(parcel, front_bornes, storage_srid)
    site = plan_site(geometry, geometries, front_edges=front_edges)
    footprint = _footprint(project, parcel.srid, storage_srid)
    result = check_compliance(project, site, footprint=footprint)
    envelope = result.envelope
    procedure = classify_project(
        project,
        calendar,
        filed_on=filed_on,
        overlay=overlay,
        located=True,
        site=site_facts(conn, overlay, geometry, storage_srid),
        events=events,
    )
    return {
        "verdict": result.verdict,
        "checks": [c.model_dump() for c in result.checks],
        "zones": [
            {
                "code": code,
                "area_m2": round(part.area, 2),
                # the affectation and the interdictions apart, for pages that label them
                "affectation": rules.get("affectation"),
                "interdictions": rules.get("interdictions") or [],
            }
            for code, rules, part in geometries.zone_parts
        ],
        "frontage_m": round(result.frontage_m, 2) if result.frontage_m else None,
        "envelope": _geojson(envelope, storage_srid, WGS84),
        **_footprint_layers(footprint, envelope, storage_srid),
        "envelope_lambert": _geojson(envelope, storage_srid, storage_srid),
        "parcel": _geojson(geometry, storage_srid, WGS84),
        "procedure": procedure,
        "plan": overlay.plan_name,
        "srid": storage_srid,
        "warnings": [w.message for w in parcel.warnings],
    }


OUTSIDE_PLANS_CHECK = Check(
    rule="zone",
    ok=None,
    source="RGC Annexe 2 §7",
    note="parcelle hors de tout document d'urbanisme : aucune règle de zone à vérifier",
)


def _check_outside_plans(
    found: Located,
    project: Project,
    calendar: WorkingCalendar,
    storage_srid: int,
    filed_on: dt.date | None,
    events: Events | None,
) -> dict[str, Any]:
    """A parcel outside every plan: no zone to check against, the procedure of Annexe 2 §7."""
    procedure = classify_project(project, calendar, filed_on=filed_on, located=True, events=events)
    return {
        "verdict": "a_verifier",
        "checks": [OUTSIDE_PLANS_CHECK.model_dump()],
        "zones": [],
        "frontage_m": None,
        "envelope": None,
        "envelope_lambert": None,
        "parcel": _geojson(found.geometry, storage_srid, WGS84),
        "procedure": procedure,
        "plan": None,
        "srid": storage_srid,
        "warnings": [w.message for w in found.parcel.warnings],
    }


def quote_fee(project: Project, facts: FeeFacts | None = None) -> dict[str, Any]:
    """The agency's fee for the project, from the tariff file the agency fills."""
    fee = fee_input_from_project(project, facts=facts)
    if fee is None:
        reason = Reason(
            rule="Guide de rémunération §4",
            text="Ce type de projet n'est pas soumis à la rémunération de l'agence urbaine.",
        )
        free = FeeQuote(
            base_m2=None,
            montant_ht=None,
            tva=None,
            montant_ttc=None,
            devise="DH",
            reasons=[reason],
            missing=[],
        )
        return free.model_dump(mode="json")
    quote = compute_fee(fee, current_tarif())
    return quote.model_dump(mode="json")


def exemption_codes() -> list[str]:
    """The §3 exemption codes of the agency's current tariff file."""
    return [exoneration.code for exoneration in current_tarif().exonerations]


def exemption_labels() -> dict[str, str]:
    """Each exemption code of the tariff file with its label and paragraph, for forms."""
    return {e.code: f"{e.label} ({e.ref})" for e in current_tarif().exonerations}


def _front_edges(
    parcel: ParcelInput, bornes: list[str] | None, storage_srid: int
) -> list[Any] | None:
    """The parcel's sides along the street, between consecutive bornes the petitioner names."""
    if not bornes:
        return None
    wanted = set(bornes)
    edges = []
    for ring in _rings(parcel):
        for first, second in zip(ring, [*ring[1:], ring[0]], strict=True):
            if first.name in wanted and second.name in wanted:
                segment = LineString([first.xy, second.xy])
                edges.append(transform_geometry(segment, parcel.srid, storage_srid))
    if not edges:
        raise FrontBornesError(
            f"front_bornes : aucun côté de la parcelle ne joint deux des bornes {sorted(wanted)}"
        )
    return edges


def _rings(parcel: ParcelInput) -> list[list[Any]]:
    rings: dict[int, list[Any]] = {}
    for borne in parcel.bornes:
        rings.setdefault(borne.ring, []).append(borne)
    return list(rings.values())


def _footprint(project: Project, srid: int, storage_srid: int) -> Any:
    """The footprint in the storage SRID (given in the parcel's Lambert SRID)."""
    if project.footprint is None:
        return None
    return transform_geometry(shapely.geometry.shape(project.footprint), srid, storage_srid)


def _footprint_layers(footprint: Any, envelope: Any, storage_srid: int) -> dict[str, Any]:
    """The footprint as entered and its part outside the envelope (WGS 84), for the map."""
    outside = None
    if footprint is not None and envelope is not None:
        outside = footprint.difference(envelope)
        if outside.area <= OUTSIDE_AREA_TOLERANCE_M2:
            outside = None
    return {
        "footprint": _geojson(footprint, storage_srid, WGS84),
        "footprint_outside_envelope": _geojson(outside, storage_srid, WGS84),
    }


def _geojson(geometry: Any, source: int, target: int) -> dict[str, Any] | None:
    if geometry is None or geometry.is_empty:
        return None
    mapped: dict[str, Any] = shapely.geometry.mapping(transform_geometry(geometry, source, target))
    return mapped
