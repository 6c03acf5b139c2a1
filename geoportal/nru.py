"""Issuing notes de renseignements urbanistiques (RGC art. 6-9, Annexe 1).

The agency has two working days (art. 7); we answer within the request: coordinates read and
checked (zoning.parcel_intake), one overlay query in PostGIS (zoning.overlay), a number taken
under a row lock, the note stored. The PDF is rendered from the stored note the first time it
is asked for and kept: every later GET returns the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
import shapely.geometry
from sqlalchemy import Connection, text

from geoportal.accounts import PUBLIC, AccountRequired, Principal, profile
from geoportal.nru_model import (
    Borne,
    Nru,
    OtherPlan,
    ParcelInfo,
    PlanRef,
    ReservationShare,
    RoadAlignment,
    SectorHit,
    ServitudeShare,
    ZoneShare,
)
from geoportal.nru_text import letter_paragraphs
from zoning.audit import record_act
from zoning.crs import WGS84, transform_geometry
from zoning.intake.scan import MAX_PAGES, MAX_PIXELS, ScanResult, is_scan, read_scan, review_parcel
from zoning.overlay import Overlay, ParcelOutsidePlans, overlay_parcel
from zoning.parcel_intake import ParcelInput, PlanPerimeter, read_coordinates

#: Annexe 1 / loi 12-90 art. 27: a plan under approval is cited for twelve months.
EN_COURS_MONTHS = 12


class OwnershipRequired(PermissionError):
    """Art. 6: for a plan not yet approved, only the owner (or with the owner's consent) may ask."""


class NruNotFound(LookupError):
    """No note has that id."""


class UnknownPlan(ParcelOutsidePlans):
    """The request's `plan` names no stored plan: a bad field of the request (422), not a
    missing resource, and not « the parcel lies outside » it. A ParcelOutsidePlans so that
    the callers refusing those (the CLI) refuse this one too."""

    def __init__(self, plan: str) -> None:
        self.plan = plan
        super().__init__(f"no plan named {plan!r}")


class ScanNeedsReview(ValueError):
    """An image or a PDF was sent to be issued: a note never comes from an unchecked reading."""

    def __init__(self, filename: str | None) -> None:
        self.filename = filename
        super().__init__(
            "Le fichier est une image ou un PDF : sa lecture doit d'abord être relue. Envoyez-le "
            "à POST /api/v1/parcels/preview (ou déposez-le sur la page /nru), corrigez la grille "
            "des bornes, puis demandez la note avec les points confirmés dans « coordinates »."
        )


@dataclass(frozen=True)
class ScanLimits:
    """What a scan may be before it is read (settings: GEOPORTAL_SCAN_MAX_PIXELS, _PAGES)."""

    max_pixels: int = MAX_PIXELS
    max_pages: int = MAX_PAGES


@dataclass(frozen=True)
class NruRequest:
    """What a petitioner sends (interfaces.md §4)."""

    coordinates: str | bytes | Sequence[Any]
    filename: str | None = None
    srid: int | None = None
    plan: str | None = None
    declared_area: float | str | None = None
    land_reference: str | None = None
    ownership_proof: str | None = None  # reference of the document proving ownership (art. 6)
    swap_axes: bool = False
    petitioner: dict[str, str] | None = None  # personal data: PDF only, never public JSON


def issue_nru(
    conn: Connection,
    request: NruRequest,
    *,
    storage_srid: int,
    by: Principal = PUBLIC,
    now: dt.datetime | None = None,
) -> Nru:
    """Check the parcel, overlay it, number and store the note; the caller commits."""
    if is_scan_request(request):
        raise ScanNeedsReview(request.filename)
    parcel, geometry, overlay = locate_parcel(conn, request, storage_srid)
    _check_requester(overlay.plan, by, request)
    _check_article_6(overlay.plan, request)
    issued_at = now or dt.datetime.now(dt.UTC)
    nru = build_nru(str(uuid.uuid4()), "", issued_at, parcel, overlay, request)
    addressee = request.petitioner or _own_name(conn, by)
    nru.number = store_nru(conn, nru, overlay, geometry, storage_srid, addressee, by.user_id)
    details = {"id": nru.id, "plan": nru.plan.name, "agency": nru.plan.agency}
    record_act(conn, "nru.issue", nru.number, details, actor=by.actor)
    return nru


def _check_requester(plan: dict[str, Any], by: Principal, request: NruRequest) -> None:
    """Who may ask: anyone for an approved plan; an account for a plan en cours (art. 6) or to
    have a name printed; an agent only for a plan of their own agency."""
    if by.role in ("agent", "admin"):
        by.require_agency(plan["agency"], f"the plan {plan['name']!r}")
        return
    if by.signed_in:
        return
    if plan["status"] != "homologue":
        raise AccountRequired(
            f"le plan {plan['name']!r} est en cours d'approbation : selon l'article 6 du décret "
            "2-18-577, seul le propriétaire peut obtenir la note ; connectez-vous avec un "
            "compte de pétitionnaire (POST /api/v1/token)"
        )
    if request.petitioner:
        raise AccountRequired(
            "petitioner: a name and an address are printed on the note only for a signed-in "
            "account (its PDF is then served only to that account and the agency)"
        )


def _own_name(conn: Connection, by: Principal) -> dict[str, str] | None:
    """A signed-in petitioner's name and address, for the letter's addressee line."""
    if by.role != "petitioner" or by.user_id is None:
        return None
    own = profile(conn, by.user_id)
    named = {"name": own["full_name"], "address": own["address"]}
    return {k: v for k, v in named.items() if v} if own["full_name"] else None


def is_scan_request(request: NruRequest) -> bool:
    """True when the coordinates are an image or a PDF to be read by OCR."""
    return isinstance(request.coordinates, bytes) and is_scan(request.coordinates, request.filename)


def preview_parcel(
    conn: Connection,
    request: NruRequest,
    *,
    storage_srid: int,
    scan_limits: ScanLimits = ScanLimits(),
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
    plan_srid = _plan_srid(conn, request.plan)
    srid = request.srid or plan_srid or storage_srid
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
        },
        "plan": draft.plan.model_dump(mode="json"),
        "zones": [
            {"code": z.code, "label": z.label, "area_m2": z.area_m2, "share": z.share}
            for z in draft.zones
        ],
        "servitudes": [s.model_dump(mode="json", exclude={"text"}) for s in draft.servitudes],
        "roads": [r.model_dump(mode="json") for r in draft.roads],
        "reservations": [r.model_dump(mode="json") for r in draft.reservations],
        "sectors": [s.model_dump(mode="json") for s in draft.sectors],
        "outside_plan_m2": draft.outside_plan_m2,
        "omitted": [o.model_dump(mode="json") for o in draft.omitted],
        "warnings": [w.model_dump(mode="json") for w in parcel.warnings],
    }


