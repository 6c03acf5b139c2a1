"""Locust scenario: what people do on the geoportal of the demo commune « PA Ain Demo ».

Two kinds of users, each running USER_RPS tasks a second on average, arriving at random
(a Poisson process, as independent people do):

- visitors, anonymous: the public map (page, projects in varied viewports, the plan's zones),
  open data (CSV, OGC API Features, a vector tile), indicators, the verification page of a note
  someone issued, and now and then a project check or a procedure question;
- petitioners, signed in with their own account (one each, distinct clients for the rate
  limit): notes de renseignements urbanistiques on varied parcels of the plan, the note read
  back as JSON, project checks and procedure questions. A petitioner keeps within the service's
  NRU rate limit as a well-behaved client does: past its budget it checks a project instead.

Each request's share of the traffic, in % (PETITIONER_TASKS, VISITOR_TASKS): the map 38, open
data 13, indicators 4, verification 3; NRU 19 (issued 16, read back 3); checks 16 and procedure 7.

Every response is checked: status and a little of the body, so an error is a failure.

The parcels, accounts and limits come from a JSON file named by LOAD_SCENARIO_FILE, written by
`python -m bench.bench_load` (which runs locust with this file); see that module.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
import random
import re
import time
from collections import deque
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import quote

from locust import FastHttpUser, task
from locust.contrib.fasthttp import ResponseContextManager

SCENARIO_ENV = "LOAD_SCENARIO_FILE"
#: tasks a second each user runs (bench_load sets it and starts target rate / USER_RPS users)
USER_RPS = float(os.environ.get("LOAD_USER_RPS", "0.5"))
PLAN = "PA Ain Demo"
NRU_NUMBER = re.compile(r"NRU/\d{4}/\d{6}")
VERDICTS = {"conforme", "non_conforme", "a_verifier"}
MVT = "application/vnd.mapbox-vector-tile"
PROJECT_KINDS = ("construction", "modification", "lotissement", "surelevation")
PROCEDURES = ("petits_projets", "grands_projets")

# Share of all requests, in %, of each task of each kind of user.
PETITIONER_TASKS = {"nru": 16, "nru_json": 3, "check": 10, "classify": 3}
VISITOR_TASKS = {
    "map_page": 6,
    "viewport": 26,
    "zones": 6,
    "csv": 4,
    "ogc_items": 5,
    "tile": 4,
    "indicators": 4,
    "verify": 3,
    "check": 6,
    "classify": 4,
}

#: notes issued during the run (id, number): visitors verify them, as whoever holds the paper.
ISSUED: deque[tuple[str, str]] = deque(maxlen=2000)
_ACCOUNTS = itertools.count()


@cache
def scenario() -> dict[str, Any]:
    """Parcels (with a project each), petitioner accounts, the NRU limit, the plan's extent."""
    path = os.environ.get(SCENARIO_ENV)
    if not path:
        raise RuntimeError(f"{SCENARIO_ENV} is not set: run `python -m bench.bench_load`")
    with open(path, encoding="utf-8") as file:
        loaded: dict[str, Any] = json.load(file)
    return loaded


Check = Callable[[ResponseContextManager], str | None]


def expect(response: ResponseContextManager, status: int, check: Check) -> Any:
    """Mark the request failed unless it has `status` and `check` finds nothing wrong."""
    if response.status_code != status:
        response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")  # type: ignore[no-untyped-call]
        return None
    try:
        problem = check(response)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        problem = f"unexpected body ({type(exc).__name__}: {exc})"
    if problem:
        response.failure(problem)  # type: ignore[no-untyped-call]
        return None
    response.success()  # type: ignore[no-untyped-call]
    return response


def json_body(response: ResponseContextManager) -> Any:
    return response.json()


def feature_collection(minimum: int = 0) -> Check:
    def check(response: ResponseContextManager) -> str | None:
        body = response.json()
        if body.get("type") != "FeatureCollection":
            return f"not a FeatureCollection: {str(body)[:120]}"
        if len(body["features"]) < minimum:
            return f"{len(body['features'])} features, expected at least {minimum}"
        return None

    return check


