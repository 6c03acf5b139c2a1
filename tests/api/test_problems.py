"""One refusal (issue #12 item 3, issue #14): every router's 4xx has the one body, in French;
and /openapi.json documents a schema for every 2xx JSON answer (issue #12 item 4).

The body, everywhere (docs/http.md):
    {"detail": "<French sentence>", "code": "...", "errors": [{"code", "field"|"line"|"point",
     "message"}]}
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geoportal.settings import Settings
from tests.accounts import AGENT, PETITIONER
from tests.geoportal.nru.test_issue import PARCEL, coordinates

NOTE = "00000000-0000-0000-0000-000000000000"
#: words of English sentences; none may appear in what users read
ENGLISH = re.compile(
    r"\b(the|is|are|not|no|only|your|cannot|must|should|least|field|required|expected|"
    r"invalid|unknown|missing|wrong|too|many|named|lies|sign in|outside|of the)\b",
    re.IGNORECASE,
)

#: (router, method, path, role's headers, body, expected status, expected code)
SAMPLE: list[tuple[str, str, str, dict[str, str], dict[str, Any] | None, int, str]] = [
    ("plans", "GET", "/api/v1/plans/PA Inconnu", {}, None, 404, "plan_not_found"),
    ("plans", "GET", "/api/v1/plans/PA Inconnu/zones", {}, None, 404, "plan_not_found"),
    ("plans", "POST", "/api/v1/plans", {}, None, 401, "account_required"),
    ("nru", "GET", f"/api/v1/nru/{NOTE}", {}, None, 404, "nru_not_found"),
    ("nru", "GET", "/api/v1/nru", PETITIONER, None, 403, "role_forbidden"),
    ("nru", "POST", "/api/v1/nru", {}, {"coordinates": "B1;1;2"}, 422, "invalid_coordinates"),
    ("nru", "POST", "/api/v1/nru", {}, {"srid": "x"}, 422, "validation"),
    ("nru", "POST", f"/api/v1/nru/{NOTE}/revoke", AGENT, {"reason": "x"}, 422, "validation"),
    (
        "nru",
        "POST",
        "/api/v1/nru",
        {},
        {"coordinates": coordinates(PARCEL), "plan": "PA Inconnu"},
        422,
        "unknown_plan",
    ),
    ("preview", "POST", "/api/v1/parcels/preview", {}, {"coordinates": "x"}, 422, ""),
    ("instruction", "POST", "/api/v1/classify", {}, {}, 422, "validation"),
    ("instruction", "POST", "/api/v1/check", {}, {"coordinates": "B1;1;2"}, 422, "validation"),
    ("instruction", "POST", "/api/v1/fees", {}, {"project": 3}, 422, "validation"),
    ("projects", "GET", "/api/v1/projects?bbox=1,2", {}, None, 422, "bbox_invalid"),
    ("projects", "GET", "/api/v1/projects?from=hier", {}, None, 422, "date_invalid"),
    ("projects", "PATCH", "/api/v1/projects/999999", AGENT, {"status": "acheve"}, 404, ""),
    ("projects", "POST", "/api/v1/projects", PETITIONER, {}, 403, "role_forbidden"),
    (
        "accounts",
        "POST",
        "/api/v1/accounts",
        {},
        {"login": "nouveau.compte", "password": "court", "full_name": "Salma Bennani"},
        422,
        "validation",
    ),
    ("accounts", "GET", "/api/v1/me", {}, None, 401, "account_required"),
    ("accounts", "GET", "/api/v1/users", PETITIONER, None, 403, "role_forbidden"),
    ("accounts", "GET", "/api/v1/me", {"Authorization": "Bearer x"}, None, 401, "token_invalid"),
    ("indicators", "GET", "/api/v1/indicators?quarter=2026-T9", {}, None, 422, "quarter_invalid"),
    ("indicators", "GET", "/api/v1/indicators?from=2026-02-01&to=2026-01-01", {}, None, 422, ""),
    ("ogc", "GET", "/ogc/collections/opendata.inconnue", {}, None, 404, "ogc_introuvable"),
    ("ogc", "GET", "/ogc/collections/opendata.zones/items?bbox=1,2", {}, None, 400, "ogc_bbox"),
    (
        "ogc",
        "GET",
        "/ogc/collections/opendata.zones/items?filter=inconnu%3D1",
        {},
        None,
        400,
        "",
    ),
    ("app", "GET", "/api/v1/nulle-part", {}, None, 404, "http_404"),
    ("app", "DELETE", "/api/v1/plans", {}, None, 405, "http_405"),
]


@pytest.mark.parametrize(
    ("router", "method", "path", "headers", "body", "status", "code"),
    SAMPLE,
    ids=[f"{s[0]}:{s[1]} {s[2]}" for s in SAMPLE],
)
def test_every_router_refuses_in_one_french_body(
    client: TestClient,
    demo: None,
    router: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any] | None,
    status: int,
    code: str,
) -> None:
    response = client.request(method, path, headers=headers, json=body)
    assert response.status_code == status, response.text
    answer = response.json()
    assert isinstance(answer["detail"], str) and answer["detail"]
    assert isinstance(answer["code"], str) and answer["code"]
    assert not code or answer["code"] == code
    assert answer["errors"], answer
    for error in answer["errors"]:
        assert error["code"] and error["message"]
        assert not ENGLISH.search(error["message"]), error
    assert not ENGLISH.search(answer["detail"]), answer["detail"]


def test_a_short_password_is_said_in_french_with_its_field(client: TestClient) -> None:
    signed_up = client.post(
        "/api/v1/accounts",
        json={"login": "nouveau.compte", "password": "court", "full_name": "Salma Bennani"},
    )
    [error] = signed_up.json()["errors"]
    assert error == {
        "code": "string_too_short",
        "field": "password",
        "message": "au moins 10 caractère(s)",
    }
    assert signed_up.json()["detail"] == "Requête invalide — password : au moins 10 caractère(s)."


def test_an_admin_only_route_names_the_roles_in_french(client: TestClient) -> None:
    refused = client.get("/api/v1/users", headers=PETITIONER).json()
    assert refused["detail"] == "Réservé aux comptes administrateur ; le vôtre est pétitionnaire."


def test_openapi_has_a_schema_for_every_2xx_json_answer() -> None:
    spec = create_app(Settings()).openapi()
    components = spec["components"]["schemas"]
    bare = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                json = response.get("content", {}).get("application/json")
                if not status.startswith("2") or json is None:
                    continue
                if not _documented(json.get("schema") or {}, components):
                    bare.append(f"{method.upper()} {path} {status}")
    assert bare == []


def test_openapi_declares_the_one_error_body() -> None:
    spec = create_app(Settings()).openapi()
    problem = spec["components"]["schemas"]["ProblemBody"]
    assert set(problem["required"]) == {"detail", "code", "errors"}
    refusal = spec["paths"]["/api/v1/plans/{name}"]["get"]["responses"]["4XX"]
    assert refusal["content"]["application/json"]["schema"]["$ref"].endswith("/ProblemBody")


def _documented(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """A schema that says something: a model with properties, a list of them, a type."""
    if "$ref" in schema:
        return _documented(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if schema.get("type") == "array":
        return _documented(schema.get("items") or {}, components)
    if schema.get("type") == "object":
        return bool(schema.get("properties")) or isinstance(
            schema.get("additionalProperties"), dict
        )
    return bool(schema.get("type") or schema.get("anyOf") or schema.get("oneOf"))
