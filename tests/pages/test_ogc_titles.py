"""`/ogc/collections?f=html` in headless Chromium: French titles, reservations and sectors
listed, nothing from another host, no console error (issue #14)."""

from __future__ import annotations

from urllib.parse import urlparse

from tests.api.test_ogc_titles import TITLES
from tests.browser import OUTPUT, chromium_page


def test_collections_page_reads_in_french(server: str) -> None:
    requests: list[str] = []
    failed: list[str] = []
    with chromium_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        page.on("request", lambda r: requests.append(r.url))
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.goto(f"{server}/ogc/collections?f=html&limit=100")
        page.wait_for_selector("table tbody tr")
        titles = page.locator("table tbody tr td:first-child a").all_inner_texts()
        assert set(TITLES.values()) <= set(titles), titles
        rows = page.locator("table tbody tr").all_inner_texts()
        sectors = next(r for r in rows if r.startswith("Secteurs particuliers"))
        assert "médina" in sectors
        page.screenshot(path=str(OUTPUT / "ogc-collections.png"), full_page=True)
        # a title leads to its collection, whose page keeps the title
        page.click("text=Réservations pour équipements publics")
        page.wait_for_load_state()
        assert "opendata.reservations" in page.url
    assert errors == []
    # the favicon is another change's (issue #14, "no favicon"): every other request answers
    assert [u for u in failed if urlparse(u).path != "/favicon.ico"] == []
    elsewhere = [u for u in requests if urlparse(u).netloc != urlparse(server).netloc]
    assert elsewhere == [], elsewhere
