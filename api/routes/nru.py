"""NRU: issue (JSON or a file), fetch as issued, PDF, public verification page."""

from __future__ import annotations

import json
from dataclasses import replace
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from api.answers import PROBLEM_RESPONSES, NoteInForce, NruRegister, Preview, Revoked
from api.deps import ConnectionDep, SettingsDep, TransactionDep
from api.ratelimit import NruLimitDep
from api.security import AgentDep, PrincipalDep
from api.validation import validation_refused
from checks.project import MAX_AREA_M2, CoordinatesInput
from geoportal.i18n import gettext
from geoportal.nru.document import nru_pdf
from geoportal.nru.issue import NruRequest, issue_nru
from geoportal.nru.preview import ScanLimits, preview_parcel
from geoportal.nru.register import (
    NoteState,
    NruRevoked,
    check_note_access,
    nru_register,
    revoke_nru,
)
from geoportal.nru.store import get_nru
from geoportal.nru.verification import verification
from zoning.refusal import Invalid, Problem

router = APIRouter(prefix="/api/v1/nru", tags=["nru"], responses=PROBLEM_RESPONSES)
preview = APIRouter(prefix="/api/v1/parcels", tags=["nru"], responses=PROBLEM_RESPONSES)
pages = APIRouter(tags=["pages"])


class Petitioner(BaseModel):
    """Printed on the PDF letter only (Annexe 1 « A M/Mme … »); never in public JSON."""

    name: str = Field(max_length=200)
    address: str | None = Field(None, max_length=500)


#: Bounds of a note's text fields (README « Limits »): a land title is « TF 123456/12 », a
#: proof of ownership a document's reference; a request beyond is refused by its field.
MAX_PLAN_NAME = 200
MAX_CONTENANCE = 100
MAX_LAND_REFERENCE = 100
MAX_OWNERSHIP_PROOF = 500


class NruBody(BaseModel):
    """A request for a note (docs/http.md)."""

    coordinates: CoordinatesInput = Field(
        description="the coordinate list as uploaded (text), or [[x, y], ...] / rings"
    )
    srid: int | None = Field(None, description="Lambert SRID; default: the plan's")
    plan: str | None = Field(None, max_length=MAX_PLAN_NAME)
    declared_area_m2: float | None = Field(None, gt=0, le=MAX_AREA_M2)
    contenance: str | None = Field(
        None, max_length=MAX_CONTENANCE, description="declared area as « 1 ha 23 a 45 ca »"
    )
    land_reference: str | None = Field(
        None, max_length=MAX_LAND_REFERENCE, description="TF 12345/R, Réquisition 678/R"
    )
    ownership_proof: str | None = Field(
        None, max_length=MAX_OWNERSHIP_PROOF, description="art. 6: required for a plan en cours"
    )
    swap_axes: bool = False
    petitioner: Petitioner | None = None

    def to_request(self, filename: str | None = None) -> NruRequest:
        """The service's request."""
        return NruRequest(
            coordinates=self.coordinates,
            filename=filename,
            srid=self.srid,
            plan=self.plan,
            declared_area=self.declared_area_m2 or self.contenance,
            land_reference=self.land_reference,
            ownership_proof=self.ownership_proof,
            swap_axes=self.swap_axes,
            petitioner=self.petitioner.model_dump(exclude_none=True) if self.petitioner else None,
        )


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema with its $defs inlined (for a hand-written OpenAPI request body)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


MULTIPART_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "content": {
            "application/json": {"schema": inline_schema(NruBody)},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        **{
                            k: {"type": "string"}
                            for k in (
                                "srid",
                                "plan",
                                "declared_area_m2",
                                "contenance",
                                "land_reference",
                                "ownership_proof",
                                "swap_axes",
                            )
                        },
                    },
                }
            },
        },
        "required": True,
    }
}


@router.post(
    "",
    response_model=NoteInForce,
    status_code=201,
    summary="Issue a note de renseignements urbanistiques",
    openapi_extra=MULTIPART_SCHEMA,
)
async def post_nru(
    request: Request,
    principal: PrincipalDep,
    _: NruLimitDep,
    conn: TransactionDep,
    settings: SettingsDep,
) -> Any:
    """Anyone for an approved plan; an account for a plan en cours (art. 6) or a named note;
    an agent for the plans of their agency. Rate-limited per client."""
    nru_request = await _read_request(request)
    nru = await run_in_threadpool(
        issue_nru, conn, nru_request, storage_srid=settings.storage_srid, by=principal
    )
    in_force = NoteState(nru.number, None, None).as_json()  # the shape GET answers with
    return Response(
        json.dumps({**nru.model_dump(mode="json"), **in_force}, ensure_ascii=False),
        status_code=201,
        media_type="application/json",
        headers={"Location": nru.links["verify"]},
    )


