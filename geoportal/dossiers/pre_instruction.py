"""The pré-instruction: before filing, the agency's preliminary avis on the architect's plans,
with the compliance check attached (issue #13; the agencies' online forms). When the dossier
is filed, the fee guide's credit applies (guide §5-3, the tariff's `pre_instruction_percue`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from checks.calendar import WorkingCalendar
from checks.project import Project
from geoportal.accounts import Principal
from geoportal.dossiers.errors import DossierConflict, DossierForbidden, DossierInvalid
from geoportal.parcels import ParcelRequest
from geoportal.projects.instruction import check_project
from zoning.audit import record_act
from zoning.refusal import NotFound

KEPT = ("verdict", "checks", "zones", "plan", "frontage_m", "warnings")


class PreInstructionNotFound(NotFound):
    """No pré-instruction (or none the caller may see) has that id (404)."""

    def __init__(self, what: object) -> None:
        super().__init__("pre_instruction_introuvable", f"Aucune pré-instruction n° {what}.")


def ask(
    conn: Connection,
    project: Project,
    request: ParcelRequest,
    by: Principal,
    *,
    storage_srid: int,
    calendar: WorkingCalendar,
) -> dict[str, Any]:
    """The architect's plans checked against the plan; the agency's avis to come."""
    if by.role not in ("petitioner", "architecte"):
        raise DossierForbidden(
            "La pré-instruction est demandée par le pétitionnaire ou l'architecte.",
            code="role_insuffisant",
        )
    result = check_project(conn, request, project, calendar, storage_srid=storage_srid)
    if result["plan"] is None:
        raise DossierInvalid("hors_plan", "coordinates : la parcelle est hors de tout plan.")
    agency = conn.execute(
        text("SELECT agency FROM plans WHERE name = :name"), {"name": result["plan"]}
    ).scalar()
    compliance = {key: result.get(key) for key in KEPT}
    new_id = int(
        conn.execute(
            text("""INSERT INTO pre_instructions (requested_by, agency, project, compliance)
                    VALUES (:by, :agency, CAST(:project AS jsonb), CAST(:compliance AS jsonb))
                    RETURNING id"""),
            {
                "by": by.user_id,
                "agency": agency,
                "project": project.model_dump_json(exclude_none=True),
                "compliance": json.dumps(compliance, ensure_ascii=False, default=str),
            },
        ).scalar_one()
    )
    record_act(
        conn,
        "pre_instruction.demande",
        f"pre_instruction#{new_id}",
        {"verdict": result["verdict"], "agency": agency},
        actor=by.actor,
    )
    return get(conn, new_id, by)


def _row(conn: Connection, pre_id: int, *, lock: bool = False) -> dict[str, Any]:
    row = conn.execute(
        text(f"""SELECT id, requested_by, agency, project, compliance, avis, observations,
                        given_at, at FROM pre_instructions WHERE id = :id
                 {"FOR UPDATE" if lock else ""}"""),
        {"id": pre_id},
    ).first()
    if row is None:
        raise PreInstructionNotFound(pre_id)
    return dict(row._mapping)


def get(conn: Connection, pre_id: int, by: Principal) -> dict[str, Any]:
    """The pré-instruction for its requester and its agency's agents."""
    row = _row(conn, pre_id)
    mine = row["requested_by"] == by.user_id
    agency = by.role == "admin" or (by.role == "agent" and by.agency == row["agency"])
    if not (mine or agency):
        raise PreInstructionNotFound(pre_id)
    return {
        "id": row["id"],
        "agency": row["agency"],
        "project": row["project"],
        "compliance": row["compliance"],
        "avis": row["avis"],
        "observations": row["observations"],
        "given_at": row["given_at"].isoformat() if row["given_at"] else None,
        "requested_at": row["at"].isoformat(),
    }


def give_avis(
    conn: Connection, pre_id: int, avis: str, observations: str | None, by: Principal
) -> dict[str, Any]:
    """The agency's written preliminary avis, once."""
    row = _row(conn, pre_id, lock=True)
    if not (by.role == "agent" and by.agency == row["agency"]):
        raise DossierForbidden(
            f"L'avis de pré-instruction est celui de l'agence urbaine ({row['agency']})."
        )
    if row["avis"] is not None:
        raise DossierConflict("avis_deja_emis", "L'agence a déjà donné son avis préalable.")
    conn.execute(
        text("""UPDATE pre_instructions SET avis = :avis, observations = :obs,
                       given_by = :by, given_at = now() WHERE id = :id"""),
        {"avis": avis, "obs": observations, "by": by.user_id, "id": pre_id},
    )
    record_act(
        conn, "pre_instruction.avis", f"pre_instruction#{pre_id}", {"avis": avis}, actor=by.actor
    )
    return get(conn, pre_id, by)


def check_for_filing(conn: Connection, pre_id: int, by: Principal) -> dict[str, Any]:
    """A filing may name the filer's own pré-instruction, once the agency has given its avis;
    the project as it was pre-instructed."""
    row = _row(conn, pre_id)
    if row["requested_by"] != by.user_id:
        raise PreInstructionNotFound(pre_id)
    if row["avis"] is None:
        raise DossierConflict(
            "pre_instruction_sans_avis",
            f"pre_instruction_id : l'agence n'a pas encore donné son avis (n° {pre_id}).",
        )
    return dict(row["project"])
