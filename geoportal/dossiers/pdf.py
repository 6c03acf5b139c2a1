"""The dossier's PDFs: receipt (art. 34), ordre du jour (art. 18 al. 4), PV (art. 38, Annexe 6),
decision (art. 43, Annexe 7). Rendered on first GET from Jinja2 templates (autoescaped),
signed like the notes (geoportal.nru.signing), stored, then served as stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geoportal.dossiers import store
from geoportal.dossiers.view import AVIS_LABELS, avis_view, pieces_view
from geoportal.nru.pdf import fr_date
from geoportal.nru.signing import agency_signer, sign_pdf
from geoportal.render import environment, html_pdf
from geoportal.settings import Settings

KIND_LABELS = {
    "construction": "permis de construire",
    "modification": "permis de construire (modification)",
    "surelevation": "permis de construire (surélévation)",
    "lotissement": "autorisation de lotir",
    "groupe_habitations": "autorisation de création de groupe d'habitations",
    "morcellement": "autorisation de morceler",
    "refection": "permis de réfection",
    "installation_saisonniere": "permis de réfection (installation saisonnière)",
    "demolition": "permis de démolition",
    "regularisation": "permis de régularisation",
}
PROCEDURE_LABELS = {
    "grands_projets": "Grands projets (art. 18)",
    "petits_projets": "Petits projets (art. 19)",
    "refection": "Réfection (art. 20)",
}


def render(template: str, context: dict[str, Any], identifier: str) -> bytes:
    """A template as an A4 PDF; WeasyPrint may fetch data: URIs only."""
    return html_pdf(
        environment().get_template(f"dossiers/{template}").render(**context), identifier
    )


def _signed(pdf: bytes, settings: Settings, reason: str, location: str) -> bytes:
    """PAdES-signed when the agency's certificate is configured, as the notes are."""
    signer = agency_signer(settings)
    return pdf if signer is None else sign_pdf(pdf, signer, reason=reason, location=location)


def _common(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": row["number"],
        "commune": row["commune"],
        "prefecture": row["prefecture"],
        "authority": f"Commune de {row['commune']}",
        "plan": row["plan_name"],
        "land_reference": row["land_reference"],
        "filed_on": fr_date(row["filed_on"]),
        "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
        "procedure_label": PROCEDURE_LABELS.get(row["procedure"] or "", "—"),
        "petitioner": store.petitioner_name(conn, row["filed_by"]),
        "project": row["project"],
    }


def _cached(conn: Connection, table: str, column: str, row_id: int, make: Any) -> bytes:
    stored = store.stored_pdf(conn, table, column, row_id)
    if stored is not None:
        return stored
    return store.keep_pdf(conn, table, column, row_id, make())


def receipt_pdf(conn: Connection, row: dict[str, Any], settings: Settings) -> bytes:
    """Art. 34: the accusé de réception, numéroté et daté, with the session's date."""
    from geoportal.dossiers.acts import receipt

    def make() -> bytes:
        facts = receipt(conn, row)
        context = {
            **_common(conn, row),
            "title": f"Accusé de réception {row['number']}",
            "description": "Accusé de réception (art. 34)",
            "session_date": fr_date(_date(facts["session_date"]))
            if facts["session_date"]
            else None,
            "slot_booked": facts["slot_booked"],
            "pieces": pieces_view(conn, row),
            "suivi_url": f"{settings.public_url}/suivi/{row['number']}",
        }
        pdf = render("receipt.html", context, row["number"])
        return _signed(pdf, settings, f"Accusé de réception {row['number']}", row["commune"])

    return _cached(conn, "dossiers", "receipt_pdf", row["id"], make)


def agenda_pdf(conn: Connection, session: dict[str, Any], settings: Settings) -> bytes:
    """Art. 18 al. 4, 28: the session's ordre du jour."""

    def make() -> bytes:
        number = f"{session['id']}"
        dossiers = [
            {
                "number": d["number"],
                "kind_label": KIND_LABELS.get(d["kind"], d["kind"]),
                "procedure_label": PROCEDURE_LABELS.get(d["procedure"] or "", "—"),
                "filed_on": fr_date(d["filed_on"]),
            }
            for d in store.agenda(conn, session["id"])
        ]
        context = {
            "title": f"Ordre du jour de la séance {number}",
            "description": "Ordre du jour de la commission d'instruction",
            "authority": f"Commune de {session['commune']}",
            "number": number,
            "commune": session["commune"],
            "prefecture": session["prefecture"],
            "date": fr_date(session["date"]),
            "slots": session["slots"],
            "dossiers": dossiers,
        }
        pdf = render("ordre_du_jour.html", context, f"odj-{number}")
        return _signed(pdf, settings, f"Ordre du jour, séance {number}", session["commune"])

    return _cached(conn, "commissions", "agenda_pdf", session["id"], make)


