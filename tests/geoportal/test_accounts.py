"""Accounts, tokens, rate limits, agencies' boundaries and personal data (issue #6)."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Connection, Engine, text
from typer.testing import CliRunner

from api.app import create_app
from geoportal.accounts import account_id, issue_token
from geoportal.cli import app as cli
from geoportal.plans import import_plan_files
from geoportal.settings import Settings
from tests.accounts import (
    ADMIN,
    AGENCY,
    AGENT,
    OTHER_AGENCY,
    OTHER_AGENT,
    PETITIONER,
    PETITIONER_ADDRESS,
    PETITIONER_CIN,
    PETITIONER_NAME,
)
from tests.api.test_api import _upload
from tests.conftest import app_client
from tests.geoportal.nru.test_issue import PARCEL, coordinates, issue
from tests.geoportal.projects.test_register import project
from tests.packages import write_plan
from zoning.package.load import ImportOptions
from zoning.synthetic import reglement

PASSWORD = "un mot de passe assez long"
NRU = {"coordinates": coordinates(PARCEL)}


def sign_up(client: TestClient, login: str, **fields: Any) -> dict[str, Any]:
    body = {"login": login, "password": PASSWORD, "full_name": "Karim Alaoui", **fields}
    response = client.post("/api/v1/accounts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/token", data={"username": login, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_sign_up_sign_in_and_out(client: TestClient, conn: Connection) -> None:
    sign_up(client, "Karim.Alaoui", cin="AB123456")
    stored = conn.execute(text("SELECT password_hash FROM users WHERE login = 'karim.alaoui'"))
    assert stored.scalar_one().startswith("$argon2id$")  # never the password itself
    headers = sign_in(client, "karim.alaoui")
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["role"] == "petitioner" and me["cin"] == "AB123456"
    assert client.delete("/api/v1/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_wrong_password_and_unknown_login_say_the_same(client: TestClient) -> None:
    sign_up(client, "karim.alaoui")
    wrong = client.post("/api/v1/token", data={"username": "karim.alaoui", "password": "x" * 12})
    unknown = client.post("/api/v1/token", data={"username": "personne", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() and wrong.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"login": "test.petitioner"}, 409),  # taken
        ({"password": "court"}, 422),
        ({"login": "a b"}, 422),
    ],
)
def test_sign_up_refusals(client: TestClient, change: dict[str, str], status: int) -> None:
    body = {"login": "nouvelle.personne", "password": PASSWORD, "full_name": "N. P.", **change}
    assert client.post("/api/v1/accounts", json=body).status_code == status


def test_expired_and_closed_accounts_lose_their_tokens(
    client: TestClient, conn: Connection
) -> None:
    sign_up(client, "karim.alaoui")
    user = account_id(conn, "karim.alaoui")
    expired = issue_token(conn, user, hours=1)
    conn.execute(
        text("UPDATE api_tokens SET expires_at = now() - interval '1 s' WHERE user_id = :u"),
        {"u": user},
    )
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    )
    fresh = {"Authorization": f"Bearer {issue_token(conn, user, hours=1)}"}
    assert client.get("/api/v1/me", headers=fresh).status_code == 200
    assert client.delete("/api/v1/users/karim.alaoui", headers=ADMIN).status_code == 204
    assert client.get("/api/v1/me", headers=fresh).status_code == 401
    assert (
        client.post(
            "/api/v1/token", data={"username": "karim.alaoui", "password": PASSWORD}
        ).status_code
        == 401
    )


def test_a_forged_token_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer gp_forged"})
    assert response.status_code == 401 and "unknown" in response.json()["detail"]


def test_cli_user_add_prints_a_working_token(
    test_database_url: str, engine: Engine, settings: Settings
) -> None:
    login = f"agent.{uuid.uuid4().hex[:8]}"
    env = {"GEOPORTAL_DATABASE_URL": test_database_url}
    result = CliRunner().invoke(
        cli, ["user", "add", login, "--role", "agent", "--agency", OTHER_AGENCY], env=env
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    with app_client(settings, engine, engine.connect()) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["login"] == login and me["agency"] == OTHER_AGENCY
    refused = CliRunner().invoke(cli, ["user", "add", "x.agent", "--role", "agent"], env=env)
    assert refused.exit_code == 1 and "agency" in refused.output


def _user_add(url: str, login: str, *options: str, stdin: str) -> subprocess.CompletedProcess[str]:
    """`geoportal user add` in its own process, in a new session: no terminal to prompt on, so
    the prompts fall back to stdin and stderr as in a script (and a test never hangs on one)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "geoportal.cli",
            "user",
            "add",
            login,
            "--role",
            "petitioner",
            *options,
        ],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "GEOPORTAL_DATABASE_URL": url},
        start_new_session=True,
        timeout=60,
    )


