"""Every query on the dossiers' tables: parcels, dossiers, pieces, avis, events, sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import shapely
from sqlalchemy import Connection, text

from geoportal.dossiers.errors import CommissionNotFound, DossierNotFound

#: the columns a dossier's acts and views read (never the PDFs' bytes)
COLUMNS = """id, number, state, round, commune, prefecture, agency, plan_name, parcel_id, kind,
    procedure, project, commission_members, land_reference, nru_id, filed_by, filed_by_role,
    filed_at, filed_on, restarted_on, booked_session_id, commission_id, recevable_on,
    transmitted_on, meeting_on, pv_on, modifications_on, modifications_motifs, observations_on,
    observations_text, observations_answered_on, decided_on, decision,
    decision_motifs, permit_number, project_id, pre_instruction, fee, fee_paid_on, notified_on,
    copies_sent_on"""
_LAND_KEY = re.compile(r"[^0-9A-Z/]")


def parcel_key(land_reference: str | None, geometry: Any) -> str:
    """A TF or réquisition names its parcel; a parcel « non immatriculé » is its geometry."""
    reference = (land_reference or "").strip().upper()
    if reference and not reference.startswith("NON"):
        return "ref:" + _LAND_KEY.sub("", reference.replace("TITRE FONCIER", "TF"))
    rounded = shapely.set_precision(geometry, 0.01)
    return "geom:" + hashlib.sha256(shapely.to_wkb(rounded, hex=False)).hexdigest()


def store_parcel(
    conn: Connection,
    geometry: Any,
    land_reference: str | None,
    commune: str,
    agency: str | None,
    srid: int,
) -> int:
    """The parcel's id: stored once, found again by its land reference or its geometry."""
    multi = geometry if geometry.geom_type == "MultiPolygon" else shapely.multipolygons([geometry])
    return int(
        conn.execute(
            text("""INSERT INTO parcels (key, land_reference, commune, agency, geom)
                    VALUES (:key, :ref, :commune, :agency, ST_GeomFromEWKB(:geom))
                    ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING id"""),
            {
                "key": parcel_key(land_reference, geometry),
                "ref": land_reference,
                "commune": commune,
                "agency": agency,
                "geom": shapely.to_wkb(shapely.set_srid(multi, srid), include_srid=True),
            },
        ).scalar_one()
    )


def insert_dossier(conn: Connection, values: dict[str, Any]) -> int:
    """A new dossier (state « depose »); its id."""
    values = {
        **values,
        "project": json.dumps(values["project"], ensure_ascii=False),
        "commission_members": json.dumps(values["commission_members"], ensure_ascii=False),
        "fee": json.dumps(values["fee"], ensure_ascii=False, default=str),
    }
    return int(
        conn.execute(
            text("""INSERT INTO dossiers (number, commune, prefecture, agency, plan_name,
                        parcel_id, kind, procedure, project, commission_members, land_reference,
                        nru_id, filed_by, filed_by_role, filed_at, filed_on, booked_session_id,
                        pre_instruction, pre_instruction_id, fee)
                    VALUES (:number, :commune, :prefecture, :agency, :plan_name, :parcel_id,
                        :kind, :procedure, CAST(:project AS jsonb),
                        CAST(:commission_members AS jsonb), :land_reference, :nru_id,
                        :filed_by, :filed_by_role, :filed_at, :filed_on, :booked_session_id,
                        :pre_instruction, :pre_instruction_id, CAST(:fee AS jsonb))
                    RETURNING id"""),
            values,
        ).scalar_one()
    )


def load(conn: Connection, dossier_id: int, *, lock: bool = False) -> dict[str, Any]:
    """A dossier's row (locked until the commit for an act), or DossierNotFound."""
    suffix = " FOR UPDATE" if lock else ""
    row = conn.execute(
        text(f"SELECT {COLUMNS} FROM dossiers WHERE id = :id{suffix}"), {"id": dossier_id}
    ).first()
    if row is None:
        raise DossierNotFound(f"n° {dossier_id}")
    return dict(row._mapping)


def load_by_number(conn: Connection, number: str) -> dict[str, Any]:
    """A dossier's row by its number, or DossierNotFound."""
    row = conn.execute(
        text(f"SELECT {COLUMNS} FROM dossiers WHERE number = :number"), {"number": number}
    ).first()
    if row is None:
        raise DossierNotFound(number)
    return dict(row._mapping)


def update(conn: Connection, dossier_id: int, **values: Any) -> None:
    """Set columns of a dossier (names from the code, values bound)."""
    sets = ", ".join(f"{name} = :{name}" for name in values)
    conn.execute(text(f"UPDATE dossiers SET {sets} WHERE id = :id"), {**values, "id": dossier_id})


