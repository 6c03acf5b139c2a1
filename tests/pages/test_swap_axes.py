"""The /nru form in Chromium: X and Y exchanged, the diagnostic offers « Inverser X et Y »,
which re-sends the preview with swap_axes and lets the note be asked for."""

from __future__ import annotations

from sqlalchemy import Engine, text

from tests.browser import OUTPUT, chromium_page
from tests.zoning.intake.samples import DEMO_LOT

# The demo lot with each line's X and Y exchanged, as a spreadsheet with its columns inverted.
SWAPPED = "Borne;X;Y\n" + "".join(
    f"{name};{y};{x}\n" for name, x, y in (line.split(";") for line in DEMO_LOT.splitlines()[1:])
)
TYPO = DEMO_LOT.replace("358703,10", "35870,31")


def test_the_swap_button_rereads_the_list_and_the_note_is_issued(
    server: str, engine: Engine
) -> None:
    try:
        with chromium_page(viewport={"width": 1280, "height": 900}) as (page, errors):
            sent: list[str] = []
            page.on(
                "request",
                lambda r: sent.append(r.post_data or "") if r.method == "POST" else None,
            )
            page.goto(f"{server}/nru")
            page.wait_for_function("() => document.getElementById('plan').options.length > 0")
            page.fill("#coords", SWAPPED)
            page.click("#check")
            page.wait_for_selector("#swap")
            assert page.inner_text("#swap") == "Inverser X et Y"
            assert "X et Y semblent inversés" in page.inner_text("#diagnostics")
            page.locator("#swap").scroll_into_view_if_needed()
            page.screenshot(path=str(OUTPUT / "nru-swap-axes-offered.png"))
            page.click("#swap")
            page.wait_for_selector("#diagnostics table")
            assert '"swap_axes":true' in sent[-1]
            assert "X et Y ont été échangés" in page.inner_text("#diagnostics")
            assert page.evaluate("parcelLayer !== null && parcelLayer.getLayers().length") == 1
            assert page.locator("#swap").count() == 0
            page.screenshot(path=str(OUTPUT / "nru-swap-axes.png"))
            page.click("#issue")
            page.wait_for_selector("#result h2")
            assert page.inner_text("#result h2").startswith("NRU/")
            assert '"swap_axes":true' in sent[-1]
            # new coordinates are read as typed again: the typo is named, with no button
            page.fill("#coords", TYPO)
            page.click("#check")
            page.wait_for_selector("#diagnostics .error")
            assert '"swap_axes"' not in sent[-1]
            said = page.inner_text("#diagnostics")
            assert "La borne B2 (ligne 3) est à 322,8 km des autres bornes" in said
            assert page.locator("#swap").count() == 0
            page.screenshot(path=str(OUTPUT / "nru-typo-named.png"))
        assert errors == []
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM nrus WHERE plan_name = 'PA Ain Demo'"))
