"""The OGC API names its collections in French, reservations and sectors included (issue #14).

Each `opendata` view's comment (migration 0012) is its collection's title and description, in
the collections list (JSON and HTML), each collection's page and its items.
"""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

TITLES = {
    "opendata.plans": "Plans d'aménagement",
    "opendata.zones": "Zones d'aménagement",
    "opendata.voies_amenagement": "Voies d'aménagement projetées",
    "opendata.servitudes": "Servitudes",
    "opendata.reservations": "Réservations pour équipements publics",
    "opendata.secteurs": "Secteurs particuliers",
    "opendata.projets_autorises": "Projets autorisés",
}


def test_collections_list_has_french_titles_and_descriptions(client: TestClient) -> None:
    listing = client.get("/ogc/collections", params={"limit": 100}).json()["collections"]
    titles = {c["id"]: c["title"] for c in listing}
    assert {k: titles.get(k) for k in TITLES} == TITLES
    descriptions = {c["id"]: c.get("description", "") for c in listing}
    assert "médina" in descriptions["opendata.secteurs"]
    assert "équipements publics" in descriptions["opendata.reservations"]
    assert "Aucune donnée personnelle" in descriptions["opendata.projets_autorises"]
    # the ids stay as QGIS and GDAL know them
    assert all(c["id"].startswith("opendata.") for c in listing)


def test_collection_and_items_carry_the_title(client: TestClient) -> None:
    collection = client.get("/ogc/collections/opendata.reservations").json()
    assert collection["title"] == "Réservations pour équipements publics"
    assert collection["description"].startswith("Emplacements réservés")
    items = client.get("/ogc/collections/opendata.secteurs/items", params={"limit": 1}).json()
    assert items["title"] == "Secteurs particuliers"


def test_collections_page_shows_titles(client: TestClient) -> None:
    page = client.get("/ogc/collections", params={"f": "html", "limit": 100})
    assert page.status_code == 200
    text = html.unescape(page.text)
    for title in TITLES.values():
        assert f">{title}</a>" in text
    assert ">opendata.zones</a>" not in text
