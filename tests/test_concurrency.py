"""50 notes asked for at the same moment over HTTP: 50 distinct, consecutive numbers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from shapely.geometry import box
from sqlalchemy import Engine, text

from geoportal.plans import import_plan_files
from tests.packages import write_plan
from tests.test_nru import coordinates
from zoning.importer import ImportOptions
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
        conn.execute(text("DELETE FROM nrus WHERE plan_name = :p"), {"p": PLAN})
        conn.execute(text("DELETE FROM nru_counters WHERE agency = :a"), {"a": AGENCY})
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
