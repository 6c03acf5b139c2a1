"""Security headers on every page, and the pages' session (issue #10, item 3): an HttpOnly,
SameSite=Strict cookie, CSRF proof on what changes state, bearer tokens unchanged for API
clients."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from api.app import create_app
from api.ogc_pages import LOCAL_ASSETS, ogc_templates
from geoportal.settings import Settings
from tests.accounts import ADMIN, AGENT, PETITIONER
from tests.browser import chromium_page
from tests.dossiers import GRAND_PROJET
from tests.dossiers import PARCEL as DOSSIER_PARCEL
from tests.geoportal.nru.test_issue import PARCEL, coordinates

DEMO = "PA Ain Demo"
#: every page: the app's HTML routes (checked complete below), Swagger UI, tipg's pages
PAGES = {
    "/": "/",
    "/plans": "/plans",
    "/nru": "/nru",
    "/projet": "/projet",
    "/compte": "/compte",
    "/indicateurs": "/indicateurs",
    "/plans/{name}/map": f"/plans/{DEMO}/map",
    "/verify/{nru_id}": "/verify/{note}",
    "/depot": "/depot",
    "/guichet": "/guichet",
    "/seance": "/seance",
    "/decisions": "/decisions",
    "/suivi/{number}": "/suivi/{dossier}",
    "/docs": "/docs",
    "/docs/oauth2-redirect": "/docs/oauth2-redirect",
    "ogc landing": "/ogc/?f=html",
    "ogc conformance": "/ogc/conformance?f=html",
    "ogc collections": "/ogc/collections?f=html",
    "ogc collection": "/ogc/collections/opendata.zones?f=html",
    "ogc queryables": "/ogc/collections/opendata.zones/queryables?f=html",
    "ogc items": "/ogc/collections/opendata.zones/items?f=html",
    "ogc item": "/ogc/collections/opendata.zones/items/{zone}?f=html",
    "ogc tile matrix sets": "/ogc/tileMatrixSets?f=html",
    "ogc tile matrix set": "/ogc/tileMatrixSets/WebMercatorQuad?f=html",
    "ogc tilesets": "/ogc/collections/opendata.zones/tiles?f=html",
    "ogc tileset": "/ogc/collections/opendata.zones/tiles/WebMercatorQuad?f=html",
    "static page": "/static/app/carte.html",
}
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EXTERNAL_ASSET = re.compile(r"<(?:script|link|img)\b[^>]*(?:src|href)=[\"']?(?:https?:)?//", re.I)


@pytest.fixture(scope="module")
def note(server: str) -> str:
    """A note of the demo plan, for its verification page."""
    body = {"coordinates": coordinates(PARCEL), "plan": DEMO}
    response = httpx.post(f"{server}/api/v1/nru", json=body, timeout=60)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture(scope="module")
def dossier(server: str) -> str:
    """A dossier's number, for its public tracking page (issue #13)."""
    body = {"project": GRAND_PROJET, "coordinates": DOSSIER_PARCEL}
    response = httpx.post(f"{server}/api/v1/dossiers", json=body, headers=PETITIONER, timeout=60)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def directives(policy: str) -> dict[str, str]:
    """A Content-Security-Policy's directives by name."""
    pairs = (d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    return {name: value for name, value in pairs}


def test_the_app_html_routes_are_all_listed() -> None:
    html_routes = {
        route.path
        for route in create_app(Settings()).routes
        if isinstance(route, APIRoute) and route.response_class is HTMLResponse
    }
    assert html_routes <= set(PAGES), html_routes - set(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_sends_the_policy_and_headers(
    server: str, note: str, dossier: str, name: str
) -> None:
    zone = httpx.get(f"{server}/ogc/collections/opendata.zones/items?limit=1", timeout=30)
    url = PAGES[name].format(note=note, zone=zone.json()["features"][0]["id"], dossier=dossier)
    first, second = (httpx.get(f"{server}{url}", timeout=30) for _ in range(2))
    assert first.status_code == 200, (url, first.status_code)
    assert first.headers["content-type"].startswith("text/html")
    policy = directives(first.headers["content-security-policy"])
    script_src = policy["script-src"].split()
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["default-src"] == "'self'"
    hosts = [s for d in policy.values() for s in d.split() if s.startswith("http")]
    assert hosts == ["https://tile.openstreetmap.org"]  # the one other host: OSM's tiles
    assert first.headers["x-content-type-options"] == "nosniff"
    assert first.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    # a fresh nonce each response, and every inline script of the page carries its own (the
    # pages are prepared once per language: the second answer must not carry the first nonce)
    [nonce] = [s for s in script_src if s.startswith("'nonce-")]
    assert nonce not in second.headers["content-security-policy"]
    for response in (first, second):
        [own] = re.findall(r"'nonce-([^']+)'", response.headers["content-security-policy"])
        for attributes in SCRIPT_TAG.findall(response.text):
            if "src=" not in attributes:
                assert f'nonce="{own}"' in attributes, (url, attributes)
    assert not EXTERNAL_ASSET.search(first.text), EXTERNAL_ASSET.search(first.text)


def test_data_and_files_get_the_headers_too(server: str) -> None:
    for url in ("/api/v1/plans", "/static/app/auth.js"):
        response = httpx.get(f"{server}{url}", timeout=30)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


def test_tipg_templates_keep_no_cdn() -> None:
    """Every CDN address of tipg's templates in use is replaced by a local file, and their
    maps' OpenStreetMap background by a blank tile (nothing fetched from the internet)."""
    environment = ogc_templates().env
    pages = ("header.html", "items.html", "item.html", "collection.html", "landing.html")
    for name in (*pages, "map.html", "tileset.html", "tilematrixset.html", "viewer.html"):
        source = environment.loader.get_source(environment, name)[0]  # type: ignore[union-attr]
        assert "tile.openstreetmap.org" not in source, name
        assert not EXTERNAL_ASSET.search(source), (name, EXTERNAL_ASSET.search(source))
    assert all(local.startswith(("/static/", "data:image/")) for local in LOCAL_ASSETS.values())


# ---------------------------------------------------------------- the pages' session


def an_agent_with_a_password(server: str) -> tuple[str, str]:
    """A fresh agent account of the demo agency, with a password."""
    login, password = f"agent.{uuid.uuid4().hex[:8]}", "un mot de passe solide"
    body = {
        "login": login,
        "role": "agent",
        "agency": "Agence Urbaine de Skhirate-Temara",
        "password": password,
    }
    created = httpx.post(f"{server}/api/v1/users", json=body, headers=ADMIN, timeout=30)
    assert created.status_code == 201, created.text
    return login, password


@contextmanager
def signed_in(server: str) -> Iterator[httpx.Client]:
    """A browser-like client holding the pages' session of a fresh agent."""
    login, password = an_agent_with_a_password(server)
    with httpx.Client(base_url=server, timeout=60) as client:
        response = client.post("/api/v1/session", data={"username": login, "password": password})
        assert response.status_code == 200, response.text
        yield client


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_sign_in_sets_an_httponly_strict_cookie_and_never_shows_the_token(server: str) -> None:
    login, password = an_agent_with_a_password(server)
    response = httpx.post(
        f"{server}/api/v1/session", data={"username": login, "password": password}, timeout=30
    )
    assert response.status_code == 200
    cookies = set_cookies(response)
    session, csrf = cookies["geoportal_session"], cookies["geoportal_csrf"]
    assert "HttpOnly" in session and "SameSite=strict" in session and "Path=/" in session
    assert "HttpOnly" not in csrf and "SameSite=strict" in csrf
    token = session.split("=", 1)[1].split(";", 1)[0]
    assert token not in response.text  # the pages never see it
    assert response.json()["login"] == login and response.json()["role"] == "agent"


def revoke_body() -> dict[str, Any]:
    return {"reason": "délivrée par erreur"}


def a_note(server: str) -> str:
    response = httpx.post(
        f"{server}/api/v1/nru", json={"coordinates": coordinates(PARCEL), "plan": DEMO}, timeout=60
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_cross_site_post_without_the_csrf_proof_is_refused(server: str) -> None:
    """Another site's form, posted with the agent's cookie (a browser ignoring SameSite):
    refused 403, and the note stays valid."""
    with signed_in(server) as agent:
        assert agent.get("/api/v1/me").json()["role"] == "agent"  # reading: the cookie is enough
        note = a_note(server)
        forged = agent.post(
            f"/api/v1/nru/{note}/revoke",
            json=revoke_body(),
            headers={"Origin": "https://attaquant.example"},
        )
        assert forged.status_code == 403
        assert forged.json()["code"] == "csrf_missing" and "X-CSRF-Token" in forged.json()["detail"]
        wrong = agent.post(
            f"/api/v1/nru/{note}/revoke", json=revoke_body(), headers={"X-CSRF-Token": "0" * 64}
        )
        assert wrong.status_code == 403 and wrong.json()["code"] == "csrf_invalid"
        assert "RÉVOQUÉE" not in agent.get(f"/verify/{note}").text
        proof = agent.cookies["geoportal_csrf"]
        done = agent.post(
            f"/api/v1/nru/{note}/revoke", json=revoke_body(), headers={"X-CSRF-Token": proof}
        )
        assert done.status_code == 200, done.text  # the pages' own request


def test_another_site_cannot_sign_a_visitor_in(server: str) -> None:
    login, password = an_agent_with_a_password(server)
    response = httpx.post(
        f"{server}/api/v1/session",
        data={"username": login, "password": password},
        headers={"Origin": "https://attaquant.example"},
        timeout=30,
    )
    assert response.status_code == 403 and response.json()["code"] == "csrf_origin"
    assert "set-cookie" not in response.headers


def test_signing_out_revokes_the_session(server: str) -> None:
    with signed_in(server) as agent:
        token = agent.cookies["geoportal_session"]
        out = agent.delete("/api/v1/session")
        assert out.status_code == 204
        assert not agent.cookies.get("geoportal_session")
        assert agent.get("/api/v1/me").status_code == 401  # signed out
    again = httpx.get(f"{server}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401  # the token itself is revoked


def test_an_expired_session_cookie_is_simply_signed_out(server: str) -> None:
    public = httpx.get(
        f"{server}/api/v1/plans", cookies={"geoportal_session": "gp_not-a-token"}, timeout=30
    )
    assert public.status_code == 200


def test_bearer_tokens_still_work_for_api_clients(server: str) -> None:
    assert httpx.get(f"{server}/api/v1/me", headers=AGENT, timeout=30).json()["role"] == "agent"
    note = a_note(server)
    revoked = httpx.post(
        f"{server}/api/v1/nru/{note}/revoke", json=revoke_body(), headers=AGENT, timeout=30
    )
    assert revoked.status_code == 200  # no cookie: no CSRF proof to give
    token = httpx.post(
        f"{server}/api/v1/token",
        data=dict(zip(("username", "password"), an_agent_with_a_password(server), strict=True)),
        timeout=30,
    )
    assert token.status_code == 200 and token.json()["token_type"] == "bearer"
    assert "set-cookie" not in token.headers  # API clients get no cookie


# ---------------------------------------------------------------- the pages, under the policy

BROWSED = (
    "/",
    "/plans",
    "/nru",
    "/projet",
    "/compte",
    "/indicateurs",
    f"/plans/{DEMO}/map",
    "/docs",
    "/ogc/collections?f=html",
    "/ogc/collections/opendata.zones/items?f=html",
)


def test_the_pages_run_under_the_policy(server: str) -> None:
    """Each page loads in Chromium with no script refused by the policy and no script error."""
    with chromium_page(viewport={"width": 1200, "height": 800}) as (page, errors):
        refused: list[str] = []
        page.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        for url in BROWSED:
            page.goto(f"{server}{url}", wait_until="networkidle")
            assert refused == [], (url, refused)
        assert page.locator(".leaflet-container").count() == 1  # tipg's map, with local Leaflet
        page.goto(f"{server}/docs")
        page.wait_for_selector(".opblock")
        assert page.locator(".opblock").count() > 20  # Swagger UI drew the operations
    assert errors == []


def test_swagger_ui_sends_the_csrf_proof_of_a_page_session(server: str) -> None:
    login, password = an_agent_with_a_password(server)
    with chromium_page() as (page, errors):
        page.goto(f"{server}/compte")
        page.fill("#login", login)
        page.fill("#password", password)
        page.click("#sign-in button")
        page.wait_for_selector("#signed-in:not([hidden]) #who:not(:empty)")
        proof = {c["name"]: c["value"] for c in page.context.cookies()}["geoportal_csrf"]
        page.goto(f"{server}/docs")
        page.wait_for_selector(".opblock")
        sent = page.evaluate(
            "() => ui.getConfigs().requestInterceptor({ headers: {} }).headers['X-CSRF-Token']"
        )
        assert sent == proof
    assert errors == []
