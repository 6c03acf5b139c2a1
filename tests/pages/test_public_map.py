"""The public map of authorized projects in a real headless Chromium, on the demo commune.

Every project is shown (loaded page by page), filters reload the layer and the open data links,
the Lambert coordinates under the cursor are right, and a permit recorded through the API appears
within two seconds, without reload.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, Response, Route, expect, sync_playwright
from pyproj import Transformer
from shapely.geometry import box, mapping
from sqlalchemy import Engine, text

from checks.calendar import working_days_between
from geoportal.projects.instruction import load_calendar
from geoportal.settings import Settings
from tests.accounts import AGENT
from tests.browser import CHROMIUM_ARGS, OUTPUT, chromium_path

PAGE = "/"
PREFIX = "AU-CARTE/"
TOKEN = AGENT
DEMO_PROJECTS = Path("data/demo/projets_autorises.gpkg")
PLAN = "PA Ain Demo"
RABAT = (-6.8416, 34.0209)  # lon, lat
RABAT_LAMBERT = (366745.0, 381142.0)  # EPSG:26191 through EPSG:1166, ± 10 m
FILED, DECIDED = dt.date(2026, 5, 4), dt.date(2026, 6, 15)


def features(server: str, **filters: str) -> list[dict[str, Any]]:
    """Every project the API returns for these filters, following the rel=next links."""
    found: list[dict[str, Any]] = []
    url: str | None = f"{server}/api/v1/projects"
    params: dict[str, str] | None = filters
    while url:
        page = httpx.get(url, params=params, timeout=30).json()
        found += page["features"]
        url = next((link["href"] for link in page.get("links", []) if link["rel"] == "next"), None)
        params = None  # the next link carries them
    return found


def plan_centre(server: str) -> tuple[float, float]:
    """The middle of the demo plan's extent, in Lambert metres."""
    xmin, ymin, xmax, ymax = httpx.get(f"{server}/api/v1/plans/{PLAN}").json()["extent"]["bbox"]
    return (xmin + xmax) / 2, (ymin + ymax) / 2


def new_project(number: str, x: float, y: float, **changes: Any) -> dict[str, Any]:
    """An authorized project as an agent records it: a 16 × 20 m footprint around (x, y)."""
    return {
        "permit_number": number,
        "permit_date": DECIDED.isoformat(),
        "commune": "Ain Demo",
        "kind": "construction",
        "use": "habitation",
        "procedure": "petits_projets",
        "storeys": 2,
        "height_m": 9.5,
        "floor_area_m2": 320.5,
        "status": "autorise",
        "filed_on": FILED.isoformat(),
        "decided_on": DECIDED.isoformat(),
        "srid": 26191,
        "footprint": mapping(box(x - 8, y - 10, x + 8, y + 10)),
        **changes,
    }


