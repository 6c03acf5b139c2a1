"""The dossier pages in headless Chromium: the petitioner files on /depot (coordinates checked
as /nru checks them), the guichet checks and schedules on /guichet, a member gives its avis on
/seance, the president decides on /decisions (issue #13)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page
from sqlalchemy import Engine, text

from geoportal.accounts import NewAccount, create_account, store_token
from tests.browser import OUTPUT, chromium_page
from tests.dossiers import AGENCY, COMMUNE, PARCEL, PDF, PRINCIPAL_PIECES, session_date

PASSWORD = "trois mots sans rapport"
ACCOUNTS = {
    "petitionnaire.page": NewAccount(
        login="petitionnaire.page", role="petitioner", password=PASSWORD, full_name="Nadia Page"
    ),
    "guichet.page": NewAccount(
        login="guichet.page", role="guichet", commune=COMMUNE, password=PASSWORD
    ),
    "membre.page": NewAccount(
        login="membre.page", role="membre", service="commune", commune=COMMUNE, password=PASSWORD
    ),
    "president.page": NewAccount(
        login="president.page", role="president", commune=COMMUNE, password=PASSWORD
    ),
    "agent.page": NewAccount(login="agent.page", role="agent", agency=AGENCY),
}


@pytest.fixture
def tokens(server: str, engine: Engine) -> Iterator[dict[str, dict[str, str]]]:
    with engine.begin() as conn:
        found = {}
        for login, account in ACCOUNTS.items():
            user = create_account(conn, account)
            store_token(conn, user, f"{login}-token", hours=None, label="test")
            found[login] = {"Authorization": f"Bearer {login}-token"}
    yield found
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM dossiers WHERE commune = :c"), {"c": COMMUNE})
        conn.execute(text("DELETE FROM commissions WHERE commune = :c"), {"c": COMMUNE})
        conn.execute(text("DELETE FROM parcels WHERE commune = :c"), {"c": COMMUNE})
        conn.execute(text("DELETE FROM projects WHERE permit_number LIKE 'AINDEMO-%'"))
        conn.execute(text("DELETE FROM users WHERE login LIKE '%.page'"))


def sign_in(page: Page, server: str, login: str) -> None:
    page.context.clear_cookies()  # the previous role's session ends here
    page.goto(f"{server}/compte")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("#sign-in button")
    page.wait_for_selector("#signed-in:not([hidden])")


def test_file_check_examine_and_decide_in_the_pages(
    server: str, tokens: dict[str, dict[str, str]]
) -> None:
    session = httpx.post(
        f"{server}/api/v1/commissions",
        headers=tokens["guichet.page"],
        json={"date": session_date(), "commune": COMMUNE},
    ).json()
    with chromium_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        sign_in(page, server, "petitionnaire.page")
        page.goto(f"{server}/depot")
        page.wait_for_selector("body[data-ready]")
        page.select_option("#use", "commerce")
        page.fill("#coords", PARCEL)
        page.click("#check")
        page.wait_for_selector("#file:not([disabled])")
        assert COMMUNE in page.inner_text("#diagnostics")
        page.select_option("#session", str(session["id"]))
        page.click("#file")
        page.wait_for_selector("#filed:not([hidden]) #number:not(:empty)")
        number = page.inner_text("#number").split()[2]
        assert number.startswith("AINDEMO-")
        page.select_option("#piece-kind", "plan_masse")
        page.set_input_files(
            "#piece-file", {"name": "masse.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.click("#upload button")
        page.wait_for_function(
            "() => document.getElementById('message').textContent.includes('Pièce jointe')"
        )
        page.screenshot(path=str(OUTPUT / "depot.png"), full_page=True)
        dossier = httpx.get(f"{server}/api/v1/dossiers", headers=tokens["petitionnaire.page"])
        dossier_id = dossier.json()[0]["id"]
        for kind in PRINCIPAL_PIECES:
            httpx.post(
                f"{server}/api/v1/dossiers/{dossier_id}/pieces",
                data={"kind": kind},
                files={"file": ("p.pdf", PDF)},
                headers=tokens["petitionnaire.page"],
            )

        sign_in(page, server, "guichet.page")
        page.goto(f"{server}/guichet")
        row = f"tr[data-number='{number}']"
        page.wait_for_selector(f"{row} button[data-act='recevable']")
        page.click(f"{row} button[data-act='recevable']")
        page.wait_for_selector(f"{row} button[data-act='agenda']")
        page.click(f"{row} button[data-act='agenda']")
        page.wait_for_function(
            f"() => document.querySelector(\"{row} .state\").textContent.includes('En commission')"
        )
        # the run's other dossiers share the desk: this one is on time (RGC art. 18-19)
        assert number not in page.inner_text("#late")
        page.screenshot(path=str(OUTPUT / "guichet.png"), full_page=True)

        sign_in(page, server, "membre.page")
        page.goto(f"{server}/seance")
        page.wait_for_selector(f"{row} button[data-avis]")
        page.fill(f"{row} input", "Rien à signaler")
        page.click(f"{row} button[data-avis]")
        page.wait_for_function(
            f"() => document.querySelector(\"{row}\").textContent.includes('Avis donné')"
        )
        httpx.post(
            f"{server}/api/v1/dossiers/{dossier_id}/avis",
            json={"avis": "favorable"},
            headers=tokens["agent.page"],
        )
        httpx.post(
            f"{server}/api/v1/commissions/{session['id']}/cloture", headers=tokens["guichet.page"]
        )

        sign_in(page, server, "president.page")
        page.goto(f"{server}/decisions")
        page.wait_for_selector(f"{row} button[data-decide='autorisation']")
        assert "Rien" not in page.inner_text(row)  # observations stay in the PV
        assert "Favorable" in page.inner_text(row)
        page.click(f"{row} button[data-decide='autorisation']")
        page.wait_for_function(
            "() => document.getElementById('message').textContent"
            ".includes('Autorisation n° AINDEMO-PC-')"
        )
        page.screenshot(path=str(OUTPUT / "decisions.png"), full_page=True)
        sign_in(page, server, "petitionnaire.page")  # /compte lists the dossier, decided
        page.wait_for_selector(f"#dossiers td:text-is('{number}')")
        assert "Autorisé" in page.inner_text("#dossiers")
        page.goto(f"{server}/suivi/{number}?lang=ar")  # the public tracking page, in Arabic
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert "مرخص" in page.inner_text("main") and number in page.inner_text("main")
        page.screenshot(path=str(OUTPUT / "suivi_ar.png"), full_page=True)
    assert errors == []
    suivi = httpx.get(f"{server}/suivi/{number}")
    assert "Autorisé" in suivi.text and "Nadia" not in suivi.text