def locate_parcel(
    conn: Connection, request: NruRequest, storage_srid: int
) -> tuple[ParcelInput, Any, Overlay]:
    """Read and check the coordinates, then overlay the parcel with the plan holding most of it."""
    plan_srid = _plan_srid(conn, request.plan)  # first: an unknown plan is refused as such
    srid = request.srid or plan_srid or storage_srid
    parcel = _read_parcel(request, srid, ())
    geometry = transform_geometry(parcel.geometry, srid, storage_srid)
    try:
        overlay = overlay_parcel(conn, geometry, storage_srid, request.plan)
    except ParcelOutsidePlans:
        # Only now load the perimeters: they let the intake say why (swapped axes, other zone).
        _read_parcel(request, srid, plan_perimeters(conn, storage_srid))
        raise
    return parcel, geometry, overlay


def _read_parcel(
    request: NruRequest, srid: int, perimeters: Sequence[PlanPerimeter]
) -> ParcelInput:
    return read_coordinates(
        request.coordinates,
        filename=request.filename,
        srid=srid,
        perimeters=perimeters,
        declared_area=request.declared_area,
        swap_axes=request.swap_axes,
    )


def _plan_srid(conn: Connection, plan: str | None) -> int | None:
    """The SRID the named plan was delivered in (the parcel's default SRID)."""
    if plan is None:
        return None
    found = conn.execute(text("SELECT srid FROM plans WHERE name = :n"), {"n": plan}).scalar()
    if found is None:
        raise UnknownPlan(plan)
    return int(found)


