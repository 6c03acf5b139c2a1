"""Every query on the stored notes (table `nrus`): numbering, the note as issued, its PDF,
who may read it, revocation, and the registers of an agency and of an account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import Connection, text

from geoportal.nru.model import Nru
from geoportal.nru.request import REQUEST_CTES, NewRequest
from zoning.overlay import Overlay
from zoning.refusal import NotFound


class NruNotFound(NotFound, LookupError):
    """No note has that id."""

    def __init__(self, nru_id: object) -> None:
        super().__init__("nru_not_found", f"Aucune note n'a l'identifiant {nru_id!r}.")


STORE_SQL = text(f"""
WITH {REQUEST_CTES},
counter AS (
  INSERT INTO nru_counters (agency, year, last_number) VALUES (:agency, :year, 1)
  ON CONFLICT (agency, year) DO UPDATE SET last_number = nru_counters.last_number + 1
  RETURNING 'NRU/' || year || '/' || lpad(last_number::text, 6, '0') AS number
),
note AS (
  INSERT INTO nrus (id, number, agency, year, issued_at, valid_until, plan_name, plan_sha256,
                    land_reference, parcel, document, petitioner, requested_by)
  SELECT :id, counter.number, :agency, :year, :issued_at, :valid_until, :plan_name,
         :plan_sha256, :land_reference, ST_GeomFromEWKB(:parcel),
         jsonb_set(jsonb_set(CAST(:document AS jsonb), '{{number}}', to_jsonb(counter.number)),
                   '{{request,number}}', to_jsonb(request.number)),
         CAST(:petitioner AS jsonb), :requested_by
  FROM counter, request
  RETURNING number
)
SELECT note.number, request.number FROM note, request
""")


def store_nru(
    conn: Connection,
    nru: Nru,
    overlay: Overlay,
    geometry: Any,
    storage_srid: int,
    petitioner: dict[str, str] | None,
    requested_by: int | None,
    request: NewRequest,
) -> tuple[str, str]:
    """Number and keep the request and the note (its JSON never changes afterwards), the one
    tied to the other, in one statement; their numbers (note, request).

    The request's row comes before its files (store_request_files); the caller commits.
    """
    multi = geometry if geometry.geom_type == "MultiPolygon" else shapely.multipolygons([geometry])
    row = conn.execute(
        STORE_SQL,
        {
            "id": nru.id,
            "agency": nru.plan.agency,
            "year": nru.issued_at.year,
            "issued_at": nru.issued_at,
            "valid_until": nru.valid_until,
            "plan_name": nru.plan.name,
            "plan_sha256": overlay.plan["source_sha256"],
            "land_reference": nru.parcel.land_reference,
            "parcel": shapely.to_wkb(shapely.set_srid(multi, storage_srid), include_srid=True),
            "document": nru.model_dump_json(),
            "petitioner": _json(petitioner),
            "requested_by": requested_by,
            **request.params,
        },
    ).one()
    return str(row[0]), str(row[1])


def _json(value: dict[str, str] | None) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


def get_nru(conn: Connection, nru_id: str) -> Nru:
    """A stored note, exactly as issued."""
    row = conn.execute(
        text("SELECT document FROM nrus WHERE id = CAST(:id AS uuid)"), {"id": as_uuid(nru_id)}
    ).first()
    if row is None:
        raise NruNotFound(nru_id)
    return Nru.model_validate(row[0])


def pdf_record(conn: Connection, nru_id: str) -> tuple[bytes | None, str | None]:
    """The stored PDF and its SHA-256 (None before the first rendering)."""
    row = conn.execute(
        text("SELECT pdf, pdf_sha256 FROM nrus WHERE id = CAST(:id AS uuid)"),
        {"id": as_uuid(nru_id)},
    ).first()
    if row is None:
        raise NruNotFound(nru_id)
    return (bytes(row[0]) if row[0] is not None else None), row[1]


def keep_pdf(conn: Connection, nru_id: str, pdf: bytes) -> bytes:
    """Store a rendered PDF unless another request stored one first; return the stored bytes."""
    digest = hashlib.sha256(pdf).hexdigest()
    stored = conn.execute(
        text("""UPDATE nrus SET pdf = :pdf, pdf_sha256 = :sha
                WHERE id = CAST(:id AS uuid) AND pdf IS NULL RETURNING pdf"""),
        {"pdf": pdf, "sha": digest, "id": nru_id},
    ).scalar()
    if stored is not None:
        return bytes(stored)
    existing, _ = pdf_record(conn, nru_id)
    assert existing is not None
    return existing


def as_uuid(value: str) -> str:
    """A valid UUID string, or NruNotFound (never a database error on a bad id)."""
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise NruNotFound(value) from exc


@dataclass(frozen=True)
class AccessRow:
    """What deciding who may read a note needs, and its state."""

    agency: str
    requested_by: int | None
    names_petitioner: bool
    number: str
    revoked_at: dt.datetime | None
    revocation_reason: str | None


def access_row(conn: Connection, nru_id: str) -> AccessRow:
    """The note's agency, requester, whether it names its petitioner, and its state."""
    row = conn.execute(
        text("""SELECT agency, requested_by, petitioner IS NOT NULL, number, revoked_at,
                       revocation_reason
                FROM nrus WHERE id = CAST(:id AS uuid)"""),
        {"id": as_uuid(nru_id)},
    ).first()
    if row is None:
        raise NruNotFound(nru_id)
    return AccessRow(*row)


