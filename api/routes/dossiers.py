"""Permit dossiers, from filing to decision (RGC art. 18-20, 29-44), and the sessions of the
commission d'instruction; the public tracking page /suivi/{number} (art. 12)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ConnectionDep, SettingsDep, TransactionDep
from api.pages import built_page_response, page_response
from api.security import PrincipalDep, SignedInDep
from checks.project import CoordinatesInput, Project
from geoportal.dossiers import acts, store
from geoportal.dossiers.errors import DossierForbidden, ParcelNotFound
from geoportal.dossiers.pdf import agenda_pdf, decision_pdf, pv_pdf, receipt_pdf
from geoportal.dossiers.pieces import Upload
from geoportal.dossiers.view import desk, dossier_view, links, public_facts
from geoportal.projects.instruction import load_calendar
from geoportal.render import render
from geoportal.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["dossiers"])
pages = APIRouter(tags=["pages"])

Avis = Literal["favorable", "favorable_sous_reserve", "defavorable"]


class Open(BaseModel):
    """An answer whose main fields are named; the others pass as they are."""

    model_config = ConfigDict(extra="allow")


class OnAgenda(Open):
    """A dossier put on a session's agenda (art. 18 al. 4, 28)."""

    id: int
    number: str
    state: str
    commission_id: int


class SessionClosed(Open):
    """A session closed: its dossiers now have their avis and a PV (art. 30, 38)."""

    id: int
    closed_on: str
    dossiers: list[Any]


class AvisGiven(Open):
    """A service's avis, recorded once (art. 29-30)."""

    dossier_id: int
    service: str
    avis: str


class DossierRow(Open):
    """A dossier in a list: its number and state."""

    id: int
    number: str
    state: str


class ModificationsAsked(Open):
    """Art. 41: the letter asking for changes, dated."""

    id: int
    number: str
    state: str
    letter_date: str


class ObservationsNotified(Open):
    """Art. 42: minor observations notified to the concepteur."""

    id: int
    number: str
    observations_on: str


class FeePaid(Open):
    """Art. 31: the agency's fee recorded as paid."""

    id: int
    fee_paid_on: str


class Notified(Open):
    """Art. 40, 43-44: the decision notified, and the copies sent."""

    id: int
    notified_on: str
    copies_sent_on: str | None


class ParcelHistory(Open):
    """A parcel stored once, with the dossiers and notes hanging on it."""

    id: int
    land_reference: str | None
    commune: str | None
    history: dict[str, Any]


class FilingBody(BaseModel):
    """A dossier as filed (Annexe 5): the project, the parcel, the land reference."""

    model_config = ConfigDict(extra="forbid")

    project: Project
    coordinates: CoordinatesInput
    srid: int | None = None
    plan: str | None = Field(None, max_length=200)
    land_reference: str | None = Field(None, max_length=100, description="TF 12345/R…")
    nru_id: str | None = Field(None, max_length=64)
    session_id: int | None = Field(None, ge=1, description="a booked slot on this session")
    pre_instruction_id: int | None = Field(None, ge=1)


class Receipt(BaseModel):
    """Art. 34: the accusé de réception."""

    number: str
    date: dt.date
    session_date: dt.date | None = None
    session_id: int | None = None
    slot_booked: bool = False


class Filed(BaseModel):
    """A dossier just filed."""

    id: int
    number: str
    state: str
    procedure: str | None
    receipt: Receipt
    links: dict[str, str]


class DossierOut(Open):
    """GET /api/v1/dossiers/{id} (issue #13)."""

    id: int
    number: str
    state: str
    procedure: str | None
    commission: list[dict[str, Any]]
    deadlines: dict[str, Any]
    pieces: list[dict[str, Any]]
    avis: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    decision: dict[str, Any] | None


class PieceOut(Open):
    """A piece's new version."""

    id: int
    kind: str
    version: int
    sha256: str
    size: int
    media_type: str


