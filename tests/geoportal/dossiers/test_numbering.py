"""Dossier numbers fit a path (no « / »), parcels are stored once (issue #13)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from shapely.geometry import box
from sqlalchemy import Connection

from geoportal.dossiers.numbering import commune_code, dossier_number, permit_number
from geoportal.dossiers.store import parcel_key
from tests.dossiers import filing, workflow_accounts


def test_commune_codes_are_ascii_capitals() -> None:
    assert commune_code("Ain Demo") == "AINDEMO"
    assert commune_code("Aïn Témara-Ville") == "AINTEMARAVILLE"


def test_numbers_follow_each_other_and_have_no_slash(conn: Connection) -> None:
    """Art. 34: « accusé de réception, numéroté et daté »."""
    first, second = (dossier_number(conn, "Aïn Démo", 2031) for _ in range(2))
    assert first.startswith("AINDEMO-2031-") and "/" not in first
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1
    assert permit_number(conn, "Ain Demo", "lotissement", 2031).startswith("AINDEMO-PL-2031-")


def test_a_parcel_is_known_by_its_title_or_else_its_geometry() -> None:
    square = box(0, 0, 10, 10)
    assert parcel_key("TF 4711/R", square) == parcel_key("tf  4711/r", box(5, 5, 6, 6))
    assert parcel_key(None, square) == parcel_key("Non immatriculé", square)
    assert parcel_key(None, square) != parcel_key(None, box(0, 0, 10, 11))


def test_two_dossiers_on_one_title_hang_on_one_parcel(
    client: TestClient, conn: Connection, demo: None
) -> None:
    who = workflow_accounts(conn)
    ids = [
        client.post("/api/v1/dossiers", json=filing(), headers=who["petitioner"]).json()["id"]
        for _ in range(2)
    ]
    parcels = {
        client.get(f"/api/v1/dossiers/{i}", headers=who["petitioner"]).json()["parcel_id"]
        for i in ids
    }
    assert len(parcels) == 1
    [parcel] = parcels
    history = client.get(f"/api/v1/parcels/{parcel}", headers=who["agent"]).json()
    assert [d["id"] for d in history["history"]["dossiers"]] == ids
