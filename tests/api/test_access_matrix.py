"""Every endpoint × every role, over real HTTP: what each may do, and the refusals.

Roles: the public (no token), a petitioner, an agent of the demo's agency, an agent of another
agency, an admin. Every route the app serves must have its row here (the last test checks it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from shapely.geometry import box
from sqlalchemy import Engine, text

from api.app import create_app
from geoportal.accounts import account_id, issue_token
from geoportal.settings import Settings
from tests.accounts import ACCOUNTS, AGENCY, bearer
from tests.dossiers import COMMUNE as DOSSIER_COMMUNE
from tests.dossiers import GRAND_PROJET, PRINCIPAL_PIECES, session_date
from tests.dossiers import PARCEL as DOSSIER_PARCEL
from tests.dossiers import PDF as PIECE
from tests.geoportal.nru.test_issue import PARCEL, coordinates
from tests.geoportal.projects.test_register import project
from tests.packages import write_plan
from zoning.synthetic import reglement

ROLES = ("public", "petitioner", "agent", "other_agent", "admin")
DEMO = "PA Ain Demo"
PROJECT = {
    "kind": "construction",
    "use": "habitation",
    "owner": "prive",
    "height_m": 9.0,
    "storeys": 2,
    "floor_area_m2": 300.0,
}
# A parcel of the demo commune, south-west of PARCEL, for projects recorded by the matrix.
SITE = box(358640, 366540, 358660, 366560)


def everyone(status: int) -> dict[str, int]:
    """Open to all, the public included."""
    return dict.fromkeys(ROLES, status)


def signed_in(status: int) -> dict[str, int]:
    """Any account; the public must sign in."""
    return {**dict.fromkeys(ROLES, status), "public": 401}


def demo_agency(status: int) -> dict[str, int]:
    """The demo agency's agents and the admin; another agency's agent is refused."""
    return {"public": 401, "petitioner": 403, "agent": status, "other_agent": 403, "admin": status}


def dossier_readers(status: int, public: int = 404) -> dict[str, int]:
    """A dossier's filer, the agents of its agency and the admin (issue #13 « scoped »)."""
    return {
        "public": public,
        "petitioner": status,
        "agent": status,
        "other_agent": 403,
        "admin": status,
    }


def refused_but(role: str, status: int) -> dict[str, int]:
    """One role may (with `status`); the other accounts get 403, the public 401."""
    return {**dict.fromkeys(ROLES, 403), "public": 401, role: status}


def admins(status: int) -> dict[str, int]:
    """The admin only."""
    return {**dict.fromkeys(ROLES, 403), "public": 401, "admin": status}