def pv_pdf(conn: Connection, row: dict[str, Any], settings: Settings) -> bytes:
    """Art. 38, Annexe 6: each member's avis, the observations, the signatories."""

    def make() -> bytes:
        avis = [
            {
                **a,
                "avis_label": AVIS_LABELS.get(a["avis"], a["avis"]),
                "signatory": "—" if a["avis"] == "non_emis" else f"Représentant, {a['label']}",
            }
            for a in avis_view(conn, row)
        ]
        context = {
            **_common(conn, row),
            "title": f"Procès-verbal {row['number']}",
            "description": "Procès-verbal de la commission d'instruction (annexe 6)",
            "meeting_on": fr_date(row["meeting_on"]),
            "pv_on": fr_date(row["pv_on"]),
            "avis": avis,
        }
        pdf = render("pv.html", context, f"pv-{row['number']}-{row['round']}")
        return _signed(pdf, settings, f"Procès-verbal {row['number']}", row["commune"])

    return _cached(conn, "dossiers", "pv_pdf", row["id"], make)


def decision_pdf(
    conn: Connection, row: dict[str, Any], settings: Settings, lapse: list[str]
) -> bytes:
    """Art. 43, Annexe 7: the decision for its kind, with the permit number, the lapse clause,
    the reserves as conditions and the « ne varietur » pieces by their SHA-256."""

    def make() -> bytes:
        latest: dict[str, dict[str, Any]] = {}
        for piece in store.pieces(conn, row["id"]):
            latest[piece["kind"]] = piece
        labels = {p["kind"]: p["label"] for p in pieces_view(conn, row)}
        conditions = [a for a in avis_view(conn, row) if a["avis"] == "favorable_sous_reserve"]
        fee = row["fee"] or {}
        context = {
            **_common(conn, row),
            "title": f"Décision {row['permit_number'] or row['number']}",
            "description": "Décision (annexe 7)",
            "decision": row["decision"],
            "permit_number": row["permit_number"],
            "decided_on": fr_date(row["decided_on"]),
            "meeting_on": fr_date(row["meeting_on"]) if row["meeting_on"] else None,
            "title_kind": KIND_LABELS.get(row["kind"], row["kind"]),
            "motifs": row["decision_motifs"],
            "conditions": conditions,
            "lapse": lapse,
            "fee": f"{fee['montant_ttc']} {fee.get('devise', 'DH')} TTC"
            if fee.get("montant_ttc")
            else None,
            "ne_varietur": [
                {"label": labels.get(kind, kind), "version": p["version"], "sha256": p["sha256"]}
                for kind, p in sorted(latest.items())
            ],
        }
        pdf = render("decision.html", context, f"decision-{row['number']}")
        number = row["permit_number"] or row["number"]
        return _signed(pdf, settings, f"Décision {number}", row["commune"])

    return _cached(conn, "dossiers", "decision_pdf", row["id"], make)


def _date(value: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(value)


def ne_varietur_pdf(conn: Connection, row: dict[str, Any], settings: Settings) -> bytes:
    """Art. 44 al. 2: the pieces « ne varietur » delivered with the decision: a list of every
    piece by its SHA-256, each PDF piece's pages followed by a stamped page; signed."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    latest: dict[str, dict[str, Any]] = {}
    for piece in store.pieces(conn, row["id"]):
        latest[piece["kind"]] = piece
    labels = {p["kind"]: p["label"] for p in pieces_view(conn, row)}
    common = {
        **_common(conn, row),
        "permit_number": row["permit_number"],
        "decided_on": fr_date(row["decided_on"]),
    }
    writer = PdfWriter()
    listed = []
    stamped: list[tuple[bytes, bytes]] = []
    for kind, piece in sorted(latest.items()):
        how = "fichier joint, désigné par son empreinte"
        if piece["media_type"] == "application/pdf":
            content = store.piece_content(conn, piece["id"])
            try:
                if not PdfReader(io.BytesIO(content)).pages:
                    raise ValueError("no page")
                stamp = render(
                    "stamp.html",
                    {
                        **common,
                        "title": "Ne varietur",
                        "description": "Ne varietur",
                        "label": labels.get(kind, kind),
                        "version": piece["version"],
                        "sha256": piece["sha256"],
                    },
                    f"nv-{piece['sha256'][:16]}",
                )
                stamped.append((content, stamp))
                how = "PDF, suivi de sa page « ne varietur »"
            except (PyPdfError, IndexError, ValueError, OSError):
                how = "PDF illisible, désigné par son empreinte"
        listed.append(
            {
                "label": labels.get(kind, kind),
                "version": piece["version"],
                "sha256": piece["sha256"],
                "how": how,
            }
        )
    cover = render(
        "ne_varietur.html",
        {
            **common,
            "title": f"Ne varietur {row['number']}",
            "description": "Pièces ne varietur (art. 43-44)",
            "pieces": listed,
        },
        f"nv-{row['number']}",
    )
    for part in (cover, *(b for pair in stamped for b in pair)):
        # a piece's own signature fields are not carried over: the bundle is signed anew
        writer.append(PdfReader(io.BytesIO(part)), excluded_fields=("/Annots", "/B"))
    if "/AcroForm" in writer._root_object:
        del writer._root_object["/AcroForm"]
    out = io.BytesIO()
    writer.write(out)
    return _signed(out.getvalue(), settings, f"Pièces ne varietur {row['number']}", row["commune"])
