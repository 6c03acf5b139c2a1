"""A project on a parcel: procedure, commission, deadlines, compliance and fee.

The rules are in checks/ (pure); here they meet the plan: the sector flags of the procedure
come from the plan's sectors (Annexes 2 and 3), the zone rules and geometries from the overlay.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import shapely
import shapely.geometry
import yaml
from shapely.geometry import LineString
from sqlalchemy import Connection

from checks.calendar import CalendarOverrides, WorkingCalendar
from checks.commission import commission_members
from checks.compliance import check_compliance
from checks.deadlines import deadlines_for
from checks.fees import (
    DEFAULT_TARIF_PATH,
    FeeQuote,
    Tarif,
    compute_fee,
    fee_input_from_project,
    load_tarif,
)
from checks.procedure import classify
from checks.project import Project
from checks.results import Reason
from checks.site import Site, ZonePart
from checks.zone_rules import ZoneRules
from geoportal.nru import NruRequest, locate_parcel
from zoning.crs import WGS84, transform_geometry
from zoning.overlay import Overlay
from zoning.parcel_intake import ParcelInput
from zoning.site import site_geometries

TISSU_ANCIEN = {"medina", "ksar", "kasbah"}


class FrontBornesError(ValueError):
    """The bornes named as the street front do not form a side of the parcel."""


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


def sector_flags(kinds: Iterable[str]) -> dict[str, bool]:
    """Annexes 2 and 3 flags from the kinds of the plan's sectors on the parcel (the plan rules)."""
    found = set(kinds)
    return {
        "in_tissu_ancien": bool(found & TISSU_ANCIEN),
        "in_lotissement_receptionne": "lotissement_receptionne" in found,
        "in_lotissement_restructure": "lotissement_restructure" in found,
        "patrimoine": "patrimoine" in found,
        "affectation_definie": "affectation_non_definie" not in found,
    }


def classify_project(
    project: Project,
    calendar: WorkingCalendar,
    *,
    filed_on: dt.date | None = None,
    overlay: Overlay | None = None,
) -> dict[str, Any]:
    """Procedure with its reasons, the commission and the deadlines from the filing date."""
    sectors: dict[str, Any] = {}
    if overlay is not None:
        sectors = sector_flags(s["kind"] for s in overlay.sectors)
        project = project.model_copy(update=sectors)
    result = classify(project)
    filed = filed_on or dt.date.today()
    deadlines = (
        deadlines_for(result.procedure, filed, calendar) if result.procedure is not None else []
    )
    commission = commission_members(project, result.procedure)
    return {
        "procedure": result.procedure,
        "reasons": [r.model_dump() for r in result.reasons],
        "missing": result.missing,
        "commission": [m.model_dump() for m in commission.members],
        "commission_reasons": [r.model_dump() for r in commission.reasons],
        "deadlines": {
            "filed_on": filed.isoformat(),
            "steps": [d.model_dump(mode="json") for d in deadlines],
        },
        "sector_flags": sectors,
        "plan": overlay.plan_name if overlay else None,
    }


def classify_on_plan(
    conn: Connection,
    project: Project,
    calendar: WorkingCalendar,
    *,
    storage_srid: int,
    plan: str | None = None,
    filed_on: dt.date | None = None,
) -> dict[str, Any]:
    """Classify; with coordinates, the sector flags come from the plan under the parcel."""
    overlay = None
    if project.coordinates is not None:
        request = NruRequest(coordinates=project.coordinates, srid=project.srid, plan=plan)
        overlay = locate_parcel(conn, request, storage_srid)[2]
    return classify_project(project, calendar, filed_on=filed_on, overlay=overlay)


def check_project(
    conn: Connection,
    request: NruRequest,
    project: Project,
    calendar: WorkingCalendar,
    *,
    storage_srid: int,
    filed_on: dt.date | None = None,
    front_bornes: list[str] | None = None,
) -> dict[str, Any]:
    """Compliance of the project on the parcel, with the procedure and the buildable envelope."""
    parcel, geometry, overlay = locate_parcel(conn, request, storage_srid)
    found = site_geometries(conn, geometry, overlay.plan_id, storage_srid)
    site = Site(
        parcel=geometry,
        parts=[
            zone_part(code, ZoneRules.model_validate(rules), part)
            for code, rules, part in found.zone_parts
        ],
        roads=[road for _, road in found.roads],
        no_build=[area for _, area in found.no_build],
        front_edges=_front_edges(parcel, front_bornes, storage_srid),
    )
    footprint = _footprint(project, parcel.srid, storage_srid)
    result = check_compliance(project, site, footprint=footprint)
    envelope = result.envelope
    return {
        "verdict": result.verdict,
        "checks": [c.model_dump() for c in result.checks],
        "zones": [
            {"code": code, "area_m2": round(part.area, 2)} for code, _, part in found.zone_parts
        ],
        "frontage_m": round(result.frontage_m, 2) if result.frontage_m else None,
        "envelope": _geojson(envelope, storage_srid, WGS84),
        "envelope_lambert": _geojson(envelope, storage_srid, storage_srid),
        "parcel": _geojson(geometry, storage_srid, WGS84),
        "procedure": classify_project(project, calendar, filed_on=filed_on, overlay=overlay),
        "plan": overlay.plan_name,
        "srid": storage_srid,
        "warnings": [w.message for w in parcel.warnings],
    }


def quote_fee(
    project: Project, *, rural: bool = False, remuneration_initiale_percue: bool | None = None
) -> dict[str, Any]:
    """The agency's fee for the project, from the tariff file the agency fills."""
    fee = fee_input_from_project(
        project, rural=rural, remuneration_initiale_percue=remuneration_initiale_percue
    )
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


def zone_part(code: str, rules: ZoneRules, geometry: Any) -> ZonePart:
    """A zone part with the explicit use lists of its règlement (allowed_uses, forbidden_uses)."""
    allowed = frozenset(rules.allowed_uses) if rules.allowed_uses is not None else None
    return ZonePart(code, rules, geometry, allowed, frozenset(rules.forbidden_uses))


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
        raise FrontBornesError(f"front_bornes: no side of the parcel joins two of {sorted(wanted)}")
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


def _geojson(geometry: Any, source: int, target: int) -> dict[str, Any] | None:
    if geometry is None or geometry.is_empty:
        return None
    mapped: dict[str, Any] = shapely.geometry.mapping(transform_geometry(geometry, source, target))
    return mapped