def add_event(
    conn: Connection, dossier_id: int, event: str, actor_role: str, details: dict[str, Any]
) -> None:
    """One line of the dossier's timeline."""
    conn.execute(
        text("""INSERT INTO dossier_events (dossier_id, event, actor_role, details)
                VALUES (:id, :event, :role, CAST(:details AS jsonb))"""),
        {
            "id": dossier_id,
            "event": event,
            "role": actor_role,
            "details": json.dumps(details, ensure_ascii=False, default=str),
        },
    )


def events(conn: Connection, dossier_id: int) -> list[dict[str, Any]]:
    """The timeline, oldest first."""
    rows = conn.execute(
        text("""SELECT at, event, actor_role, details FROM dossier_events
                WHERE dossier_id = :id ORDER BY id"""),
        {"id": dossier_id},
    )
    return [dict(r._mapping) for r in rows]


def insert_piece(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    """A new version of a piece (earlier versions are kept)."""
    row = conn.execute(
        text("""INSERT INTO dossier_pieces (dossier_id, kind, version, filename, media_type,
                    size, sha256, content, uploaded_by, recepisse)
                SELECT CAST(:dossier_id AS bigint), CAST(:kind AS text),
                       coalesce(max(version), 0) + 1, CAST(:filename AS text),
                       :media_type, :size, :sha256, :content, :uploaded_by, :recepisse
                FROM dossier_pieces
                WHERE dossier_id = CAST(:dossier_id AS bigint) AND kind = CAST(:kind AS text)
                RETURNING id, kind, version, media_type, size, sha256, at"""),
        values,
    ).one()
    return dict(row._mapping)


def pieces(conn: Connection, dossier_id: int) -> list[dict[str, Any]]:
    """Every version of every piece, without their bytes."""
    rows = conn.execute(
        text("""SELECT id, kind, version, filename, media_type, size, sha256, at, recepisse
                FROM dossier_pieces WHERE dossier_id = :id ORDER BY kind, version"""),
        {"id": dossier_id},
    )
    return [dict(r._mapping) for r in rows]


def piece_kinds(conn: Connection, dossier_id: int) -> set[str]:
    """The kinds of piece provided."""
    rows = conn.execute(
        text("SELECT DISTINCT kind FROM dossier_pieces WHERE dossier_id = :id"), {"id": dossier_id}
    )
    return {r[0] for r in rows}


def avis_of(conn: Connection, dossier_id: int, round_: int) -> list[dict[str, Any]]:
    """The avis of an examination, in the order given."""
    rows = conn.execute(
        text("""SELECT service, avis, observations, visa, at FROM dossier_avis
                WHERE dossier_id = :id AND round = :round ORDER BY id"""),
        {"id": dossier_id, "round": round_},
    )
    return [dict(r._mapping) for r in rows]


def insert_avis(conn: Connection, values: dict[str, Any]) -> None:
    """One service's avis."""
    conn.execute(
        text("""INSERT INTO dossier_avis (dossier_id, round, service, avis, observations,
                    visa, by_user)
                VALUES (:dossier_id, :round, :service, :avis, :observations, :visa,
                        :by_user)"""),
        {"visa": False, **values},
    )


def load_commission(conn: Connection, commission_id: int, *, lock: bool = False) -> dict[str, Any]:
    """A session's row (locked for an act), or CommissionNotFound."""
    suffix = " FOR UPDATE" if lock else ""
    row = conn.execute(
        text(f"""SELECT id, commune, prefecture, date, slots, closed_at, created_by,
                        agenda_pdf IS NOT NULL AS has_pdf
                 FROM commissions WHERE id = :id{suffix}"""),
        {"id": commission_id},
    ).first()
    if row is None:
        raise CommissionNotFound(commission_id)
    return dict(row._mapping)


def taken_slots(conn: Connection, commission_id: int, but: int | None = None) -> int:
    """The slots taken on a session: booked by petitioners or put on its agenda."""
    return int(
        conn.execute(
            text("""SELECT count(*) FROM dossiers
                    WHERE (booked_session_id = :id OR commission_id = :id)
                      AND id IS DISTINCT FROM :but"""),
            {"id": commission_id, "but": but},
        ).scalar_one()
    )


def next_session(conn: Connection, commune: str, today: dt.date) -> dict[str, Any] | None:
    """The commune's next open session (art. 34 al. 4: the receipt names its date)."""
    row = conn.execute(
        text("""SELECT id, date FROM commissions
                WHERE commune = :commune AND closed_at IS NULL AND date >= :today
                ORDER BY date, id LIMIT 1"""),
        {"commune": commune, "today": today},
    ).first()
    return dict(row._mapping) if row else None


def coming_sessions(
    conn: Connection, commune: str | None, today: dt.date, limit: int = 100
) -> list[dict[str, Any]]:
    """Open sessions from today, with their free slots."""
    rows = conn.execute(
        text("""SELECT c.id, c.commune, c.prefecture, c.date, c.slots,
                       c.slots - (SELECT count(*) FROM dossiers d
                                  WHERE d.booked_session_id = c.id OR d.commission_id = c.id)
                         AS free_slots
                FROM commissions c
                WHERE c.closed_at IS NULL AND c.date >= :today
                  AND (CAST(:commune AS text) IS NULL OR c.commune = :commune)
                ORDER BY c.date, c.id LIMIT :limit"""),
        {"commune": commune, "today": today, "limit": limit},
    )
    return [dict(r._mapping) for r in rows]


def agenda(conn: Connection, commission_id: int) -> list[dict[str, Any]]:
    """The dossiers on a session's agenda, in the order they were put there."""
    rows = conn.execute(
        text(f"""SELECT {COLUMNS} FROM dossiers WHERE commission_id = :id
                 ORDER BY number"""),
        {"id": commission_id},
    )
    return [dict(r._mapping) for r in rows]


def stored_pdf(conn: Connection, table: str, column: str, row_id: int) -> bytes | None:
    """A PDF rendered earlier (table and column from the code)."""
    data = conn.execute(
        text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}
    ).scalar()
    return bytes(data) if data is not None else None