def _signs_in(settings: Settings, engine: Engine, login: str, password: str) -> bool:
    with app_client(settings, engine, engine.connect()) as client:
        form = {"username": login, "password": password}
        status: int = client.post("/api/v1/token", data=form).status_code
        return status == 200


def test_cli_user_add_prints_the_token_alone_on_stdout(
    test_database_url: str, engine: Engine, settings: Settings
) -> None:
    """Issue #10: `--password` printed its prompts on stdout, before the token a script reads."""
    login = f"cli.{uuid.uuid4().hex[:8]}"
    asked = _user_add(test_database_url, login, "--password", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert asked.returncode == 0, asked.stderr
    assert re.fullmatch(r"gp_[\w-]+\n", asked.stdout), asked.stdout
    assert "password" in asked.stderr.lower()
    assert _signs_in(settings, engine, login, PASSWORD)
    piped = f"cli.{uuid.uuid4().hex[:8]}"
    scripted = _user_add(test_database_url, piped, "--password-stdin", stdin=f"{PASSWORD}\n")
    assert scripted.returncode == 0, scripted.stderr
    assert re.fullmatch(r"gp_[\w-]+\n", scripted.stdout), scripted.stdout
    assert _signs_in(settings, engine, piped, PASSWORD)


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "Password123", "azertyazerty", "0123456789", ""])
def test_weak_passwords_are_refused_everywhere(
    weak: str, client: TestClient, test_database_url: str
) -> None:
    """Issue #10: length was the only rule; the most common passwords and repetitions pass no
    door: sign-up, the admin's account creation, the CLI."""
    body = {"login": "nouvelle.personne", "password": weak, "full_name": "N. P."}
    if len(weak) >= 10:  # shorter ones are the request model's own refusal (string_too_short)
        signed_up = client.post("/api/v1/accounts", json=body)
        assert signed_up.status_code == 422 and signed_up.json()["code"] == "mot_de_passe_faible"
        assert "mot de passe trop faible" in signed_up.json()["detail"]
        assert signed_up.json()["errors"][0]["field"] == "password"
        admin_body = {"login": "agent.nouveau", "role": "admin", "password": weak}
        created = client.post("/api/v1/users", json=admin_body, headers=ADMIN)
        assert created.status_code == 422 and created.json()["code"] == "mot_de_passe_faible"
    login = f"cli.{uuid.uuid4().hex[:8]}"
    refused = _user_add(test_database_url, login, "--password-stdin", stdin=f"{weak}\n")
    assert refused.returncode == 1 and refused.stdout == ""
    assert "mot de passe trop faible" in refused.stderr


def test_nru_issuance_is_rate_limited_per_client(
    settings: Settings, engine: Engine, conn: Connection, demo: None
) -> None:
    limited = settings.model_copy(update={"nru_rate_limit": "2/minute"})
    with app_client(limited, engine, conn) as client:
        for _ in range(2):
            assert client.post("/api/v1/nru", json=NRU).status_code == 201
        third = client.post("/api/v1/nru", json=NRU)
        assert third.status_code == 429 and "2 per minute" in third.json()["detail"]
        assert 1 <= int(third.headers["Retry-After"]) <= 60
        # another client (an account) still has its own allowance
        assert client.post("/api/v1/nru", json=NRU, headers=PETITIONER).status_code == 201


def test_logins_are_rate_limited(settings: Settings, engine: Engine, conn: Connection) -> None:
    limited = settings.model_copy(update={"login_rate_limit": "3/minute"})
    with app_client(limited, engine, conn) as client:
        attempts = [
            client.post("/api/v1/token", data={"username": "x.y", "password": f"essai-{i}-long"})
            for i in range(4)
        ]
    assert [a.status_code for a in attempts] == [401, 401, 401, 429]


