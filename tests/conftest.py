"""Fixtures: a PostGIS database of the tests' own, migrated once; a transaction per test.

The server is the one `make setup` settled on (GEOPORTAL_DATABASE_URL in .env); the tests
create `<database>_test` beside it, so the demo database is never touched.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from api.deps import get_connection, get_public_connection, get_transaction, get_transactions
from api.security import token_reader
from geoportal.accounts import principal_for_token
from geoportal.plans import import_plan_files
from geoportal.settings import Settings
from geoportal.setup.demo import load_demo, load_demo_projects
from geoportal.setup.provision import libpq_url
from tests.accounts import create_test_accounts
from tests.ports import listening_socket
from zoning.package.load import ImportOptions
from zoning.schema import upgrade

STORAGE_SRID = 26191


@pytest.fixture(scope="session")
def test_database_url() -> Iterator[str]:
    """A database of this test run's own (`<database>_test_<pid>`), with PostGIS; dropped after.

    One per run, so that runs side by side (a developer's and CI's) never drop each other's.
    """
    base = make_url(Settings().database_url)
    url = base.set(database=f"{base.database}_test_{os.getpid()}")
    admin = libpq_url(base.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        _drop_abandoned(conn, f"{base.database}_test_")
        conn.execute(f'CREATE DATABASE "{url.database}"')
    rendered = url.render_as_string(hide_password=False)
    with psycopg.connect(libpq_url(rendered), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    yield rendered
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def _drop_abandoned(conn: psycopg.Connection[Any], prefix: str) -> None:
    """Drop test databases left by runs that were killed (their process is gone)."""
    names = conn.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",)
    ).fetchall()
    for (name,) in names:
        pid = name.removeprefix(prefix)
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def engine(test_database_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database."""
    engine = create_engine(test_database_url, pool_pre_ping=True, hide_parameters=True)
    upgrade(engine, STORAGE_SRID)
    with engine.begin() as conn:
        create_test_accounts(conn)
    yield engine
    engine.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture(scope="session")
def settings(test_database_url: str) -> Settings:
    """Settings pointing at the test database; rate limits no test reaches but their own."""
    return Settings(
        database_url=test_database_url,
        storage_srid=STORAGE_SRID,
        data_dir=Path("data"),
        nru_rate_limit="100000/minute",
        login_rate_limit="100000/minute",
    )


@contextmanager
def app_client(settings: Settings, engine: Engine, conn: Connection) -> Iterator[TestClient]:
    """The app built with `settings`, every request inside the test's transaction `conn`."""
    app = create_app(settings, engine)

    def in_savepoint() -> Iterator[Connection]:
        with conn.begin_nested():
            yield conn

    app.dependency_overrides[get_connection] = lambda: conn
    app.dependency_overrides[get_transaction] = in_savepoint
    app.dependency_overrides[get_transactions] = lambda: contextmanager(in_savepoint)

    def public_reads() -> Iterator[Connection]:
        yield from as_public_role(conn, settings)

    app.dependency_overrides[get_public_connection] = public_reads
    app.dependency_overrides[token_reader] = lambda: partial(principal_for_token, conn)
    with TestClient(app) as test_client:
        yield test_client


def as_public_role(conn: Connection, settings: Settings) -> Iterator[Connection]:
    """The test's transaction read as the public role, as the service's public reads are."""
    with conn.begin_nested():
        conn.execute(text(f"SET ROLE {settings.public_role()}"))
        yield conn
        conn.execute(text("RESET ROLE"))


@pytest.fixture
def client(settings: Settings, engine: Engine, conn: Connection) -> Iterator[TestClient]:
    """The app on the test database, every request inside the test's transaction."""
    with app_client(settings, engine, conn) as test_client:
        yield test_client


@pytest.fixture
def demo(conn: Connection) -> None:
    """The demo commune, imported inside the test's transaction."""
    rules = (Path("data/demo") / "reglement.yaml").read_text(encoding="utf-8")
    options = ImportOptions(raster=Path("data/demo") / "ain_demo_plan.tif")
    import_plan_files(conn, Path("data/demo") / "ain_demo.gpkg", rules, options)


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn in a thread on a socket of its own, until the block ends; its URL.

    The socket is bound before uvicorn starts: a port merely found free could be taken by the
    other worker's server meanwhile, and this run's requests would reach another database.
    """
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    running = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not running.started:
        raise RuntimeError(f"the test server did not start on port {port} within 20 s")
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def server(engine: Engine, settings: Settings) -> Iterator[str]:
    """The app serving the demo commune (committed, removed after) on a free port."""
    load_demo(engine, Path("data"), 26191)
    load_demo_projects(engine, Path("data"), 26191)
    with serving(create_app(settings, engine)) as url:
        yield url
    with engine.begin() as conn:
        for table in ("dossiers", "commissions", "parcels"):  # a decision names its project
            conn.execute(text(f"DELETE FROM {table} WHERE commune = 'Ain Demo'"))
        conn.execute(text("DELETE FROM nrus WHERE plan_name = 'PA Ain Demo'"))
        conn.execute(text("DELETE FROM plans WHERE name = 'PA Ain Demo'"))
        conn.execute(text("DELETE FROM projects WHERE commune = 'Ain Demo'"))


#: fixtures that reach the database: a test using one (directly or not) is marked `db`
DB_FIXTURES = {"test_database_url", "engine", "conn", "settings", "client", "server", "demo"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `db` and `browser` tests, so `pytest -m "not db and not browser"` runs the pure
    ones in seconds, without a database."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & DB_FIXTURES:
            item.add_marker(pytest.mark.db)
        if "tests/pages/" in item.nodeid or "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped or xfailed test fails the run: in CI nothing may be left unproven."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    left_out = len(reporter.stats.get("skipped", [])) + len(reporter.stats.get("xfailed", []))
    if left_out and session.exitstatus == 0:
        reporter.write_line(f"FAILED: {left_out} test(s) skipped or xfailed; none may be", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
