"""Stored XSS (issue #10, item 3), performed: a plan whose every label is an `<img onerror>`,
a project and a note whose texts are too, then every page that shows them opened in
Chromium. The script must not run, and the text must show as it was typed."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from pypdf import PdfReader
from shapely.geometry import box, mapping
from sqlalchemy import Engine, text

from geoportal.plans import import_plan_files
from tests.accounts import AGENT
from tests.browser import OUTPUT, chromium_page
from tests.geoportal.nru.test_issue import coordinates
from tests.geoportal.projects.test_register import project
from tests.packages import write_plan
from zoning.package.load import ImportOptions
from zoning.synthetic import ORIGIN, plan_layers, reglement

PAYLOAD = "<img src=x onerror=window.__xss=1>"
PLAN = "PA XSS"
# inside the synthetic plan's grid (ORIGIN, 8 × 8 cells of 50 m)
PARCEL = box(ORIGIN[0] + 10, ORIGIN[1] + 10, ORIGIN[0] + 30, ORIGIN[1] + 30)
# a site of the demo commune (the agent's agency) for the project
SITE = box(358600, 366500, 358620, 366520)


@pytest.fixture(scope="module")
def planted(
    server: str, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The poisoned plan, project and note, committed; removed after."""
    layers = plan_layers()
    layers["zones"]["label"] = PAYLOAD
    layers["roads"]["name"] = PAYLOAD
    layers["servitudes"]["label"] = PAYLOAD
    layers["reservations"]["label"] = PAYLOAD
    layers["sectors"]["label"] = PAYLOAD
    rules = reglement(PLAN)
    rules["plan"]["commune"] = PAYLOAD
    for zone in rules["zones"].values():
        zone["label"] = PAYLOAD
    tmp: Path = tmp_path_factory.mktemp("xss")
    with engine.begin() as conn:
        import_plan_files(conn, *write_plan(tmp, layers, name=PLAN, rules=rules), ImportOptions())
    number = f"XSS/{uuid.uuid4().hex[:8]}"
    recorded = httpx.post(
        f"{server}/api/v1/projects",
        json=project(number, commune=PAYLOAD, footprint=mapping(SITE)),
        headers=AGENT,
        timeout=30,
    )
    assert recorded.status_code == 201, recorded.text
    note = httpx.post(
        f"{server}/api/v1/nru",
        json={"coordinates": coordinates(PARCEL), "plan": PLAN, "land_reference": PAYLOAD},
        timeout=60,
    )
    assert note.status_code == 201, note.text
    yield {"project": recorded.json()["id"], "note": note.json()["id"]}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM nrus WHERE plan_name = :p"), {"p": PLAN})
        conn.execute(text("DELETE FROM plans WHERE name = :p"), {"p": PLAN})
        conn.execute(text("DELETE FROM projects WHERE permit_number = :n"), {"n": number})


def assert_harmless(page: Page, where: str) -> None:
    """The payload shows as text, and neither ran nor became an element."""
    page.wait_for_timeout(300)  # an <img src=x> fails at once: its onerror would have run
    assert page.evaluate("() => window.__xss") is None, f"the script ran on {where}"
    assert page.locator('img[src="x"]').count() == 0, f"an <img> was injected on {where}"
    assert PAYLOAD in page.inner_text("body"), f"the text is not shown as typed on {where}"


def test_plan_map_tooltip_shows_the_label_as_text(server: str, planted: dict[str, Any]) -> None:
    with chromium_page(viewport={"width": 1200, "height": 800}) as (page, errors):
        page.goto(f"{server}/plans/{PLAN}/map")
        page.wait_for_selector("#legend")
        frame = page.locator(".folium-map").bounding_box()
        assert frame is not None
        page.mouse.move(frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2)
        page.wait_for_selector(".leaflet-tooltip")
        assert_harmless(page, "the plan map")
        assert PAYLOAD in page.inner_text(
            ".leaflet-tooltip"
        )  # folium writes it as HTML: escaped first
        page.screenshot(path=str(OUTPUT / "xss-plan-map.png"))
    assert errors == []


def test_public_map_popup_and_filters(server: str, planted: dict[str, Any]) -> None:
    with chromium_page(viewport={"width": 1200, "height": 800}) as (page, errors):
        page.goto(f"{server}/")
        page.wait_for_function("() => document.body.dataset.framed === 'yes'")
        page.evaluate(
            """(id) => new Promise((done) => {
                 const marker = window.carte.projects.get(id);
                 const open = () => { marker.openPopup(); done(); };
                 window.carte.markers.zoomToShowLayer(marker, open);
               })""",
            planted["project"],
        )
        assert PAYLOAD in page.inner_text(".project-popup")
        assert PAYLOAD in page.locator("#commune").inner_text()  # the communes' filter
        assert_harmless(page, "the public map")
    assert errors == []


def test_pages_listing_plans_notes_and_parcels(server: str, planted: dict[str, Any]) -> None:
    with chromium_page(viewport={"width": 1200, "height": 800}) as (page, errors):
        page.goto(f"{server}/plans")
        assert_harmless(page, "the plans' page")

        page.goto(f"{server}/verify/{planted['note']}")
        assert_harmless(page, "the verification page")

        page.goto(f"{server}/nru")
        page.wait_for_function("() => document.getElementById('plan').options.length > 0")
        page.select_option("#plan", PLAN)
        page.fill("#coords", coordinates(PARCEL))
        page.click("#check")
        page.wait_for_selector("#diagnostics table")
        assert_harmless(page, "the NRU form")

        page.goto(f"{server}/ogc/collections/opendata.zones/items?plan={PLAN}&f=html")
        page.wait_for_selector("table")
        assert_harmless(page, "tipg's items page")
    assert errors == []


def test_the_note_pdf_prints_the_texts_as_typed(server: str, planted: dict[str, Any]) -> None:
    response = httpx.get(f"{server}/api/v1/nru/{planted['note']}.pdf", timeout=60)
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.content)).pages
    printed = "".join("".join(page.extract_text() or "" for page in pages).split())
    assert "".join(PAYLOAD.split()) in printed  # parsed as an element it would print nothing
