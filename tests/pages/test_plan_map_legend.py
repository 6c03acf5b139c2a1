"""The plan's map (issue #14): its legend names roads, servitudes, reservations and sectors
beside the zones, and its scale bar is in metres only (no feet), in headless Chromium."""

from __future__ import annotations

from tests.browser import OUTPUT, chromium_page


def test_plan_map_legend_and_metric_scale(server: str) -> None:
    with chromium_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        page.goto(f"{server}/plans/PA%20Ain%20Demo/map")
        page.wait_for_selector("#legend")
        page.wait_for_selector(".leaflet-control-scale-line")
        layers = page.locator("#legend .legend-layer").evaluate_all(
            "(rows) => rows.map((r) => r.dataset.layer)"
        )
        assert layers == ["roads", "servitudes", "reservations", "sectors"]
        legend = page.inner_text("#legend")
        for text in ("Voie d'aménagement", "Servitude", "Réservation", "Secteur", "ZV"):
            assert text in legend
        scales = page.locator(".leaflet-control-scale-line").all_inner_texts()
        assert len(scales) == 1  # metres only: a second line would be in feet or miles
        assert scales[0].strip().endswith(("m", "km")) and "ft" not in scales[0]
        page.screenshot(path=str(OUTPUT / "plan-map-legende.png"))
    assert errors == []
