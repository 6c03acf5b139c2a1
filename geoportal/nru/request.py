"""The request for a note as its own act (art. 6 al. 2 of décret 2-18-577): numbered, dated, its
récépissé, and the files the agencies' online forms ask for.

« La demande de la note de renseignements urbanistiques est déposée auprès de l'agence urbaine
contre récépissé dûment daté et signé par le pétitionnaire. » The request gets its number from
a yearly counter per agency, in the statement that stores it with its note (REQUEST_CTES): the
counter row's lock orders concurrent requests, a rolled-back one gives its number back.

Who may ask (art. 5, art. 6 al. 3): « Ladite demande peut émaner de tout intéressé lorsque le
document d'urbanisme est homologué. A défaut d'un tel document, elle ne peut émaner que du
propriétaire du terrain concerné ou d'une personne qui fournit un accord de ce dernier ou tout
document justifiant l'obtention de ladite note, tel qu'un acte déclaratif d'utilité
publique. » Hence `qualite`: `proprietaire`, `mandataire` (the owner's consent) or
`administration` (a justifying document), and `qualite_document` for that document's reference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from geoportal.nru.model import RequestRef
from zoning.refusal import Forbidden, Invalid, NotFound, Problem

QUALITES = ("proprietaire", "mandataire", "administration")
#: the multipart fields of the files (an agency's online NRU form: « Justificatif de propriété
#: (Certificat de propriété, Acte adulaire, etc.) », « Plan cadastral ou parcellaire »,
#: « Accord de propriétaire »)
ATTACHMENT_FIELDS = ("justificatif_propriete", "plan_cadastral", "accord_proprietaire")
ATTACHMENT_LABELS = {
    "justificatif_propriete": "Justificatif de propriété",
    "plan_cadastral": "Plan cadastral ou parcellaire",
    "accord_proprietaire": "Accord du propriétaire",
}
#: the form's formats (« Format : JPG, TIF »), and PDF, told by their first bytes, not their name
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


class AttachmentRefused(Invalid):
    """A file of the request that is not a PDF, JPG or TIF, is empty, or is too large."""


class QualiteRefused(Invalid):
    """Art. 6 al. 3: for a plan not homologated, who asks and on what document."""


class RequestNotFound(NotFound):
    """No request has that id."""

    def __init__(self, request_id: str) -> None:
        super().__init__(
            "demande_introuvable", f"Aucune demande de note n'a l'identifiant « {request_id} »."
        )


class AttachmentsForbidden(Forbidden):
    """The files of a request are for the agents of its agency only."""

    def __init__(self) -> None:
        super().__init__(
            "pieces_reservees",
            "Les pièces jointes d'une demande ne sont consultables que par les agents de "
            "l'agence urbaine qui l'a reçue.",
        )


@dataclass(frozen=True)
class Attachment:
    """One file of the request, as received."""

    field: str
    filename: str | None
    content: bytes


def media_type(content: bytes) -> str | None:
    """PDF, JPEG or TIFF from the file's first bytes; None for anything else."""
    return next((kind for magic, kind in MAGIC if content.startswith(magic)), None)


def check_attachment(attachment: Attachment, max_bytes: int) -> str:
    """The file's media type, or a French refusal naming its field."""
    field, size = attachment.field, len(attachment.content)
    label = ATTACHMENT_LABELS[field]
    if size == 0:
        raise _file_refused("piece_vide", field, f"Le fichier « {label} » est vide.")
    if size > max_bytes:
        raise _file_refused(
            "piece_trop_grande",
            field,
            f"Le fichier « {label} » fait {size // 1024} ko ; le maximum est "
            f"{max_bytes // 1024} ko.",
        )
    kind = media_type(attachment.content)
    if kind is None:
        raise _file_refused(
            "piece_format",
            field,
            f"Le fichier « {label} » n'est ni un PDF, ni une image JPG ou TIF (formats acceptés).",
        )
    return kind


def _file_refused(code: str, field: str, message: str) -> AttachmentRefused:
    return AttachmentRefused(code, message, [Problem(code, message, field=field)])


@dataclass(frozen=True)
class Asker:
    """Who asks and on what title (art. 5, art. 6), and the form's other facts."""

    qualite: str | None = None
    qualite_document: str | None = None
    ownership_proof: str | None = None
    land_reference: str | None = None
    land_status: str | None = None
    profession: str | None = None
    owner_name: str | None = None
    attachments: Sequence[Attachment] = ()

    def has_file(self, field: str) -> bool:
        """True when the request carries that file."""
        return any(a.field == field for a in self.attachments)


def check_qualite_value(asker: Asker) -> None:
    """`qualite` is one of the three of art. 6 al. 3 when it is given."""
    if asker.qualite is not None and asker.qualite not in QUALITES:
        message = (
            f"Qualité « {asker.qualite} » inconnue : indiquez proprietaire, mandataire ou "
            "administration."
        )
        raise QualiteRefused(
            "qualite_inconnue", message, [Problem("qualite_inconnue", message, field="qualite")]
        )