def parcel() -> dict[str, Any]:
    """One of the scenario's parcels of the plan."""
    parcels: list[dict[str, Any]] = scenario()["parcels"]
    return random.choice(parcels)


def viewport() -> str:
    """A map view over or near the commune, from the whole town to a street block."""
    west, south, east, north = scenario()["extent"]
    span = random.choice((0.06, 0.03, 0.015, 0.008, 0.004))
    lon = random.uniform(west, east)
    lat = random.uniform(south, north)
    half_lon, half_lat = span / 2, span / 2 * 0.6  # a landscape screen
    return f"{lon - half_lon:.5f},{lat - half_lat:.5f},{lon + half_lon:.5f},{lat + half_lat:.5f}"


def tile_address() -> str:
    """z/x/y of a Web Mercator tile over the commune at street zooms."""
    west, south, east, north = scenario()["extent"]
    zoom = random.choice((13, 14, 15, 16))
    lon, lat = random.uniform(west, east), random.uniform(south, north)
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"{zoom}/{x}/{y}"


def a_date(start: dt.date, days: int) -> str:
    return (start + dt.timedelta(days=random.randrange(days))).isoformat()


def poisson_arrivals(rate: float) -> Callable[[Any], float]:
    """A wait time making each user's tasks a Poisson process of `rate` a second.

    People arrive independently: with a constant period instead, the users spawned in the same
    second keep firing together, and the bursts measure the benchmark, not the service. Each
    user keeps a timeline of its next arrivals (exponential gaps), so a slow answer is not
    added to the gap and the rate holds.
    """

    def wait(user: Any) -> float:
        now = time.monotonic()
        planned = max(getattr(user, "next_arrival", now), now - 1 / rate)
        arrival: float = planned + random.expovariate(rate)
        user.next_arrival = arrival
        return max(0.0, arrival - now)

    return wait


class GeoportalUser(FastHttpUser):
    """What both kinds of user do: checks and procedure questions on a parcel of the plan."""

    abstract = True
    wait_time = poisson_arrivals(USER_RPS)
    network_timeout = 60.0  # past the service's own 30 s pool timeout: its 503 is what is seen
    connection_timeout = 10.0
    headers: dict[str, str] | None = None

    def check_project(self) -> None:
        """POST /api/v1/check: a project on a parcel, the verdict and its checks."""
        chosen = parcel()
        body: dict[str, Any] = {"coordinates": chosen["coordinates"], "project": chosen["project"]}
        if chosen["front_bornes"] and random.random() < 0.7:
            body["front_bornes"] = chosen["front_bornes"]
        if random.random() < 0.5:
            body["filed_on"] = a_date(dt.date(2026, 1, 5), 300)

        def verdict(response: ResponseContextManager) -> str | None:
            result = response.json()
            if result["verdict"] not in VERDICTS or not result["checks"]:
                return f"verdict {result['verdict']!r} with {len(result['checks'])} checks"
            return None

        with self.client.post(
            "/api/v1/check", json=body, headers=self.headers, catch_response=True
        ) as response:
            expect(response, 200, verdict)

    def classify(self) -> None:
        """POST /api/v1/classify: the procedure, commission and deadlines of a project."""
        chosen = parcel()
        body = {
            **{k: v for k, v in chosen["project"].items() if k != "footprint"},
            "kind": random.choice(PROJECT_KINDS),
            "filed_on": a_date(dt.date(2026, 1, 5), 300),
        }
        if random.random() < 0.5:  # sector flags read from the plan
            body["coordinates"] = chosen["coordinates"]
            body["plan"] = PLAN

        def procedure(response: ResponseContextManager) -> str | None:
            result = response.json()
            if result["procedure"] is None and not result.get("missing"):
                return "no procedure and nothing missing"
            return None if "deadlines" in result else "no deadlines"

        with self.client.post(
            "/api/v1/classify", json=body, headers=self.headers, catch_response=True
        ) as response:
            expect(response, 200, procedure)