def keep_pdf(conn: Connection, table: str, column: str, row_id: int, pdf: bytes) -> bytes:
    """Store a rendered PDF unless another request stored one first; the stored bytes."""
    stored = conn.execute(
        text(f"""UPDATE {table} SET {column} = :pdf WHERE id = :id AND {column} IS NULL
                 RETURNING {column}"""),
        {"pdf": pdf, "id": row_id},
    ).scalar()
    if stored is not None:
        return bytes(stored)
    existing = stored_pdf(conn, table, column, row_id)
    assert existing is not None
    return existing


def petitioner_name(conn: Connection, user_id: int) -> str | None:
    """The filer's name (personal data: printed on the PDFs only)."""
    name = conn.execute(
        text("SELECT coalesce(full_name, login) FROM users WHERE id = :id"), {"id": user_id}
    ).scalar()
    return str(name) if name else None


def parcel_geometry(conn: Connection, parcel_id: int) -> bytes:
    """The stored parcel (WKB, storage SRID)."""
    return bytes(
        conn.execute(
            text("SELECT ST_AsBinary(geom) FROM parcels WHERE id = :id"), {"id": parcel_id}
        ).scalar_one()
    )


def piece_content(conn: Connection, piece_id: int) -> bytes:
    """A piece's bytes."""
    return bytes(
        conn.execute(
            text("SELECT content FROM dossier_pieces WHERE id = :id"), {"id": piece_id}
        ).scalar_one()
    )


_CLOSE_SQL = text("""
WITH closing AS (
  SELECT id, number, round, commission_members FROM dossiers
  WHERE commission_id = :session AND state = 'en_commission' FOR UPDATE
), silent AS (
  INSERT INTO dossier_avis (dossier_id, round, service, avis, observations)
  SELECT c.id, c.round, m.value ->> 'code', 'non_emis', :observations
  FROM closing c, jsonb_array_elements(c.commission_members) m
  WHERE NOT EXISTS (SELECT 1 FROM dossier_avis a WHERE a.dossier_id = c.id
                    AND a.round = c.round AND a.service = m.value ->> 'code')
  RETURNING dossier_id, service
), moved AS (
  UPDATE dossiers d SET state = 'avis_emis', pv_on = :day FROM closing c WHERE d.id = c.id
  RETURNING d.id
)
SELECT c.id, c.number,
       coalesce((SELECT array_agg(s.service ORDER BY s.service) FROM silent s
                 WHERE s.dossier_id = c.id), '{}') AS silent
FROM closing c ORDER BY c.number
""")


def close_agenda(
    conn: Connection, session_id: int, day: dt.date, observations: str
) -> list[dict[str, Any]]:
    """Every dossier en commission on the session: its silent services recorded `non_emis`,
    moved to `avis_emis`, in one statement whatever the agenda's length."""
    rows = conn.execute(
        _CLOSE_SQL, {"session": session_id, "day": day, "observations": observations}
    )
    return [{"id": r.id, "number": r.number, "missing_avis": list(r.silent)} for r in rows]


def add_events(conn: Connection, events: list[dict[str, Any]]) -> None:
    """Timeline lines of many dossiers at once (`id`, `event`, `role`, `details`)."""
    if events:
        conn.execute(
            text("""INSERT INTO dossier_events (dossier_id, event, actor_role, details)
                    VALUES (:id, :event, :role, CAST(:details AS jsonb))"""),
            [{**e, "details": json.dumps(e["details"], ensure_ascii=False)} for e in events],
        )


def add_audit(conn: Connection, acts: list[dict[str, Any]]) -> None:
    """Audit lines of many acts at once (`actor`, `action`, `subject`, `details`)."""
    if acts:
        conn.execute(
            text("""INSERT INTO audit_log (actor, action, subject, details)
                    VALUES (:actor, :action, :subject, CAST(:details AS jsonb))"""),
            [{**a, "details": json.dumps(a["details"], ensure_ascii=False)} for a in acts],
        )