def effective_qualite(asker: Asker) -> str | None:
    """The declared qualité; a proof of ownership without one stands for the owner."""
    if asker.qualite:
        return asker.qualite
    if asker.ownership_proof or asker.has_file("justificatif_propriete"):
        return "proprietaire"
    return None


def check_article_6(plan_name: str, asker: Asker) -> None:
    """Art. 6 al. 3: without a homologated plan, the owner (with proof), a person with the
    owner's consent, or one holding a document that justifies the request. Land « Non
    immatriculé » (Annexe 1 « TF n° … / Réquisition n° … / Non immatriculé ») is accepted with
    its proof of ownership like any other."""
    # The land's reference is not required: art. 6 asks who and on what document, and the
    # agency's form leaves « Références foncières » optional (« Non immatriculé » by default).
    problems = _qualite_problems(asker)
    if problems:
        raise QualiteRefused(
            "article_6",
            f"Le plan « {plan_name} » est en cours d'approbation : selon l'article 6 du décret "
            "n° 2-18-577, la note ne peut être demandée que par le propriétaire du terrain, "
            "une personne munie de son accord ou d'un document justifiant la demande (tel "
            "qu'un acte déclaratif d'utilité publique). " + " ".join(p.message for p in problems),
            problems,
        )


def _qualite_problems(asker: Asker) -> list[Problem]:
    qualite = effective_qualite(asker)
    if qualite is None:
        message = (
            "Indiquez votre qualité (« qualite ») : proprietaire, mandataire (avec l'accord du "
            "propriétaire) ou administration (avec le document qui justifie la demande)."
        )
        return [Problem("qualite_requise", message, field="qualite")]
    if qualite == "proprietaire":
        if (
            asker.ownership_proof
            or asker.qualite_document
            or asker.has_file("justificatif_propriete")
        ):
            return []
        message = (
            "Le propriétaire justifie sa propriété : référence du justificatif "
            "(« ownership_proof » : certificat de propriété, acte adulaire…) ou fichier "
            "« justificatif_propriete »."
        )
        return [Problem("justificatif_requis", message, field="ownership_proof")]
    if qualite == "mandataire":
        if asker.qualite_document or asker.has_file("accord_proprietaire"):
            return []
        message = (
            "Le mandataire fournit l'accord du propriétaire : sa référence (« qualite_document ») "
            "ou le fichier « accord_proprietaire »."
        )
        return [Problem("accord_requis", message, field="qualite_document")]
    if asker.qualite_document:
        return []
    message = (
        "L'administration indique le document qui justifie la demande (« qualite_document »), "
        "tel qu'un acte déclaratif d'utilité publique."
    )
    return [Problem("document_requis", message, field="qualite_document")]


#: The request's number (DEM/…, from its agency's yearly counter) and its row, as common table
#: expressions of the note's own insert (geoportal.nru.store): a request for a note is received
#: and answered at once, in one statement, which also ties the request to the note (`:id`).
REQUEST_CTES = """
request_counter AS (
  INSERT INTO nru_request_counters (agency, year, last_number) VALUES (:agency, :year, 1)
  ON CONFLICT (agency, year) DO UPDATE SET last_number = nru_request_counters.last_number + 1
  RETURNING 'DEM/' || year || '/' || lpad(last_number::text, 6, '0') AS number
),
request AS (
  INSERT INTO nru_requests (id, number, agency, year, received_at, plan_name, qualite,
                            qualite_document, land_reference, land_status, requester,
                            requested_by, nru_id)
  SELECT :request_id, request_counter.number, :agency, :year, :request_received_at,
         :request_plan_name, :request_qualite, :request_qualite_document,
         :request_land_reference, :request_land_status, CAST(:request_requester AS jsonb),
         :requested_by, CAST(:id AS uuid)
  FROM request_counter
  RETURNING number
)"""


@dataclass(frozen=True)
class NewRequest:
    """A request checked and ready to store: its reference (numbered as it is stored), the
    statement's parameters (REQUEST_CTES) and its files with their media types."""

    ref: RequestRef
    params: dict[str, Any]
    files: tuple[tuple[Attachment, str], ...]


