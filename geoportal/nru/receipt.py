"""The récépissé of a request for a note (art. 6 al. 2) and who may see the request's files.

« La demande … est déposée auprès de l'agence urbaine contre récépissé dûment daté » : the
petitioner gets a PDF with the request's number and date. It goes, like a note, to whoever
holds its id unless it names its requester; then to that account and the agency. The files
(justificatif de propriété, plan cadastral, accord du propriétaire) go to the agency's agents
and nobody else: they are the owner's papers.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection

from geoportal.accounts import AccountRequired, AgencyForbidden, Principal
from geoportal.nru.pdf import MINISTRY, agency_name, stylesheet
from geoportal.nru.request import (
    ATTACHMENT_FIELDS,
    ATTACHMENT_LABELS,
    AttachmentsForbidden,
    RequestRow,
    attachment_content,
    keep_receipt,
    request_row,
    stored_receipt,
)
from geoportal.render import html_pdf, render
from zoning.refusal import NotFound, Problem

QUALITES = {
    "proprietaire": "Propriétaire du terrain",
    "mandataire": "Personne munie de l'accord du propriétaire",
    "administration": "Administration (document justifiant la demande)",
}


def receipt_pdf(conn: Connection, request_id: str, by: Principal) -> tuple[str, bytes]:
    """The request's number and its récépissé's PDF (rendered once, then the stored bytes)."""
    row = request_row(conn, request_id)
    _check_receipt_access(row, by)
    stored = stored_receipt(conn, row.id)
    if stored is not None:
        return row.number, stored
    return row.number, keep_receipt(conn, row.id, render_receipt(row))


def _check_receipt_access(row: RequestRow, by: Principal) -> None:
    """A récépissé naming its requester: that account and the agency; else its id suffices."""
    if row.requested_by is None or by.acts_for(row.agency):
        return
    if by.signed_in and by.user_id == row.requested_by:
        return
    if not by.signed_in:
        raise AccountRequired(
            "ce récépissé nomme son demandeur : connectez-vous avec le compte qui a déposé la "
            "demande (POST /api/v1/token)"
        )
    raise AgencyForbidden(
        "ce récépissé est réservé au compte qui a déposé la demande et à l'agence"
    )


def render_receipt(row: RequestRow) -> bytes:
    """The récépissé as an A4 PDF (WeasyPrint, data: URIs only)."""
    html = render(
        "nru/receipt.html",
        row=row,
        ministry=MINISTRY,
        agency=agency_name(row.agency),
        qualites=QUALITES,
        labels=ATTACHMENT_LABELS,
        stylesheet=Markup(stylesheet()),
    )
    return html_pdf(html, row.id)


def _check_agent(row: RequestRow, by: Principal) -> None:
    """Only the agents of the agency that received the request (not even its admin)."""
    if not by.signed_in:
        raise AccountRequired(
            "les pièces d'une demande sont réservées aux agents de l'agence urbaine qui l'a "
            "reçue : connectez-vous (POST /api/v1/token)"
        )
    if by.role != "agent" or by.agency != row.agency:
        raise AttachmentsForbidden()


def request_files(conn: Connection, request_id: str, by: Principal) -> dict[str, Any]:
    """The request as the agency sees it: who asked, on what title, and its files' facts."""
    row = request_row(conn, request_id)
    _check_agent(row, by)
    return {
        "id": row.id,
        "number": row.number,
        "received_at": row.received_at.isoformat(),
        "plan": row.plan_name,
        "qualite": row.qualite,
        "qualite_document": row.qualite_document,
        "land_reference": row.land_reference,
        "land_status": row.land_status,
        "requester": row.requester,
        "nru_number": row.nru_number,
        "files": [
            {**f, "href": f"/api/v1/nru/requests/{row.id}/files/{f['field']}"} for f in row.files
        ],
    }


def request_file(conn: Connection, request_id: str, field: str, by: Principal) -> tuple[bytes, str]:
    """One file's bytes and media type, for the agency's agents."""
    if field not in ATTACHMENT_FIELDS:
        message = f"« {field} » n'est pas une pièce d'une demande ({', '.join(ATTACHMENT_FIELDS)})."
        raise NotFound("piece_inconnue", message, [Problem("piece_inconnue", message)])
    row = request_row(conn, request_id)
    _check_agent(row, by)
    return attachment_content(conn, row.id, field)