class Petitioner(GeoportalUser):
    """A signed-in petitioner: notes on their parcels, checks of their projects."""

    weight = sum(PETITIONER_TASKS.values())

    def on_start(self) -> None:
        accounts: list[dict[str, str]] = scenario()["petitioners"]
        index = next(_ACCOUNTS)
        if index >= len(accounts):
            raise RuntimeError(f"{len(accounts)} petitioner accounts for more petitioner users")
        account = accounts[index]
        token = account.get("token") or self.sign_in(account)
        self.headers = {"Authorization": f"Bearer {token}"}
        limit = scenario()["nru_limit"]
        self.nru_budget: int = int(limit["amount"])
        self.nru_window_s: float = float(limit["seconds"])
        self.nru_sent: deque[float] = deque()
        self.notes: list[tuple[str, str]] = []

    def sign_in(self, account: dict[str, str]) -> str:
        """POST /api/v1/token (OAuth2 password flow) when the scenario gives a password."""
        form = {"username": account["login"], "password": account["password"]}
        with self.client.post("/api/v1/token", data=form, catch_response=True) as response:
            if expect(response, 200, lambda r: None if r.json()["access_token"] else "no token"):
                token: str = response.json()["access_token"]
                return token
        raise RuntimeError(f"{account['login']} could not sign in")

    def within_limit(self) -> bool:
        """Whether one more note keeps this client within the service's NRU rate limit."""
        now = time.monotonic()
        while self.nru_sent and now - self.nru_sent[0] > self.nru_window_s + 1:
            self.nru_sent.popleft()
        return len(self.nru_sent) < self.nru_budget

    @task(PETITIONER_TASKS["nru"])
    def issue_nru(self) -> None:
        """POST /api/v1/nru: a note on one of the plan's parcels."""
        if not self.within_limit():
            self.check_project()
            return
        self.nru_sent.append(time.monotonic())
        chosen = parcel()
        body: dict[str, Any] = {"coordinates": chosen["coordinates"], "plan": PLAN}
        if random.random() < 0.5:
            body["land_reference"] = f"TF {random.randint(1000, 99999)}/R"
        if random.random() < 0.3:
            body["declared_area_m2"] = chosen["area_m2"]

        def issued(response: ResponseContextManager) -> str | None:
            note = response.json()
            if not NRU_NUMBER.fullmatch(note["number"]):
                return f"number {note['number']!r}"
            if note["plan"]["name"] != PLAN or not note["zones"]:
                return f"plan {note['plan']['name']!r}, {len(note['zones'])} zones"
            return None

        with self.client.post(
            "/api/v1/nru", json=body, headers=self.headers, catch_response=True
        ) as response:
            if expect(response, 201, issued):
                note = response.json()
                self.notes.append((note["id"], note["number"]))
                ISSUED.append((note["id"], note["number"]))

    @task(PETITIONER_TASKS["nru_json"])
    def read_note(self) -> None:
        """GET /api/v1/nru/{id}: one of their notes, as issued."""
        if not self.notes:
            self.issue_nru()
            return
        note_id, number = random.choice(self.notes)
        with self.client.get(
            f"/api/v1/nru/{note_id}",
            name="/api/v1/nru/{id}",
            headers=self.headers,
            catch_response=True,
        ) as response:
            expect(response, 200, lambda r: None if r.json()["number"] == number else "number")

    @task(PETITIONER_TASKS["check"])
    def check_task(self) -> None:
        self.check_project()

    @task(PETITIONER_TASKS["classify"])
    def classify_task(self) -> None:
        self.classify()