def record(server: str, project: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{server}/api/v1/projects", headers=TOKEN, json=project, timeout=10)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture(scope="module")
def on_server(server: str, engine: Engine) -> Iterator[str]:
    """The server with the demo's projects; what the tests record is deleted after."""
    yield server
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM projects WHERE permit_number LIKE :prefix"), {"prefix": f"{PREFIX}%"}
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watched:
    """A page, with its uncaught errors, failed requests, and the pages of projects it asked."""

    page: Page
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    project_pages: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.failed == [], self.failed


def open_map(browser: Browser, server: str, page_size: int) -> Watched:
    """The public map, its API pages shrunk to `page_size` so that it must follow rel=next."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    watched = Watched(page)
    page.on("pageerror", lambda exc: watched.errors.append(str(exc)))
    page.on("requestfailed", lambda req: _failed(watched, req))
    page.on("response", lambda resp: _bad_status(watched, resp))

    def shrink(route: Route) -> None:
        url = route.request.url.replace("limit=1000", f"limit={page_size}")
        watched.project_pages.append(url)
        route.continue_(url=url)

    page.route(re.compile(r"/api/v1/projects\?"), shrink)
    page.goto(f"{server}{PAGE}")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    return watched


def _failed(watched: Watched, request: Request) -> None:
    # A load superseded by a newer filter is aborted on purpose; so is the stream at close.
    if request.failure != "net::ERR_ABORTED":
        watched.failed.append(f"{request.url}: {request.failure}")


def _bad_status(watched: Watched, response: Response) -> None:
    if response.status >= 400:
        watched.failed.append(f"{response.url}: HTTP {response.status}")


def shown(count: int) -> str:
    """The counter's text, as the page writes it (fr-FR digit groups)."""
    digits = f"{count:,}".replace(",", "\u202f")
    return f"{digits} projet{'s' if count > 1 else ''} affiché{'s' if count > 1 else ''}"


def test_the_home_page_is_the_public_map(on_server: str) -> None:
    """The map is the portal's front page, with its title and open data links."""
    html = httpx.get(f"{on_server}{PAGE}").text
    assert "<title>Géoportail des projets autorisés</title>" in html
    for target in ("/api/v1/projects?", "/api/v1/projects.csv", "/docs", "/static/vendor/"):
        assert target in html


def test_every_project_shows_and_a_new_permit_appears_live(
    browser: Browser, on_server: str
) -> None:
    """All projects, page by page; a permit recorded by an agent shows within 2 s, no reload."""
    everything = features(on_server)
    demo = set(gpd.read_file(DEMO_PROJECTS)["permit_number"])
    assert demo <= {f["properties"]["permit_number"] for f in everything}
    total = len(everything)
    watched = open_map(browser, on_server, page_size=math.ceil(total / 3))
    page = watched.page
    expect(page.locator("#count")).to_have_text(shown(total))
    assert len(watched.project_pages) >= 3  # followed the rel=next links to the end
    on_map = page.evaluate("[...carte.projects.keys()]")
    assert sorted(on_map) == sorted(f["id"] for f in everything)
    assert page.evaluate("carte.markers.getLayers().length") == total
    assert page.locator(".project-cluster, .project-icon").count() > 2
    page.evaluate("window.sameDocument = true")

    x, y = plan_centre(on_server)
    number = f"{PREFIX}{time.time_ns()}"
    started = time.perf_counter()
    created = record(on_server, new_project(number, x, y))
    toast = page.locator(".toast", has_text=f"Nouveau projet autorisé : {number}")
    expect(toast).to_be_visible(timeout=2000)
    expect(page.locator("#count")).to_have_text(shown(total + 1), timeout=100)
    assert time.perf_counter() - started < 2.0
    assert page.evaluate("window.sameDocument") is True  # no reload
    assert page.locator(".pulse-ring").count() == 1
    lon, lat = created["geometry"]["coordinates"]
    marker = page.evaluate(f"carte.projects.get({created['id']}).getLatLng()")
    assert marker == pytest.approx({"lat": lat, "lng": lon}, abs=1e-9)
    page.wait_for_timeout(400)  # the toast's entrance
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "carte-live.png"))

    toast.click()  # zooms to the project and opens its popup
    popup = page.locator(".project-popup")
    expect(popup).to_be_visible()
    facts = popup.inner_text()
    # working days, as /indicateurs counts them: 30 weekdays from Mon 4 May to Mon 15 June
    # 2026, less the public holidays of the agency's calendar (issue #14)
    delay = working_days_between(FILED, DECIDED, load_calendar(Settings().calendar_overrides))
    assert delay <= 30
    expected = [number, "Construction", "Habitation", "Petits projets", "R+2", "9,5 m"]
    expected += ["320,5 m²", "Autorisé", f"{delay} jours ouvrables", "15/06/2026"]
    for fact in expected:
        assert fact in facts, (fact, facts)
    page.screenshot(path=str(OUTPUT / "carte-popup.png"))
    watched.assert_clean()
    page.close()