def lock_for_revocation(conn: Connection, nru_id: str) -> tuple[str, str, dt.datetime | None]:
    """The note's agency, number and revocation time, its row locked until the commit."""
    row = conn.execute(
        text("""SELECT agency, number, revoked_at FROM nrus WHERE id = CAST(:id AS uuid)
                FOR UPDATE"""),
        {"id": as_uuid(nru_id)},
    ).first()
    if row is None:
        raise NruNotFound(nru_id)
    return row[0], row[1], row[2]


def mark_revoked(conn: Connection, nru_id: str, reason: str, by_user: int | None) -> dict[str, Any]:
    """Record the revocation; the note stays in the register."""
    revoked = conn.execute(
        text("""UPDATE nrus SET revoked_at = now(), revoked_by = :by, revocation_reason = :reason
                WHERE id = CAST(:id AS uuid) RETURNING number, revoked_at, revocation_reason"""),
        {"id": as_uuid(nru_id), "by": by_user, "reason": reason},
    ).one()
    return dict(revoked._mapping)


REGISTER_COLUMNS = """id::text AS id, number, agency, issued_at, valid_until, plan_name,
    land_reference, requested_by IS NOT NULL AS by_account, revoked_at, revocation_reason"""


def agency_notes(
    conn: Connection, agency: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    """The notes of an agency (all when None), newest first."""
    rows = conn.execute(
        text(f"""SELECT {REGISTER_COLUMNS} FROM nrus
                 WHERE CAST(:agency AS text) IS NULL OR agency = :agency
                 ORDER BY issued_at DESC, number DESC LIMIT :limit OFFSET :offset"""),
        {"agency": agency, "limit": limit, "offset": offset},
    )
    return [dict(r._mapping) for r in rows]


def requested_by(conn: Connection, user_id: int | None, limit: int) -> list[dict[str, Any]]:
    """The notes an account asked for, newest first."""
    rows = conn.execute(
        text("""SELECT id::text AS id, number, issued_at, valid_until, plan_name,
                       land_reference, revoked_at
                FROM nrus WHERE requested_by = :user ORDER BY issued_at DESC LIMIT :limit"""),
        {"user": user_id, "limit": limit},
    )
    return [dict(row._mapping) for row in rows]


def petitioner(conn: Connection, nru_id: str) -> dict[str, str] | None:
    """The addressee the note names (personal data: the PDF only)."""
    data = conn.execute(
        text("SELECT petitioner FROM nrus WHERE id = CAST(:id AS uuid)"), {"id": nru_id}
    ).scalar()
    return dict(data) if data else None


@dataclass(frozen=True)
class VerificationRow:
    """The note as issued, its stored PDF and its state: the verification page's one read."""

    nru: Nru
    pdf: bytes | None
    pdf_sha256: str | None
    revoked_at: dt.datetime | None
    revocation_reason: str | None


def verification_row(conn: Connection, nru_id: str) -> VerificationRow:
    """The note's row, read once for the public verification page."""
    row = conn.execute(
        text("""SELECT document, pdf, pdf_sha256, revoked_at, revocation_reason FROM nrus
                WHERE id = CAST(:id AS uuid)"""),
        {"id": as_uuid(nru_id)},
    ).first()
    if row is None:
        raise NruNotFound(nru_id)
    pdf = bytes(row.pdf) if row.pdf is not None else None
    return VerificationRow(
        Nru.model_validate(row.document),
        pdf,
        row.pdf_sha256,
        row.revoked_at,
        row.revocation_reason,
    )


@dataclass(frozen=True)
class ExtractRow:
    """The parcel as stored with the note, and the plan it was issued under (if still there)."""

    parcel_wkb: bytes
    plan_id: int | None
    raster_path: str | None
    legend: dict[str, str] | None


def extract_row(conn: Connection, nru_id: str) -> ExtractRow:
    """What the map extract starts from: the stored parcel and its plan's id, raster, legend."""
    row = conn.execute(
        text("""SELECT ST_AsBinary(n.parcel), p.id, p.raster_path, p.reglement -> 'legend'
                FROM nrus n LEFT JOIN plans p ON p.name = n.plan_name
                WHERE n.id = CAST(:id AS uuid)"""),
        {"id": nru_id},
    ).one()
    return ExtractRow(bytes(row[0]), row[1], row[2], row[3])
