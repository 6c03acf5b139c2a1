"""Real instances for the scale tests: a primary and its pg_basebackup replica, PgBouncer,
nginx, Redis, and `geoportal serve` processes; all under one temporary folder.

The clusters are made with the system's PostgreSQL binaries as provisioning makes its private
cluster (geoportal.setup.provision), as the `postgres` user when we are root.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from geoportal.setup.provision import (
    _unprivileged_prefix,
    postgres_bindir,
    run,
    sqlalchemy_url,
    start_private_cluster,
    stop_private_cluster,
)

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "geoportal_scale"


def wait_until(ready: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Poll `ready` every 50 ms, failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready within {seconds} s")
        time.sleep(0.05)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts TCP connections on host:port."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


@dataclass
class Cluster:
    """A PostgreSQL cluster under `var` (pgdata, run, postgresql.log) on 127.0.0.1:`port`."""

    var: Path
    port: int
    bindir: Path = field(default_factory=lambda: _bindir())

    def url(self, database: str = DATABASE, user: str = "geoportal") -> str:
        """Its SQLAlchemy URL."""
        return sqlalchemy_url(user, "127.0.0.1", self.port, database)

    def start(self) -> None:
        """Start it (initdb first for a new primary)."""
        start_private_cluster(self.bindir, self.var, self.port)

    def stop(self) -> None:
        """Stop it in fast mode (sessions cut, as when a server goes away)."""
        stop_private_cluster(self.bindir, self.var)

    def replica(self, var: Path, port: int) -> Cluster:
        """A streaming replica of this cluster, by pg_basebackup -R, started."""
        var.mkdir(parents=True)
        as_user = _unprivileged_prefix(var)
        backup = [str(self.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port)]
        backup += ["-U", "geoportal", "-D", str(var / "pgdata"), "-R", "-X", "stream"]
        backup += ["-c", "fast"]  # a spread checkpoint would take minutes
        run([*as_user, *backup])
        replica = Cluster(var, port, self.bindir)
        replica.start()
        return replica


def _bindir() -> Path:
    bindir = postgres_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL binaries (initdb) on this machine")
    return bindir


def psql(cluster: Cluster, sql: str, database: str = "postgres") -> str:
    """One statement's result through psql (tuples only)."""
    command = [str(cluster.bindir / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port)]
    command += ["-U", "geoportal", "-d", database, "-Atc", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def xact_count(cluster: Cluster, database: str = DATABASE) -> int:
    """Committed plus rolled back transactions of `database` (pg_stat_database)."""
    # the statistics are flushed at most once a second: ask for a fresh snapshot
    sql = (
        "SELECT pg_stat_clear_snapshot(), xact_commit + xact_rollback FROM pg_stat_database "
        f"WHERE datname = '{database}'"
    )
    return int(psql(cluster, sql).split("|")[-1])


@dataclass
class Server:
    """One `geoportal serve` process."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        """Its base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """Its process id (once started)."""
        assert self.process is not None
        return self.process.pid

    def start(self) -> Server:
        """Start it and wait until it answers."""
        command = [sys.executable, "-m", "geoportal.cli", "serve", "--port", str(self.port)]
        command.append("--no-access-log")
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env={**os.environ, **self.env}, stdout=out, stderr=out
            )
        wait_until(self._answers, f"geoportal serve on {self.port}", 60)
        return self

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"serve on {self.port} exited: {self.log.read_text()[-2000:]}")
        try:
            return httpx.get(f"{self.base}/api/v1/plans", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def redis_url(tmp: Path, port: int = 6379) -> tuple[str, subprocess.Popen[bytes] | None]:
    """The Redis on 127.0.0.1:`port` when one answers, else one started there (the process)."""
    if port_open(port):
        return f"redis://127.0.0.1:{port}/7", None
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until(lambda: port_open(port), "redis-server")
    return f"redis://127.0.0.1:{port}/7", process


def redis_flush(url: str) -> None:
    """FLUSHDB on the URL's database (the counters of an earlier run)."""
    host_port, db = url.removeprefix("redis://").split("/")
    host, port = host_port.split(":")
    with socket.create_connection((host, int(port)), timeout=2) as s:
        s.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
        reply = b""
        while reply.count(b"\r\n") < 2:
            reply += s.recv(100)
        assert reply == b"+OK\r\n+OK\r\n", reply


@contextmanager
def nginx_up(var: Path, servers: Sequence[Server], port: int) -> Iterator[str]:
    """Debian's nginx with deploy/nginx.conf (its `# test:` lines rewritten) in front of
    `servers`, listening on 127.0.0.1:`port`; its base URL."""
    (var / "cache").mkdir(parents=True)
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    upstreams = "".join(f"server 127.0.0.1:{s.port};\n" for s in servers)
    replacements = {
        "pid": f"pid {var}/nginx.pid;",
        "error_log": f"error_log {var}/error.log warn;",
        "cache": f"proxy_cache_path {var}/cache levels=1:2 keys_zone=geoportal:10m;",
        "temp": f"proxy_temp_path {var}/tmp;",
        "listen": f"listen 127.0.0.1:{port};",
    }
    for key, line in replacements.items():
        conf, n = re.subn(rf"^\s*\S.*# test: {key}$", line, conf, flags=re.M)
        assert n == 1, key
    conf = re.sub(r"^\s*server api\d:8000.*# test: upstream\n", "", conf, flags=re.M)
    conf = conf.replace("keepalive 32;", upstreams + "keepalive 32;")
    (var / "nginx.conf").write_text(conf)
    command = ["/usr/sbin/nginx", "-p", str(var), "-c", str(var / "nginx.conf"), "-g", "user root;"]
    subprocess.run(command, check=True)  # daemonises
    try:
        wait_until(lambda: port_open(port), "nginx")
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([*command, "-s", "stop"], check=True)
