"""The web service started for a benchmark: uvicorn in a subprocess on a scratch database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


@contextmanager
def running_service(database_url: str, port: int, workers: int = 1) -> Iterator[str]:
    """Serve the app on 127.0.0.1:`port` until the block ends; yield its base URL."""
    env = {**os.environ, "GEOPORTAL_DATABASE_URL": database_url}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--workers",
        str(workers),
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--limit-concurrency",
        "2000",
    ]
    server = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/api/v1/plans")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


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
