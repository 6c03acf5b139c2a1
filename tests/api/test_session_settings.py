"""Every session the service opens runs without JIT (geoportal.db.SESSION_SETTINGS).

A plan's 122 zones for the map were read in 0.3 s on a store of 200,000 zones, 0.5 s of JIT
compilation spent on each read: PostGIS's function costs put the query over jit_above_cost
(issue 15, item 8). The server's default stays on: the setting is the service's.
"""

from __future__ import annotations

import asyncio
import json

import psycopg
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from api.ogc import close_ogc, open_ogc
from geoportal.db import make_engine, make_public_engine
from geoportal.replicas import replica_engine
from geoportal.settings import Settings
from geoportal.setup.provision import libpq_url

#: a plan JIT would compile with its threshold at 0 (the setting is checked, not the cost)
PLAN = "EXPLAIN (ANALYZE, FORMAT JSON) SELECT sum(g) FROM generate_series(1, 1000) g"


def jit_of(engine: Engine) -> tuple[str, bool]:
    """The session's `jit` and whether a query over the threshold was compiled."""
    try:
        with engine.begin() as conn:
            setting = conn.execute(text("SHOW jit")).scalar_one()
            conn.execute(text("SET LOCAL jit_above_cost = 0"))
            plan = conn.execute(text(PLAN)).scalar_one()
    finally:
        engine.dispose()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return setting, "JIT" in plan[0]


def test_the_server_default_is_jit_on(settings: Settings, engine: Engine) -> None:
    url = make_url(settings.database_url).render_as_string(hide_password=False)
    with psycopg.connect(libpq_url(url)) as conn:
        assert conn.execute("SHOW jit").fetchone() == ("on",)


def test_the_service_sessions_compile_nothing(settings: Settings, engine: Engine) -> None:
    engines = {
        "primary": make_engine(settings),
        "public": make_public_engine(settings),
        "replica": replica_engine(settings.public_database(), settings),
    }
    for name, each in engines.items():
        assert jit_of(each) == ("off", False), name


def test_tipg_pool_sessions_run_without_jit(settings: Settings, engine: Engine) -> None:
    async def show() -> str:
        app = FastAPI()
        url = make_url(settings.public_database()).render_as_string(hide_password=False)
        await open_ogc(app, libpq_url(url), settings.public_statement_timeout_ms)
        try:
            async with app.state.pool.acquire() as conn:
                return str(await conn.fetchval("SHOW jit"))
        finally:
            await close_ogc(app)

    assert asyncio.run(show()) == "off"


def test_the_public_role_has_jit_off_of_its_own(settings: Settings, engine: Engine) -> None:
    """Through PgBouncer no startup option passes: the role carries the setting."""
    url = make_url(settings.public_database()).render_as_string(hide_password=False)
    with psycopg.connect(libpq_url(url)) as conn:
        assert conn.execute("SHOW jit").fetchone() == ("off",)
