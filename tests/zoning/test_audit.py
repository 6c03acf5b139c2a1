"""The audit trail: every act traced, and the application cannot rewrite it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from geoportal.plans import import_plan_files
from tests.accounts import AGENT
from tests.geoportal.nru.test_issue import coordinates
from tests.geoportal.projects.test_register import project
from tests.packages import write_plan
from zoning.audit import audit_trail
from zoning.package.load import ImportOptions
from zoning.synthetic import plan_layers


def last_act(conn: Connection) -> int:
    """The id of the newest act (other tests commit acts, which nobody may delete)."""
    return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one())


def test_acts_are_traced(client: TestClient, conn: Connection, tmp_path: Path) -> None:
    before = last_act(conn)
    import_plan_files(conn, *write_plan(tmp_path / "a"), ImportOptions())
    import_plan_files(conn, *write_plan(tmp_path / "b", plan_layers(16)), ImportOptions())
    nru = client.post(
        "/api/v1/nru", json={"coordinates": coordinates(box(355010, 365010, 355040, 365040))}
    ).json()
    client.post("/api/v1/projects", json=project("AU-AUDIT/1"), headers=AGENT)
    mine = [a for a in reversed(audit_trail(conn)) if a["id"] > before]
    acts = [(a["action"], a["subject"]) for a in mine]
    assert acts == [
        ("plan.import", "PA Test"),
        ("plan.replace", "PA Test"),
        ("nru.request", nru["request"]["number"]),  # art. 6 al. 2: the request, its own act
        ("nru.issue", nru["number"]),
        ("project.record", "AU-AUDIT/1"),
    ]
    details = " ".join(str(a["details"]) for a in mine)
    assert "Privée" not in details and "AB123456" not in details  # no personal data


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ],
)
def test_the_application_cannot_rewrite_history(
    conn: Connection, tmp_path: Path, statement: str
) -> None:
    import_plan_files(conn, *write_plan(tmp_path), ImportOptions())
    count = conn.execute(text("SELECT count(*) FROM audit_log")).scalar()
    with pytest.raises(DBAPIError, match="append-only"), conn.begin_nested():
        conn.execute(text(statement))
    assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == count