class RecevabiliteBody(BaseModel):
    """The guichet's look at the pieces (art. 37)."""

    recevable: bool
    missing: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=50)


class RecevabiliteOut(BaseModel):
    """The dossier's state and the missing principal pieces, named."""

    id: int
    number: str
    state: str
    missing: list[dict[str, str]]


class SessionBody(BaseModel):
    """A session of the commission to schedule."""

    date: dt.date
    commune: str = Field(min_length=1, max_length=200)
    slots: int = Field(20, ge=1, le=500, description="slots on its agenda")


class SessionCreated(Open):
    """A scheduled session."""

    id: int


class SessionOut(BaseModel):
    """A coming session with its free slots."""

    id: int
    commune: str
    prefecture: str | None
    date: dt.date
    slots: int
    free_slots: int


class AgendaBody(BaseModel):
    """A dossier to put on the session's agenda."""

    dossier_id: int = Field(ge=1)


class AvisBody(BaseModel):
    """The caller's service's avis (art. 29-30)."""

    avis: Avis
    observations: str | None = Field(None, max_length=5000)
    visa: bool = Field(False, description="art. 38 al. 2: the avis consigned on the plans")


class MotifsBody(BaseModel):
    """The changes asked (art. 41)."""

    motifs: str = Field(min_length=3, max_length=5000)


class DecisionBody(BaseModel):
    """The president's decision (art. 39-40)."""

    decision: Literal["autorisation", "refus"]
    motifs: str | None = Field(None, max_length=5000)


class DecisionOut(Open):
    """The decision taken."""

    permit_number: str | None
    links: dict[str, str]


def _calendar(settings: Settings) -> Any:
    return load_calendar(settings.calendar_overrides)


