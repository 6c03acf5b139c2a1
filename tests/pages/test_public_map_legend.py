"""The public map (issue #14): a legend for the zone background, a favicon served locally on
every page (no 404), and the projects' delays in working days, in headless Chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from playwright.sync_api import Response

from checks.calendar import working_days_between
from geoportal.projects.instruction import load_calendar
from geoportal.settings import Settings
from tests.browser import OUTPUT, chromium_page

PAGES = (
    "/",
    "/nru",
    "/projet",
    "/indicateurs",
    "/compte",
    "/plans",
    "/plans/PA%20Ain%20Demo/map",
    "/docs",
    "/ogc/collections?f=html",
    "/verify/00000000-0000-0000-0000-000000000000",
)


def test_zone_background_has_a_legend(server: str) -> None:
    zones = httpx.get(f"{server}/api/v1/plans/PA Ain Demo/zones").json()["features"]
    codes = {f["properties"]["code"] for f in zones}
    with chromium_page(viewport={"width": 1400, "height": 900}) as (page, errors):
        page.goto(f"{server}/")
        page.wait_for_function("() => document.querySelectorAll('#legend-zones li').length > 0")
        items = page.locator("#legend-zones li")
        shown = set(items.evaluate_all("(els) => els.map((e) => e.dataset.code)"))
        assert shown == codes  # every zone code of the plan, once
        text = page.inner_text("#legend-zones")
        assert "D1 — Zone de villas isolées (R+1)" in text
        swatch = page.eval_on_selector(
            "#legend-zones li[data-code='D1'] .zone-swatch",
            "(el) => getComputedStyle(el).backgroundColor",
        )
        assert swatch not in ("", "rgba(0, 0, 0, 0)")
        page.locator("#legend-zones").scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT / "carte-legende-zones.png"))
    assert errors == []


def test_favicon_on_every_page_without_404(server: str) -> None:
    icon = httpx.get(f"{server}/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/vnd.microsoft.icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    with chromium_page() as (page, errors):
        missing: list[str] = []

        def watch(response: Response) -> None:
            # a page's own 404 (an unknown note) is its answer; its icon, styles... are not
            if response.status == 404 and response.request.resource_type != "document":
                missing.append(response.url)

        page.on("response", watch)
        for path in PAGES:
            page.goto(f"{server}{path}")
            page.wait_for_load_state("networkidle")
        assert missing == []
    assert errors == []


def test_projects_carry_their_delay_in_working_days(server: str) -> None:
    """The popup's delay is the one /indicateurs counts: working days, filing to decision."""
    calendar = load_calendar(Settings().calendar_overrides)
    page: dict[str, Any] = httpx.get(f"{server}/api/v1/projects", params={"limit": 50}).json()
    decided = [f["properties"] for f in page["features"] if f["properties"].get("decided_on")]
    assert decided
    shorter = 0
    for p in decided:
        filed, done = dt.date.fromisoformat(p["filed_on"]), dt.date.fromisoformat(p["decided_on"])
        assert p["instruction_working_days"] == working_days_between(filed, done, calendar)
        shorter += p["instruction_working_days"] < (done - filed).days
    assert shorter > 0  # weekends are not counted: these are not calendar days
