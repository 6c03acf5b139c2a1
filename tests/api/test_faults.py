"""Faults: the database restarts under a running service; requests fail cleanly, then recover.

The server restarted is a private throwaway cluster (initdb in a temporary directory, a free
port), never the shared one the other tests use; the service is a real uvicorn process. A
statement cut by statement_timeout is another fault, told apart from the server being down.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text

from bench.service import running_service
from geoportal.db import make_engine
from geoportal.projects.register import CHANNEL, ProjectRecord, record_project
from geoportal.settings import Settings
from geoportal.setup.demo import load_demo, load_demo_projects
from geoportal.setup.provision import (
    DATABASE,
    ProvisionError,
    ensure_postgis,
    postgres_bindir,
    sqlalchemy_url,
    start_private_cluster,
    stop_private_cluster,
)
from tests.geoportal.nru.test_issue import PARCEL, coordinates
from tests.geoportal.projects.test_feed import read_events
from tests.geoportal.projects.test_register import project
from tests.ports import free_port
from zoning.schema import upgrade

# a private PostgreSQL cluster of its own: a database test, whatever its fixtures
pytestmark = pytest.mark.db

STORAGE_SRID = 26191
UNAVAILABLE_DETAIL = "La base de données est indisponible ; réessayez dans un instant."
UNAVAILABLE = {
    "detail": UNAVAILABLE_DETAIL,
    "code": "database_unavailable",
    "errors": [{"code": "database_unavailable", "message": UNAVAILABLE_DETAIL}],
}
REQUEST_S = 10.0  # every request is bounded: a hang fails the test instead of stalling it
RECOVERY_S = 15.0  # the service is back this long after the server, without a restart
MAX_503_AFTER_RESTART = 5  # in all, while the server finishes starting


@dataclass(frozen=True)
class Call:
    """One request of the service and the status it answers when the database is up."""

    method: str
    path: str
    ok: int = 200
    json: dict[str, Any] | None = None


PARCEL_BODY = {"coordinates": coordinates(PARCEL)}
READS = [
    Call("GET", "/api/v1/plans"),
    Call("GET", "/api/v1/projects?limit=5"),
    Call("GET", "/ogc/collections/opendata.zones/items?limit=2"),  # tipg, asyncpg's pool
    Call("POST", "/api/v1/parcels/preview", json=PARCEL_BODY),
]
WRITE = Call("POST", "/api/v1/nru", ok=201, json=PARCEL_BODY)


@dataclass(frozen=True)
class Cluster:
    """A private PostgreSQL cluster: its binaries, directory and port."""

    bindir: Path
    var: Path
    port: int

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of its geoportal database."""
        return sqlalchemy_url("geoportal", "127.0.0.1", self.port, DATABASE)

    def stop(self) -> None:
        """Fast shutdown: every session is cut, as in a real restart."""
        stop_private_cluster(self.bindir, self.var)

    def start(self) -> None:
        """Start again on the same port, with the same data."""
        start_private_cluster(self.bindir, self.var, self.port)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A throwaway cluster, stopped and removed afterwards even when the test fails."""
    bindir = postgres_bindir()
    assert bindir is not None, "no PostgreSQL binaries (initdb, pg_ctl) on this machine"
    # Not pytest's tmp_path: its parents are mode 700, the `postgres` user could not enter them.
    var = Path(tempfile.mkdtemp(prefix="geoportal-faults-"))
    private = Cluster(bindir, var, free_port())
    try:
        private.start()
        yield private
    finally:
        with suppress(ProvisionError):
            private.stop()
        shutil.rmtree(var, ignore_errors=True)


@pytest.fixture
def demo_engine(cluster: Cluster) -> Iterator[Engine]:
    """The private cluster's database with PostGIS, migrated, the demo commune loaded."""
    ensure_postgis(cluster.url)
    engine = make_engine(Settings(database_url=cluster.url, storage_srid=STORAGE_SRID))
    upgrade(engine, STORAGE_SRID)
    load_demo(engine, Path("data"), STORAGE_SRID)
    load_demo_projects(engine, Path("data"), STORAGE_SRID)
    yield engine
    engine.dispose()


def send(base: str, call: Call) -> httpx.Response:
    """The request, failing the test if it takes longer than REQUEST_S."""
    return httpx.request(call.method, base + call.path, json=call.json, timeout=REQUEST_S)


def assert_unavailable(response: httpx.Response) -> None:
    """A clean 503: JSON saying why, and when to retry."""
    assert response.status_code == 503, (response.request.url, response.text)
    assert response.json() == UNAVAILABLE
    assert response.headers["Retry-After"] == "5"


