"""The audit trail: one row per act, written in the same transaction as the act itself."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

#: who acts when no identity is known yet (roles come with access control, issue #6)
AGENT = "agent"
PUBLIC = "public"


def record_act(
    conn: Connection,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    actor: str = AGENT,
) -> None:
    """Append an act to the audit trail (never personal data in `details`)."""
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


def audit_trail(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """The latest acts, newest first."""
    rows = conn.execute(
        text(
            "SELECT id, at, actor, action, subject, details FROM audit_log "
            "ORDER BY id DESC LIMIT :limit"
        ),
        {"limit": limit},
    )
    return [dict(row._mapping) for row in rows]