def plan_perimeters(conn: Connection, storage_srid: int) -> list[PlanPerimeter]:
    """Every plan's perimeter, for the intake's location diagnostics."""
    rows = conn.execute(text("SELECT name, ST_AsBinary(perimeter) FROM plans"))
    return [PlanPerimeter(name, storage_srid, shapely.from_wkb(bytes(wkb))) for name, wkb in rows]


def _check_article_6(plan: dict[str, Any], request: NruRequest) -> None:
    """Art. 6 al. 3: without an approved plan, only the owner (with proof) may obtain a note."""
    if plan["status"] == "homologue":
        return
    missing = [
        name
        for name, value in (
            ("land_reference", request.land_reference),
            ("ownership_proof", request.ownership_proof),
        )
        if not value
    ]
    if missing:
        raise OwnershipRequired(
            f"le plan {plan['name']!r} est en cours d'approbation : selon l'article 6 du décret "
            "2-18-577, seul le propriétaire (ou une personne munie de son accord) peut obtenir "
            f"la note ; fournissez {' et '.join(missing)}"
        )


def build_nru(
    nru_id: str,
    number: str,
    issued_at: dt.datetime,
    parcel: ParcelInput,
    overlay: Overlay,
    request: NruRequest,
) -> Nru:
    """The note's content from the checked parcel and the overlay."""
    area = overlay.parcel_area_m2
    plan = PlanRef.model_validate(overlay.plan)
    texts = overlay.plan.get("servitude_texts") or {}
    valid_until = _valid_until(plan, issued_at.date())
    nru = Nru(
        id=nru_id,
        number=number,
        issued_at=issued_at,
        valid_until=valid_until,
        plan=plan,
        parcel=_parcel_info(parcel, request),
        zones=[
            ZoneShare(
                code=z["code"],
                label=z["label"] or z["code"],
                area_m2=z["area_m2"],
                share=_share(z["area_m2"], area),
                rules=z["rules"] or {},
            )
            for z in overlay.zones
        ],
        servitudes=[
            ServitudeShare(
                kind=s["kind"],
                label=s["label"],
                area_m2=s["area_m2"],
                share=_share(s["area_m2"], area),
                text=texts.get(s["kind"]),
            )
            for s in overlay.servitudes
        ],
        roads=[RoadAlignment(**r) for r in overlay.roads],
        reservations=[ReservationShare(**r) for r in overlay.reservations],
        sectors=[SectorHit(kind=s["kind"], label=s["label"]) for s in overlay.sectors],
        outside_plan_m2=overlay.outside_plan_m2,
        other_plans=[OtherPlan(**p) for p in overlay.other_plans],
        omitted=overlay.omitted,
        warnings=[w.message for w in parcel.warnings],
        links=nru_links(nru_id),
    )
    nru.text = letter_paragraphs(nru, _months_between(issued_at.date(), valid_until))
    return nru


def nru_links(nru_id: str) -> dict[str, str]:
    """Where a note's PDF and its public verification page are served."""
    return {"pdf": f"/api/v1/nru/{nru_id}.pdf", "verify": f"/verify/{nru_id}"}


def _parcel_info(parcel: ParcelInput, request: NruRequest) -> ParcelInfo:
    centroid = parcel.geometry.centroid
    return ParcelInfo(
        srid=parcel.srid,
        area_m2=round(parcel.area_m2, 2),
        declared_area_m2=parcel.declared_area_m2,
        centroid=(round(centroid.x, 2), round(centroid.y, 2)),
        land_reference=normalise_land_reference(request.land_reference),
        bornes=[Borne(id=b.name, x=b.x, y=b.y) for b in parcel.bornes],
    )


def normalise_land_reference(value: str | None) -> str | None:
    """« tf 12345/r » → « TF 12345/R »; « req 678/r » → « Réquisition 678/R »; blank → None."""
    if not value or not value.strip():
        return None
    cleaned = re.sub(r"\s+", " ", value.strip())
    match = re.match(
        r"(?i)^(tf|t\.f\.?|titre foncier|r[ée]q(?:uisition)?\.?)\s*n?°?\s*(.+)$", cleaned
    )
    if not match:
        return cleaned
    kind = "TF" if match[1].lower().startswith(("t", "titre")) else "Réquisition"
    return f"{kind} {match[2].upper()}"


