"""Benchmark: commit → browser latency of the live feed with 500 clients connected (issue #5).

Starts the service (uvicorn, 2 workers) on the demo database's scratch copy, opens 500
Server-Sent Events streams, records projects one by one (each in its own committed
transaction) and measures, for every client and event, the time from the commit returning to
the event arriving. Target: p95 ≤ 500 ms. Run: `.venv/bin/python -m bench.bench_sse`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import httpx
from shapely.geometry import box, mapping
from sqlalchemy import create_engine

from bench.scratch import scratch_engine
from bench.service import running_service
from geoportal.projects.register import ProjectRecord, record_project

PORT = 8766
SRID = 26191


async def client(
    url: str,
    received: dict[str, list[float]],
    ready: asyncio.Event,
    counter: list[int],
    clients: int,
    wanted: int,
) -> None:
    """One browser: read events, note when each permit number arrives."""
    async with httpx.AsyncClient(timeout=None) as http, http.stream("GET", url) as stream:
        counter[0] += 1
        if counter[0] == clients:
            ready.set()
        seen = 0
        async for line in stream.aiter_lines():
            if line.startswith("data:"):
                number = json.loads(line[5:])["properties"]["permit_number"]
                received.setdefault(number, []).append(time.perf_counter())
                seen += 1
                if seen == wanted:
                    return


def record(url: str, number: str) -> float:
    """Record one project in its own transaction; the time its commit returned."""
    engine = create_engine(url)
    body = ProjectRecord(
        permit_number=number,
        permit_date="2026-11-20",
        commune="Bench",
        kind="construction",
        footprint=mapping(box(358700, 366600, 358720, 366620)),
    )
    with engine.begin() as conn:
        record_project(conn, body, SRID)
    committed = time.perf_counter()
    engine.dispose()
    return committed


async def run(url: str, clients: int, events: int) -> None:
    received: dict[str, list[float]] = {}
    ready, counter = asyncio.Event(), [0]
    stream = f"http://127.0.0.1:{PORT}/api/v1/projects/events"
    tasks = [
        asyncio.create_task(client(stream, received, ready, counter, clients, events))
        for _ in range(clients)
    ]
    await asyncio.wait_for(ready.wait(), timeout=120)
    await asyncio.sleep(1.0)
    commits = {}
    for i in range(events):
        number = f"BENCH/{i:04d}"
        commits[number] = await asyncio.to_thread(record, url, number)
        await asyncio.sleep(0.3)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
    latencies = [(t - commits[n]) * 1000 for n, times in received.items() for t in times]
    p95 = statistics.quantiles(latencies, n=20)[18]
    print(f"clients connected       {clients:>8}")
    print(f"events × clients        {len(latencies):>8} (expected {clients * events})")
    print(
        f"commit → client         median {statistics.median(latencies):.1f} ms, "
        f"p95 {p95:.1f} ms, max {max(latencies):.1f} ms   target p95 ≤ 500 ms "
        f"(ratio {p95 / 500:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()
    url, engine = scratch_engine("_bench_sse", demo=True)
    engine.dispose()
    with running_service(url, PORT, workers=2):
        asyncio.run(run(url, args.clients, args.events))


if __name__ == "__main__":
    main()
