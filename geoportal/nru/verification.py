"""The public verification page's facts (the QR code's target): issue data, state, the PDF's
SHA-256 and signature as read from the stored file; nothing personal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geoportal.nru.model import Nru
from geoportal.nru.register import revocation_facts
from geoportal.nru.signing import read_signature
from geoportal.nru.store import verification_row
from zoning import wording


def verification(conn: Connection, nru_id: str) -> dict[str, Any]:
    """The verification page's facts: issue data, state, PDF SHA-256 and signature; nothing
    personal. The note's row is read once."""
    row = verification_row(conn, nru_id)
    nru, pdf, sha = row.nru, row.pdf, row.pdf_sha256
    return {
        "Numéro": nru.number,
        **revocation_facts(row.revoked_at, row.revocation_reason),
        **request_facts(nru),
        "Délivrée le": f"{wording.date_long(nru.issued_at.date())}, {nru.issued_at:%H:%M} UTC",
        "Valable jusqu'au": wording.date_long(nru.valid_until, "—"),
        "Agence": nru.plan.agency,
        "Document d'urbanisme": f"{nru.plan.name} ({wording.plan_status(nru.plan.status)})",
        "Référence foncière": wording.land_label(nru.parcel.land_reference),
        "Superficie du terrain": wording.area(nru.parcel.area_m2),
        "Centre du terrain (Lambert)": wording.xy(*nru.parcel.centroid),
        "SHA-256 du PDF": sha or "PDF non encore généré",
        **signature_facts(pdf),
        "zones": [f"{z.code} — {z.label} ({wording.area(z.area_m2)})" for z in nru.zones],
    }


def signature_facts(pdf: bytes | None) -> dict[str, str]:
    """The stored PDF's signature as read from the file itself: signer, certificate, time."""
    if pdf is None:
        return {}
    signature = read_signature(pdf)
    if signature is None:
        return {"Signature": "PDF non signé"}
    signed_at = signature.signed_at
    return {
        "Signature": "PAdES (signature électronique du PDF)",
        "Signataire": signature.signer,
        "Certificat (SHA-256)": signature.certificate_sha256,
        "Signé le": signed_at.strftime("%d/%m/%Y %H:%M:%S UTC") if signed_at else "—",
    }


def request_facts(nru: Nru) -> dict[str, str]:
    """The request the note answers (art. 6 al. 2): its number and date, nothing personal."""
    if nru.request is None:
        return {}
    received = nru.request.received_at.date()
    return {"Demande": f"n° {nru.request.number} du {wording.date_long(received)}"}
