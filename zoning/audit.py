"""The audit trail: one row per act, written in the same transaction as the act itself."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class Act:
    """One act of the trail: `actor` is a role and account number, never a name, and
    `details` never hold personal data."""

    action: str
    subject: str
    details: dict[str, Any] | None = None


RECORD_SQL = text("""
INSERT INTO audit_log (actor, action, subject, details)
SELECT :actor, action, subject, CAST(details AS jsonb)
FROM unnest(CAST(:actions AS text[]), CAST(:subjects AS text[]), CAST(:details AS text[]))
  AS act(action, subject, details)
""")


def record_acts(conn: Connection, acts: Sequence[Act], *, actor: str) -> None:
    """Append acts done together by one actor to the audit trail, in one statement."""
    conn.execute(
        RECORD_SQL,
        {
            "actor": actor,
            "actions": [act.action for act in acts],
            "subjects": [act.subject for act in acts],
            "details": [
                json.dumps(act.details or {}, ensure_ascii=False, default=str) for act in acts
            ],
        },
    )


def record_act(
    conn: Connection,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    *,
    actor: str,
) -> None:
    """Append an act to the audit trail (see Act for what it may hold)."""
    record_acts(conn, [Act(action, subject, details)], actor=actor)


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
