"""Many requests at once over real HTTP: distinct numbers, what was answered is written, and
more requests than the database pool holds never stall the service."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from shapely.geometry import box
from sqlalchemy import Engine, text

from api.app import create_app
from geoportal.plans import import_plan_files
from geoportal.settings import Settings
from tests.conftest import serving
from tests.geoportal.nru.test_issue import coordinates
from tests.packages import write_plan
from zoning.package.load import ImportOptions
from zoning.synthetic import reglement

PLAN = "PA Concurrence HTTP"
AGENCY = "Agence Urbaine de Test Concurrence HTTP"


@pytest.fixture
def plan_of_its_own(engine: Engine, tmp_path: Path) -> Iterator[None]:
    """A plan of an agency of its own, so that its numbering starts at 1."""
    rules = reglement(PLAN)
    rules["plan"]["agency"] = AGENCY
    with engine.begin() as conn:
        import_plan_files(conn, *write_plan(tmp_path, name=PLAN, rules=rules), ImportOptions())
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM nru_requests WHERE plan_name = :p"), {"p": PLAN})
        conn.execute(text("DELETE FROM nrus WHERE plan_name = :p"), {"p": PLAN})
        conn.execute(text("DELETE FROM nru_counters WHERE agency = :a"), {"a": AGENCY})
        conn.execute(text("DELETE FROM nru_request_counters WHERE agency = :a"), {"a": AGENCY})
        conn.execute(text("DELETE FROM plans WHERE name = :p"), {"p": PLAN})


async def ask_at_once(base: str, count: int) -> list[httpx.Response]:
    """`count` requests sent together, each for another parcel."""
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        return await asyncio.gather(
            *(
                client.post(
                    "/api/v1/nru",
                    json={
                        "coordinates": coordinates(box(355010 + i, 365010, 355030 + i, 365030)),
                        "plan": PLAN,
                    },
                )
                for i in range(count)
            )
        )


def test_fifty_concurrent_requests_get_fifty_numbers(server: str, plan_of_its_own: None) -> None:
    responses = asyncio.run(ask_at_once(server, 50))
    assert [r.status_code for r in responses] == [201] * 50
    numbers = [r.json()["number"] for r in responses]
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 51))


def test_an_answered_note_is_already_committed(server: str, plan_of_its_own: None) -> None:
    """The 201 leaves after the commit: the note is there for a GET on another connection."""
    for i in range(20):
        body = {"coordinates": coordinates(box(355010 + i, 365010, 355030 + i, 365030))}
        issued = httpx.post(f"{server}/api/v1/nru", json={**body, "plan": PLAN}, timeout=30)
        assert issued.status_code == 201
        with httpx.Client(base_url=server, timeout=30) as other:  # a connection of its own
            assert other.get(f"/api/v1/nru/{issued.json()['id']}").status_code == 200


async def read_at_once(base: str, count: int) -> list[int]:
    """`count` reads of the database sent together; their statuses."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        answers = await asyncio.gather(*(client.get("/api/v1/plans") for _ in range(count)))
    return [a.status_code for a in answers]


def test_more_requests_than_the_pool_holds(settings: Settings, engine: Engine) -> None:
    """80 reads against a pool of 2 (+2): they queue for admission, none waits on the pool
    holding a thread (which stalled every request until the pool's timeout, then 503)."""
    small = settings.model_copy(update={"db_pool_size": 2})
    with serving(create_app(small)) as base:
        started = time.perf_counter()
        statuses = asyncio.run(read_at_once(base, 80))
        elapsed = time.perf_counter() - started
    assert statuses == [200] * 80
    assert elapsed < 20  # the pool's own timeout is 30 s
