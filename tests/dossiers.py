"""Helpers of the dossier tests: the workflow's accounts, a grand projet on the demo plan, PDFs
read back."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from pypdf import PdfReader
from sqlalchemy import Connection

from geoportal.accounts import NewAccount, create_account, store_token

COMMUNE = "Ain Demo"
AGENCY = "Agence Urbaine de Skhirate-Temara"
#: the demo parcel (Lambert Nord Maroc), inside the plan of Ain Demo
PARCEL = (
    "Borne;X;Y\nB1;358700,00;366600,00\nB2;358760,00;366600,00\n"
    "B3;358760,00;366660,00\nB4;358700,00;366660,00\n"
)
#: Annexe 2 §5: « bâtiments destinés à des activités économiques (commerciales…) » → grands projets
GRAND_PROJET = {
    "kind": "construction",
    "use": "commerce",
    "owner": "prive",
    "storeys": 2,
    "height_m": 9.5,
    "floor_area_m2": 1800.0,
}
SERVICES = (
    "prefecture_province",
    "commune",
    "reseaux_telecommunications",
    "reseaux_divers",
    "culture",
)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PRINCIPAL_PIECES = (
    "demande",
    "justificatif_propriete",
    "plan_cadastral",
    "plans_architecturaux",
    "plan_masse",
    "contrat_architecte",
)


def workflow_accounts(conn: Connection, tag: str = "") -> dict[str, dict[str, str]]:
    """A second petitioner, an architect, the guichet, the president, the agency's agent and a
    member per service; their bearer headers by name."""
    accounts = {
        "other": NewAccount(login=f"autre.petitionnaire{tag}", role="petitioner"),
        "architecte": NewAccount(login=f"archi.demo{tag}", role="architecte"),
        "guichet": NewAccount(login=f"guichet.demo{tag}", role="guichet", commune=COMMUNE),
        "president": NewAccount(login=f"president.demo{tag}", role="president", commune=COMMUNE),
        "agent": NewAccount(login=f"agent.au{tag}", role="agent", agency=AGENCY),
        "petitioner": NewAccount(
            login=f"petitionnaire{tag}", role="petitioner", full_name="Karima Tazi"
        ),
        **{
            s: NewAccount(login=f"membre.{s}{tag}", role="membre", service=s, commune=COMMUNE)
            for s in SERVICES
        },
    }
    headers = {}
    for name, account in accounts.items():
        user_id = create_account(conn, account)
        token = f"dossier-{name}{tag}-token"
        store_token(conn, user_id, token, hours=None, label="test")
        headers[name] = {"Authorization": f"Bearer {token}"}
    return headers


def filing(**changes: Any) -> dict[str, Any]:
    """A grand projet on the demo parcel."""
    return {
        "project": GRAND_PROJET,
        "coordinates": PARCEL,
        "land_reference": "TF 4711/R",
        **changes,
    }


def session_date(days: int = 7) -> str:
    """A session in a few days."""
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def pdf_text(pdf: bytes) -> str:
    """The PDF's text (pypdf; pdftotext is not on every machine), spaces normalised."""
    assert pdf.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)
