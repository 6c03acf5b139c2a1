"""The petitioner's project page (/projet) in a real headless Chromium, on the demo commune."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from playwright.sync_api import Page
from shapely.geometry import Polygon, box

from tests.browser import OUTPUT, chromium_page

DEMO = Path("data/demo")


def villa_parcel() -> Polygon:
    """30 × 40 m around a point of the first villas zone D1; ring B1..B4, B4–B1 the south side."""
    zones = gpd.read_file(DEMO / "ain_demo.gpkg", layer="zones")
    centre = zones.loc[zones["code"] == "D1"].geometry.iloc[0].representative_point()
    return box(centre.x - 15, centre.y - 20, centre.x + 15, centre.y + 20)


def french(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def borne_list(parcel: Polygon) -> str:
    """A surveyor's list: header, borne ids, French decimal commas."""
    corners = list(parcel.exterior.coords)[:-1]
    lines = [f"B{i};{french(x)};{french(y)}" for i, (x, y) in enumerate(corners, start=1)]
    return "\n".join(["Borne;X;Y", *lines]) + "\n"


def footprint_corners(parcel: Polygon) -> str:
    """An 18 × 18 m house 6 m from the street and side boundaries (CES 0.27 under D1's 0.3)."""
    x0, y0 = parcel.bounds[:2]
    house = box(x0 + 6, y0 + 6, x0 + 24, y0 + 24)
    return "\n".join(f"{french(x)};{french(y)}" for x, y in list(house.exterior.coords)[:-1])


# The fee's amount before tax, as the page prints it (first cell of the fee table).
HT_IS = "(amount) => document.querySelector('#fee td')?.innerText.startsWith(amount + ' ')"


def verify(page: Page, verdict: str) -> str:
    """Click the button and wait for the given verdict; the badge's text."""
    page.click("#check")
    page.wait_for_selector(f"#verdict.{verdict}")
    return page.inner_text("#verdict")


def ok_mark(page: Page, rule: str) -> str:
    return page.inner_text(f"#checks tr[data-rule='{rule}'] td.ok")


def fill_villa(page: Page, parcel: Polygon) -> None:
    page.select_option("#plan", "PA Ain Demo")
    page.fill("#coords", borne_list(parcel))
    page.fill("#front", "B4 B1")
    page.select_option("#kind", "construction")
    page.select_option("#use", "habitation")
    page.select_option("#owner", "prive")
    page.fill("#height", "7.5")
    page.fill("#storeys", "1")
    page.fill("#floor", "450")
    page.fill("#footprint", footprint_corners(parcel))
    page.fill("#filed", "2026-07-27")
    # Annexe 2 §8: the plan maps no old fabric or listed building here, which does not mean
    # there is none: the petitioner says so.
    page.select_option("#tissu-ancien", "non")
    page.select_option("#patrimoine", "non")


def test_project_page_verdict_procedure_envelope(server: str) -> None:
    """A villa in D1: conforme with its envelope; too high: non conforme; typos: line numbers."""
    parcel = villa_parcel()
    with chromium_page(viewport={"width": 1440, "height": 1300}) as (page, errors):
        page.goto(f"{server}/projet")
        page.wait_for_function("() => zonesLayer !== null && zonesLayer.getLayers().length > 0")
        assert page.evaluate("typeof L") == "object"  # Leaflet served locally, no CDN
        fill_villa(page, parcel)

        assert verify(page, "conforme") == "Conforme"
        assert ok_mark(page, "max_height_m") == "✓"
        assert ok_mark(page, "setback_road") == "✓"  # the front B4–B1 was sent
        assert page.inner_text("#procedure") == "Petits projets"
        assert "Annexe 3" in page.inner_text("#result")  # the reason cites the decree
        assert "L'agence urbaine" in page.inner_text("#commission")
        assert "27/07/2026" in page.inner_text("#deadlines")
        assert "620,00" in page.inner_text("#fee")  # 450 m² × 3 DH + TVA = 1 620 TTC
        assert page.evaluate("envelopeLayer !== null && envelopeLayer.getLayers().length") == 1
        assert page.evaluate("parcelLayer.getBounds().contains(envelopeLayer.getBounds())")
        assert page.evaluate("map.getBounds().contains(parcelLayer.getBounds())")  # zoomed in
        assert page.evaluate("map.getZoom()") >= 17
        page.screenshot(path=str(OUTPUT / "projet.png"))
        page.eval_on_selector("#result", "el => { el.scrollTop = el.scrollHeight; }")
        page.screenshot(path=str(OUTPUT / "projet-procedure.png"))

        page.fill("#height", "10.5")
        page.fill("#storeys", "2")
        assert verify(page, "non_conforme") == "Non conforme"
        assert ok_mark(page, "max_height_m") == "✗"
        assert ok_mark(page, "max_storeys") == "✗"
        assert ok_mark(page, "ces_max") == "✓"
        page.screenshot(path=str(OUTPUT / "projet-non-conforme.png"))

        # Undeclared, the plan's silence is no answer: the procedure is left open, and said.
        page.select_option("#patrimoine", "")
        page.click("#check")
        page.wait_for_function(
            "() => document.querySelector('#procedure')?.innerText === 'Indéterminée'"
        )
        assert "patrimoine" in page.inner_text("#result")
        page.select_option("#patrimoine", "non")

        # Guide §3: « les projets de constructions à but non lucratifs déposés par les Communes »
        page.select_option("#exoneration", "communes_non_lucratif")
        page.click("#check")
        page.wait_for_function(HT_IS, arg="0,00")
        assert "§3" in page.inner_text("#result")
        # Guide §5-2 (3): authorised before the fee existed, the 100 m² modified: 300,00 HT.
        page.select_option("#exoneration", "")
        page.select_option("#kind", "modification")
        page.check("#autorise-avant")
        page.fill("#surface-modifiee", "100")
        page.click("#check")
        page.wait_for_function(HT_IS, arg="300,00")

        typo = borne_list(parcel).replace("\nB3;", "\nB3;x")
        page.fill("#coords", typo)
        page.click("#check")
        page.wait_for_selector("#diagnostics .error >> text=ligne 4")
        assert page.locator("#verdict").count() == 0  # no stale verdict beside the refusal
        assert "pas pu être vérifié" in page.inner_text("#result")
        assert page.evaluate("envelopeLayer === null && parcelLayer === null")
        page.screenshot(path=str(OUTPUT / "projet-erreur.png"))

        page.fill("#coords", borne_list(parcel))
        page.fill("#footprint", "357348,66;367064,12\n357366,66;36706x,12\n")
        page.click("#check")
        page.wait_for_selector("#diagnostics .error >> text=Emprise, ligne 2")
    assert errors == []
