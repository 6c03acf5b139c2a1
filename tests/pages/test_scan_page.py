"""The /nru page with a photo of the surveyor's table (issue 17), in a real headless Chromium:
drop the photo, the grid comes with its doubtful cells highlighted, correct one, issue."""

from __future__ import annotations

import pytest

from data.make_scan import demo_points
from tests.browser import OUTPUT, chromium_page
from zoning.intake.synthetic_scan import make_scan

pytestmark = pytest.mark.ocr


def test_drop_a_photo_correct_the_grid_and_issue(server: str) -> None:
    truth = demo_points()
    # the surveyor's table as photographed, with B7 a hundred metres off (a slip of the pen or
    # of the OCR): the outline spikes there, so the grid must flag it
    name, x, y = truth[6]
    slipped = [*truth[:6], (name, x + 100, y), *truth[7:]]
    scan = make_scan(24, "leger", points=slipped)
    photo = OUTPUT / "releve_photo.jpg"
    OUTPUT.mkdir(exist_ok=True)
    photo.write_bytes(scan.data)
    with chromium_page(viewport={"width": 1440, "height": 1200}) as (page, errors):
        page.goto(f"{server}/nru")
        page.wait_for_function("() => zonesLayer !== null && zonesLayer.getLayers().length > 0")
        page.select_option("#plan", "PA Ain Demo")
        page.set_input_files("#file", str(photo))
        page.wait_for_selector("#scan-grid")
        assert page.locator("#scan-grid tbody tr").count() == 20
        row = page.locator("#scan-grid tbody tr").nth(6)
        assert row.locator("td.uncertain").count() >= 1  # B7 highlighted
        assert "vérifier" in page.inner_text("#scan-summary")
        page.screenshot(path=str(OUTPUT / "scan_grid.png"), full_page=True)

        # the person reads the paper and corrects B7's X; the parcel is checked again
        x_cell = row.locator("input[data-key='x']")
        x_cell.fill(f"{x:.2f}".replace(".", ","))
        x_cell.dispatch_event("change")
        page.wait_for_function("() => !document.getElementById('issue').disabled")
        assert f"B7;{x:.2f}".replace(".", ",") in page.input_value("#coords")

        page.click("#issue")  # not yet confirmed: refused on the page
        assert "Cochez" in page.inner_text("#result")
        page.check("#scan-confirmed")
        page.click("#issue")
        page.wait_for_selector("#result h2")
        assert page.inner_text("#result h2").startswith("NRU/")
        page.screenshot(path=str(OUTPUT / "scan_issued.png"), full_page=True)
        assert errors == []
