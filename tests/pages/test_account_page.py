"""The petitioner's space in a real headless Chromium: sign up, ask for a note, find it again."""

from __future__ import annotations

import uuid

import httpx

from tests.browser import OUTPUT, chromium_page
from tests.geoportal.nru.test_issue import PARCEL, coordinates


def test_sign_up_ask_for_a_note_and_find_it_in_my_space(server: str) -> None:
    login = f"salma.{uuid.uuid4().hex[:6]}"
    with chromium_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        page.goto(f"{server}/compte")
        page.fill("#new-login", login)
        page.fill("#new-password", "un mot de passe solide")
        page.fill("#full-name", "Salma Bennani")
        page.click("#sign-up button")
        page.wait_for_selector("#signed-in:not([hidden]) #who:not(:empty)")
        assert "Salma Bennani" in page.inner_text("#who")
        assert "Aucune note" in page.inner_text("#notes")

        page.goto(f"{server}/nru")
        page.wait_for_selector("#account[data-ready] b")
        assert login in page.inner_text("#account")  # the browser stays signed in
        page.wait_for_function("() => zonesLayer !== null")
        page.select_option("#plan", "PA Ain Demo")
        page.fill("#coords", coordinates(PARCEL))
        page.click("#check")
        page.wait_for_selector("#issue:not([disabled])")
        page.click("#issue")
        number = page.inner_text("#result h2")
        assert number.startswith("NRU/")
        with page.expect_popup() as opened:
            page.click("#pdf")  # the note names her: fetched with the token, shown as a blob
        assert opened.value.url.startswith("blob:")

        page.goto(f"{server}/compte")
        page.wait_for_selector(f"#notes td:text-is('{number}')")
        page.screenshot(path=str(OUTPUT / "compte.png"), full_page=True)
        cookies = {c["name"]: c for c in page.context.cookies()}
        session = cookies["geoportal_session"]
        assert session["httpOnly"] and session["sameSite"] == "Strict"
        assert "geoportal_session" not in page.evaluate("document.cookie")  # out of scripts' reach
        assert page.evaluate("Object.keys(sessionStorage).length") == 0
        token = session["value"]
        page.click("#sign-out")
        page.wait_for_selector("#signed-out:not([hidden])")
        assert not any(c["name"] == "geoportal_session" for c in page.context.cookies())
    assert errors == []
    after = httpx.get(f"{server}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401  # signing out revoked the token on the server