@dataclass
class World:
    """The running service, an admin's client to prepare what a request needs, and the engine."""

    base: str
    engine: Engine
    tmp: Path
    admin: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.admin = httpx.Client(base_url=self.base, headers=bearer("admin"), timeout=60)

    def note(self, headers: dict[str, str] | None = None) -> str:
        """A fresh note on the demo plan (asked by the public unless headers say who)."""
        body = {"coordinates": coordinates(PARCEL), "plan": DEMO}
        response = httpx.post(f"{self.base}/api/v1/nru", json=body, headers=headers, timeout=60)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def request(self, headers: dict[str, str] | None = None) -> str:
        """A fresh request (and its note) with a file, its id (art. 6 al. 2: its own act)."""
        files = {
            "file": ("bornes.csv", coordinates(PARCEL).encode()),
            "plan_cadastral": ("plan.pdf", b"%PDF-1.4\n%%EOF\n"),
        }
        response = httpx.post(
            f"{self.base}/api/v1/nru",
            files=files,
            data={"plan": DEMO},
            headers=headers,
            timeout=60,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["request"]["id"])

    def revoked_note(self) -> str:
        """A fresh note, revoked by the admin."""
        note = self.note()
        revoked = self.admin.post(f"/api/v1/nru/{note}/revoke", json={"reason": "erreur"})
        assert revoked.status_code == 200, revoked.text
        return note

    def recorded_project(self) -> int:
        """A fresh project in the demo's territory, recorded by the admin."""
        body = project(f"MATRICE/{uuid.uuid4().hex[:10]}", footprint=_square())
        response = self.admin.post("/api/v1/projects", json=body)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def account(self, password: str | None = None) -> str:
        """A fresh petitioner account's login."""
        login = f"matrice.{uuid.uuid4().hex[:10]}"
        body = {"login": login, "password": password or "mot-de-passe-long", "full_name": "X"}
        assert self.admin.post("/api/v1/accounts", json=body).status_code == 201
        return login

    def fresh_token(self, role: str) -> str:
        """A new token of the role's test account (signing out must not spend the shared one)."""
        with self.engine.begin() as conn:
            user = account_id(conn, ACCOUNTS[role].login)
            return issue_token(conn, user, hours=1, label="test")

    def dossier(self) -> int:
        """A fresh grand projet filed by the test petitioner (issue #13)."""
        body = {"project": GRAND_PROJET, "coordinates": DOSSIER_PARCEL}
        response = httpx.post(
            f"{self.base}/api/v1/dossiers", json=body, headers=bearer("petitioner"), timeout=60
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def dossier_number(self) -> str:
        """A fresh dossier's number (for /suivi)."""
        found = self.admin.get(f"/api/v1/dossiers/{self.dossier()}").json()
        return str(found["number"])

    def session(self) -> int:
        """A fresh session of the demo commune, scheduled by the admin."""
        body = {"date": session_date(), "commune": DOSSIER_COMMUNE, "slots": 500}
        response = self.admin.post("/api/v1/commissions", json=body)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def recevable_dossier(self) -> int:
        """A fresh dossier with its principal pieces, found recevable by the admin."""
        dossier = self.dossier()
        for kind in PRINCIPAL_PIECES:
            piece = httpx.post(
                f"{self.base}/api/v1/dossiers/{dossier}/pieces",
                data={"kind": kind},
                files={"file": ("p.pdf", PIECE)},
                headers=bearer("petitioner"),
            )
            assert piece.status_code == 201, piece.text
        ok = self.admin.post(f"/api/v1/dossiers/{dossier}/recevabilite", json={"recevable": True})
        assert ok.status_code == 200, ok.text
        return dossier

    def dossier_in_session(self) -> tuple[int, int]:
        """A fresh dossier on a fresh session's agenda."""
        dossier, session = self.recevable_dossier(), self.session()
        agenda = self.admin.post(
            f"/api/v1/commissions/{session}/dossiers", json={"dossier_id": dossier}
        )
        assert agenda.status_code == 201, agenda.text
        return dossier, session

    def examined_dossier(self) -> int:
        """A fresh dossier whose session was closed (its PV exists)."""
        dossier, session = self.dossier_in_session()
        assert self.admin.post(f"/api/v1/commissions/{session}/cloture").status_code == 200
        return dossier

    def pre_instruction(self) -> int:
        """A fresh pré-instruction asked by the test petitioner."""
        body = {"project": GRAND_PROJET, "coordinates": DOSSIER_PARCEL}
        response = httpx.post(
            f"{self.base}/api/v1/pre-instructions",
            json=body,
            headers=bearer("petitioner"),
            timeout=60,
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def parcel(self) -> int:
        """The stored parcel of a fresh dossier."""
        return int(self.admin.get(f"/api/v1/dossiers/{self.dossier()}").json()["parcel_id"])

    def plan_package(self) -> dict[str, Any]:
        """A small plan of the demo agency, under a fresh name."""
        name = f"PA Matrice {uuid.uuid4().hex[:8]}"
        package, rules = write_plan(self.tmp / name, name=name, rules=reglement(name))
        return {
            "package": ("plan.gpkg", package.read_bytes()),
            "reglement": ("reglement.yaml", rules.encode()),
        }


def _square() -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [list(SITE.exterior.coords)]}


Call = tuple[str, str, dict[str, Any]]  # method, URL path, httpx keyword arguments


@dataclass(frozen=True)
class Case:
    """One route: how to call it for a role, and the status each role gets."""

    route: str  # "METHOD /path/{template}" as the app declares it
    expect: dict[str, int]
    call: Callable[[World, str], Call]


def get(url: str) -> Callable[[World, str], Call]:
    """A plain GET of a fixed URL."""
    return lambda world, role: ("GET", url, {})


def post_json(url: str, body: dict[str, Any]) -> Callable[[World, str], Call]:
    """A POST of a fixed JSON body."""
    return lambda world, role: ("POST", url, {"json": body})


NRU_BODY = {"coordinates": coordinates(PARCEL), "plan": DEMO}
OGC_ITEMS = "/ogc/collections/opendata.projets_autorises"

DOSSIER_PAGES = ("/depot", "/guichet", "/seance", "/decisions")

CASES = [
    # pages and documentation
    Case("GET /", everyone(200), get("/")),
    Case("GET /favicon.ico", everyone(200), get("/favicon.ico")),
    Case("GET /plans", everyone(200), get("/plans")),
    Case("GET /nru", everyone(200), get("/nru")),
    Case("GET /projet", everyone(200), get("/projet")),
    Case("GET /compte", everyone(200), get("/compte")),
    Case("GET /indicateurs", everyone(200), get("/indicateurs")),
    Case("GET /plans/{name}/map", everyone(200), get(f"/plans/{DEMO}/map")),
    Case("GET /docs", everyone(200), get("/docs")),
    Case("GET /docs/oauth2-redirect", everyone(200), get("/docs/oauth2-redirect")),
    Case("GET /openapi.json", everyone(200), get("/openapi.json")),
    Case("GET /static", everyone(200), get("/static/app/common.js")),
    # plans
    Case("GET /api/v1/plans", everyone(200), get("/api/v1/plans")),
    Case("GET /api/v1/plans/{name}", everyone(200), get(f"/api/v1/plans/{DEMO}")),
    Case("GET /api/v1/plans/{name}/zones", everyone(200), get(f"/api/v1/plans/{DEMO}/zones")),
    Case(
        "GET /api/v1/plans/{name}/layers/{layer}",
        everyone(200),
        get(f"/api/v1/plans/{DEMO}/layers/roads"),
    ),
    Case(
        "POST /api/v1/plans",
        demo_agency(201),
        lambda world, role: ("POST", "/api/v1/plans", {"files": world.plan_package()}),
    ),
    # notes de renseignements urbanistiques
    Case(
        "POST /api/v1/nru",
        {**everyone(201), "other_agent": 403},
        post_json("/api/v1/nru", NRU_BODY),
    ),
    Case(
        "GET /api/v1/nru",
        {"public": 401, "petitioner": 403, "agent": 200, "other_agent": 200, "admin": 200},
        get("/api/v1/nru"),
    ),
    Case(
        "GET /api/v1/nru/{nru_id}",
        everyone(200),
        lambda world, role: ("GET", f"/api/v1/nru/{world.note()}", {}),
    ),
    Case(
        "GET /api/v1/nru/{nru_id}",  # a note naming its petitioner: the same rule as its PDF
        {**demo_agency(200), "petitioner": 200},
        lambda world, role: ("GET", f"/api/v1/nru/{world.note(bearer('petitioner'))}", {}),
    ),
    Case(
        "GET /api/v1/nru/{nru_id}.pdf",
        everyone(200),
        lambda world, role: ("GET", f"/api/v1/nru/{world.note()}.pdf", {}),
    ),
    Case(
        "GET /api/v1/nru/{nru_id}.pdf",  # a revoked note: its signed PDF is gone
        everyone(410),
        lambda world, role: ("GET", f"/api/v1/nru/{world.revoked_note()}.pdf", {}),
    ),
    Case(
        "GET /api/v1/nru/{nru_id}.pdf",  # a note naming its petitioner
        {**demo_agency(200), "petitioner": 200},
        lambda world, role: ("GET", f"/api/v1/nru/{world.note(bearer('petitioner'))}.pdf", {}),
    ),
    Case(
        "GET /api/v1/nru/requests/{request_id}/receipt.pdf",  # art. 6 al. 2: the récépissé
        everyone(200),
        lambda world, role: ("GET", f"/api/v1/nru/requests/{world.request()}/receipt.pdf", {}),
    ),
    Case(
        "GET /api/v1/nru/requests/{request_id}/receipt.pdf",  # naming its requester
        {**demo_agency(200), "petitioner": 200},
        lambda world, role: (
            "GET",
            f"/api/v1/nru/requests/{world.request(bearer('petitioner'))}/receipt.pdf",
            {},
        ),
    ),
    Case(
        "GET /api/v1/nru/requests/{request_id}/files",  # the owner's papers: the agency's agents
        {**demo_agency(200), "admin": 403},
        lambda world, role: (
            "GET",
            f"/api/v1/nru/requests/{world.request(bearer('petitioner'))}/files",
            {},
        ),
    ),
    Case(
        "GET /api/v1/nru/requests/{request_id}/files/{field}",
        {**demo_agency(200), "admin": 403},
        lambda world, role: (
            "GET",
            f"/api/v1/nru/requests/{world.request()}/files/plan_cadastral",
            {},
        ),
    ),
    Case(
        "POST /api/v1/nru/{nru_id}/revoke",
        demo_agency(200),
        lambda world, role: (
            "POST",
            f"/api/v1/nru/{world.note()}/revoke",
            {"json": {"reason": "erreur matérielle sur la référence foncière"}},
        ),
    ),
    Case(
        "GET /verify/{nru_id}",
        everyone(200),
        lambda world, role: ("GET", f"/verify/{world.note()}", {}),
    ),
    Case(
        "POST /api/v1/parcels/preview",
        everyone(200),
        post_json("/api/v1/parcels/preview", NRU_BODY),
    ),
    # projects: procedure, compliance, fees
    Case("POST /api/v1/classify", everyone(200), post_json("/api/v1/classify", PROJECT)),
    Case(
        "POST /api/v1/check",
        everyone(200),
        post_json("/api/v1/check", {"coordinates": coordinates(PARCEL), "project": PROJECT}),
    ),
    Case("POST /api/v1/fees", everyone(200), post_json("/api/v1/fees", {"project": PROJECT})),
    # the register of authorized projects and its open data
    Case("GET /api/v1/projects", everyone(200), get("/api/v1/projects?limit=5")),
    Case("GET /api/v1/projects.csv", everyone(200), get("/api/v1/projects.csv?commune=Ain%20Demo")),
    Case("GET /api/v1/projects/events", everyone(200), get("/api/v1/projects/events")),
    Case(
        "POST /api/v1/projects",
        demo_agency(201),
        lambda world, role: (
            "POST",
            "/api/v1/projects",
            {"json": project(f"MATRICE/{uuid.uuid4().hex[:10]}", footprint=_square())},
        ),
    ),
    Case(
        "POST /api/v1/projects/import",
        demo_agency(201),
        lambda world, role: (
            "POST",
            "/api/v1/projects/import",
            {"files": {"file": ("projets.csv", _register_csv())}},
        ),
    ),
    Case(
        "PATCH /api/v1/projects/{project_id}",
        demo_agency(200),
        lambda world, role: (
            "PATCH",
            f"/api/v1/projects/{world.recorded_project()}",
            {"json": {"status": "en_chantier"}},
        ),
    ),
    Case("GET /api/v1/indicators", everyone(200), get("/api/v1/indicators")),
    # accounts
    Case(
        "POST /api/v1/token",
        everyone(200),
        lambda world, role: (
            "POST",
            "/api/v1/token",
            {
                "data": {
                    "username": world.account("mot-de-passe-long"),
                    "password": "mot-de-passe-long",
                }
            },
        ),
    ),
    Case(
        "DELETE /api/v1/token",
        signed_in(204),
        lambda world, role: (
            "DELETE",
            "/api/v1/token",
            {"headers": {"Authorization": f"Bearer {world.fresh_token(role)}"}}
            if role != "public"
            else {},
        ),
    ),
    Case(
        "POST /api/v1/accounts",
        everyone(201),
        lambda world, role: (
            "POST",
            "/api/v1/accounts",
            {
                "json": {
                    "login": f"nouveau.{uuid.uuid4().hex[:10]}",
                    "password": "un-mot-de-passe-solide",
                    "full_name": "Nouveau Pétitionnaire",
                }
            },
        ),
    ),
    Case(
        "POST /api/v1/session",
        everyone(200),
        lambda world, role: (
            "POST",
            "/api/v1/session",
            {
                "data": {
                    "username": world.account("mot-de-passe-long"),
                    "password": "mot-de-passe-long",
                }
            },
        ),
    ),
    # signing out of the pages' session: anyone, a session or none (the cookies are cleared)
    Case(
        "DELETE /api/v1/session",
        everyone(204),
        lambda world, role: ("DELETE", "/api/v1/session", {}),
    ),
    Case("GET /api/v1/me", signed_in(200), get("/api/v1/me")),
    Case("GET /api/v1/me/nrus", signed_in(200), get("/api/v1/me/nrus")),
    Case("GET /api/v1/me/checks", signed_in(200), get("/api/v1/me/checks")),
    Case("GET /api/v1/users", admins(200), get("/api/v1/users")),
    Case(
        "POST /api/v1/users",
        admins(201),
        lambda world, role: (
            "POST",
            "/api/v1/users",
            {"json": {"login": f"agent.{uuid.uuid4().hex[:8]}", "role": "agent", "agency": AGENCY}},
        ),
    ),
    Case(
        "DELETE /api/v1/users/{login}",
        admins(204),
        lambda world, role: ("DELETE", f"/api/v1/users/{world.account()}", {}),
    ),
    Case("GET /api/v1/audit", admins(200), get("/api/v1/audit?limit=5")),
    # permit dossiers (issue #13): the workflow's own roles are tested in tests/api/test_dossiers
    *(Case(f"GET {page}", everyone(200), get(page)) for page in DOSSIER_PAGES),
    Case(
        "GET /suivi/{number}",
        everyone(200),
        lambda world, role: ("GET", f"/suivi/{world.dossier_number()}", {}),
    ),
    Case("GET /api/v1/commissions", signed_in(200), get("/api/v1/commissions")),
    Case(
        "POST /api/v1/commissions",
        refused_but("admin", 201),
        post_json("/api/v1/commissions", {"date": session_date(), "commune": DOSSIER_COMMUNE}),
    ),
    Case(
        "POST /api/v1/commissions/{session_id}/dossiers",
        refused_but("admin", 201),
        lambda world, role: (
            "POST",
            f"/api/v1/commissions/{world.session()}/dossiers",
            {"json": {"dossier_id": world.recevable_dossier()}},
        ),
    ),
    Case(
        "GET /api/v1/commissions/{session_id}/ordre-du-jour.pdf",
        signed_in(200),
        lambda world, role: (
            "GET",
            f"/api/v1/commissions/{world.dossier_in_session()[1]}/ordre-du-jour.pdf",
            {},
        ),
    ),
    Case(
        "POST /api/v1/commissions/{session_id}/cloture",
        refused_but("admin", 200),
        lambda world, role: ("POST", f"/api/v1/commissions/{world.session()}/cloture", {}),
    ),
    Case(
        "POST /api/v1/dossiers",
        refused_but("petitioner", 201),
        post_json("/api/v1/dossiers", {"project": GRAND_PROJET, "coordinates": DOSSIER_PARCEL}),
    ),
    Case("GET /api/v1/dossiers", signed_in(200), get("/api/v1/dossiers")),
    Case(
        "GET /api/v1/dossiers/late",
        {**signed_in(200), "petitioner": 403},
        get("/api/v1/dossiers/late"),
    ),
    Case(
        "GET /api/v1/dossiers/{dossier_id}",
        dossier_readers(200),
        lambda world, role: ("GET", f"/api/v1/dossiers/{world.dossier()}", {}),
    ),
    Case(
        "GET /api/v1/dossiers/{dossier_id}/receipt.pdf",
        dossier_readers(200),
        lambda world, role: ("GET", f"/api/v1/dossiers/{world.dossier()}/receipt.pdf", {}),
    ),
    Case(
        "GET /api/v1/dossiers/{dossier_id}/pv.pdf",
        dossier_readers(200),
        lambda world, role: ("GET", f"/api/v1/dossiers/{world.examined_dossier()}/pv.pdf", {}),
    ),
    Case(
        "GET /api/v1/dossiers/{dossier_id}/ne-varietur.pdf",  # none is authorized here
        dossier_readers(409),
        lambda world, role: ("GET", f"/api/v1/dossiers/{world.dossier()}/ne-varietur.pdf", {}),
    ),
    Case(
        "GET /api/v1/dossiers/{dossier_id}/decision.pdf",  # none is decided: the president's
        dossier_readers(409),
        lambda world, role: ("GET", f"/api/v1/dossiers/{world.dossier()}/decision.pdf", {}),
    ),
    Case(
        "POST /api/v1/dossiers/{dossier_id}/pieces",
        {**refused_but("petitioner", 201), "public": 401},
        lambda world, role: (
            "POST",
            f"/api/v1/dossiers/{world.dossier()}/pieces",
            {"data": {"kind": "plan_masse"}, "files": {"file": ("p.pdf", PIECE)}},
        ),
    ),
    Case(
        "POST /api/v1/dossiers/{dossier_id}/recevabilite",
        refused_but("admin", 200),
        lambda world, role: (
            "POST",
            f"/api/v1/dossiers/{world.dossier()}/recevabilite",
            {"json": {"recevable": False, "missing": ["plan_masse"]}},
        ),
    ),
    Case(
        "POST /api/v1/dossiers/{dossier_id}/avis",  # the agency's avis, by its agents
        refused_but("agent", 201),
        lambda world, role: (
            "POST",
            f"/api/v1/dossiers/{world.dossier_in_session()[0]}/avis",
            {"json": {"avis": "favorable"}},
        ),
    ),
    Case(
        "POST /api/v1/dossiers/{dossier_id}/modifications",
        refused_but("admin", 200),
        lambda world, role: (
            "POST",
            f"/api/v1/dossiers/{world.examined_dossier()}/modifications",
            {"json": {"motifs": "Réduire la hauteur"}},
        ),
    ),
    Case(
        "POST /api/v1/dossiers/{dossier_id}/observations",
        refused_but("admin", 200),
        lambda world, role: (
            "POST",
            f"/api/v1/dossiers/{world.examined_dossier()}/observations",
            {"json": {"motifs": "Joindre l'étude de sol"}},
        ),
    ),
    Case(
        "POST /api/v1/dossiers/{dossier_id}/decision",  # the president's only
        refused_but("admin", 403),
        lambda world, role: (
            "POST",
            f"/api/v1/dossiers/{world.examined_dossier()}/decision",
            {"json": {"decision": "refus", "motifs": "Hauteur excessive"}},
        ),
    ),
    Case(
        "POST /api/v1/dossiers/{dossier_id}/paiement",
        refused_but("admin", 200),
        lambda world, role: ("POST", f"/api/v1/dossiers/{world.dossier()}/paiement", {}),
    ),
    Case(
        "POST /api/v1/dossiers/{dossier_id}/notification",  # none is decided: 409
        refused_but("admin", 409),
        lambda world, role: ("POST", f"/api/v1/dossiers/{world.dossier()}/notification", {}),
    ),
    Case(
        "POST /api/v1/pre-instructions",
        refused_but("petitioner", 201),
        post_json(
            "/api/v1/pre-instructions", {"project": GRAND_PROJET, "coordinates": DOSSIER_PARCEL}
        ),
    ),
    Case(
        "GET /api/v1/pre-instructions/{pre_id}",
        {**dossier_readers(200, public=401), "other_agent": 404},
        lambda world, role: ("GET", f"/api/v1/pre-instructions/{world.pre_instruction()}", {}),
    ),
    Case(
        "POST /api/v1/pre-instructions/{pre_id}/avis",
        refused_but("agent", 200),
        lambda world, role: (
            "POST",
            f"/api/v1/pre-instructions/{world.pre_instruction()}/avis",
            {"json": {"avis": "favorable"}},
        ),
    ),
    Case(
        "GET /api/v1/parcels/{parcel_id}",
        {**demo_agency(200), "petitioner": 403},
        lambda world, role: ("GET", f"/api/v1/parcels/{world.parcel()}", {}),
    ),
    # OGC API Features and Tiles (tipg), open data
    Case("GET /ogc/", everyone(200), get("/ogc/")),
    Case("GET /ogc/conformance", everyone(200), get("/ogc/conformance")),
    Case("GET /ogc/collections", everyone(200), get("/ogc/collections")),
    Case("GET /ogc/collections/{collectionId}", everyone(200), get(OGC_ITEMS)),
    Case(
        "GET /ogc/collections/{collectionId}/queryables",
        everyone(200),
        get(f"{OGC_ITEMS}/queryables"),
    ),
    Case(
        "GET /ogc/collections/{collectionId}/items",
        everyone(200),
        get(f"{OGC_ITEMS}/items?limit=3"),
    ),
    Case(
        "GET /ogc/collections/{collectionId}/items/{itemId}",
        everyone(200),
        lambda world, role: ("GET", f"{OGC_ITEMS}/items/{world.recorded_project()}", {}),
    ),
    Case("GET /ogc/tileMatrixSets", everyone(200), get("/ogc/tileMatrixSets")),
    Case(
        "GET /ogc/tileMatrixSets/{tileMatrixSetId}",
        everyone(200),
        get("/ogc/tileMatrixSets/WebMercatorQuad"),
    ),
    Case("GET /ogc/collections/{collectionId}/tiles", everyone(200), get(f"{OGC_ITEMS}/tiles")),
    Case(
        "GET /ogc/collections/{collectionId}/tiles/{tileMatrixSetId}",
        everyone(200),
        get(f"{OGC_ITEMS}/tiles/WebMercatorQuad"),
    ),
    Case(
        "GET /ogc/collections/{collectionId}/tiles/{tileMatrixSetId}/{z}/{x}/{y}",
        everyone(200),
        get(f"{OGC_ITEMS}/tiles/WebMercatorQuad/12/1969/1637"),
    ),
    Case(
        "GET /ogc/collections/{collectionId}/tiles/{tileMatrixSetId}/tilejson.json",
        everyone(200),
        get(f"{OGC_ITEMS}/tiles/WebMercatorQuad/tilejson.json"),
    ),
    Case(
        "GET /ogc/collections/{collectionId}/tiles/{tileMatrixSetId}/style.json",
        everyone(200),
        get(f"{OGC_ITEMS}/tiles/WebMercatorQuad/style.json"),
    ),
]


def _register_csv() -> bytes:
    """A one-row register import in the demo's territory."""
    number = f"MATRICE/{uuid.uuid4().hex[:10]}"
    return (
        "permit_number,permit_date,commune,kind,footprint_wkt\n"
        f'{number},2026-11-20,Ain Demo,construction,"{SITE.wkt}"\n'
    ).encode()


@pytest.fixture(scope="module")
def world(server: str, engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The running demo service; the plans and projects the matrix makes are removed after."""
    made = World(server, engine, tmp_path_factory.mktemp("matrix"))
    yield made
    made.admin.close()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM plans WHERE name LIKE 'PA Matrice%'"))
        for table in ("dossiers", "commissions", "parcels"):
            conn.execute(text(f"DELETE FROM {table} WHERE commune = :c"), {"c": DOSSIER_COMMUNE})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.route)
def test_route_and_role(world: World, case: Case, role: str) -> None:
    method, url, options = case.call(world, role)
    headers = {} if role == "public" else bearer(role)
    options["headers"] = {**headers, **options.get("headers", {})}
    with httpx.stream(method, f"{world.base}{url}", timeout=60, **options) as response:
        status = response.status_code  # an event stream is judged by its headers alone
    assert status == case.expect[role], f"{case.route} as {role}: {status}"


def app_routes() -> set[str]:
    """Every "METHOD /path" the app serves (HEAD aside), mounts included."""
    app = create_app(Settings())
    found: set[str] = set()
    for route in app.routes:
        contexts = (
            route.effective_route_contexts()
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for context in contexts:
            methods = getattr(context, "methods", None) or {"GET"}
            path = getattr(context, "path", "")
            found |= {f"{m} {path}" for m in methods if m != "HEAD"}
    return found


def test_every_route_has_its_row() -> None:
    assert app_routes() == {case.route for case in CASES}
