"""/verify/<id> in Chromium: what a citizen scanning a QR code sees, offline (#14)."""

from __future__ import annotations

from urllib.parse import urlparse

from tests.browser import OUTPUT, chromium_page


def test_unknown_note_is_a_french_page_with_nothing_from_elsewhere(server: str) -> None:
    """A forged QR code: a French 404 page, no request to another host, no console error
    but the 404 itself."""
    host = urlparse(server).netloc
    with chromium_page(viewport={"width": 1000, "height": 700}) as (page, errors):
        foreign: list[str] = []
        console: list[str] = []
        page.on(
            "request",
            lambda r: foreign.append(r.url) if urlparse(r.url).netloc not in (host, "") else None,
        )
        page.on(
            "console",
            lambda m: console.append(m.location["url"]) if m.type == "error" else None,
        )
        response = page.goto(f"{server}/verify/unknown")
        assert response is not None and response.status == 404
        assert page.inner_text("h1") == "Aucune note ne correspond à ce code"
        assert page.evaluate("() => document.documentElement.lang") == "fr"
        assert page.evaluate(
            "() => getComputedStyle(document.querySelector('.revoquee')).fontWeight"
        ) in ("700", "bold")  # the local stylesheet applied
        page.screenshot(path=str(OUTPUT / "verify-unknown.png"))
    assert foreign == [] and errors == []
    # Chromium reports the 404 of the page itself in the console; nothing else may fail
    assert console == [f"{server}/verify/unknown"]
