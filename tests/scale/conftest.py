"""One primary, its streaming replica and two `geoportal serve` processes per test session."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from geoportal.db import migrate
from geoportal.settings import Settings
from geoportal.setup.demo import load_demo, load_demo_projects
from tests.accounts import create_test_accounts
from tests.scale.instances import (
    DATABASE,
    Cluster,
    Server,
    psql,
    redis_flush,
    redis_url,
    wait_until,
)

PRIMARY_PORT, REPLICA_PORT = 8116, 8117  # PgBouncer 8118, nginx 8119 (test_scale.py)
REDIS_PORT = 6379  # the machine's Redis, else one the session starts there
SERVER_PORTS = (8105, 8115)
NRU_LIMIT = 6  # per minute and client, counted in Redis across both processes


@dataclass
class Platform:
    """The instances: two clusters, two processes, the Redis URL, the work folder."""

    tmp: Path
    primary: Cluster
    replica: Cluster
    servers: tuple[Server, Server]
    redis: str


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Real instances: `db` (make test runs them) and `scale`."""
    for item in items:
        if "tests/scale/test_scale.py" in item.nodeid:
            item.add_marker(pytest.mark.db)
            item.add_marker(pytest.mark.scale)


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    """Primary with the demo commune, a pg_basebackup replica, two processes on both."""
    with platform_up() as up:
        yield up


@contextmanager
def platform_up(servers: bool = True) -> Iterator[Platform]:
    """The instances, torn down on exit (their logs kept in /tmp/geoportal-scale-logs)."""
    tmp = Path(tempfile.mkdtemp(prefix="geoportal-scale-"))
    tmp.chmod(0o755)  # the clusters run as `postgres` when we are root
    primary = Cluster(tmp / "primary", PRIMARY_PORT)
    primary.start()
    started: list[Server] = []
    replica = None
    redis_process = None
    try:
        psql(primary, f"CREATE DATABASE {DATABASE}")
        psql(primary, "CREATE EXTENSION postgis", DATABASE)
        settings = Settings(database_url=primary.url(), _env_file=None)
        engine = create_engine(primary.url())
        migrate(engine, settings)
        load_demo(engine, Path("data"), settings.storage_srid)
        load_demo_projects(engine, Path("data"), settings.storage_srid)
        with engine.begin() as conn:
            create_test_accounts(conn)
        engine.dispose()
        replica = primary.replica(tmp / "replica", REPLICA_PORT)
        wait_until(
            lambda: psql(replica, "SELECT count(*) FROM plans", DATABASE) == "1",
            "the replica's copy",
        )
        redis, redis_process = redis_url(tmp, REDIS_PORT)
        redis_flush(redis)
        for port in SERVER_PORTS if servers else ():
            started.append(
                Server(port, scaled_env(primary, replica, redis), tmp / f"serve-{port}.log").start()
            )
        yield Platform(tmp, primary, replica, (started[0], started[1]) if started else (), redis)  # type: ignore[arg-type]
    finally:
        for server in started:
            server.stop()
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait()
        for cluster in (replica, primary):
            if cluster is not None and (cluster.var / "pgdata" / "postmaster.pid").exists():
                cluster.stop()
        logs = Path(tempfile.gettempdir()) / "geoportal-scale-logs"  # kept for a failure's why
        logs.mkdir(exist_ok=True)
        for log in tmp.glob("*.log"):
            shutil.copy(log, logs / log.name)
        shutil.rmtree(tmp, ignore_errors=True)


def scaled_env(primary: Cluster, replica: Cluster, redis: str) -> dict[str, str]:
    """The environment of a process on the primary, its replica and Redis."""
    return {
        "GEOPORTAL_DATABASE_URL": primary.url(),
        "GEOPORTAL_READ_DATABASE_URL": replica.url(),
        "GEOPORTAL_MAX_REPLICA_LAG_S": "5",
        "GEOPORTAL_RATE_LIMIT_STORAGE": redis,
        "GEOPORTAL_NRU_RATE_LIMIT": f"{NRU_LIMIT}/minute",
        "GEOPORTAL_CACHE_MAX_AGE_S": "1",
    }
