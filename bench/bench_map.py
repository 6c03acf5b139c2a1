"""Benchmark: the public map at scale (issue #5 targets).

A scratch database `<database>_bench_map` gets 1,000,000 authorized projects spread over the
demo commune and around it; the service (one uvicorn worker) then answers, over HTTP:
- viewport queries returning 1,000 features as GeoJSON: target ≤ 100 ms;
- vector tiles (MVT, OGC API Tiles via tipg) of the projects at zooms 14-16: target ≤ 50 ms.
Run: `.venv/bin/python -m bench.bench_map [--projects 1000000]`.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import httpx
import numpy as np
from sqlalchemy import create_engine, text

from bench.scratch import scratch_database
from bench.service import running_service
from geoportal.settings import Settings
from zoning.schema import upgrade

PORT = 8767
CENTRE = (-6.925, 33.89)
SPREAD_DEG = 0.25  # projects spread over ±0.25° around the commune: a whole prefecture

FILL_SQL = text("""
INSERT INTO projects (permit_number, permit_date, commune, kind, use, procedure, storeys,
                      height_m, floor_area_m2, status, filed_on, decided_on, footprint, location)
SELECT 'B/' || g, DATE '2020-01-01' + (g % 2000), 'Commune ' || (g % 40), 'construction',
       (ARRAY['habitation','commerce','bureaux','industrie'])[1 + g % 4],
       (ARRAY['petits_projets','grands_projets'])[1 + g % 2], g % 6, 3.5 + 3 * (g % 6),
       100 + g % 900, 'autorise', DATE '2020-01-01' + (g % 2000) - 30,
       DATE '2020-01-01' + (g % 2000),
       ST_Multi(ST_Expand(ST_Transform(pt, 26191), 8)), pt
FROM (SELECT g, ST_SetSRID(ST_MakePoint(:lon + :spread * (random() * 2 - 1),
                                        :lat + :spread * (random() * 2 - 1)), 4326) AS pt
      FROM generate_series(1, :count) g) s
""")


def fill(url: str, count: int) -> None:
    engine = create_engine(url)
    upgrade(engine, 26191)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            FILL_SQL, {"lon": CENTRE[0], "lat": CENTRE[1], "spread": SPREAD_DEG, "count": count}
        )
    with engine.begin() as conn:
        conn.execute(text("ANALYZE projects"))
    engine.dispose()
    print(f"projects stored         {count:>10,}   in {time.perf_counter() - started:.1f} s")


def viewport(side_deg: float, rng: np.random.Generator) -> str:
    lon = CENTRE[0] + rng.uniform(-0.2, 0.2)
    lat = CENTRE[1] + rng.uniform(-0.2, 0.2)
    return f"{lon - side_deg / 2},{lat - side_deg / 2},{lon + side_deg / 2},{lat + side_deg / 2}"


def tile(zoom: int, rng: np.random.Generator) -> tuple[int, int, int]:
    lon = CENTRE[0] + rng.uniform(-0.2, 0.2)
    lat = CENTRE[1] + rng.uniform(-0.2, 0.2)
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return zoom, x, y


def timed_get(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path)
    return (time.perf_counter() - started) * 1000, response


def report(name: str, times: list[float], target: float) -> None:
    p95 = statistics.quantiles(times, n=20)[18]
    print(
        f"{name:<24}median {statistics.median(times):>7.1f} ms   p95 {p95:>7.1f} ms   "
        f"target {target:.0f} ms (ratio p95 {p95 / target:.2f})"
    )


def measure(samples: int) -> None:
    rng = np.random.default_rng(5)
    # a viewport of about 1,000 projects: 1e6 over (0.5°)² → 4e6 per square degree
    side = math.sqrt(1000 / (1_000_000 / (2 * SPREAD_DEG) ** 2)) * 1.1
    with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=30) as client:
        views, counts = [], []
        for _ in range(samples):
            ms, response = timed_get(
                client, f"/api/v1/projects?limit=1000&bbox={viewport(side, rng)}"
            )
            views.append(ms)
            counts.append(response.json()["numberReturned"])
        report("viewport (GeoJSON)", views, 100)
        print(f"{'':<24}features per viewport: median {statistics.median(counts):.0f}")
        tiles = []
        for zoom in (14, 15, 16):
            for _ in range(samples // 3):
                z, x, y = tile(zoom, rng)
                ms, response = timed_get(
                    client,
                    "/ogc/collections/opendata.projets_autorises/"
                    f"tiles/WebMercatorQuad/{z}/{x}/{y}",
                )
                assert response.status_code == 200
                tiles.append(ms)
        report("vector tile (MVT)", tiles, 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=150)
    args = parser.parse_args()
    url = scratch_database(Settings().database_url, suffix="_bench_map")
    fill(url, args.projects)
    with running_service(url, PORT) as base:
        for _ in range(5):  # warm the pools
            httpx.get(f"{base}/api/v1/projects?limit=1", timeout=30)
        measure(args.samples)


if __name__ == "__main__":
    main()