class Visitor(GeoportalUser):
    """Anyone: the public map, open data, indicators, a note's verification, a quick check."""

    weight = sum(VISITOR_TASKS.values())

    @task(VISITOR_TASKS["map_page"])
    def map_page(self) -> None:
        """GET /: the public map's page."""
        with self.client.get("/", catch_response=True) as response:
            expect(response, 200, lambda r: None if "<html" in (r.text or "") else "not HTML")

    @task(VISITOR_TASKS["viewport"])
    def viewport_projects(self) -> None:
        """GET /api/v1/projects?bbox=…: the projects in the map's view, sometimes filtered."""
        query = f"bbox={viewport()}"
        if random.random() < 0.25:
            query += f"&kind={random.choice(PROJECT_KINDS)}"
        if random.random() < 0.15:
            query += f"&procedure={random.choice(PROCEDURES)}"
        if random.random() < 0.15:
            query += f"&from={a_date(dt.date(2023, 1, 1), 900)}"

        def page(response: ResponseContextManager) -> str | None:
            body = response.json()
            returned = body["numberReturned"]
            return feature_collection()(response) or (
                None if returned == len(body["features"]) else "numberReturned"
            )

        with self.client.get(
            f"/api/v1/projects?{query}", name="/api/v1/projects?bbox=…", catch_response=True
        ) as response:
            expect(response, 200, page)

    @task(VISITOR_TASKS["zones"])
    def zones(self) -> None:
        """GET /api/v1/plans/PA Ain Demo/zones: the plan's zones on the map."""
        with self.client.get(
            f"/api/v1/plans/{quote(PLAN)}/zones",
            name="/api/v1/plans/{name}/zones",
            catch_response=True,
        ) as response:
            expect(response, 200, feature_collection(minimum=10))

    @task(VISITOR_TASKS["csv"])
    def projects_csv(self) -> None:
        """GET /api/v1/projects.csv: open data, the commune or a view, sometimes filtered."""
        query = random.choice(
            (f"commune={quote('Ain Demo')}", f"bbox={viewport()}", "procedure=grands_projets")
        )
        if random.random() < 0.3:
            query += f"&from={a_date(dt.date(2023, 1, 1), 900)}"

        def table(response: ResponseContextManager) -> str | None:
            header = (response.text or "").split("\n", 1)[0]
            return None if header.startswith("id,permit_number,") else f"header {header[:80]!r}"

        with self.client.get(
            f"/api/v1/projects.csv?{query}", name="/api/v1/projects.csv?…", catch_response=True
        ) as response:
            expect(response, 200, table)

    @task(VISITOR_TASKS["ogc_items"])
    def ogc_items(self) -> None:
        """GET /ogc/collections/opendata.projets_autorises/items: OGC API Features (QGIS)."""
        limit = random.choice((10, 50, 100))
        with self.client.get(
            f"/ogc/collections/opendata.projets_autorises/items?limit={limit}&bbox={viewport()}",
            name="/ogc/collections/opendata.projets_autorises/items?…",
            catch_response=True,
        ) as response:
            expect(response, 200, feature_collection())

    @task(VISITOR_TASKS["tile"])
    def tile(self) -> None:
        """GET /ogc/…/tiles/WebMercatorQuad/{z}/{x}/{y}: a vector tile of the projects."""

        def mvt(response: ResponseContextManager) -> str | None:
            kind = str(response.headers.get("content-type", "")) if response.headers else ""
            return None if kind.startswith(MVT) else f"content-type {kind!r}"

        with self.client.get(
            "/ogc/collections/opendata.projets_autorises/tiles/WebMercatorQuad/" + tile_address(),
            name="/ogc/collections/opendata.projets_autorises/tiles/WebMercatorQuad/{z}/{x}/{y}",
            catch_response=True,
        ) as response:
            expect(response, 200, mvt)

    @task(VISITOR_TASKS["indicators"])
    def indicators(self) -> None:
        """GET /api/v1/indicators: counts, delays and rankings, sometimes for a period."""
        query = random.choice(
            ("", f"?commune={quote('Ain Demo')}", f"?from={a_date(dt.date(2023, 1, 1), 700)}")
        )
        with self.client.get(
            f"/api/v1/indicators{query}", name="/api/v1/indicators", catch_response=True
        ) as response:
            expect(response, 200, lambda r: None if "filters" in r.json() else "no filters")

    @task(VISITOR_TASKS["verify"])
    def verify(self) -> None:
        """GET /verify/{id}: someone holding a note checks it (the QR code's address)."""
        if not ISSUED:
            self.map_page()
            return
        note_id, number = random.choice(ISSUED)
        with self.client.get(
            f"/verify/{note_id}", name="/verify/{id}", catch_response=True
        ) as response:
            expect(response, 200, lambda r: None if number in (r.text or "") else "number")

    @task(VISITOR_TASKS["check"])
    def check_task(self) -> None:
        self.check_project()

    @task(VISITOR_TASKS["classify"])
    def classify_task(self) -> None:
        self.classify()
