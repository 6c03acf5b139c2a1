"""The stored note's PDF (rendered once, then served as stored) and its verification facts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import Connection, text

from geoportal.map_extract import MapExtract, window_around
from geoportal.maps import zone_colours
from geoportal.nru import NruNotFound, as_uuid, keep_pdf, pdf_record
from geoportal.nru_model import Nru
from geoportal.nru_pdf import render_nru_pdf
from geoportal.nru_register import revocation_facts
from geoportal.settings import Settings
from geoportal.signing import agency_signer, read_signature, sign_pdf

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
    petitioner = _petitioner(conn, nru_id)
    pdf = render_nru_pdf(
        nru,
        extract,
        verify_url=f"{settings.public_url}{nru.links['verify']}",
        petitioner=petitioner,
    )
    signer = agency_signer(settings)
    if signer is not None:
        # signed before it is stored: the stored bytes, their SHA-256 on the verification
        # page and every later GET are the signed file
        reason = f"Note de renseignements urbanistiques {nru.number}"
        pdf = sign_pdf(pdf, signer, reason=reason, location=nru.plan.agency)
    return keep_pdf(conn, nru_id, pdf)


def map_extract(conn: Connection, nru: Nru, storage_srid: int) -> MapExtract:
    """The plan around the parcel, from the vectors (and the plan's raster when it has one)."""
    parcel_row = conn.execute(
        text("""SELECT ST_AsBinary(n.parcel), p.id, p.raster_path, p.reglement -> 'legend'
                FROM nrus n LEFT JOIN plans p ON p.name = n.plan_name
                WHERE n.id = CAST(:id AS uuid)"""),
        {"id": nru.id},
    ).one()
    parcel = shapely.from_wkb(bytes(parcel_row[0]))
    bbox = window_around(parcel)
    layers = _clipped_layers(conn, parcel_row[1], bbox, storage_srid)
    colours = zone_colours(
        [{"code": c, "label": lab} for c, lab, _ in layers["zones"]], parcel_row[3] or {}
    )
    raster = Path(parcel_row[2]) if parcel_row[2] and Path(parcel_row[2]).exists() else None
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
    )


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


def _petitioner(conn: Connection, nru_id: str) -> str | None:
    """« Nom, adresse » for the letter's addressee line (PDF only)."""
    data = conn.execute(
        text("SELECT petitioner FROM nrus WHERE id = CAST(:id AS uuid)"), {"id": nru_id}
    ).scalar()
    if not data:
        return None
    return ", ".join(v for v in (data.get("name"), data.get("address")) if v)


def verification(conn: Connection, nru_id: str) -> dict[str, Any]:
    """The verification page's facts: issue data, state, PDF SHA-256 and signature; nothing
    personal. The note's row is read once."""
    row = conn.execute(
        text("""SELECT document, pdf, pdf_sha256, revoked_at, revocation_reason FROM nrus
                WHERE id = CAST(:id AS uuid)"""),
        {"id": as_uuid(nru_id)},
    ).first()
    if row is None:
        raise NruNotFound(nru_id)
    nru = Nru.model_validate(row.document)
    pdf, sha = (bytes(row.pdf) if row.pdf is not None else None), row.pdf_sha256
    return {
        "Numéro": nru.number,
        **revocation_facts(row.revoked_at, row.revocation_reason),
        "Délivrée le": nru.issued_at.strftime("%d/%m/%Y %H:%M UTC"),
        "Valable jusqu'au": nru.valid_until.strftime("%d/%m/%Y") if nru.valid_until else "—",
        "Agence": nru.plan.agency,
        "Document d'urbanisme": f"{nru.plan.name} ({nru.plan.status})",
        "Référence foncière": nru.parcel.land_reference or "Non immatriculé",
        "Superficie du terrain": f"{nru.parcel.area_m2:,.2f} m²".replace(",", " "),
        "Centre du terrain (Lambert)": "X {:.2f}  Y {:.2f}".format(*nru.parcel.centroid),
        "SHA-256 du PDF": sha or "PDF non encore généré",
        **signature_facts(pdf),
        "zones": [
            f"{z.code} — {z.label} ({z.area_m2:,.2f} m²)".replace(",", " ") for z in nru.zones
        ],
    }


def signature_facts(pdf: bytes | None) -> dict[str, str]:
    """The stored PDF's signature as read from the file itself: signer, certificate, time."""
    if pdf is None:
        return {}
    signature = read_signature(pdf)
    if signature is None:
        return {"Signature": "PDF non signé"}
    signed_at = signature.signed_at
    return {
        "Signature": "PAdES (signature électronique du PDF)",
        "Signataire": signature.signer,
        "Certificat (SHA-256)": signature.certificate_sha256,
        "Signé le": signed_at.strftime("%d/%m/%Y %H:%M:%S UTC") if signed_at else "—",
    }
