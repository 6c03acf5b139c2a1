"""What a note would say, without issuing it: the web form's check before asking.

Coordinates are read, placed and overlaid as for the note itself; a scanned table (an image or
a PDF, issue #17) is read into a grid of bornes to review, answered whatever its diagnostics
say, since nothing is issued from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import shapely.geometry
from sqlalchemy import Connection

from geoportal.nru.issue import NruRequest, build_nru, is_scan_request
from geoportal.parcels import locate_parcel, plan_perimeters, plan_srid
from zoning.crs import WGS84, to_lonlat, transform_geometry
from zoning.intake import ParcelInput
from zoning.intake.scan import MAX_PAGES, MAX_PIXELS, ScanResult, read_scan, review_parcel
from zoning.overlay import Overlay, ParcelOutsidePlans, overlay_parcel


@dataclass(frozen=True)
class ScanLimits:
    """What a scan may be before it is read (settings: GEOPORTAL_SCAN_MAX_PIXELS, _PAGES)."""

    max_pixels: int = MAX_PIXELS
    max_pages: int = MAX_PAGES


DEFAULT_LIMITS = ScanLimits()


def preview_parcel(
    conn: Connection,
    request: NruRequest,
    *,
    storage_srid: int,
    scan_limits: ScanLimits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """What the note would say, without issuing it: the web form's check before asking."""
    if is_scan_request(request):
        return preview_scan(conn, request, storage_srid=storage_srid, limits=scan_limits)
    parcel, geometry, overlay = locate_parcel(conn, request, storage_srid)
    return _preview_fields(parcel, geometry, overlay, request, storage_srid)


def preview_scan(
    conn: Connection, request: NruRequest, *, storage_srid: int, limits: ScanLimits
) -> dict[str, Any]:
    """A scanned table read into a grid to review (issue 17): 200 whatever the diagnostics say,
    with today's fields filled when the points make a parcel inside a plan."""
    assert isinstance(request.coordinates, bytes)
    srid = request.srid or plan_srid(conn, request.plan) or storage_srid
    reading = read_scan(
        request.coordinates,
        filename=request.filename,
        max_pixels=limits.max_pixels,
        max_pages=limits.max_pages,
    )
    result = review_parcel(
        reading,
        srid=srid,
        perimeters=plan_perimeters(conn, storage_srid),
        declared_area=request.declared_area,
    )
    answer = _empty_preview()
    errors = [d.model_dump(mode="json") for d in result.errors]
    if result.parcel is not None:
        geometry = transform_geometry(result.parcel.geometry, srid, storage_srid)
        try:
            overlay = overlay_parcel(conn, geometry, storage_srid, request.plan)
        except ParcelOutsidePlans as exc:
            errors.append({"code": "outside_plans", "severity": "error", "message": str(exc)})
        else:
            answer = _preview_fields(result.parcel, geometry, overlay, request, storage_srid)
    answer.update(_scan_fields(result, errors))
    return answer


def _scan_fields(result: ScanResult, errors: list[dict[str, Any]]) -> dict[str, Any]:
    """What a scan's preview adds to today's fields."""
    reading = result.reading
    return {
        "points": [p.to_json() for p in reading.points],
        "needs_review": result.needs_review or bool(errors),
        "errors": errors,
        "warnings": [d.model_dump(mode="json") for d in result.warnings],
        "scan": {"pages": reading.pages, "source": reading.source, "engine": reading.engine},
    }


def _empty_preview() -> dict[str, Any]:
    """Today's fields of a preview when the points read make no parcel (yet)."""
    return {
        "parcel": None,
        "plan": None,
        "zones": [],
        "servitudes": [],
        "roads": [],
        "reservations": [],
        "sectors": [],
        "outside_plan_m2": None,
        "omitted": [],
        "warnings": [],
    }


def _preview_fields(
    parcel: ParcelInput, geometry: Any, overlay: Overlay, request: NruRequest, storage_srid: int
) -> dict[str, Any]:
    """Today's fields of a preview: the draft note's parcel, plan, zones and constraints."""
    draft = build_nru("", "", dt.datetime.now(dt.UTC), parcel, overlay, request)
    wgs84 = transform_geometry(geometry, storage_srid, WGS84)
    return {
        "parcel": {
            **draft.parcel.model_dump(mode="json"),
            "geometry": shapely.geometry.mapping(wgs84),
            # each borne's id where the map labels it (WGS 84), for the /nru page
            "borne_points": [
                {"id": b.name, "lonlat": to_lonlat(b.x, b.y, parcel.srid)} for b in parcel.bornes
            ],
        },
        "plan": draft.plan.model_dump(mode="json"),
        "zones": [
            {"code": z.code, "label": z.label, "area_m2": z.area_m2, "share": z.share}
            for z in draft.zones
        ],
        "servitudes": [
            s.model_dump(mode="json", exclude={"text", "text_ar"}) for s in draft.servitudes
        ],
        "roads": [r.model_dump(mode="json") for r in draft.roads],
        "reservations": [r.model_dump(mode="json") for r in draft.reservations],
        "sectors": [s.model_dump(mode="json") for s in draft.sectors],
        "outside_plan_m2": draft.outside_plan_m2,
        "omitted": [o.model_dump(mode="json") for o in draft.omitted],
        "warnings": [w.model_dump(mode="json") for w in parcel.warnings],
    }