def new_request(
    asker: Asker,
    *,
    plan_name: str,
    received_at: dt.datetime,
    requester: dict[str, str] | None,
    max_file_bytes: int,
) -> NewRequest:
    """The request and its files checked (nothing written): what REQUEST_CTES stores."""
    kinds = [check_attachment(a, max_file_bytes) for a in asker.attachments]
    personal = {
        k: v
        for k, v in {
            **(requester or {}),
            "profession": asker.profession,
            "owner_name": asker.owner_name,
            "ownership_proof": asker.ownership_proof,
        }.items()
        if v
    }
    ref = RequestRef(
        id=str(uuid.uuid4()), number="", received_at=received_at, qualite=effective_qualite(asker)
    )
    params = {  # prefixed: beside the note's own in one statement (:agency, :year and
        # :requested_by are the note's, the same for both)
        "request_id": ref.id,
        "request_received_at": received_at,
        "request_plan_name": plan_name,
        "request_qualite": ref.qualite,
        "request_qualite_document": asker.qualite_document,
        "request_land_reference": asker.land_reference,
        "request_land_status": asker.land_status,
        "request_requester": json.dumps(personal, ensure_ascii=False) if personal else None,
    }
    return NewRequest(ref, params, tuple(zip(asker.attachments, kinds, strict=True)))


def store_request_files(conn: Connection, request: NewRequest) -> None:
    """The request's files, once its row is stored; the caller commits."""
    for attachment, kind in request.files:
        _store_file(conn, request.ref.id, attachment, kind)


def _store_file(conn: Connection, request_id: str, attachment: Attachment, kind: str) -> None:
    conn.execute(
        text("""INSERT INTO nru_request_files
                  (request_id, field, filename, media_type, size, sha256, content)
                VALUES (:id, :field, :filename, :kind, :size, :sha, :content)"""),
        {
            "id": request_id,
            "field": attachment.field,
            "filename": (attachment.filename or "")[:200] or None,
            "kind": kind,
            "size": len(attachment.content),
            "sha": hashlib.sha256(attachment.content).hexdigest(),
            "content": attachment.content,
        },
    )


def request_links(request_id: str) -> dict[str, str]:
    """Where the récépissé's PDF and (for the agents) the request's files are served."""
    base = f"/api/v1/nru/requests/{request_id}"
    return {"receipt": f"{base}/receipt.pdf", "files": f"{base}/files"}


@dataclass(frozen=True)
class RequestRow:
    """A stored request: its act, who asked, its files' facts (never their bytes)."""

    id: str
    number: str
    agency: str
    received_at: dt.datetime
    plan_name: str
    qualite: str | None
    qualite_document: str | None
    land_reference: str | None
    land_status: str | None
    requester: dict[str, Any]
    requested_by: int | None
    nru_id: str | None
    nru_number: str | None
    files: list[dict[str, Any]]


def request_row(conn: Connection, request_id: str) -> RequestRow:
    """The request and its files' names, types, sizes and SHA-256."""
    try:
        checked = str(uuid.UUID(request_id))
    except ValueError:
        raise RequestNotFound(request_id) from None
    row = conn.execute(
        text("""SELECT r.id::text AS id, r.number, r.agency, r.received_at, r.plan_name,
                       r.qualite, r.qualite_document, r.land_reference, r.land_status,
                       r.requester, r.requested_by, r.nru_id::text AS nru_id,
                       n.number AS nru_number
                FROM nru_requests r LEFT JOIN nrus n ON n.id = r.nru_id
                WHERE r.id = CAST(:id AS uuid)"""),
        {"id": checked},
    ).first()
    if row is None:
        raise RequestNotFound(request_id)
    files = conn.execute(
        text("""SELECT field, filename, media_type, size, sha256 FROM nru_request_files
                WHERE request_id = CAST(:id AS uuid) ORDER BY field"""),
        {"id": checked},
    )
    values = {**row._mapping, "requester": dict(row.requester or {})}
    return RequestRow(**values, files=[dict(f._mapping) for f in files])


def attachment_content(conn: Connection, request_id: str, field: str) -> tuple[bytes, str]:
    """A file's bytes and media type."""
    row = conn.execute(
        text("""SELECT content, media_type FROM nru_request_files
                WHERE request_id = CAST(:id AS uuid) AND field = :field"""),
        {"id": request_id, "field": field},
    ).first()
    if row is None:
        message = f"La demande n'a pas de fichier « {field} »."
        raise NotFound("piece_introuvable", message, [Problem("piece_introuvable", message)])
    return bytes(row[0]), str(row[1])


def stored_receipt(conn: Connection, request_id: str) -> bytes | None:
    """The récépissé's PDF as first rendered (None before)."""
    pdf = conn.execute(
        text("SELECT receipt_pdf FROM nru_requests WHERE id = CAST(:id AS uuid)"),
        {"id": request_id},
    ).scalar()
    return bytes(pdf) if pdf is not None else None


def keep_receipt(conn: Connection, request_id: str, pdf: bytes) -> bytes:
    """Store the récépissé unless another request stored one first; the stored bytes."""
    stored = conn.execute(
        text("""UPDATE nru_requests SET receipt_pdf = :pdf
                WHERE id = CAST(:id AS uuid) AND receipt_pdf IS NULL RETURNING receipt_pdf"""),
        {"pdf": pdf, "id": request_id},
    ).scalar()
    if stored is not None:
        return bytes(stored)
    existing = stored_receipt(conn, request_id)
    assert existing is not None
    return existing
