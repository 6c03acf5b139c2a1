"""A signed-in account's own history: the notes it asked for and the checks it ran."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from geoportal.accounts import Principal
from geoportal.nru.issue import nru_links
from geoportal.nru.store import requested_by


def my_nrus(conn: Connection, by: Principal, limit: int = 100) -> list[dict[str, Any]]:
    """The notes this account asked for, newest first, with their links."""
    return [{**row, "links": nru_links(row["id"])} for row in requested_by(conn, by.user_id, limit)]


def save_check(conn: Connection, by: Principal, result: dict[str, Any]) -> int | None:
    """Keep a signed-in account's compliance check; the public's are not kept."""
    if by.user_id is None:
        return None
    saved = conn.execute(
        text("""INSERT INTO project_checks (user_id, plan, verdict, procedure, result)
                VALUES (:user, :plan, :verdict, :procedure, CAST(:result AS jsonb))
                RETURNING id"""),
        {
            "user": by.user_id,
            "plan": result.get("plan"),
            "verdict": result["verdict"],
            "procedure": (result.get("procedure") or {}).get("procedure"),
            "result": json.dumps(result, ensure_ascii=False, default=str),
        },
    ).scalar_one()
    return int(saved)


def my_checks(conn: Connection, by: Principal, limit: int = 100) -> list[dict[str, Any]]:
    """The checks this account ran, newest first (the full result of each included)."""
    rows = conn.execute(
        text("""SELECT id, checked_at, plan, verdict, procedure, result FROM project_checks
                WHERE user_id = :user ORDER BY checked_at DESC, id DESC LIMIT :limit"""),
        {"user": by.user_id, "limit": limit},
    )
    return [dict(row._mapping) for row in rows]