def _share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _valid_until(plan: PlanRef, issued: dt.date) -> dt.date | None:
    """Art. 9: as long as the plan's legal effects; a plan under approval, twelve months."""
    if plan.status == "homologue":
        return plan.valid_until
    return _add_months(issued, EN_COURS_MONTHS)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _months_between(start: dt.date, end: dt.date | None) -> int | None:
    if end is None or end <= start:
        return None
    return (end.year - start.year) * 12 + end.month - start.month


#: One statement takes the agency's next number of the year and stores the note: the counter
#: row's lock makes concurrent requests wait for each other, so numbers are distinct and follow
#: each other (NRU/2026/000123), and a rolled-back issuance gives its number back.
STORE_SQL = text("""
WITH counter AS (
  INSERT INTO nru_counters (agency, year, last_number) VALUES (:agency, :year, 1)
  ON CONFLICT (agency, year) DO UPDATE SET last_number = nru_counters.last_number + 1
  RETURNING 'NRU/' || year || '/' || lpad(last_number::text, 6, '0') AS number
)
INSERT INTO nrus (id, number, agency, year, issued_at, valid_until, plan_name, plan_sha256,
                  land_reference, parcel, document, petitioner, requested_by)
SELECT :id, counter.number, :agency, :year, :issued_at, :valid_until, :plan_name,
       :plan_sha256, :land_reference, ST_GeomFromEWKB(:parcel),
       jsonb_set(CAST(:document AS jsonb), '{number}', to_jsonb(counter.number)),
       CAST(:petitioner AS jsonb), :requested_by
FROM counter
RETURNING number
""")


def store_nru(
    conn: Connection,
    nru: Nru,
    overlay: Overlay,
    geometry: Any,
    storage_srid: int,
    petitioner: dict[str, str] | None,
    requested_by: int | None = None,
) -> str:
    """Number the note and keep it as issued (its JSON never changes afterwards)."""
    multi = geometry if geometry.geom_type == "MultiPolygon" else shapely.multipolygons([geometry])
    number = conn.execute(
        STORE_SQL,
        {
            "id": nru.id,
            "agency": nru.plan.agency,
            "year": nru.issued_at.year,
            "issued_at": nru.issued_at,
            "valid_until": nru.valid_until,
            "plan_name": nru.plan.name,
            "plan_sha256": overlay.plan["source_sha256"],
            "land_reference": nru.parcel.land_reference,
            "parcel": shapely.to_wkb(shapely.set_srid(multi, storage_srid), include_srid=True),
            "document": nru.model_dump_json(),
            "petitioner": _json(petitioner),
            "requested_by": requested_by,
        },
    ).scalar_one()
    return str(number)


def _json(value: dict[str, str] | None) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


def get_nru(conn: Connection, nru_id: str) -> Nru:
    """A stored note, exactly as issued."""
    row = conn.execute(
        text("SELECT document FROM nrus WHERE id = CAST(:id AS uuid)"), {"id": as_uuid(nru_id)}
    ).first()
    if row is None:
        raise NruNotFound(nru_id)
    return Nru.model_validate(row[0])


def pdf_record(conn: Connection, nru_id: str) -> tuple[bytes | None, str | None]:
    """The stored PDF and its SHA-256 (None before the first rendering)."""
    row = conn.execute(
        text("SELECT pdf, pdf_sha256 FROM nrus WHERE id = CAST(:id AS uuid)"),
        {"id": as_uuid(nru_id)},
    ).first()
    if row is None:
        raise NruNotFound(nru_id)
    return (bytes(row[0]) if row[0] is not None else None), row[1]


def keep_pdf(conn: Connection, nru_id: str, pdf: bytes) -> bytes:
    """Store a rendered PDF unless another request stored one first; return the stored bytes."""
    digest = hashlib.sha256(pdf).hexdigest()
    stored = conn.execute(
        text("""UPDATE nrus SET pdf = :pdf, pdf_sha256 = :sha
                WHERE id = CAST(:id AS uuid) AND pdf IS NULL RETURNING pdf"""),
        {"pdf": pdf, "sha": digest, "id": nru_id},
    ).scalar()
    if stored is not None:
        return bytes(stored)
    existing, _ = pdf_record(conn, nru_id)
    assert existing is not None
    return existing


def as_uuid(value: str) -> str:
    """A valid UUID string, or NruNotFound (never a database error on a bad id)."""
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise NruNotFound(value) from exc
