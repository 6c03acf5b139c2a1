"""The register of issued notes: who may read a note's PDF, revocation, the agency's list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoportal.accounts import AccountRequired, AgencyForbidden, Principal
from geoportal.nru.store import access_row, agency_notes, lock_for_revocation, mark_revoked
from zoning.audit import record_act
from zoning.refusal import Conflict, NotFound


class NruAlreadyRevoked(Conflict, ValueError):
    """The note was revoked before (409)."""

    def __init__(self, detail: str) -> None:
        super().__init__("nru_already_revoked", detail)


@dataclass(frozen=True)
class NoteState:
    """Whether a note is in force: its number, and when and why it was revoked."""

    number: str
    revoked_at: dt.datetime | None
    reason: str | None

    def as_json(self) -> dict[str, Any]:
        """The state beside the note as issued: « en_vigueur », or « revoquee » with date and
        reason (the public verification page says as much)."""
        if self.revoked_at is None:
            return {"status": "en_vigueur", "revocation": None}
        revocation = {"revoked_at": self.revoked_at.isoformat(), "reason": self.reason}
        return {"status": "revoquee", "revocation": revocation}


class NruRevoked(NotFound, LookupError):
    """The note was revoked: its signed PDF, whose bytes never change, is no longer served (410)."""

    def __init__(self, nru_id: str, state: NoteState) -> None:
        self.state = state
        assert state.revoked_at is not None
        super().__init__(
            "nru_revoked",
            f"la note {state.number} a été révoquée le {state.revoked_at:%d/%m/%Y} (motif : "
            f"{state.reason or '—'}) : son PDF n'est plus délivré ; la page /verify/{nru_id} "
            "dit son état",
            revoked_at=state.revoked_at.isoformat(),
            reason=state.reason,
        )


def check_note_access(conn: Connection, nru_id: str, by: Principal) -> NoteState:
    """One rule for a note's JSON and its PDF: a note naming its petitioner goes only to the
    account that asked for it and to the agency; one naming nobody to whoever holds its id."""
    row = access_row(conn, nru_id)
    state = NoteState(row.number, row.revoked_at, row.revocation_reason)
    agency, requested_by, personal = row.agency, row.requested_by, row.names_petitioner
    if not personal or (by.signed_in and by.user_id == requested_by) or by.acts_for(agency):
        return state
    if not by.signed_in:
        raise AccountRequired(
            "cette note nomme son pétitionnaire : elle n'est servie qu'au compte qui l'a "
            "demandée et à l'agence ; connectez-vous (POST /api/v1/token)"
        )
    raise AgencyForbidden(
        "cette note nomme son pétitionnaire et a été demandée par un autre compte"
    )


def revoke_nru(conn: Connection, nru_id: str, reason: str, by: Principal) -> dict[str, Any]:
    """Revoke a note of the agent's own agency; it stays in the register, marked revoked."""
    agency, number, revoked_at = lock_for_revocation(conn, nru_id)
    by.require_agency(agency, f"la note {number}")
    if revoked_at is not None:
        raise NruAlreadyRevoked(f"la note {number} a déjà été révoquée le {revoked_at:%d/%m/%Y}")
    revoked = mark_revoked(conn, nru_id, reason, by.user_id)
    # The reason is free text an agent typed: it stays in the register, not in the audit trail.
    record_act(conn, "nru.revoke", number, {"id": nru_id, "agency": agency}, actor=by.actor)
    return revoked


def nru_register(
    conn: Connection, by: Principal, agency: str | None, limit: int, offset: int
) -> dict[str, Any]:
    """The notes of an agency, newest first: an agent sees only theirs, an admin any."""
    chosen = agency or (by.agency if by.role == "agent" else None)
    if chosen is not None or by.role != "admin":
        by.require_agency(chosen, "this register")
    return {"agency": chosen, "notes": agency_notes(conn, chosen, limit, offset)}


def revocation_facts(revoked_at: dt.datetime | None, reason: str | None) -> dict[str, str]:
    """The note's state for the public verification page."""
    if revoked_at is None:
        return {"Statut": "En vigueur"}
    return {"Statut": f"RÉVOQUÉE le {revoked_at:%d/%m/%Y}", "Motif de la révocation": reason or "—"}