def until_answered(base: str, call: Call, statuses: list[int], deadline: float) -> httpx.Response:
    """Repeat `call` until it answers as when the database is up; only 503s are tolerated."""
    while True:
        response = send(base, call)
        statuses.append(response.status_code)
        if response.status_code == call.ok:
            return response
        assert_unavailable(response)
        assert time.monotonic() < deadline, f"{call.path} still 503 {RECOVERY_S} s after"
        time.sleep(0.2)


def nru_sequence(response: httpx.Response) -> int:
    """The serial part of an NRU number (NRU/2026/000123 → 123)."""
    return int(response.json()["number"].rsplit("/", 1)[1])


def wait_for_listener(engine: Engine) -> None:
    """Until the service's live feed LISTENs again (it reconnects on its own)."""
    deadline = time.monotonic() + RECOVERY_S
    query = text("SELECT count(*) FROM pg_stat_activity WHERE query = :listen")
    while True:
        with engine.connect() as conn:
            if conn.execute(query, {"listen": f"LISTEN {CHANNEL}"}).scalar():
                return
        assert time.monotonic() < deadline, "the live feed did not LISTEN again"
        time.sleep(0.2)


def start_listening(base: str, received: list[dict[str, Any]]) -> threading.Thread:
    """A browser on the live feed, its stream kept open across the restart."""

    def listen() -> None:
        # A stream cut or empty leaves `received` empty: the test's assertion says so.
        with suppress(httpx.HTTPError, AssertionError):
            received.extend(read_events(f"{base}/api/v1/projects/events", {}, 1, seconds=60))

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    return listener


Answer = tuple[str, int, str | None]  # path, status (0: no response), Retry-After or error


@contextmanager
def probing(base: str) -> Iterator[list[Answer]]:
    """Reads sent in a loop while the block runs (stop, downtime, start): what they answered."""
    answers: list[Answer] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            for call in READS:
                try:
                    response = send(base, call)
                except httpx.HTTPError as exc:  # a hang or a cut connection
                    answers.append((call.path, 0, repr(exc)))
                    continue
                retry_after = response.headers.get("Retry-After")
                answers.append((call.path, response.status_code, retry_after))
            time.sleep(0.05)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    try:
        yield answers
    finally:
        done.set()
        prober.join(timeout=len(READS) * REQUEST_S)


def test_service_survives_a_database_restart(
    cluster: Cluster, demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOPORTAL_NRU_RATE_LIMIT", "1000/minute")  # the retries are not abuse
    with running_service(cluster.url, free_port()) as base:
        for call in READS:
            assert send(base, call).status_code == 200, call.path
        before = send(base, WRITE)
        assert before.status_code == 201, before.text
        received: list[dict[str, Any]] = []
        listener = start_listening(base, received)
        with probing(base) as probed:
            cluster.stop()
            for call in [*READS, WRITE, *READS]:  # twice: the pools' retries fail cleanly too
                started = time.monotonic()
                assert_unavailable(send(base, call))
                assert time.monotonic() - started < 5, f"{call.path} was slow to fail"

            cluster.start()
            statuses: list[int] = []
            deadline = time.monotonic() + RECOVERY_S
            for call in READS:
                until_answered(base, call, statuses, deadline)
            after = until_answered(base, WRITE, statuses, deadline)
        assert nru_sequence(after) == nru_sequence(before) + 1
        assert 500 not in statuses
        assert statuses.count(503) <= MAX_503_AFTER_RESTART, statuses
        answered = {(status, retry_after) for _, status, retry_after in probed}
        assert answered == {(200, None), (503, "5")}, [a for a in probed if a[1] not in (200, 503)]

        wait_for_listener(demo_engine)
        with demo_engine.begin() as conn:
            record = ProjectRecord.model_validate(project("AU-FAULT/1"))
            record_project(conn, record, STORAGE_SRID)
        listener.join(timeout=RECOVERY_S)
        [event] = received
        assert event["data"]["properties"]["permit_number"] == "AU-FAULT/1"


def test_a_statement_timeout_says_so(client: TestClient, conn: Connection, engine: Engine) -> None:
    # A query waiting on a lock past statement_timeout is cancelled (SQLSTATE 57014): a 503
    # that says so, not a 500 and not "unavailable".
    conn.execute(text("SET LOCAL statement_timeout = '200ms'"))
    with engine.connect() as locker:
        locker.execute(text("LOCK TABLE plans IN ACCESS EXCLUSIVE MODE"))
        response = client.get("/api/v1/plans")
        locker.rollback()
    assert response.status_code == 503
    assert "statement timeout" in response.json()["detail"]
    assert response.headers["Retry-After"] == "5"
