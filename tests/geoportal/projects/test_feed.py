"""The live feed: a committed project reaches a connected client; a reconnect catches up."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx
from sqlalchemy import Engine, text

from geoportal.accounts import NewAccount, create_account, issue_token, token_digest
from tests.accounts import AGENCY
from tests.geoportal.projects.test_register import project


def read_events(
    url: str, headers: dict[str, str], wanted: int, seconds: float = 10
) -> list[dict[str, Any]]:
    """Read `wanted` SSE events (id and data) from a stream, or fail after `seconds`."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    with httpx.stream("GET", url, headers=headers, timeout=seconds) as stream:
        for line in stream.iter_lines():
            if line.startswith("id:"):
                current["id"] = int(line[3:].strip())
            elif line.startswith("data:"):
                current["data"] = json.loads(line[5:].strip())
            elif not line and "data" in current:
                events.append(current)
                current = {}
                if len(events) == wanted:
                    return events
    raise AssertionError(f"only {len(events)} event(s) received")


def agent_token(engine: Engine) -> dict[str, str]:
    """An agent of the demo agency of this test's own, and its token: the run's shared agent
    is not at the mercy of the other tests (accounts closed, tokens signed out)."""
    account = NewAccount(login=f"agent.live.{uuid.uuid4().hex[:8]}", role="agent", agency=AGENCY)
    with engine.begin() as conn:
        user = create_account(conn, account)
        return {"Authorization": f"Bearer {issue_token(conn, user, hours=1, label='test')}"}


def token_state(engine: Engine, headers: dict[str, str]) -> str:
    """What the test's database holds of the token: told when the service refuses it."""
    digest = token_digest(headers["Authorization"].split()[1])
    with engine.connect() as conn:
        row = conn.execute(
            text("""SELECT u.login, u.active, t.revoked_at, t.expires_at, now() AS now
                    FROM api_tokens t JOIN users u ON u.id = t.user_id
                    WHERE t.token_sha256 = :sha"""),
            {"sha": digest},
        ).first()
    return f"the token in {engine.url.database}: {row._asdict() if row else 'absent'}"


def test_a_recorded_project_reaches_the_browser_and_a_reconnect_catches_up(
    server: str, engine: Engine
) -> None:
    token = agent_token(engine)
    received: list[dict[str, Any]] = []
    listener = threading.Thread(
        target=lambda: received.extend(read_events(f"{server}/api/v1/projects/events", {}, 1))
    )
    listener.start()
    time.sleep(0.5)  # the stream is open
    try:
        started = time.perf_counter()
        response = httpx.post(f"{server}/api/v1/projects", headers=token, json=project("AU-LIVE/1"))
        assert response.status_code == 201, f"{response.text} — {token_state(engine, token)}"
        listener.join(timeout=5)
        elapsed = time.perf_counter() - started
        [event] = received
        assert event["data"]["properties"]["permit_number"] == "AU-LIVE/1"
        assert "petitioner" not in json.dumps(event["data"])
        assert elapsed < 2.0
        second = httpx.post(f"{server}/api/v1/projects", headers=token, json=project("AU-LIVE/2"))
        assert second.status_code == 201
        missed = read_events(
            f"{server}/api/v1/projects/events", {"Last-Event-ID": str(event["id"])}, 1
        )
        assert missed[0]["data"]["properties"]["permit_number"] == "AU-LIVE/2"
        assert missed[0]["id"] == event["id"] + 1
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM projects WHERE permit_number LIKE 'AU-LIVE/%'"))
