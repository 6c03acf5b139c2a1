"""`/plans` in headless Chromium: the product's layout, not a bare list (issue #14).

Each plan shows its status, its validity (the règlement's `valid_until`, the end of the plan's
legal effects, which bounds its notes: décret 2-18-577 art. 9, « La durée de validité de la note
de renseignements urbanistiques correspond à la durée des effets juridiques découlant de la
déclaration d'utilité publique en vertu du document d'urbanisme en vigueur »), its counts, a
small map (an SVG drawn by the server: no script, nothing from another host) and links to its
map, zones and OGC collections.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlparse

import httpx
from sqlalchemy import Connection, text

from geoportal.pages import plan_validity, plans_page
from geoportal.plans import import_plan_files
from tests.browser import OUTPUT, chromium_page
from tests.packages import write_plan
from tests.pages.test_xss import PAYLOAD
from zoning.package.load import ImportOptions
from zoning.synthetic import plan_layers, reglement


def test_plans_page_shows_status_validity_counts_map_and_links(server: str) -> None:
    requests: list[str] = []
    console: list[str] = []
    with chromium_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.goto(f"{server}/plans")
        card = page.locator("article.plan", has_text="PA Ain Demo")
        card.wait_for()
        text = card.inner_text()
        assert "homologué" in text
        assert "en vigueur jusqu'au 1er avril 2031" in text
        assert "Décret n° 2-21-101 du 15/03/2021" in text
        assert "Bulletin officiel n° 6970 du 01/04/2021" in text
        assert "122 zones, 9 voies d'aménagement, 4 servitudes, 10 réservations, 4 secteurs" in text
        # the small map: every zone drawn, coloured, with its code as a tooltip
        assert card.locator("svg path.zone[fill]").count() == 122
        assert card.locator("svg path.road").count() == 9
        assert card.locator("svg path.reservation").count() == 10
        assert card.locator("svg path.sector").count() == 4
        box = card.locator("svg").bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 200
        # the layout's navigation
        nav = page.locator("header.site nav").inner_text()
        for item in ("Carte des projets", "Note de renseignements", "Indicateurs", "API"):
            assert item in nav
        hrefs = card.locator("a").evaluate_all("(links) => links.map((a) => a.href)")
        page.screenshot(path=str(OUTPUT / "plans.png"), full_page=True)
    assert errors == [] and console == []
    assert all(urlparse(u).netloc == urlparse(server).netloc for u in requests), requests
    paths = {urlparse(h).path for h in hrefs}
    assert "/plans/PA Ain Demo/map" in paths or "/plans/PA%20Ain%20Demo/map" in paths
    for collection in ("zones", "voies_amenagement", "servitudes", "reservations", "secteurs"):
        assert f"/ogc/collections/opendata.{collection}/items" in paths
    # every link of the card answers
    for href in set(hrefs):
        assert httpx.get(href, timeout=30).status_code == 200, href


def test_plans_page_names_an_empty_list(conn: Connection) -> None:
    """With no plan (deleted in this rolled-back transaction): a sentence instead of nothing."""
    conn.execute(text("DELETE FROM plans"))
    page = plans_page(conn)
    assert "Aucun plan n'est encore publié." in page.replace("&#39;", "'")
    assert "<script" not in page


def test_plan_texts_are_escaped(conn: Connection, tmp_path: Path) -> None:
    """A plan named, placed and labelled with markup: the page shows it as text."""
    layers = plan_layers()
    layers["zones"]["label"] = PAYLOAD
    rules = reglement(PAYLOAD)
    rules["plan"]["commune"] = PAYLOAD
    rules["plan"]["approval"]["act"] = PAYLOAD
    import_plan_files(
        conn, *write_plan(tmp_path, layers, name=PAYLOAD, rules=rules), ImportOptions()
    )
    page = plans_page(conn)
    assert "<img" not in page
    assert page.count("&lt;img src=x onerror=window.__xss=1&gt;") >= 4  # name, commune, act…
    assert "/plans/%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D1%3E/map" in page


def test_validity_in_words() -> None:
    plan = {"status": "homologue", "valid_until": "2031-04-01"}
    assert plan_validity(plan, dt.date(2026, 12, 2)) == ("en vigueur jusqu'au 1er avril 2031", True)
    assert plan_validity(plan, dt.date(2031, 4, 2)) == ("expiré le 1er avril 2031", False)
    pending = {"status": "en_cours", "valid_until": None}
    assert plan_validity(pending, dt.date(2026, 12, 2))[1] is False
