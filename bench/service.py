"""The web service started for a benchmark: uvicorn in a subprocess on a scratch database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


@contextmanager
def running_service(
    database_url: str, port: int, workers: int = 1, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve the app on 127.0.0.1:`port` until the block ends; yield its base URL.

    `settings`: GEOPORTAL_* variables of this run's own (e.g. a lifted rate limit).
    """
    env = {**os.environ, "GEOPORTAL_DATABASE_URL": database_url, **(settings or {})}
    command = [
        sys.executable,
        "-m",
        "geoportal.cli",
        "serve",
        "--workers",
        str(workers),
        "--port",
        str(port),
        "--no-access-log",
    ]
    # a session of its own: its workers can be killed with it if it does not stop
    server = subprocess.Popen(command, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/api/v1/plans")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            print("the service did not stop within 20 s of SIGTERM: killed")
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_http(url: str, seconds: float = 30) -> None:
    """Until `url` answers 200, or fail."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def descendants_cpu_seconds() -> float:
    """CPU seconds (user + system) used so far by the live processes this one started, and
    theirs: the service and its workers (from /proc; clock ticks of the kernel)."""
    parents, used = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = proc_stat(entry)
        if fields is None:
            continue  # gone meanwhile
        parents[int(entry)] = int(fields[1])
        used[int(entry)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return sum(seconds for pid, seconds in used.items() if _descends(pid, parents))


def proc_stat(pid: str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command's name, or None once it has ended."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _descends(pid: int, parents: dict[int, int]) -> bool:
    ancestor = parents.get(pid, 0)
    while ancestor > 1:
        if ancestor == os.getpid():
            return True
        ancestor = parents.get(ancestor, 0)
    return False