async def _read_request(request: Request) -> NruRequest:
    """JSON body, or multipart with a `file` (txt, csv, xlsx, geojson, dxf) and form fields."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("multipart/form-data"):
            return await _from_form(request)
        return NruBody.model_validate_json(await request.body()).to_request()
    except ValidationError as exc:
        raise validation_refused(exc.errors()) from None


async def _from_form(request: Request) -> NruRequest:
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        message = (
            "un fichier de coordonnées est requis (txt, csv, xlsx, geojson, dxf ; ou un scan à "
            "relire : jpg, png, tiff, pdf)"
        )
        raise Invalid("missing", f"file : {message}.", [Problem("missing", message, "file")])
    fields = {k: v for k, v in form.items() if k != "file" and isinstance(v, str) and v != ""}
    body = NruBody.model_validate({"coordinates": "", **fields})
    return replace(body.to_request(), coordinates=await upload.read(), filename=upload.filename)


@preview.post(
    "/preview",
    response_model=Preview,
    summary="Check coordinates and see what the note would say",
    openapi_extra=MULTIPART_SCHEMA,
)
async def preview_nru(request: Request, conn: ConnectionDep, settings: SettingsDep) -> Any:
    """Coordinates are checked as for a note. A scan (JPG, PNG, TIFF, PDF `file`) is read by
    OCR and answered 200 with `points` (borne, x, y, confidence, uncertain, cells) and
    `needs_review`, whatever its diagnostics say: the person corrects the grid, then sends the
    confirmed points as `coordinates`."""
    nru_request = await _read_request(request)
    limits = ScanLimits(max_pixels=settings.scan_max_pixels, max_pages=settings.scan_max_pages)
    return await run_in_threadpool(
        preview_parcel, conn, nru_request, storage_srid=settings.storage_srid, scan_limits=limits
    )


@router.get(
    "",
    response_model=NruRegister,
    summary="The agency's register of notes (agents: their agency; admins: any)",
)
def register(
    principal: AgentDep,
    conn: ConnectionDep,
    agency: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    return nru_register(conn, principal, agency, limit, offset)


class Revocation(BaseModel):
    """Why a note is revoked (kept in the register; shown on the verification page)."""

    reason: str = Field(min_length=3, max_length=500)


@router.post(
    "/{nru_id}/revoke", response_model=Revoked, summary="Revoke a note of your agency (agents)"
)
def revoke(
    nru_id: str, body: Revocation, principal: AgentDep, conn: TransactionDep
) -> dict[str, Any]:
    return revoke_nru(conn, nru_id, body.reason, principal)


@router.get(
    "/{nru_id}.pdf", summary="The note's PDF, the same bytes every time", response_class=Response
)
def get_nru_pdf(
    nru_id: str, principal: PrincipalDep, conn: TransactionDep, settings: SettingsDep
) -> Response:
    """Public by its id unless it names its petitioner: then that account and the agency.
    A revoked note's PDF is gone (410): its signed bytes would still say « en vigueur »."""
    state = check_note_access(conn, nru_id, principal)
    if state.revoked_at is not None:
        raise NruRevoked(nru_id, state)
    nru = get_nru(conn, nru_id)
    number = nru.number.replace("/", "-")
    return Response(
        nru_pdf(conn, nru, settings),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'},
    )


@router.get(
    "/{nru_id}",
    response_model=NoteInForce,
    summary="The note as issued, and whether it is still in force",
)
def get_nru_json(nru_id: str, principal: PrincipalDep, conn: ConnectionDep) -> dict[str, Any]:
    """The same access as its PDF; `status` and `revocation` say whether it was revoked."""
    state = check_note_access(conn, nru_id, principal)
    return {**get_nru(conn, nru_id).model_dump(mode="json"), **state.as_json()}


@pages.get(
    "/verify/{nru_id}", response_class=HTMLResponse, summary="Public verification of an issued note"
)
def verify(nru_id: str, conn: ConnectionDep) -> str:
    return verification_page(verification(conn, nru_id))


def verification_page(facts: dict[str, Any]) -> str:
    """What was issued, for anyone holding the paper (no personal data); French and Arabic."""
    rows = "".join(
        f"<tr><th>{_both(k)}</th><td>{_both(str(v))}</td></tr>"
        for k, v in facts.items()
        if k != "zones"
    )
    zones = "".join(f"<li>{escape(z)}</li>" for z in facts["zones"])
    return (
        "<!doctype html><html lang=fr><meta charset=utf-8>"
        f"<title>Vérification {escape(facts['Numéro'])}</title>"
        "<body style='font-family:sans-serif;max-width:46em;margin:2em auto'>"
        f"<h1>{_both('Note de renseignements urbanistiques')}</h1>"
        f"<p>{_both('Cette page confirme la délivrance de la note suivante.')}</p>"
        f"{_revoked_banner(facts)}"
        f"<table>{rows}</table><h2>{_both('Zones')}</h2><ul>{zones}</ul></body></html>"
    )


def _both(french: str) -> str:
    """A French text and, when the catalog has it, its Arabic beside it (issue 16)."""
    arabic = gettext("ar")(french)
    if arabic == french:
        return str(escape(french))
    return f'{escape(french)} <span lang="ar" dir="rtl">{escape(arabic)}</span>'


def _revoked_banner(facts: dict[str, Any]) -> str:
    """A revoked note says so before anything else."""
    if not str(facts.get("Statut", "")).startswith("RÉVOQUÉE"):
        return ""
    return (
        "<p role=alert style='background:#fde8e8;color:#8a1c1c;padding:.8em;font-weight:bold'>"
        f"Cette note a été {escape(str(facts['Statut']).lower())} : elle ne peut plus être "
        "produite à l'appui d'une demande.</p>"
    )
