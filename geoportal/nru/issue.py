"""Issuing notes de renseignements urbanistiques (RGC art. 6-9, Annexe 1).

The agency has two working days (art. 7); we answer within the request: coordinates read and
checked (zoning.intake), one overlay query in PostGIS (zoning.overlay), the plan checked in
force (art. 6) and the requester's qualité (art. 6 al. 3), then the request with its own number
(art. 6 al. 2, geoportal.nru.request) and the note with its own, each taken under its counter's
row lock, stored by one statement (geoportal.nru.store), all in the caller's one transaction.
The PDF is rendered from the stored note the first time it is asked for and kept: every later
GET returns the same bytes.
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
    RequestRef,
    ReservationShare,
    RoadAlignment,
    SectorHit,
    ServitudeShare,
    Signatory,
    ZoneShare,
)
from geoportal.nru.request import (
    Asker,
    Attachment,
    check_article_6,
    check_qualite_value,
    new_request,
    request_links,
    store_request_files,
)
from geoportal.nru.setbacks import attach_setbacks, parcel_buildable
from geoportal.nru.store import store_nru
from geoportal.parcels import ParcelRequest, locate_parcel
from geoportal.settings import Settings
from zoning.audit import Act, record_acts
from zoning.intake import ParcelInput
from zoning.intake.scan import is_scan
from zoning.overlay import Overlay
from zoning.refusal import Invalid, Problem
from zoning.wording import date_long

#: Annexe 1 / loi 12-90 art. 27: a plan under approval is cited for twelve months.
EN_COURS_MONTHS = 12


class PlanExpired(Invalid):
    """Art. 6: a note only under a plan « dont les effets juridiques découlant de la déclaration
    d'utilité publique sont toujours en vigueur »; the plan stays stored and listed."""

    def __init__(self, plan: str, ended: dt.date, why: str) -> None:
        detail = (
            f"Le plan « {plan} » n'est plus en vigueur : {why} a pris fin le {date_long(ended)} "
            f"({ended:%d/%m/%Y}). "
            "Selon l'article 6 du décret n° 2-18-577, la note n'est délivrée qu'en application "
            "des documents d'urbanisme dont les effets juridiques sont toujours en vigueur."
        )
        super().__init__(
            "plan_expired",
            detail,
            [Problem("plan_expired", detail, field="plan")],
            plan=plan,
            ended_on=ended.isoformat(),
        )


class ScanNeedsReview(Invalid, ValueError):
    """An image or a PDF was sent to be issued: a note never comes from an unchecked reading."""

    def __init__(self, filename: str | None) -> None:
        self.filename = filename
        detail = (
            "Le fichier est une image ou un PDF : sa lecture doit d'abord être relue. Envoyez-le "
            "à POST /api/v1/parcels/preview (ou déposez-le sur la page /nru), corrigez la grille "
            "des bornes, puis demandez la note avec les points confirmés dans « coordinates »."
        )
        super().__init__("needs_review", detail, [Problem("needs_review", detail, "file")])


@dataclass(frozen=True)
class NruRequest(ParcelRequest):
    """What a petitioner sends (docs/http.md): the parcel, and who asks."""

    land_reference: str | None = None
    ownership_proof: str | None = None  # reference of the document proving ownership (art. 6)
    petitioner: dict[str, str] | None = None  # personal data: PDF only, never public JSON
    qualite: str | None = None  # art. 6 al. 3: proprietaire | mandataire | administration
    qualite_document: str | None = None  # the consent's or the justifying document's reference
    land_status: str | None = None  # « Statut foncier » of the agency's form
    profession: str | None = None  # « Profession demandeur »
    owner_name: str | None = None  # « Nom du propriétaire »
    attachments: tuple[Attachment, ...] = ()

    def asker(self) -> Asker:
        """Who asks and on what title, for art. 6 and the request's record."""
        return Asker(
            qualite=self.qualite,
            qualite_document=self.qualite_document,
            ownership_proof=self.ownership_proof,
            land_reference=self.land_reference,
            land_status=self.land_status,
            profession=self.profession,
            owner_name=self.owner_name,
            attachments=self.attachments,
        )


