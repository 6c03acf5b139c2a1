"""Two processes, a primary and its streaming replica, Redis: issue 15's acceptance, for real.

Reads that tolerate lag (map, open data, tiles) are served by the replica; a note issued by one
process reads and verifies at once through the other (retry on the primary of a read by id
that misses); a project recorded through one reaches the SSE clients of the other; the NRU
rate limit holds across both; ETags move with the data; queries pass through PgBouncer in
transaction mode; nginx (deploy/nginx.conf) caches tiles and serves fresh ones after a plan
re-import; a stopped replica costs no request (last: it stops the replica). One module: the
instances' ports are fixed, so `make test`'s workers (one file each) never build two sets.
"""

from __future__ import annotations

import json
import math
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from geoportal.db import make_engine, make_public_engine
from geoportal.replicas import ReadRouter, make_router
from geoportal.settings import Settings
from geoportal.setup.provision import _unprivileged_prefix, sqlalchemy_url
from tests.accounts import AGENT
from tests.geoportal.nru.test_issue import PARCEL, coordinates
from tests.geoportal.projects.test_register import project
from tests.scale.conftest import NRU_LIMIT, PRIMARY_PORT, Platform
from tests.scale.instances import DATABASE, nginx_up, port_open, psql, wait_until, xact_count

DEMO = "PA Ain Demo"


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The WebMercatorQuad tile holding a point."""
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


X, Y = tile_of(-6.925, 33.89, 14)
TILE = f"/ogc/collections/opendata.zones/tiles/WebMercatorQuad/14/{X}/{Y}"
READS = ("/api/v1/plans", f"/api/v1/plans/{DEMO}/zones", "/api/v1/projects", TILE)


def test_public_reads_are_served_by_the_replica(platform: Platform) -> None:
    a, b = platform.servers
    before = xact_count(platform.replica), xact_count(platform.primary)
    for _ in range(20):
        for server in (a, b):
            for path in READS:
                assert httpx.get(server.base + path, timeout=10).status_code == 200, path
    time.sleep(1.1)  # pg_stat_database is flushed about once a second
    on_replica = xact_count(platform.replica) - before[0]
    on_primary = xact_count(platform.primary) - before[1]
    assert on_replica >= 160, (on_replica, on_primary)  # 20 × 2 × 4 reads, and their ETags
    assert on_primary < on_replica / 2, (on_replica, on_primary)


def test_a_note_issued_on_one_process_reads_and_verifies_on_the_other(platform: Platform) -> None:
    a, b = platform.servers
    body = {"coordinates": coordinates(PARCEL), "plan": DEMO}
    issued = httpx.post(f"{a.base}/api/v1/nru", json=body, headers=AGENT, timeout=60)
    assert issued.status_code == 201, issued.text
    note = issued.json()["id"]
    read = httpx.get(f"{b.base}/api/v1/nru/{note}", headers=AGENT, timeout=10)
    assert read.status_code == 200, read.text
    number = read.json()["number"]
    verified = httpx.get(f"{b.base}/verify/{note}", timeout=10)
    assert verified.status_code == 200 and f"Vérification {number}" in verified.text


def test_a_project_recorded_on_one_process_reaches_the_other_s_sse(platform: Platform) -> None:
    a, b = platform.servers
    number = f"SCALE/{time.time_ns()}"
    with httpx.stream("GET", f"{b.base}/api/v1/projects/events", timeout=10) as events:
        assert events.status_code == 200
        lines = events.iter_lines()
        recorded = httpx.post(f"{a.base}/api/v1/projects", json=project(number), headers=AGENT)
        assert recorded.status_code == 201, recorded.text
        start = time.monotonic()
        for line in lines:
            if line.startswith("data:") and number in line:
                break
            assert time.monotonic() - start < 2, "no event within 2 s"
    assert time.monotonic() - start < 2
    assert json.loads(line.removeprefix("data:"))["properties"]["permit_number"] == number


def test_the_nru_rate_limit_counts_across_both_processes(platform: Platform) -> None:
    a, b = platform.servers
    body = {"coordinates": coordinates(PARCEL), "plan": DEMO}
    statuses = [
        httpx.post(f"{(a, b)[i % 2].base}/api/v1/nru", json=body, timeout=60).status_code
        for i in range(NRU_LIMIT + 1)
    ]
    # each process alone saw at most NRU_LIMIT / 2 + 1: only a shared count refuses
    assert statuses == [201] * NRU_LIMIT + [429], statuses


def test_etags_answer_304_and_change_with_a_plan_reimport(platform: Platform) -> None:
    a, b = platform.servers
    paths = (TILE, "/api/v1/projects.csv", f"/api/v1/plans/{DEMO}/zones", "/ogc/collections")
    etags = {}
    for path in paths:
        first = httpx.get(a.base + path, timeout=10)
        assert first.status_code == 200 and "max-age=1" in first.headers["cache-control"]
        etags[path] = first.headers["etag"]
        again = httpx.get(b.base + path, headers={"If-None-Match": etags[path]}, timeout=10)
        assert again.status_code == 304, path
        assert again.content == b"" and again.headers["etag"] == etags[path]
    page = httpx.get(f"{a.base}/ogc/collections", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "etag" not in page.headers  # its CSP nonce is its own
    static = httpx.get(f"{a.base}/static/app/carte.js", timeout=10)
    assert "max-age" in static.headers["cache-control"] and static.headers["etag"]
    assert (
        httpx.get(
            f"{a.base}/static/app/carte.js", headers={"If-None-Match": static.headers["etag"]}
        ).status_code
        == 304
    )
    reimport(a.base)
    # the version is read on the replica with the rows: once replayed, every ETag moved
    wait_until(
        lambda: httpx.get(b.base + TILE, headers={"If-None-Match": etags[TILE]}).status_code == 200,
        "the new tile",
        5,
    )
    for path in (TILE, f"/api/v1/plans/{DEMO}/zones", "/ogc/collections"):
        fresh = httpx.get(b.base + path, headers={"If-None-Match": etags[path]}, timeout=10)
        assert fresh.status_code == 200 and fresh.headers["etag"] != etags[path], path
    unchanged = httpx.get(
        b.base + "/api/v1/projects.csv", headers={"If-None-Match": etags["/api/v1/projects.csv"]}
    )
    assert unchanged.status_code == 304  # a plan's import leaves the projects' data set alone


def reimport(base: str) -> None:
    """Replace the demo plan with its own package again (the agent's import)."""
    files = {
        "package": ("ain_demo.gpkg", Path("data/demo/ain_demo.gpkg").read_bytes()),
        "reglement": ("reglement.yaml", Path("data/demo/reglement.yaml").read_bytes()),
    }
    response = httpx.post(f"{base}/api/v1/plans", files=files, headers=AGENT, timeout=120)
    assert response.status_code == 201, response.text


# -- in front: PgBouncer (transaction mode) and nginx (deploy/nginx.conf) --------------

PGBOUNCER_PORT, NGINX_PORT = 8118, 8119


@pytest.fixture(scope="module")
def pgbouncer(platform: Platform) -> Iterator[str]:
    """PgBouncer in transaction mode on the primary; its SQLAlchemy URL."""
    var = platform.tmp / "pgbouncer"
    var.mkdir()
    (var / "users.txt").write_text('"geoportal" ""\n')
    (var / "pgbouncer.ini").write_text(
        f"""[databases]
{DATABASE} = host=127.0.0.1 port={PRIMARY_PORT} dbname={DATABASE}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {PGBOUNCER_PORT}
unix_socket_dir =
auth_type = trust
auth_file = {var}/users.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
logfile = {var}/pgbouncer.log
pidfile = {var}/pgbouncer.pid
"""
    )
    command = [*_unprivileged_prefix(var), "/usr/sbin/pgbouncer", str(var / "pgbouncer.ini")]
    process = subprocess.Popen(command)
    wait_until(lambda: port_open(PGBOUNCER_PORT), "pgbouncer")
    yield sqlalchemy_url("geoportal", "127.0.0.1", PGBOUNCER_PORT, DATABASE)
    process.terminate()
    process.wait()


def test_queries_through_pgbouncer_in_transaction_mode(platform: Platform, pgbouncer: str) -> None:
    settings = Settings(
        database_url=pgbouncer, direct_database_url=platform.primary.url(), _env_file=None
    )
    engine = make_engine(settings)
    # more runs than psycopg's prepare threshold (5), on more connections than PgBouncer's
    # pool (4): a named prepared statement would land on a server that never saw it
    for i in range(40):
        with engine.begin() as conn:
            assert conn.execute(
                text("SELECT count(*) FROM plans WHERE id > :i"), {"i": -i}
            ).scalar()
    app = create_app(settings, engine)
    body = {"coordinates": coordinates(PARCEL), "plan": DEMO}
    with TestClient(app) as client:
        for _ in range(8):
            issued = client.post("/api/v1/nru", json=body, headers=AGENT)
            assert issued.status_code == 201, issued.text
            assert (
                client.get(f"/api/v1/nru/{issued.json()['id']}", headers=AGENT).status_code == 200
            )
        assert client.get("/api/v1/plans").status_code == 200
        assert app.state.feed.listening.is_set()  # LISTEN went direct, not through PgBouncer
    engine.dispose()
    log = (platform.tmp / "pgbouncer" / "pgbouncer.log").read_text()
    assert "prepared statement" not in log


@pytest.fixture(scope="module")
def nginx(platform: Platform) -> Iterator[str]:
    """Debian's nginx with deploy/nginx.conf in front of the two processes; its base URL."""
    with nginx_up(platform.tmp / "nginx", platform.servers, NGINX_PORT) as base:
        yield base


def test_nginx_caches_tiles_and_serves_fresh_ones_after_a_reimport(nginx: str) -> None:
    first = httpx.get(nginx + TILE, timeout=10)
    assert first.status_code == 200
    second = httpx.get(nginx + TILE, timeout=10)
    assert second.headers["x-cache-status"] == "HIT" and second.content == first.content
    csv = [httpx.get(f"{nginx}/api/v1/projects.csv", timeout=10) for _ in range(2)]
    assert csv[1].headers["x-cache-status"] == "HIT"
    reimport(nginx)
    # GEOPORTAL_CACHE_MAX_AGE_S=1: the entry expires (nginx counts whole seconds, so within
    # 2 s of being stored), nginx revalidates it and gets the new tile
    answers: list[httpx.Response] = []

    def moved() -> bool:
        answers.append(httpx.get(nginx + TILE, timeout=10))
        return answers[-1].headers["etag"] != first.headers["etag"]

    wait_until(moved, "the fresh tile through nginx", 3)
    fresh = answers[-1]
    assert fresh.status_code == 200
    assert fresh.headers["x-cache-status"] in ("EXPIRED", "MISS")
    again = httpx.get(nginx + TILE, timeout=10)
    assert (
        again.headers["x-cache-status"] == "HIT" and again.headers["etag"] == fresh.headers["etag"]
    )


def test_a_lagging_replica_is_left_then_taken_back(platform: Platform) -> None:
    settings = Settings(
        database_url=platform.primary.url(),
        read_database_url=platform.replica.url(),
        max_replica_lag_s=0.5,
        _env_file=None,
    )
    primary = make_engine(settings)
    router = make_router(settings, primary, make_public_engine(settings))
    try:
        router.check()
        assert router.healthy() == [0]
        psql(platform.replica, "SELECT pg_wal_replay_pause()", DATABASE)
        with primary.begin() as conn:  # a write the paused replica will not replay
            conn.execute(text("UPDATE opendata.dataset_versions SET changed_at = now()"))
        time.sleep(0.6)
        router.check()
        assert router.healthy() == [] and router.replicas[0].lag_s > 0.5
        with router.connect() as conn:  # the read goes to the primary
            assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar() is False
        psql(platform.replica, "SELECT pg_wal_replay_resume()", DATABASE)
        wait_until(lambda: checked(router) == [0], "caught up", 5)
        with router.connect() as conn:
            assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar() is True
    finally:
        psql(platform.replica, "SELECT pg_wal_replay_resume()", DATABASE)
        router.close()
        primary.dispose()


def checked(router: ReadRouter) -> list[int]:
    """The replicas fit to serve after a fresh check."""
    router.check()
    return router.healthy()


def test_a_stopped_replica_costs_no_request_and_traffic_returns(platform: Platform) -> None:
    a, b = platform.servers
    platform.replica.stop()
    try:
        for _ in range(5):
            for server in (a, b):
                for path in READS:
                    response = httpx.get(server.base + path, timeout=10)
                    assert response.status_code == 200, (path, response.text)
    finally:
        platform.replica.start()
    wait_until(lambda: _replica_serves(platform), "reads back on the replica", 15)


def _replica_serves(platform: Platform) -> bool:
    before = xact_count(platform.replica)
    for _ in range(10):
        assert httpx.get(platform.servers[0].base + "/api/v1/plans").status_code == 200
    time.sleep(1.1)
    return xact_count(platform.replica) - before >= 10
