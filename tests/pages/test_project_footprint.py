"""/projet draws the footprint entered, its overshoot of the envelope in red, and labels the
affectation's allowed text and forbidden uses apart (issue #14), in headless Chromium."""

from __future__ import annotations

from shapely.geometry import Polygon, box

from tests.browser import OUTPUT, chromium_page
from tests.pages.test_project_page import fill_villa, french, verify, villa_parcel


def corners(polygon: Polygon) -> str:
    return "\n".join(f"{french(x)};{french(y)}" for x, y in list(polygon.exterior.coords)[:-1])


def test_footprint_outside_the_envelope_is_drawn_red(server: str) -> None:
    """D1 sets a road setback of 5 m (data/demo/reglement.yaml): a house 1 m from the street
    (the south side, B4–B1) overshoots the envelope along it, and only there."""
    parcel = villa_parcel()
    x0, y0 = parcel.bounds[:2]
    house = box(x0 + 6, y0 + 1, x0 + 20, y0 + 16)
    with chromium_page(viewport={"width": 1440, "height": 1300}) as (page, errors):
        page.goto(f"{server}/projet")
        page.wait_for_function("() => zonesLayer !== null && zonesLayer.getLayers().length > 0")
        fill_villa(page, parcel)
        page.fill("#footprint", corners(house))
        verify(page, "non_conforme")
        page.wait_for_function("() => footprintLayer !== null && outsideLayer !== null")
        # the red part lies inside the footprint, and is not all of it
        assert page.evaluate("() => footprintLayer.getBounds().contains(outsideLayer.getBounds())")
        drawn = page.evaluate(
            "() => { const b = outsideLayer.getBounds(), f = footprintLayer.getBounds();"
            " return [b.getSouth() - f.getSouth(), f.getNorth() - b.getNorth()]; }"
        )
        assert drawn[0] >= 0 and drawn[1] > 0  # along the south (street) side, not the north
        assert page.evaluate("() => outsideLayer.options.style.fillColor") == "#dc0000"
        limit = page.inner_text("#checks tr[data-rule='use'] td.limit-text")
        assert "Autorisé : Habitat individuel isolé" in limit
        assert "Interdit : Commerce ; Industrie ; Immeubles collectifs" in limit
        page.screenshot(path=str(OUTPUT / "projet-emprise-hors-enveloppe.png"))

        # inside the envelope: the footprint is drawn, nothing red
        page.fill("#footprint", corners(box(x0 + 6, y0 + 6, x0 + 20, y0 + 20)))
        verify(page, "conforme")
        page.wait_for_function("() => footprintLayer !== null && outsideLayer === null")
    assert errors == []