def test_filters_reload_the_layer_the_links_and_the_live_feed(
    browser: Browser, on_server: str
) -> None:
    """A procedure and a date range: the counts of the API; a new permit outside is not added."""
    everything = features(on_server)
    watched = open_map(browser, on_server, 1000)
    page = watched.page
    expect(page.locator("#count")).to_have_text(shown(len(everything)))

    page.select_option("#procedure", "grands_projets")
    grands = features(on_server, procedure="grands_projets")
    expect(page.locator("#count")).to_have_text(shown(len(grands)))
    assert 0 < len(grands) < len(everything)
    assert (
        page.get_attribute("#link-csv", "href") == "/api/v1/projects.csv?procedure=grands_projets"
    )
    csv_rows = httpx.get(f"{on_server}{page.get_attribute('#link-csv', 'href')}").text
    assert len(csv_rows.strip().splitlines()) == len(grands) + 1  # and the header
    excel = page.get_attribute("#link-csv-excel", "href")
    assert excel == "/api/v1/projects.csv?procedure=grands_projets&format=excel"
    excel_rows = httpx.get(f"{on_server}{excel}").content.decode("utf-8-sig").splitlines()
    assert excel_rows[0].startswith("id;permit_number;") and len(excel_rows) == len(grands) + 1
    geojson = httpx.get(f"{on_server}{page.get_attribute('#link-geojson', 'href')}").json()
    assert geojson["numberReturned"] == len(grands)

    dates = sorted(f["properties"]["permit_date"] for f in grands)
    since, until = dates[len(dates) // 3], dates[2 * len(dates) // 3]
    page.fill("#from", since)
    page.fill("#to", until)
    ranged = features(on_server, procedure="grands_projets", **{"from": since, "to": until})
    expect(page.locator("#count")).to_have_text(shown(len(ranged)))
    assert 0 < len(ranged) < len(grands)
    assert f"from={since}" in page.url and f"to={until}" in page.url  # shareable

    x, y = plan_centre(on_server)
    outside = f"{PREFIX}hors-{time.time_ns()}"
    record(on_server, new_project(outside, x + 40, y))  # petits projets, June 2026
    expect(page.locator(".toast", has_text=outside)).to_contain_text("hors des filtres")
    expect(page.locator("#count")).to_have_text(shown(len(ranged)))

    page.click("#reset")
    expect(page.locator("#count")).to_have_text(shown(len(everything) + 1))
    watched.assert_clean()
    page.close()


def test_lambert_coordinates_under_the_cursor(browser: Browser, on_server: str) -> None:
    """proj4 with the EPSG:1166 shift: Rabat to the metre, and the box under the cursor."""
    watched = open_map(browser, on_server, 1000)
    page = watched.page
    x, y = page.evaluate(f"carte.toLambert({RABAT[0]}, {RABAT[1]})")
    assert x == pytest.approx(RABAT_LAMBERT[0], abs=10)
    assert y == pytest.approx(RABAT_LAMBERT[1], abs=10)

    page.wait_for_function("() => document.body.dataset.framed === 'yes'")  # the view is final
    area = page.locator("#map").bounding_box()
    assert area is not None
    at = (area["width"] * 0.55, area["height"] * 0.45)
    page.mouse.move(area["x"] + at[0], area["y"] + at[1])
    latlng = page.evaluate(f"carte.map.containerPointToLatLng([{at[0]}, {at[1]}])")
    shown_x = int(re.sub(r"\D", "", page.inner_text("#lambert-x")))
    shown_y = int(re.sub(r"\D", "", page.inner_text("#lambert-y")))
    to_lambert = Transformer.from_crs(4326, 26191, always_xy=True)
    expected_x, expected_y = to_lambert.transform(latlng["lng"], latlng["lat"])
    assert shown_x == pytest.approx(expected_x, abs=1)
    assert shown_y == pytest.approx(expected_y, abs=1)
    xmin, ymin, xmax, ymax = httpx.get(f"{on_server}/api/v1/plans/{PLAN}").json()["extent"]["bbox"]
    assert xmin < shown_x < xmax and ymin < shown_y < ymax  # the map opens on the plan
    page.mouse.move(area["x"] - 50, area["y"] + 10)  # leaves the map
    expect(page.locator("#lambert-x")).to_have_text("—")
    watched.assert_clean()
    page.close()


def test_a_burst_of_permits_shows_few_toasts_and_every_marker(
    browser: Browser, on_server: str
) -> None:
    """Six permits at once: three toasts and one that counts the others; all six on the map."""
    total = len(features(on_server))
    watched = open_map(browser, on_server, 1000)
    page = watched.page
    expect(page.locator("#count")).to_have_text(shown(total))
    x, y = plan_centre(on_server)
    numbers = [f"{PREFIX}lot-{time.time_ns()}-{i}" for i in range(6)]
    for i, number in enumerate(numbers):
        record(on_server, new_project(number, x - 300 + 60 * i, y - 200, kind="lotissement"))
    expect(page.locator("#count")).to_have_text(shown(total + 6))
    expect(page.locator(".toast.burst")).to_have_text("… et 3 autres nouveaux projets autorisés")
    assert page.locator(".toast:not(.burst)").count() == 3
    for number in numbers[:3]:
        expect(page.locator(".toast", has_text=number)).to_be_visible()
    assert page.locator(".pulse-ring").count() == 6
    watched.assert_clean()
    page.close()