def test_petitioner_history_is_their_own(client: TestClient, demo: None) -> None:
    # an account of this test's own: other tests' servers commit checks for the shared one
    sign_up(client, "salma.history")
    owner = sign_in(client, "salma.history")
    mine = issue(client, headers=owner)
    issue(client)  # the public's, not in anybody's history
    check = {"coordinates": coordinates(PARCEL), "project": {"kind": "construction"}}
    saved = client.post("/api/v1/check", json=check, headers=owner).json()["saved_as"]
    assert "saved_as" not in client.post("/api/v1/check", json=check).json()
    notes = client.get("/api/v1/me/nrus", headers=owner).json()
    assert [n["number"] for n in notes] == [mine["number"]]
    assert [c["id"] for c in client.get("/api/v1/me/checks", headers=owner).json()] == [saved]
    sign_up(client, "karim.alaoui")
    other = sign_in(client, "karim.alaoui")
    assert client.get("/api/v1/me/nrus", headers=other).json() == []
    assert client.get("/api/v1/me/checks", headers=other).json() == []


def test_a_named_note_goes_to_its_petitioner_and_the_agency(client: TestClient, demo: None) -> None:
    """One rule for the note's PDF and its JSON (issue #10: the JSON, with the land reference
    and the boundary, went to anyone)."""
    note = issue(client, headers=PETITIONER, land_reference="TF 4321/R")
    sign_up(client, "karim.alaoui")
    readers = {
        "public": {},
        "another petitioner": sign_in(client, "karim.alaoui"),
        "other agency": OTHER_AGENT,
        "owner": PETITIONER,
        "agency": AGENT,
        "admin": ADMIN,
    }
    expected = {
        "public": 401,
        "another petitioner": 403,
        "other agency": 403,
        "owner": 200,
        "agency": 200,
        "admin": 200,
    }
    for url in (f"/api/v1/nru/{note['id']}.pdf", f"/api/v1/nru/{note['id']}"):
        statuses = {who: client.get(url, headers=h).status_code for who, h in readers.items()}
        assert statuses == expected, url
    refused = client.get(f"/api/v1/nru/{note['id']}").text
    assert "4321" not in refused and str(note["parcel"]["bornes"][0]["x"]) not in refused
    # the verification page stays public, and names nobody
    public = client.get(note["links"]["verify"]).text
    assert PETITIONER_NAME not in public and PETITIONER_CIN not in public


def test_a_revoked_note_says_so_and_its_pdf_is_gone(client: TestClient, demo: None) -> None:
    """Issue #10: the JSON of a revoked note said nothing; its signed PDF, whose bytes say « en
    vigueur » forever, was still served."""
    note = issue(client)
    assert note["status"] == "en_vigueur" and note["revocation"] is None
    assert client.get(f"/api/v1/nru/{note['id']}.pdf").status_code == 200
    reason = {"reason": "référence foncière erronée"}
    assert client.post(f"/api/v1/nru/{note['id']}/revoke", json=reason, headers=AGENT).is_success
    again = client.get(f"/api/v1/nru/{note['id']}").json()
    assert again["status"] == "revoquee" and again["number"] == note["number"]
    assert again["revocation"]["reason"] == "référence foncière erronée"
    assert again["revocation"]["revoked_at"][:4] == note["issued_at"][:4]
    for headers in ({}, AGENT, ADMIN):
        gone = client.get(f"/api/v1/nru/{note['id']}.pdf", headers=headers)
        assert gone.status_code == 410 and gone.json()["code"] == "nru_revoked"
        assert "révoquée le" in gone.json()["detail"] and gone.json()["reason"] == reason["reason"]
    assert "Cette note a été révoquée le" in client.get(note["links"]["verify"]).text


def test_the_public_cannot_have_a_name_printed(client: TestClient, demo: None) -> None:
    body = {**NRU, "petitioner": {"name": "Quelqu'un"}}
    response = client.post("/api/v1/nru", json=body)
    assert response.status_code == 401 and "compte connecté" in response.json()["detail"]


def test_revocation_by_the_agency_only(client: TestClient, demo: None) -> None:
    note = issue(client)
    revoke = f"/api/v1/nru/{note['id']}/revoke"
    reason = {"reason": "référence foncière erronée"}
    refused = client.post(revoke, json=reason, headers=OTHER_AGENT)
    assert refused.status_code == 403 and OTHER_AGENCY in refused.json()["detail"]
    assert client.post(revoke, json=reason, headers=AGENT).status_code == 200
    assert client.post(revoke, json=reason, headers=AGENT).status_code == 409
    page = client.get(note["links"]["verify"]).text
    assert "Cette note a été révoquée le" in page and "référence foncière erronée" in page
    register = client.get("/api/v1/nru", headers=AGENT).json()
    [row] = [n for n in register["notes"] if n["number"] == note["number"]]
    assert row["revoked_at"] and register["agency"] == AGENCY


