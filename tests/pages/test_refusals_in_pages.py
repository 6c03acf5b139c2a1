"""The map and the indicators show the service's French refusal, read by the one reader of
refusals (auth.js readRefusal), not a status line (issue #12, item 6), in headless Chromium."""

from __future__ import annotations

from tests.browser import chromium_page


def test_the_map_reads_refusals_with_the_one_reader(server: str) -> None:
    """The map page's reader, on a real refusal of the projects' route (limit=0: 422)."""
    with chromium_page() as (page, errors):
        page.goto(f"{server}/")
        shown = page.evaluate("async () => refusalText(await fetch('/api/v1/projects?limit=0'))")
    assert "limit" in shown and "422" not in shown and "Unprocessable" not in shown, shown
    assert errors == []


def test_the_indicators_say_what_the_service_refused(server: str) -> None:
    """A period ending before it starts (the service's own check, not the browser's)."""
    with chromium_page() as (page, errors):
        page.goto(f"{server}/indicateurs")
        page.wait_for_function(
            "() => !document.getElementById('total').textContent.startsWith('Chargement')"
        )
        page.evaluate(
            """() => {
              document.getElementById('from').value = '2026-06-30';
              const to = document.getElementById('to');
              to.value = '2026-01-01';
              to.dispatchEvent(new Event('change', { bubbles: true }));
            }"""
        )
        page.wait_for_function("() => document.getElementById('error').textContent")
        shown = page.inner_text("#error")
    assert shown and "Paramètres invalides" not in shown and "detail" not in shown, shown
    assert errors == []
