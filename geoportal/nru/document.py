"""The stored note's PDF: rendered once with its map extract, signed, then served as stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import Connection, text

from checks.envelope import ZoneBuildable
from geoportal.maps import zone_colours
from geoportal.nru.map_extract import MapExtract, window_around
from geoportal.nru.model import Nru
from geoportal.nru.pdf import render_nru_pdf
from geoportal.nru.setbacks import parcel_buildable
from geoportal.nru.signing import agency_signer, sign_pdf
from geoportal.nru.store import extract_row, keep_pdf, pdf_record, petitioner
from geoportal.settings import Settings
from zoning.overlay import ParcelOutsidePlans, overlay_parcel

#: the layers drawn on the extract and their columns (fixed names: no user text in the SQL);
#: each is clipped to the window in PostGIS.
EXTRACT_SQL = {
    "zones": "code, label",
    "servitudes": "kind, label",
    "roads": "ref, width_m",
    "reservations": "code, label",
}
_BOX = "ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, :srid)"
_GEOM = f"ST_AsBinary(ST_ClipByBox2D(geom, {_BOX}))"


def nru_pdf(conn: Connection, nru: Nru, settings: Settings) -> bytes:
    """The note's PDF: the stored bytes, or rendered now and stored for every later request."""
    nru_id = nru.id
    stored, _ = pdf_record(conn, nru_id)
    if stored is not None:
        return stored
    extract = map_extract(conn, nru, settings.storage_srid)
    addressee = _addressee(conn, nru_id)
    pdf = render_nru_pdf(
        nru,
        extract,
        verify_url=f"{settings.public_url}{nru.links['verify']}",
        petitioner=addressee,
        languages=settings.languages(),
    )
    signer = agency_signer(settings)
    if signer is not None:
        # signed before it is stored: the stored bytes, their SHA-256 on the verification
        # page and every later GET are the signed file
        reason = f"Note de renseignements urbanistiques {nru.number}"
        pdf = sign_pdf(pdf, signer, reason=reason, location=nru.plan.agency)
    return keep_pdf(conn, nru_id, pdf)


def _buildable(conn: Connection, parcel: Any, plan: str, storage_srid: int) -> list[ZoneBuildable]:
    """The bands and envelopes to draw, from the note's plan (none if it no longer holds it)."""
    try:
        overlay = overlay_parcel(conn, parcel, storage_srid, plan, with_site=True)
    except ParcelOutsidePlans:
        return []
    return parcel_buildable(parcel, overlay)


def map_extract(conn: Connection, nru: Nru, storage_srid: int) -> MapExtract:
    """The plan around the parcel, from the vectors (and the plan's raster when it has one)."""
    row = extract_row(conn, nru.id)
    parcel = shapely.from_wkb(row.parcel_wkb)
    bbox = context_window(conn, row.plan_id, parcel, storage_srid)
    layers = _clipped_layers(conn, row.plan_id, bbox, storage_srid)
    buildable = _buildable(conn, parcel, nru.plan.name, storage_srid) if row.plan_id else []
    colours = zone_colours(
        [{"code": c, "label": lab} for c, lab, _ in layers["zones"]], row.legend or {}
    )
    raster = Path(row.raster_path) if row.raster_path and Path(row.raster_path).exists() else None
    return MapExtract(
        bbox=bbox,
        srid=storage_srid,
        parcel=parcel,
        bornes=[(b.id, b.x, b.y) for b in nru.parcel.bornes]
        if nru.parcel.srid == storage_srid
        else [],
        zones=[(code, label, colours[code], geom) for code, label, geom in layers["zones"]],
        servitudes=layers["servitudes"],
        roads=layers["roads"],
        reservations=layers["reservations"],
        raster=raster,
        setback_bands=[
            (b.zone, b.side, b.geometry)
            for zone in buildable
            for b in zone.bands
            if b.geometry is not None and not b.geometry.is_empty
        ],
        buildable=[
            (zone.zone, zone.envelope.geometry)
            for zone in buildable
            if zone.envelope.geometry is not None and not zone.envelope.geometry.is_empty
        ],
    )


#: A window is widened, one round scale at a time up to this ground width (1/5000 on the
#: 150 mm frame), until it shows a road or a zone boundary: a parcel deep in one zone is
#: otherwise a flat colour with nothing to place it by (issue #14).
CONTEXT_MAX_SIDE_M = 750.0
CONTEXT_SQL = text(f"""
SELECT EXISTS (SELECT 1 FROM roads WHERE plan_id = :pid AND geom && {_BOX}
               AND ST_Intersects(geom, {_BOX}))
    OR EXISTS (SELECT 1 FROM zones WHERE plan_id = :pid AND geom && {_BOX}
               AND ST_Intersects(ST_Boundary(geom), {_BOX}))
""")


def context_window(
    conn: Connection, plan_id: int | None, parcel: Any, srid: int
) -> tuple[float, float, float, float]:
    """The window around the parcel, widened until a road or a zone boundary shows in it."""
    bbox = window_around(parcel)
    if plan_id is None:
        return bbox
    while bbox[2] - bbox[0] < CONTEXT_MAX_SIDE_M:
        params = dict(zip(("minx", "miny", "maxx", "maxy"), bbox, strict=True))
        if conn.execute(CONTEXT_SQL, {**params, "srid": srid, "pid": plan_id}).scalar():
            break
        bbox = window_around(parcel, min_size_m=(bbox[2] - bbox[0]) * 1.01)
    return bbox


def _clipped_layers(
    conn: Connection, plan_id: int | None, bbox: tuple[float, float, float, float], srid: int
) -> dict[str, list[tuple[Any, Any, Any]]]:
    """Each layer's features inside the window, clipped to it in PostGIS."""
    params = {**dict(zip(("minx", "miny", "maxx", "maxy"), bbox, strict=True)), "srid": srid}
    layers: dict[str, list[tuple[Any, Any, Any]]] = {name: [] for name in EXTRACT_SQL}
    if plan_id is None:  # the plan was deleted since the note was issued
        return layers
    for layer, columns in EXTRACT_SQL.items():
        sql = f"SELECT {columns}, {_GEOM} FROM {layer} WHERE plan_id = :pid AND geom && {_BOX}"
        rows = conn.execute(text(sql), {**params, "pid": plan_id})
        layers[layer] = [(a, b, shapely.from_wkb(bytes(wkb))) for a, b, wkb in rows]
    return layers


def _addressee(conn: Connection, nru_id: str) -> str | None:
    """« Nom, adresse » for the letter's addressee line (PDF only)."""
    data = petitioner(conn, nru_id)
    if not data:
        return None
    return ", ".join(v for v in (data.get("name"), data.get("address")) if v)
