"""Bad input gets a 4xx, never a 500: regressions found by schemathesis, and a short fuzz run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from geoportal.accounts import account_id, issue_token
from geoportal.db import make_engine
from geoportal.settings import Settings


def test_invalid_utf8_body_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/v1/nru",
        content=b'{"coordinates": "\xff\xfe"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422


def test_nul_byte_in_a_filter_is_422(client: TestClient) -> None:
    response = client.get("/api/v1/projects", params={"commune": "Ain\x00Demo"})
    assert response.status_code == 422 and "texte invalide" in response.json()["detail"]


def test_huge_offset_is_422(client: TestClient) -> None:
    assert client.get("/api/v1/projects?offset=" + "9" * 40).status_code == 422


def test_schemathesis_finds_no_server_error(server: str, engine: Engine) -> None:
    """Every operation of the OpenAPI schema, with generated valid and invalid input, as an
    admin (who may call every route, so the write routes are fuzzed too): no 5xx. Signing out
    is left out (it would end the run's token); the OGC routes are tipg's own."""
    with engine.begin() as conn:
        token = issue_token(conn, account_id(conn, "test.admin"), hours=1, label="fuzz")
    binary = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    result = subprocess.run(
        [
            binary,
            "run",
            f"{server}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "5",
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            "2026",
            "--exclude-path-regex",
            "^/ogc",
            "--exclude-operation-id",
            "logout_api_v1_token_delete",
            "-H",
            f"Authorization: Bearer {token}",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "passed" in result.stdout


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    big = b"x" * (10 * 1024**2 + 1)
    response = client.post("/api/v1/nru", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "10 Mo" in response.json()["detail"]
    assert response.json()["code"] == "body_too_large"


def test_too_many_points_is_422(client: TestClient) -> None:
    lines = "\n".join(f"B{i};{358000 + i * 0.01:.2f};366000" for i in range(10_001))
    response = client.post("/api/v1/nru", json={"coordinates": lines})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "too_many_points"


def test_statement_timeout_stops_a_runaway_query(settings: Settings) -> None:
    engine = make_engine(settings.model_copy(update={"statement_timeout_ms": 200}))
    try:
        with engine.connect() as conn, pytest.raises(OperationalError, match="statement timeout"):
            conn.execute(text("SELECT pg_sleep(2)"))
    finally:
        engine.dispose()


def test_schemathesis_finds_no_server_error_under_ogc(server: str) -> None:
    """tipg's routes (OGC API Features and Tiles), fuzzed as the public: no 5xx (issue #10)."""
    binary = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    result = subprocess.run(
        [
            binary,
            "run",
            f"{server}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "5",
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            "2026",
            "--include-path-regex",
            "^/ogc",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert "passed" in result.stdout
