"""One process on the primary vs two processes + a streaming replica + nginx's cache.

The same mixed public read load (plan list, plan zones, projects GeoJSON and CSV, vector
tiles around the demo commune) for DURATION_S at CONCURRENCY, first against one
`geoportal serve` on the primary alone, then through nginx (deploy/nginx.conf) in front of
two processes reading on the replica. Prints req/s, p50/p95, the share of transactions each
instance served (pg_stat_database), nginx's cache hit ratio, and the CPU each part used.

    .venv/bin/python -m bench.bench_scale [--duration 10] [--concurrency 16]

Real instances built as tests/scale does (a temporary primary + pg_basebackup replica).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.scale.conftest import SERVER_PORTS, platform_up, scaled_env
from tests.scale.instances import Server, nginx_up, xact_count

NGINX_PORT = 8119
DEMO = "PA Ain Demo"


def paths() -> list[str]:
    """The mixed read load: 4 data reads and 9 tiles of the demo commune at zoom 15."""
    import math

    n = 2**15
    x0 = int((-6.925 + 180) / 360 * n)
    y0 = int((1 - math.asinh(math.tan(math.radians(33.89))) / math.pi) / 2 * n)
    tiles = [
        f"/ogc/collections/opendata.zones/tiles/WebMercatorQuad/15/{x0 + dx}/{y0 + dy}"
        for dx in (-1, 0, 1)
        for dy in (-1, 0, 1)
    ]
    return [
        "/api/v1/plans",
        f"/api/v1/plans/{DEMO}/zones",
        "/api/v1/projects",
        "/api/v1/projects.csv",
        *tiles,
    ]


@dataclass
class Run:
    """What one load run measured."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    cache: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def line(self, name: str) -> str:
        """req/s, p50, p95 and the errors."""
        ordered = sorted(self.latencies)
        p95 = ordered[int(len(ordered) * 0.95)] * 1000
        rate = len(ordered) / self.seconds
        bad = sum(c for s, c in self.statuses.items() if s >= 400)
        return (
            f"{name:<34} {rate:8.0f} req/s  p50 {statistics.median(ordered) * 1000:6.1f} ms"
            f"  p95 {p95:6.1f} ms  errors {bad}"
        )


async def load(base: str, duration: float, concurrency: int) -> Run:
    """`concurrency` clients reading `paths()` in turn for `duration` seconds."""
    run, targets = Run(), paths()
    deadline = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker(offset: int) -> None:
            i = offset
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(targets[i % len(targets)])
                run.latencies.append(time.perf_counter() - start)
                run.statuses[response.status_code] += 1
                run.cache[response.headers.get("x-cache-status", "-")] += 1
                i += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        run.seconds = time.perf_counter() - start
    return run


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with platform_up(servers=False) as up:
        alone = {k: v for k, v in scaled_env(up.primary, up.replica, up.redis).items()}
        alone.pop("GEOPORTAL_READ_DATABASE_URL")
        alone["GEOPORTAL_NRU_RATE_LIMIT"] = "100000/minute"
        one = Server(SERVER_PORTS[0], alone, up.tmp / "one.log").start()
        asyncio.run(load(one.base, 2, args.concurrency))  # warm-up
        before = xact_count(up.primary), xact_count(up.replica), cpu_s(one.pid)
        single = asyncio.run(load(one.base, args.duration, args.concurrency))
        time.sleep(1.1)
        single_tx = xact_count(up.primary) - before[0], xact_count(up.replica) - before[1]
        single_cpu = cpu_s(one.pid) - before[2]
        one.stop()

        env = {**scaled_env(up.primary, up.replica, up.redis), "GEOPORTAL_CACHE_MAX_AGE_S": "5"}
        env["GEOPORTAL_NRU_RATE_LIMIT"] = "100000/minute"
        two = [Server(p, env, up.tmp / f"two-{p}.log").start() for p in SERVER_PORTS]
        with nginx_up(up.tmp / "nginx", two, NGINX_PORT) as base:
            asyncio.run(load(base, 2, args.concurrency))
            tx0 = xact_count(up.primary), xact_count(up.replica)
            cpu0 = [cpu_s(s.pid) for s in two]
            scaled = asyncio.run(load(base, args.duration, args.concurrency))
            time.sleep(1.1)
            scaled_tx = xact_count(up.primary) - tx0[0], xact_count(up.replica) - tx0[1]
            scaled_cpu = sum(cpu_s(s.pid) for s in two) - sum(cpu0)
            # the same load past the cache, to see what the replica takes
            direct = asyncio.run(load(two[0].base, args.duration, args.concurrency))
        for s in two:
            s.stop()

    hits = scaled.cache["HIT"] + scaled.cache["REVALIDATED"]
    print(f"mixed public reads, {args.concurrency} clients, {args.duration:.0f} s, 2 cores shared")
    print(single.line("1 process, primary only"))
    print(scaled.line("2 processes + replica + nginx"))
    print(direct.line("1 of the 2 processes, no cache"))
    ratio = (len(scaled.latencies) / scaled.seconds) / (len(single.latencies) / single.seconds)
    print(f"ratio (scaled / single): {ratio:.2f}×")
    share = scaled_tx[1] / max(1, sum(scaled_tx))
    print(
        f"transactions: single primary {single_tx[0]} (replica {single_tx[1]}); scaled primary "
        f"{scaled_tx[0]}, replica {scaled_tx[1]}: replica share {share:.0%}"
    )
    hit_ratio = hits / max(1, sum(scaled.cache.values()))
    print(f"nginx cache hit ratio: {hit_ratio:.1%} {dict(scaled.cache)}")
    print(
        f"API CPU per request: single {single_cpu / len(single.latencies) * 1000:.2f} ms, "
        f"scaled {scaled_cpu / len(scaled.latencies) * 1000:.2f} ms (behind the cache)"
    )


if __name__ == "__main__":
    main()