def test_registers_are_the_agency_own(client: TestClient, demo: None) -> None:
    issue(client)
    assert client.get("/api/v1/nru", headers=OTHER_AGENT).json()["notes"] == []
    refused = client.get("/api/v1/nru", params={"agency": AGENCY}, headers=OTHER_AGENT)
    assert refused.status_code == 403
    assert client.get("/api/v1/nru", params={"agency": AGENCY}, headers=ADMIN).json()["notes"]


def test_agent_cannot_touch_another_agency_plan(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    before = conn.execute(text("SELECT count(*) FROM plans")).scalar_one()
    response = client.post("/api/v1/plans", files=_upload(tmp_path, count=9), headers=OTHER_AGENT)
    assert response.status_code == 403 and AGENCY in response.json()["detail"]
    # nor replace it under a règlement claiming their own agency
    import_plan_files(conn, *write_plan(tmp_path / "a", name="PA Téléversé"), ImportOptions())
    rules = reglement("PA Téléversé")
    rules["plan"]["agency"] = OTHER_AGENCY
    package, text_ = write_plan(tmp_path / "b", name="PA Téléversé", rules=rules)
    files = {"package": ("p.gpkg", package.read_bytes()), "reglement": ("r.yaml", text_.encode())}
    replaced = client.post("/api/v1/plans", files=files, headers=OTHER_AGENT)
    assert replaced.status_code == 403 and "in service" in replaced.json()["detail"]
    assert conn.execute(text("SELECT count(*) FROM plans")).scalar() == before + 1
    kept = conn.execute(text("SELECT agency FROM plans WHERE name = 'PA Téléversé'"))
    assert kept.scalar_one() == AGENCY


def test_agent_cannot_touch_another_agency_projects(client: TestClient, demo: None) -> None:
    inside = client.post("/api/v1/projects", json=project("AU-X/1"), headers=OTHER_AGENT)
    assert inside.status_code == 403 and AGENCY in inside.json()["detail"]
    recorded = client.post("/api/v1/projects", json=project("AU-X/2"), headers=AGENT).json()
    change = {"status": "acheve"}
    url = f"/api/v1/projects/{recorded['id']}"
    assert client.patch(url, json=change, headers=OTHER_AGENT).status_code == 403
    assert client.patch(url, json=change, headers=AGENT).json()["properties"]["status"] == "acheve"


def test_acts_are_traced_by_account_and_readable_by_admins_only(
    client: TestClient, demo: None, conn: Connection
) -> None:
    note = issue(client, headers=AGENT)
    agent = account_id(conn, "test.agent")
    trail = client.get("/api/v1/audit", params={"action": "nru."}, headers=ADMIN).json()
    assert trail[0]["subject"] == note["number"] and trail[0]["actor"] == f"agent#{agent}"
    assert client.get("/api/v1/audit", headers=AGENT).status_code == 403
    assert client.get("/api/v1/audit").status_code == 401


def test_personal_data_never_reaches_the_logs(
    settings: Settings, caplog: pytest.LogCaptureFixture, engine: Engine
) -> None:
    """With SQL echo on, a request full of personal data, one failing in the database."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        with TestClient(create_app(settings)) as client:  # the service's own engine
            login = f"perso.{uuid.uuid4().hex[:8]}"
            sign_up(client, login, cin="ZX998877", address="3 impasse Secrète, Salé")
            broken = project(f"AU-LOG/{login}", commune="Ain\x00Demo")
            broken["petitioner"] = {"name": "Nadia Confidentielle", "cin": "QQ112233"}
            assert client.post("/api/v1/projects", json=broken, headers=AGENT).status_code == 422
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert "INSERT INTO users" in caplog.text  # the statements were logged …
    for secret in ("ZX998877", "Secrète", "Nadia Confidentielle", "QQ112233", PASSWORD):
        assert secret not in caplog.text  # … never their values
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = false WHERE login = :l"), {"l": login})


def test_petitioner_name_printed_from_the_account(client: TestClient, demo: None) -> None:
    note = issue(client, headers=PETITIONER)
    pdf = client.get(f"/api/v1/nru/{note['id']}.pdf", headers=PETITIONER).content
    text_ = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert PETITIONER_NAME in text_ and PETITIONER_ADDRESS.split(",")[0] in text_
