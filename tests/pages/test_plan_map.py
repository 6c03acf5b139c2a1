"""The plan's map in a real headless Chromium (Debian's, never a downloaded browser)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from tests.browser import OUTPUT, chromium_page


def test_plan_map_renders_offline_with_legend_and_layers(server: str) -> None:
    with chromium_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        page.goto(f"{server}/plans/PA%20Ain%20Demo/map")
        page.wait_for_selector("#legend")
        assert page.evaluate("typeof L") == "object"  # Leaflet served locally, no CDN
        assert page.locator(".leaflet-container canvas").count() == 1  # zones drawn
        legend = page.locator("#legend").inner_text()
        assert "PA Ain Demo" in legend and "ZV" in legend and "homologué" in legend
        overlays = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        assert any("Zones du plan" in o for o in overlays)
        assert any("Servitudes" in o for o in overlays)
        page.screenshot(path=str(OUTPUT / "plan-map.png"))
    assert errors == []


def test_nru_form_checks_then_issues(server: str, engine: Engine) -> None:
    """Paste coordinates, see the parcel and its zones, then ask for the note."""
    coordinates = (
        "Borne;X;Y\nB1;358700,00;366600,00\nB2;358760,00;366600,00\n"
        "B3;358760,00;366660,00\nB4;358700,00;366660,00\n"
    )
    try:
        with chromium_page(viewport={"width": 1280, "height": 900}) as (page, errors):
            page.goto(f"{server}/nru")
            page.wait_for_function("() => document.getElementById('plan').options.length > 0")
            page.fill("#coords", coordinates.replace("B3;358760,00", "B3;35876O,00"))
            page.click("#check")
            page.wait_for_selector("#diagnostics .error")
            assert "ligne 4" in page.inner_text("#diagnostics")  # the typo's line, named
            page.fill("#coords", coordinates)
            page.click("#check")
            page.wait_for_selector("#diagnostics table")
            assert "B4" in page.inner_text("#diagnostics")
            assert page.evaluate("parcelLayer !== null && parcelLayer.getLayers().length") == 1
            page.click("#issue")
            page.wait_for_selector("#result h2")
            assert page.inner_text("#result h2").startswith("NRU/")
            # art. 6 al. 2: the request's récépissé, numbered and dated, beside the note
            assert page.inner_text("#result").count("Demande n° DEM/") == 1
            assert (page.get_attribute("#receipt", "href") or "").endswith("/receipt.pdf")
            page.screenshot(path=str(OUTPUT / "nru-form.png"))
        assert errors == []
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM nrus WHERE plan_name = 'PA Ain Demo'"))