@router.get("/commissions", response_model=list[SessionOut], summary="Coming sessions")
def sessions(
    _: SignedInDep,
    conn: ConnectionDep,
    commune: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    """The coming sessions (a commune's, or all) with their free slots, for booking one."""
    return store.coming_sessions(conn, commune, acts.today())


@router.post("/commissions", status_code=201, response_model=SessionCreated)
def create_session(body: SessionBody, by: SignedInDep, conn: TransactionDep) -> dict[str, Any]:
    """The guichet schedules a session of the commission d'instruction (art. 21, 28)."""
    return acts.create_session(conn, body.date, body.commune, body.slots, by)


@router.post("/commissions/{session_id}/dossiers", status_code=201, response_model=OnAgenda)
def on_agenda(
    session_id: int, body: AgendaBody, by: SignedInDep, conn: TransactionDep
) -> dict[str, Any]:
    """The guichet puts a recevable dossier on the session's agenda."""
    return acts.put_on_agenda(conn, session_id, body.dossier_id, by)


@router.get(
    "/commissions/{session_id}/ordre-du-jour.pdf",
    response_class=Response,
    summary="The session's ordre du jour (PDF)",
)
def ordre_du_jour(
    session_id: int, by: SignedInDep, conn: TransactionDep, settings: SettingsDep
) -> Response:
    # any account: a petitioner books a slot « dans l'ordre du jour » (CASAURBA); the agenda
    # names dossiers by number and kind only
    session = store.load_commission(conn, session_id)
    return _pdf(agenda_pdf(conn, session, settings), f"ordre-du-jour-{session_id}")


@router.post("/commissions/{session_id}/cloture", response_model=SessionClosed)
def close(session_id: int, by: SignedInDep, conn: TransactionDep) -> dict[str, Any]:
    """The session ends: every dossier on it goes to « avis_emis », its PV can be produced."""
    return acts.close_session(conn, session_id, by)


@router.post("/dossiers", status_code=201, response_model=Filed, summary="File a dossier")
def file_dossier(
    body: FilingBody, by: SignedInDep, conn: TransactionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Art. 34: the petitioner, or the architect they mandate, files; the receipt is numbered
    and dated, and names the session's date."""
    filing = acts.Filing(**body.model_dump(exclude={"project"}), project=body.project)
    row = acts.file_dossier(
        conn, filing, by, storage_srid=settings.storage_srid, calendar=_calendar(settings)
    )
    return {
        "id": row["id"],
        "number": row["number"],
        "state": row["state"],
        "procedure": row["procedure"],
        "receipt": acts.receipt(conn, row),
        "links": links(row),
    }


@router.get("/dossiers", response_model=list[DossierRow], summary="Your dossiers, or the desk's")
def list_dossiers(
    by: SignedInDep,
    conn: ConnectionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """A petitioner's or architect's own dossiers; a guichet's desk (to check, on an agenda,
    awaiting a decision); a president's commune awaiting a decision."""
    if by.role in ("guichet", "president"):
        return desk(conn, by.commune, by.prefecture, limit)
    if by.role in ("membre", "agent"):
        return _in_session(conn, by, limit)
    return _own(conn, by.user_id, limit)


def _in_session(conn: Any, by: Any, limit: int) -> list[dict[str, Any]]:
    """A member's (or the agency's) dossiers on the agenda of an open session."""
    import json

    from sqlalchemy import text

    service = by.service if by.role == "membre" else acts.AGENCY_SERVICE
    rows = conn.execute(
        text("""SELECT d.id, d.number, d.state, d.procedure, d.kind, d.commune, d.filed_on,
                       d.commission_id, c.date AS session_date,
                       EXISTS (SELECT 1 FROM dossier_avis a WHERE a.dossier_id = d.id
                               AND a.round = d.round AND a.service = :service) AS avis_given
                FROM dossiers d JOIN commissions c ON c.id = d.commission_id
                WHERE d.state = 'en_commission'
                  AND d.commission_members @> CAST(:member AS jsonb)
                  AND (CAST(:commune AS text) IS NULL OR d.commune = :commune)
                  AND (CAST(:agency AS text) IS NULL OR d.agency = :agency)
                ORDER BY c.date, d.number LIMIT :limit"""),
        {
            "service": service,
            "member": json.dumps([{"code": service}]),
            "commune": by.commune if by.role == "membre" else None,
            "agency": by.agency if by.role == "agent" else None,
            "limit": limit,
        },
    )
    return [
        {
            **dict(r._mapping),
            "filed_on": r.filed_on.isoformat(),
            "session_date": r.session_date.isoformat(),
            "service": service,
        }
        for r in rows
    ]


def _own(conn: Any, user_id: int | None, limit: int) -> list[dict[str, Any]]:
    from sqlalchemy import text

    rows = conn.execute(
        text("""SELECT id, number, state, procedure, kind, commune, filed_on, permit_number
                FROM dossiers WHERE filed_by = :user ORDER BY id DESC LIMIT :limit"""),
        {"user": user_id, "limit": limit},
    )
    return [{**dict(r._mapping), "filed_on": r.filed_on.isoformat()} for r in rows]


@router.get("/dossiers/late", response_model=list[DossierRow], summary="Late dossiers (agents)")
def late(by: SignedInDep, conn: ConnectionDep, settings: SettingsDep) -> list[dict[str, Any]]:
    """The dossiers in the caller's scope with a deadline passed (art. 18, 38, 41, 44)."""
    if by.role in ("petitioner", "architecte"):
        raise DossierForbidden("La liste des retards est celle des agents.")
    from sqlalchemy import text

    from geoportal.dossiers.view import deadlines

    calendar, day = _calendar(settings), acts.today()
    rows = conn.execute(
        text(
            f"SELECT {store.COLUMNS} FROM dossiers WHERE state NOT IN ('irrecevable') "
            "AND notified_on IS NULL ORDER BY filed_on LIMIT 5000"
        )
    )
    found = []
    for row in (dict(r._mapping) for r in rows):
        if not acts.can_read(row, by):
            continue
        steps = deadlines(row, calendar, day)["late"]
        if steps:
            found.append(
                {"id": row["id"], "number": row["number"], "state": row["state"], "late": steps}
            )
    return found


@router.get("/dossiers/{dossier_id}", response_model=DossierOut)
def get_dossier(
    dossier_id: int, by: PrincipalDep, conn: ConnectionDep, settings: SettingsDep
) -> dict[str, Any]:
    """The dossier for its owner and the agents in scope."""
    row = acts.readable(conn, dossier_id, by)
    return dossier_view(conn, row, _calendar(settings), acts.today())


@router.post("/dossiers/{dossier_id}/pieces", status_code=201, response_model=PieceOut)
async def add_piece(
    dossier_id: int,
    by: SignedInDep,
    conn: TransactionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="PDF, DWG, DXF or image")],
    kind: Annotated[str, Form(max_length=64, description="the piece's code")],
) -> dict[str, Any]:
    """A piece (art. 37), stored with its SHA-256; earlier versions are kept. After a request
    for changes, the piece is filed against a récépissé and the clocks restart (art. 41)."""
    content = await file.read(settings.piece_max_mb * 1024**2 + 1)
    upload = Upload(content=content, filename=file.filename)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(
        acts.add_piece,
        conn,
        dossier_id,
        kind,
        upload,
        by,
        max_bytes=settings.piece_max_mb * 1024**2,
    )


@router.post("/dossiers/{dossier_id}/recevabilite", response_model=RecevabiliteOut)
def recevabilite(
    dossier_id: int, body: RecevabiliteBody, by: SignedInDep, conn: TransactionDep
) -> dict[str, Any]:
    """Art. 37: recevable, or irrecevable with the missing documents principaux named."""
    return acts.recevabilite(conn, dossier_id, body.recevable, body.missing, by)


@router.post("/dossiers/{dossier_id}/avis", status_code=201, response_model=AvisGiven)
def avis(dossier_id: int, body: AvisBody, by: SignedInDep, conn: TransactionDep) -> dict[str, Any]:
    """The caller's service's avis, once (art. 29-30)."""
    return acts.give_avis(conn, dossier_id, body.avis, body.observations, by, visa=body.visa)


@router.post("/dossiers/{dossier_id}/modifications", response_model=ModificationsAsked)
def modifications(
    dossier_id: int, body: MotifsBody, by: SignedInDep, conn: TransactionDep
) -> dict[str, Any]:
    """Art. 41: changes asked of the petitioner; the clocks restart at the modified pieces."""
    if by.role not in ("president", "guichet", "admin"):
        raise DossierForbidden("Les modifications sont demandées par le président ou le guichet.")
    return acts.ask_modifications(conn, dossier_id, body.motifs, by)


@router.post("/dossiers/{dossier_id}/observations", response_model=ObservationsNotified)
def observations(
    dossier_id: int, body: MotifsBody, by: SignedInDep, conn: TransactionDep
) -> dict[str, Any]:
    """Art. 42: minor observations notified to the concepteur, 5 working days to answer."""
    if by.role not in ("president", "guichet", "admin"):
        raise DossierForbidden("Les observations sont notifiées par le président ou le guichet.")
    return acts.notify_observations(conn, dossier_id, body.motifs, by)


@router.post("/dossiers/{dossier_id}/decision", status_code=201, response_model=DecisionOut)
def decision(
    dossier_id: int,
    body: DecisionBody,
    by: SignedInDep,
    conn: TransactionDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Art. 39-40: autorisation (never against the agency's avis) or a reasoned refusal; an
    autorisation enters the register of authorized projects in the same transaction."""
    decided = acts.decide(
        conn, dossier_id, body.decision, body.motifs, by, storage_srid=settings.storage_srid
    )
    return {**decided, "links": {"decision_pdf": f"/api/v1/dossiers/{dossier_id}/decision.pdf"}}


@router.post("/dossiers/{dossier_id}/paiement", response_model=FeePaid)
def pay(dossier_id: int, by: SignedInDep, conn: TransactionDep) -> dict[str, Any]:
    """Art. 31: the agency's fee recorded as paid, before the delivery."""
    return acts.pay_fee(conn, dossier_id, by)


@router.post("/dossiers/{dossier_id}/notification", response_model=Notified)
def notification(dossier_id: int, by: SignedInDep, conn: TransactionDep) -> dict[str, Any]:
    """Art. 40, 43-44: the decision notified, copies sent, with their dates."""
    return acts.notify(conn, dossier_id, by)


class PreInstructionBody(BaseModel):
    """The architect's plans for the agency's preliminary avis."""

    model_config = ConfigDict(extra="forbid")

    project: Project
    coordinates: CoordinatesInput
    srid: int | None = None
    plan: str | None = Field(None, max_length=200)


class PreInstructionOut(Open):
    """A pré-instruction: the compliance check and the agency's avis once given."""

    id: int
    compliance: dict[str, Any]
    avis: str | None


@router.post("/pre-instructions", status_code=201, response_model=PreInstructionOut)
def ask_pre_instruction(
    body: PreInstructionBody, by: SignedInDep, conn: TransactionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Before filing: the plans checked against the plan, for the agency's preliminary avis."""
    from geoportal.dossiers import pre_instruction
    from geoportal.parcels import ParcelRequest

    request = ParcelRequest(coordinates=body.coordinates, srid=body.srid, plan=body.plan)
    return pre_instruction.ask(
        conn,
        body.project,
        request,
        by,
        storage_srid=settings.storage_srid,
        calendar=_calendar(settings),
    )


@router.get("/pre-instructions/{pre_id}", response_model=PreInstructionOut)
def get_pre_instruction(pre_id: int, by: SignedInDep, conn: ConnectionDep) -> dict[str, Any]:
    """The requester's and the agency's."""
    from geoportal.dossiers import pre_instruction

    return pre_instruction.get(conn, pre_id, by)


@router.post("/pre-instructions/{pre_id}/avis", response_model=PreInstructionOut)
def pre_instruction_avis(
    pre_id: int, body: AvisBody, by: SignedInDep, conn: TransactionDep
) -> dict[str, Any]:
    """The agency's written preliminary avis (its agents)."""
    from geoportal.dossiers import pre_instruction

    return pre_instruction.give_avis(conn, pre_id, body.avis, body.observations, by)


def _pdf(pdf: bytes, name: str) -> Response:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


@router.get("/dossiers/{dossier_id}/receipt.pdf", response_class=Response)
def receipt(
    dossier_id: int, by: PrincipalDep, conn: TransactionDep, settings: SettingsDep
) -> Response:
    """Art. 34: the accusé de réception, numéroté et daté."""
    row = acts.readable(conn, dossier_id, by)
    return _pdf(receipt_pdf(conn, row, settings), f"accuse-{row['number']}")


@router.get("/dossiers/{dossier_id}/pv.pdf", response_class=Response)
def pv(dossier_id: int, by: PrincipalDep, conn: TransactionDep, settings: SettingsDep) -> Response:
    """Art. 38, Annexe 6: the procès-verbal, after the session's closure."""
    row = acts.readable(conn, dossier_id, by)
    if row["pv_on"] is None:
        from geoportal.dossiers.errors import DossierConflict

        raise DossierConflict("pv_absent", "Le procès-verbal n'existe qu'après la clôture.")
    return _pdf(pv_pdf(conn, row, settings), f"pv-{row['number']}")


@router.get("/dossiers/{dossier_id}/decision.pdf", response_class=Response)
def decision_document(
    dossier_id: int, by: PrincipalDep, conn: TransactionDep, settings: SettingsDep
) -> Response:
    """Art. 43, Annexe 7: the decision, signed, with the « ne varietur » pieces' hashes."""
    row = acts.readable(conn, dossier_id, by)
    if row["decision"] is None:
        from geoportal.dossiers.errors import DossierConflict

        raise DossierConflict("decision_absente", "Aucune décision n'est encore prise.")
    view = public_facts(row, _calendar(settings), acts.today())
    lapse = [s["text"] for s in view["deadlines"] if s["step"] == "caducite"]
    return _pdf(decision_pdf(conn, row, settings, lapse), f"decision-{row['number']}")


@router.get("/dossiers/{dossier_id}/ne-varietur.pdf", response_class=Response)
def ne_varietur(
    dossier_id: int, by: PrincipalDep, conn: ConnectionDep, settings: SettingsDep
) -> Response:
    """Art. 44 al. 2: the authorized pieces, each PDF with its stamped page, the others listed
    by their SHA-256."""
    from geoportal.dossiers.errors import DossierConflict
    from geoportal.dossiers.pdf import ne_varietur_pdf

    row = acts.readable(conn, dossier_id, by)
    if row["state"] != "autorise":
        raise DossierConflict("non_autorise", "Les pièces ne varietur suivent une autorisation.")
    return _pdf(ne_varietur_pdf(conn, row, settings), f"ne-varietur-{row['number']}")


@router.get(
    "/parcels/{parcel_id}", response_model=ParcelHistory, summary="A parcel and its history"
)
def parcel(parcel_id: int, by: SignedInDep, conn: ConnectionDep) -> dict[str, Any]:
    """The parcel stored once, and the dossiers and notes hanging on it (its agency's agents,
    its commune's guichet and president)."""
    from sqlalchemy import text

    row = conn.execute(
        text("""SELECT id, land_reference, commune, agency, ST_Area(geom) AS area_m2,
                       created_at FROM parcels WHERE id = :id"""),
        {"id": parcel_id},
    ).first()
    if row is None:
        raise ParcelNotFound(parcel_id)
    allowed = (
        by.role == "admin"
        or (by.role == "agent" and by.agency == row.agency)
        or (by.role in ("guichet", "president") and by.commune == row.commune)
    )
    if not allowed:
        raise DossierForbidden("L'historique d'une parcelle est celui des agents de son agence.")
    dossiers = conn.execute(
        text("""SELECT id, number, state, kind, procedure, filed_on, decided_on, permit_number
                FROM dossiers WHERE parcel_id = :id ORDER BY filed_on, id"""),
        {"id": parcel_id},
    )
    notes = conn.execute(
        text("""SELECT id::text AS id, number, issued_at FROM nrus
                WHERE land_reference IS NOT NULL AND land_reference = :ref
                ORDER BY issued_at"""),
        {"ref": row.land_reference},
    )
    return {
        "id": row.id,
        "land_reference": row.land_reference,
        "commune": row.commune,
        "agency": row.agency,
        "area_m2": round(float(row.area_m2), 2),
        "history": {
            "dossiers": [dict(d._mapping) for d in dossiers],
            "nrus": [dict(n._mapping) for n in notes],
        },
    }


PAGES = {
    "/depot": "depot.html",
    "/guichet": "guichet.html",
    "/seance": "seance.html",
    "/decisions": "decisions.html",
}


def _page(name: str) -> Any:
    """The route serving a page of static/app as the other pages are (language, switch)."""

    def serve(request: Request) -> HTMLResponse:
        return page_response(name, request)

    return serve


for _path, _name in PAGES.items():
    pages.add_api_route(_path, _page(_name), response_class=HTMLResponse, include_in_schema=False)


@pages.get("/suivi/{number}", response_class=HTMLResponse, summary="Public tracking of a dossier")
def suivi(number: str, request: Request, conn: ConnectionDep, settings: SettingsDep) -> Response:
    """Art. 12: the dossier's state and dates for anyone holding its number; no personal data;
    in French or Arabic (``?lang=``, Accept-Language)."""
    row = store.load_by_number(conn, number[:40])
    facts = public_facts(row, _calendar(settings), acts.today())
    return built_page_response(render("suivi.html", facts=facts), request)
