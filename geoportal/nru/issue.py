"""Issuing notes de renseignements urbanistiques (RGC art. 6-9, Annexe 1).

The agency has two working days (art. 7); we answer within the request: coordinates read and
checked (zoning.intake), one overlay query in PostGIS (zoning.overlay), a number taken
under a row lock, the note stored. The PDF is rendered from the stored note the first time it
is asked for and kept: every later GET returns the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoportal.accounts import PUBLIC, AccountRequired, Principal, profile
from geoportal.nru.letter import letter_paragraphs
from geoportal.nru.model import (
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
from geoportal.nru.setbacks import attach_setbacks, parcel_buildable
from geoportal.nru.store import store_nru
from geoportal.parcels import ParcelRequest, locate_parcel
from zoning.audit import record_act
from zoning.intake import ParcelInput
from zoning.intake.scan import is_scan
from zoning.overlay import Overlay

#: Annexe 1 / loi 12-90 art. 27: a plan under approval is cited for twelve months.
EN_COURS_MONTHS = 12


class OwnershipRequired(PermissionError):
    """Art. 6: for a plan not yet approved, only the owner (or with the owner's consent) may ask."""


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
class NruRequest(ParcelRequest):
    """What a petitioner sends (docs/http.md): the parcel, and who asks."""

    land_reference: str | None = None
    ownership_proof: str | None = None  # reference of the document proving ownership (art. 6)
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
    attach_setbacks(nru, parcel_buildable(conn, geometry, overlay.plan_id, storage_srid))
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
