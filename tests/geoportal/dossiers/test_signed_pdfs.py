"""The dossier's PDFs are signed PAdES by the agency's certificate, as the notes are; the
decision carries its permit number, the lapse clause and the reserves as conditions."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine

from geoportal.nru.signing import read_signature
from geoportal.settings import Settings
from tests.api.test_dossiers import to_commission
from tests.conftest import app_client
from tests.dossiers import pdf_text, workflow_accounts
from tests.geoportal.nru.test_signing import agency_files, with_signing

__all__ = ["agency_files"]  # the fixture, used by name


def test_receipt_pv_and_decision_are_signed(
    settings: Settings,
    engine: Engine,
    conn: Connection,
    demo: None,
    agency_files: tuple[Path, Path],
) -> None:
    with app_client(with_signing(settings, *agency_files), engine, conn) as client:
        who = workflow_accounts(conn)
        dossier, session, number = to_commission(client, who)
        client.post(
            f"/api/v1/dossiers/{dossier}/avis",
            json={"avis": "favorable_sous_reserve", "observations": "Clôture de chantier"},
            headers=who["agent"],
        )
        client.post(f"/api/v1/commissions/{session}/cloture", headers=who["guichet"])
        decided = client.post(
            f"/api/v1/dossiers/{dossier}/decision",
            json={"decision": "autorisation"},
            headers=who["president"],
        ).json()
        for name in ("receipt", "pv", "decision"):
            pdf = client.get(f"/api/v1/dossiers/{dossier}/{name}.pdf", headers=who["guichet"])
            facts = read_signature(pdf.content)
            assert facts is not None and "Skhirate" in facts.signer, name
            assert number in pdf_text(pdf.content)
        decision = pdf_text(
            client.get(f"/api/v1/dossiers/{dossier}/decision.pdf", headers=who["guichet"]).content
        )
        assert decided["permit_number"] in decision
        assert "caduc" in decision.lower()  # Annexe 7's lapse clause
        assert "Clôture de chantier" in decision  # the agency's reserve, as a condition
