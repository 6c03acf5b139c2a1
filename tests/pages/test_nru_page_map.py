"""/nru (issue #14): the map shows the plan's roads and the bornes' ids; the preview writes its
figures the French way (« 100 » and « 805,39 », never « 100.0 »), in headless Chromium."""

from __future__ import annotations

import re

from tests.browser import OUTPUT, chromium_page

# The demo parcel across zones, a road right-of-way and a servitude (tests/geoportal/nru).
COORDINATES = (
    "Borne;X;Y\nB1;358700,00;366600,00\nB2;358760,00;366600,00\n"
    "B3;358760,00;366660,00\nB4;358700,00;366660,00\n"
)


def test_nru_map_roads_bornes_and_french_figures(server: str) -> None:
    with chromium_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        page.goto(f"{server}/nru")
        # a shared 2-core machine may take a while to load the plan: a minute at most
        page.wait_for_function(
            "() => roadsLayer !== null && roadsLayer.getLayers().length > 0", timeout=60_000
        )
        refs = page.evaluate("() => roadsLayer.getLayers().map((l) => l.feature.properties.ref)")
        assert "V1" in refs and "V5" in refs
        page.fill("#coords", COORDINATES)
        page.click("#check")
        page.wait_for_selector("#diagnostics table")
        page.wait_for_function("() => bornesLayer !== null", timeout=60_000)
        page.wait_for_function("() => map.getZoom() >= 17", timeout=60_000)
        page.wait_for_timeout(400)  # the zoom animation's end, for the screenshot
        labels = page.locator(".leaflet-tooltip.borne-label").all_inner_texts()
        assert sorted(labels) == ["B1", "B2", "B3", "B4"]
        preview = page.inner_text("#diagnostics")
        assert not re.search(r"\d\.\d", preview), preview  # no decimal point anywhere
        assert "3\u202f600 m²" in preview  # 60 × 60 m, thousands with a narrow space
        shares = page.locator("#preview-zones td:nth-child(3)").all_inner_texts()
        assert shares and all(re.fullmatch(r"\d+(,\d)?", s) for s in shares), shares
        page.screenshot(path=str(OUTPUT / "nru-carte-voies-bornes.png"))
    assert errors == []
