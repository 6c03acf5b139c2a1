"""The JSON answers of the API, typed: each route's `response_model`, so /openapi.json has a
schema for every 2xx answer and generated clients work.

The models name what an answer always holds; they allow the rest (`extra="allow"`) so that the
bodies stay exactly what the domain functions return (docs/http.md): no key is added, dropped
or converted. Values are typed `Any` where a stricter type would convert them (3 → 3.0).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Open(BaseModel):
    """An answer object: the named keys, and whatever else the domain adds."""

    model_config = ConfigDict(extra="allow")


# --- refusals ------------------------------------------------------------------------------


class ProblemItem(Open):
    """One thing wrong, and where (a field, a line of a file, a point)."""

    code: str
    message: str
    field: str | None = None
    line: int | None = None
    point: str | None = None


class ProblemBody(Open):
    """The body of every refusal (4xx, 5xx): a French sentence, a stable code, each problem."""

    detail: str
    code: str
    errors: list[ProblemItem]


#: declared on the routers: the error answers in /openapi.json, with the one body's schema
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ProblemBody, "description": "Requête refusée (corps unique des refus)"},
    "5XX": {"model": ProblemBody, "description": "Service momentanément indisponible"},
}


# --- GeoJSON -------------------------------------------------------------------------------


class Feature(Open):
    """A GeoJSON Feature (RFC 7946), in WGS 84."""

    type: Literal["Feature"]
    geometry: dict[str, Any] | None
    properties: dict[str, Any] | None


class FeatureCollection(Open):
    """A GeoJSON FeatureCollection (RFC 7946), in WGS 84."""

    type: Literal["FeatureCollection"]
    features: list[Feature]


class ProjectPage(FeatureCollection):
    """A page of authorized projects: `links` has the next page when the page is full."""

    numberReturned: int  # noqa: N815 (OGC API Features' name)
    limit: int
    offset: int


class ProjectEvent(Feature):
    """A project as recorded (a Feature), with the live feed's event number."""

    event: int


class RegisterImported(Open):
    """A batch recorded: how many, and the first event of the live feed."""

    recorded: int
    first_event: int | None


# --- accounts ------------------------------------------------------------------------------


class AccountCreated(Open):
    """The account just created."""

    id: int
    login: str
    role: str


class Profile(Open):
    """Your account, personal fields included (shown to its holder only)."""

    id: int
    login: str
    role: str
    agency: str | None


# --- plans ---------------------------------------------------------------------------------


class PlanFinding(Open):
    """One problem or remark of a plan package."""

    code: str
    severity: str
    message: str


class ImportReportAnswer(Open):
    """The validation report of a plan import (docs/formats.md)."""

    plan: str
    ok: bool
    error_count: int
    warning_count: int
    findings: list[PlanFinding]


class PlanDetail(Open):
    """One plan: metadata, counts, zone codes, extent."""

    name: str
    commune: Any
    counts: dict[str, Any]
    zone_codes: Any


# --- the NRU -------------------------------------------------------------------------------


class NoteInForce(Open):
    """A note as issued (geoportal.nru.model.Nru), and whether it is still in force."""

    id: str
    number: str
    status: Literal["en_vigueur", "revoquee"]
    revocation: dict[str, Any] | None


class RegisterItem(Open):
    """One note of the agency's register."""

    id: str
    number: str


class NruRegister(Open):
    """The agency's register of notes, newest first."""

    agency: str | None
    notes: list[RegisterItem]


class Revoked(Open):
    """A note just revoked: when, and why."""

    number: str
    revoked_at: Any
    revocation_reason: str | None


# --- instruction ---------------------------------------------------------------------------


class Classification(Open):
    """The procedure with its reasons, the commission and the deadlines."""

    procedure: Any
    rgc_applicable: Any
    reasons: list[dict[str, Any]]
    missing: list[Any]
    commission: list[dict[str, Any]]
    deadlines: dict[str, Any]


class OverlayZone(Open):
    """One zone's part of the parcel, in m² of the storage SRID."""

    code: str
    area_m2: Any


class CheckAnswer(Open):
    """A project's compliance on its parcel: verdict, checks, envelope, procedure."""

    verdict: str
    checks: list[dict[str, Any]]
    zones: list[OverlayZone]
    frontage_m: Any
    envelope: dict[str, Any] | None
    parcel: dict[str, Any] | None
    procedure: Any
    plan: str | None


class FeeAnswer(Open):
    """The agency's fee (rémunération pour services rendus)."""

    montant_ht: Any
    montant_ttc: Any
    devise: str
    reasons: list[dict[str, Any]]


class Indicators(Open):
    """Counts, delays in working days, and the quarterly rankings."""

    filters: dict[str, Any]
    counts: dict[str, Any]
    delays: dict[str, Any]


class PlanSummary(Open):
    """A plan of the list: name, commune, status and layer counts."""

    name: str
    commune: Any
    counts: dict[str, Any]


class MyNote(Open):
    """A note you asked for."""

    id: str
    number: str
    issued_at: Any
    revoked_at: Any


class MyCheck(Open):
    """A compliance check you ran, with its full result."""

    id: int
    checked_at: Any
    verdict: Any
    result: Any


class AccountRow(Open):
    """An account as the admins list it (no personal field)."""

    id: int
    login: str
    role: str
    agency: str | None
    active: bool


class AuditEntry(Open):
    """One act of the audit trail: who (role#account), what, on what, when."""

    id: int
    at: Any
    actor: str
    action: str
    subject: Any
    details: Any


class Preview(Open):
    """What a note would say (zones, servitudes, roads… as the note's rows), before issuing;
    for a scan, the points read (`points`, `needs_review`) for the petitioner to confirm."""

    warnings: list[dict[str, Any]]


class RequestFile(Open):
    """A file sent with an NRU request: its field, name, size and SHA-256, and where to get it."""

    field: str
    href: str


class NruRequestFiles(Open):
    """An NRU request as its agency sees it (art. 6 al. 2): who asked, on what title, its files."""

    id: str
    number: str
    received_at: str
    files: list[RequestFile]
