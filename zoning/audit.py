"""The audit trail: one row per act, written in the same transaction as the act itself."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text


def record_act(
    conn: Connection,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    *,
    actor: str,
) -> None:
    """Append an act to the audit trail: `actor` is a role and account number, never a name,
    and `details` never hold personal data."""
    conn.execute(
        text(
            "INSERT INTO audit_log (actor, action, subject, details) "
            "VALUES (:actor, :action, :subject, CAST(:details AS jsonb))"
        ),
        {
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": json.dumps(details or {}, ensure_ascii=False, default=str),
        },
    )


def audit_trail(
    conn: Connection,
    limit: int = 100,
    *,
    action: str | None = None,
    actor: str | None = None,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """The latest acts, newest first; optionally one action (prefix: "nru.") or one actor."""
    rows = conn.execute(
        text(
            "SELECT id, at, actor, action, subject, details FROM audit_log "
            "WHERE (CAST(:action AS text) IS NULL OR action LIKE :action || '%') "
            "AND (CAST(:actor AS text) IS NULL OR actor = :actor) "
            "AND (CAST(:before AS bigint) IS NULL OR id < :before) "
            "ORDER BY id DESC LIMIT :limit"
        ),
        {"limit": limit, "action": action, "actor": actor, "before": before_id},
    )
    return [dict(row._mapping) for row in rows]
