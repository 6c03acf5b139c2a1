"""CPU per public read, by kind, in process (no network, no load generator beside it).

    .venv/bin/python -m bench.profile_reads [--requests 50]

Serves each read of bench_scale's mixed load (plan list, zones, projects GeoJSON and CSV,
a tile) `--requests` times on the configured database through httpx's ASGI transport, and
prints the process's CPU (every thread: the sync routes run in worker threads) per request,
first as a full answer, then as a 304 revalidation with its ETag.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx

from api.app import create_app
from bench.bench_scale import paths
from geoportal.settings import Settings


async def measure(requests: int) -> list[tuple[str, float, float]]:
    """(path, CPU ms of a full answer, CPU ms of a 304) for each kind of read."""
    app = create_app(Settings())
    rows = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for path in paths()[:5]:
                first = await client.get(path)
                assert first.status_code == 200, path
                etag = {"If-None-Match": first.headers["etag"]}
                full = await _cpu(client, path, {}, 200, requests)
                revalidated = await _cpu(client, path, etag, 304, requests)
                rows.append((path, full, revalidated))
    return rows


async def _cpu(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], status: int, n: int
) -> float:
    start = time.process_time()
    for _ in range(n):
        assert (await client.get(path, headers=headers)).status_code == status
    return (time.process_time() - start) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    print(f"{'read':<64} {'200 (ms CPU)':>12} {'304 (ms CPU)':>12}")
    for path, full, revalidated in asyncio.run(measure(args.requests)):
        print(f"{path:<64} {full:12.2f} {revalidated:12.2f}")


if __name__ == "__main__":
    main()