def issue_nru(
    conn: Connection,
    request: NruRequest,
    *,
    storage_srid: int,
    by: Principal = PUBLIC,
    now: dt.datetime | None = None,
    signatory: Signatory | None = None,
    max_file_bytes: int = 2 * 1024 * 1024,
) -> Nru:
    """Check the parcel, overlay it, record the request (its own number and date, art. 6
    al. 2), number and store the note; one transaction, the caller commits."""
    if is_scan_request(request):
        raise ScanNeedsReview(request.filename)
    check_qualite_value(request.asker())
    parcel, geometry, overlay = locate_parcel(conn, request, storage_srid, with_site=True)
    issued_at = now or dt.datetime.now(dt.UTC)
    plan = PlanRef.model_validate(overlay.plan)
    _check_requester(overlay.plan, by, request)
    check_in_force(plan, issued_at.date())
    if plan.status != "homologue":
        check_article_6(plan.name, request.asker())
    addressee = request.petitioner or _own_name(conn, by)
    received = new_request(
        request.asker(),
        plan_name=plan.name,
        received_at=issued_at,  # a note issued at once: the request and the note the same day
        requester=addressee,
        max_file_bytes=max_file_bytes,
    )
    signer = signatory or _plan_signatory(overlay.plan)
    nru = build_nru(
        str(uuid.uuid4()), "", issued_at, parcel, overlay, request, received.ref, signer
    )
    attach_setbacks(nru, parcel_buildable(geometry, overlay))
    nru.number, request_number = store_nru(
        conn, nru, overlay, geometry, storage_srid, addressee, by.user_id, received
    )
    nru.request = received.ref.model_copy(update={"number": request_number})
    store_request_files(conn, received)
    details = {"id": nru.id, "plan": nru.plan.name, "agency": nru.plan.agency}
    acts = [
        Act("nru.request", request_number, {"id": received.ref.id}),
        Act("nru.issue", nru.number, details),
    ]
    record_acts(conn, acts, actor=by.actor)
    return nru


def settings_signatory(settings: Settings) -> Signatory | None:
    """The signatory the settings name (GEOPORTAL_SIGNATORY_NAME, _TITLE), else None."""
    if not settings.signatory_name:
        return None
    return Signatory(name=settings.signatory_name, title=settings.signatory_title)


def _plan_signatory(plan: dict[str, Any]) -> Signatory | None:
    """The règlement's `plan.signatory`, when it names one."""
    data = plan.get("signatory")
    return Signatory.model_validate(data) if data else None


def en_cours_end(plan: PlanRef) -> dt.date | None:
    """The end of the twelve months of loi 12-90 art. 27 (Annexe 1), from the public inquiry.

    A period of months ends on the day of the same number (« quantième ») twelve months later;
    a shorter month ends it on its last day. None when the règlement gives no inquiry date.
    """
    if plan.enquete_publique is None:
        return None
    return _add_months(plan.enquete_publique, EN_COURS_MONTHS)


def check_in_force(plan: PlanRef, today: dt.date) -> None:
    """Art. 6: refuse a note under a plan whose effects have ended (`plan_expired`)."""
    if plan.valid_until is not None and plan.valid_until < today:
        raise PlanExpired(plan.name, plan.valid_until, "la durée de ses effets juridiques")
    end = en_cours_end(plan) if plan.status != "homologue" else None
    if end is not None and end < today:
        why = (
            "la période de douze mois prévue à l'article 27 de la loi n° 12-90, ouverte le "
            f"{date_long(plan.enquete_publique)} avec l'enquête publique,"
        )
        raise PlanExpired(plan.name, end, why)


def _check_requester(plan: dict[str, Any], by: Principal, request: NruRequest) -> None:
    """Who may ask: anyone; an account to have a name printed; an agent only for a plan of
    their own agency.

    Under a plan en cours, art. 6 al. 3 restricts the request by title and document (the
    owner, his consent, a justifying document: `check_article_6`), not by account: a request
    that shows its qualité and its document is received whether or not it is signed in.
    """
    if by.role in ("agent", "admin"):
        by.require_agency(plan["agency"], f"the plan {plan['name']!r}")
        return
    if by.signed_in:
        return
    if request.petitioner:
        raise AccountRequired(
            "petitioner : le nom et l'adresse du pétitionnaire ne sont imprimés sur la note que "
            "pour un compte connecté (son PDF n'est alors remis qu'à ce compte et à l'agence) ; "
            "connectez-vous (POST /api/v1/token) ou demandez la note sans nom"
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


def build_nru(
    nru_id: str,
    number: str,
    issued_at: dt.datetime,
    parcel: ParcelInput,
    overlay: Overlay,
    request: NruRequest,
    received: RequestRef | None = None,
    signatory: Signatory | None = None,
) -> Nru:
    """The note's content from the checked parcel and the overlay."""
    area = overlay.parcel_area_m2
    plan = PlanRef.model_validate(overlay.plan)
    texts = overlay.plan.get("servitude_texts") or {}
    texts_ar = overlay.plan.get("servitude_texts_ar") or {}  # issue 16: Arabic twins
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
                text_ar=texts_ar.get(s["kind"]),
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
        links=nru_links(nru_id) | (request_links(received.id) if received else {}),
        request=received,
        signatory=signatory,
    )
    nru.text = letter_paragraphs(nru)
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
    """Art. 9: as long as the plan's legal effects. A plan en cours: the end of the twelve
    months of loi 12-90 art. 27 (Annexe 1), never after the plan's own `valid_until`; None when
    the règlement does not say when they started (the letter then says so)."""
    if plan.status == "homologue":
        return plan.valid_until
    ends = [d for d in (en_cours_end(plan), plan.valid_until) if d is not None]
    return min(ends) if ends else None


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


#: One statement takes the agency's next number of the year and stores the note: the counter
#: row's lock makes concurrent requests wait for each other, so numbers are distinct and follow
#: each other (NRU/2026/000123), and a rolled-back issuance gives its number back.
