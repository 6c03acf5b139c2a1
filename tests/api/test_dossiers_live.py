"""The judging script's last steps on a served app: the authorized dossier reaches the SSE feed
within 2 s of the decision and /api/v1/projects lists it (issue #13 « On the map, at once »)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.dossiers import (
    COMMUNE,
    PDF,
    PRINCIPAL_PIECES,
    filing,
    pdf_text,
    session_date,
    workflow_accounts,
)
from tests.geoportal.projects.test_feed import read_events


@pytest.fixture
def live(server: str, engine: Engine) -> Iterator[dict[str, dict[str, str]]]:
    """The workflow's accounts, committed; everything the test made removed after."""
    with engine.begin() as conn:
        who = workflow_accounts(conn, tag=".live")
    yield who
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM dossiers WHERE commune = :c"), {"c": COMMUNE})
        conn.execute(text("DELETE FROM commissions WHERE commune = :c"), {"c": COMMUNE})
        conn.execute(text("DELETE FROM parcels WHERE commune = :c"), {"c": COMMUNE})
        conn.execute(text("DELETE FROM projects WHERE permit_number LIKE 'AINDEMO-%'"))
        conn.execute(text("DELETE FROM users WHERE login LIKE '%.live'"))


def test_the_decision_is_on_the_live_map_within_two_seconds(
    server: str, live: dict[str, dict[str, str]]
) -> None:
    with httpx.Client(base_url=server, timeout=30) as http:
        session = http.post(
            "/api/v1/commissions",
            headers=live["guichet"],
            json={"date": session_date(), "commune": COMMUNE},
        ).json()
        filed = http.post(
            "/api/v1/dossiers", headers=live["petitioner"], json=filing(session_id=session["id"])
        )
        assert filed.status_code == 201, filed.text
        dossier, number = filed.json()["id"], filed.json()["number"]
        assert number in pdf_text(
            http.get(filed.json()["links"]["receipt_pdf"], headers=live["petitioner"]).content
        )
        for kind in PRINCIPAL_PIECES:
            piece = http.post(
                f"/api/v1/dossiers/{dossier}/pieces",
                headers=live["petitioner"],
                data={"kind": kind},
                files={"file": ("p.pdf", PDF)},
            )
            assert piece.status_code == 201, piece.text
        assert (
            http.post(
                f"/api/v1/dossiers/{dossier}/recevabilite",
                json={"recevable": True},
                headers=live["guichet"],
            ).status_code
            == 200
        )
        assert (
            http.post(
                f"/api/v1/commissions/{session['id']}/dossiers",
                json={"dossier_id": dossier},
                headers=live["guichet"],
            ).status_code
            == 201
        )
        for service in ("commune", "prefecture_province", "reseaux_telecommunications"):
            assert (
                http.post(
                    f"/api/v1/dossiers/{dossier}/avis",
                    json={"avis": "favorable"},
                    headers=live[service],
                ).status_code
                == 201
            )
        assert (
            http.post(
                f"/api/v1/dossiers/{dossier}/avis",
                json={"avis": "favorable"},
                headers=live["agent"],
            ).status_code
            == 201
        )
        assert (
            http.post(
                f"/api/v1/commissions/{session['id']}/cloture", headers=live["guichet"]
            ).status_code
            == 200
        )
        pv = pdf_text(
            http.get(f"/api/v1/dossiers/{dossier}/pv.pdf", headers=live["guichet"]).content
        )
        assert number in pv
        received: list[dict[str, Any]] = []
        listener = threading.Thread(
            target=lambda: received.extend(read_events(f"{server}/api/v1/projects/events", {}, 1))
        )
        listener.start()
        time.sleep(0.5)  # the stream is open
        started = time.perf_counter()
        decided = http.post(
            f"/api/v1/dossiers/{dossier}/decision",
            json={"decision": "autorisation"},
            headers=live["president"],
        )
        assert decided.status_code == 201, decided.text
        listener.join(timeout=5)
        elapsed = time.perf_counter() - started
        permit = decided.json()["permit_number"]
        [event] = received
        assert event["data"]["properties"]["permit_number"] == permit
        assert elapsed < 2.0
        assert "Karima" not in str(event)
        listed = http.get("/api/v1/projects", params={"commune": COMMUNE}).json()["features"]
        assert permit in [f["properties"]["permit_number"] for f in listed]
        assert permit in pdf_text(
            http.get(decided.json()["links"]["decision_pdf"], headers=live["petitioner"]).content
        )
        assert http.get(f"/api/v1/dossiers/{dossier}", headers=live["other"]).status_code == 404
        suivi = http.get(f"/suivi/{number}")
        assert "Autorisé" in suivi.text and "Karima" not in suivi.text
