"""Benchmark: notes de renseignements urbanistiques on a large store (issue #3 targets).

Builds, in a scratch database `<database>_bench_nru`, a plan of 200,000 zone polygons, 50,000
servitudes and 20,000 roads, then measures on random parcels:
- the bare PostGIS intersection of a parcel with zones, servitudes and roads (the floor);
- a whole NRU as JSON (coordinates read and checked, overlay, number, storage, JSON):
  targets median ≤ 30 ms, p95 ≤ 60 ms, ratio to the floor ≤ 3;
- an NRU with its PDF: target p95 ≤ 1.5 s;
- NRU/s over HTTP with two uvicorn workers: target ≥ 100/s.
Run: `.venv/bin/python -m bench.bench_nru [--zones 200000] [--seconds 10]`.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import numpy as np
import shapely
from sqlalchemy import Engine, text

from bench.scratch import scratch_engine
from bench.service import running_service
from geoportal.nru.document import nru_pdf
from geoportal.nru.issue import NruRequest, issue_nru
from geoportal.settings import Settings
from zoning.package.load import ImportOptions, check_package, load_plan
from zoning.package.reglement import parse_reglement
from zoning.synthetic import grid_zones, reglement, write_geopackage, write_reglement

SRID = 26191
CELL_M = 20.0
FLOOR_SQL = text("""
WITH parcel AS (SELECT ST_GeomFromEWKB(:parcel) AS g)
SELECT (SELECT array_agg(ST_Area(ST_Intersection(z.geom, g))) FROM zones z, parcel
        WHERE ST_Intersects(z.geom, g)),
       (SELECT array_agg(ST_Area(ST_Intersection(s.geom, g))) FROM servitudes s, parcel
        WHERE ST_Intersects(s.geom, g)),
       (SELECT array_agg(ST_Area(ST_Intersection(r.geom, g))) FROM roads r, parcel
        WHERE ST_Intersects(r.geom, g))
""")


def build_store(engine: Engine, zones: int, servitudes: int, roads: int) -> tuple[float, ...]:
    """Import the synthetic plan; return its extent."""
    rng = np.random.default_rng(7)
    zone_frame = grid_zones(zones, CELL_M).set_crs(SRID)
    minx, miny, maxx, maxy = zone_frame.total_bounds
    layers = {
        "zones": zone_frame,
        "servitudes": _servitudes(rng, servitudes, (minx, miny, maxx, maxy)),
        "roads": _roads(rng, roads, (minx, miny, maxx, maxy)),
    }
    with tempfile.TemporaryDirectory() as tmp:
        package = write_geopackage(layers, Path(tmp) / "store.gpkg")
        rules = write_reglement(reglement("PA Bench NRU"), Path(tmp) / "reglement.yaml")
        started = time.perf_counter()
        checked = check_package(package, parse_reglement(rules), rules, ImportOptions())
        assert not checked.report.errors, checked.report.errors[:3]
        with engine.begin() as conn:
            load_plan(conn, checked, SRID)
        print(
            f"store imported          {time.perf_counter() - started:>9.1f} s  "
            f"({zones:,} zones, {servitudes:,} servitudes, {roads:,} roads)"
        )
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return float(minx), float(miny), float(maxx), float(maxy)


def _servitudes(rng: np.random.Generator, count: int, bounds: tuple[float, ...]) -> Any:
    """Short power-line corridors (lines with buffer_m) and small protection discs (points)."""
    minx, miny, maxx, maxy = bounds
    x = rng.uniform(minx + 50, maxx - 50, count)
    y = rng.uniform(miny + 50, maxy - 50, count)
    angle = rng.uniform(0, math.pi, count)
    lines = shapely.linestrings(
        np.stack(
            [np.stack([x, x + 40 * np.cos(angle)], 1), np.stack([y, y + 40 * np.sin(angle)], 1)], 2
        )
    )
    kinds = np.where(np.arange(count) % 2 == 0, "ligne_ht", "non_aedificandi")
    return gpd.GeoDataFrame(
        {"kind": kinds, "label": "Servitude", "buffer_m": 5.0}, geometry=lines, crs=SRID
    )


def _roads(rng: np.random.Generator, count: int, bounds: tuple[float, ...]) -> Any:
    minx, miny, maxx, maxy = bounds
    x = rng.uniform(minx + 100, maxx - 100, count)
    y = rng.uniform(miny + 100, maxy - 100, count)
    horizontal = rng.random(count) < 0.5
    dx, dy = np.where(horizontal, 80.0, 0.0), np.where(horizontal, 0.0, 80.0)
    lines = shapely.linestrings(np.stack([np.stack([x, x + dx], 1), np.stack([y, y + dy], 1)], 2))
    return gpd.GeoDataFrame(
        {
            "ref": [f"V{i}" for i in range(count)],
            "width_m": rng.choice([12.0, 15.0, 20.0, 30.0], count),
        },
        geometry=lines,
        crs=SRID,
    )


def parcels(bounds: tuple[float, ...], count: int) -> list[Any]:
    """Parcels of 20 to 60 m sides, spread over the store."""
    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = bounds
    x = rng.uniform(minx + 100, maxx - 200, count)
    y = rng.uniform(miny + 100, maxy - 200, count)
    w, h = rng.uniform(20, 60, count), rng.uniform(20, 60, count)
    return list(shapely.box(x, y, x + w, y + h))


def coordinates(parcel: Any) -> str:
    rows = [
        f"B{i};{x:.2f};{y:.2f}".replace(".", ",")
        for i, (x, y) in enumerate(list(parcel.exterior.coords)[:-1], 1)
    ]
    return "Borne;X;Y\n" + "\n".join(rows) + "\n"


def timed(function: Any, items: list[Any]) -> list[float]:
    """Milliseconds per call."""
    times = []
    for item in items:
        started = time.perf_counter()
        function(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(name: str, times: list[float]) -> tuple[float, float]:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[18]
    print(f"{name:<24}median {median:>8.1f} ms   p95 {p95:>8.1f} ms   (n={len(times)})")
    return median, p95


def measure_in_process(engine: Engine, settings: Settings, samples: list[Any]) -> None:
    with engine.connect() as conn:

        def floor(parcel: Any) -> None:
            wkb = shapely.to_wkb(shapely.set_srid(parcel, SRID), include_srid=True)
            conn.execute(FLOOR_SQL, {"parcel": wkb}).one()

        floor_times = timed(floor, samples)
    ids: list[str] = []

    def one_nru(parcel: Any) -> None:
        with engine.begin() as conn:
            note = issue_nru(conn, NruRequest(coordinates=coordinates(parcel)), storage_srid=SRID)
            note.model_dump_json()
            ids.append(note.id)

    nru_times = timed(one_nru, samples)
    floor_median, floor_p95 = summary("PostGIS floor", floor_times)
    median, p95 = summary("NRU as JSON", nru_times)
    print(
        f"{'':<24}targets median ≤ 30 ms, p95 ≤ 60 ms; ratio to the floor "
        f"median {median / floor_median:.2f}, p95 {p95 / floor_p95:.2f} (target ≤ 3)"
    )

    def nru_with_pdf(parcel: Any) -> None:
        with engine.begin() as conn:
            note = issue_nru(conn, NruRequest(coordinates=coordinates(parcel)), storage_srid=SRID)
            nru_pdf(conn, note, settings)

    _, pdf_p95 = summary("NRU with its PDF", timed(nru_with_pdf, samples[:40]))
    print(f"{'':<24}target p95 ≤ 1,500 ms (ratio {pdf_p95 / 1500:.2f})")


def measure_http(url: str, samples: list[Any], seconds: float) -> None:
    """NRU/s over HTTP with two uvicorn workers, 8 concurrent clients, for `seconds`.

    The per-client rate limit is lifted for this run: it measures how fast the service issues,
    not what one client may ask (bench_load keeps the limit, with a client per account).
    """
    lifted = {"GEOPORTAL_NRU_RATE_LIMIT": "1000000/minute"}
    with running_service(url, 8765, workers=2, settings=lifted):
        deadline = time.monotonic() + seconds
        bodies = [{"coordinates": coordinates(p)} for p in samples]

        def client_loop(worker: int) -> int:
            done = 0
            with httpx.Client(base_url="http://127.0.0.1:8765", timeout=10) as client:
                while time.monotonic() < deadline:
                    response = client.post(
                        "/api/v1/nru", json=bodies[(done * 8 + worker) % len(bodies)]
                    )
                    assert response.status_code == 201, response.text
                    done += 1
            return done

        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            total = sum(pool.map(client_loop, range(8)))
        elapsed = time.perf_counter() - started
        print(
            f"{'NRU over HTTP':<24}{total / elapsed:>8.1f} NRU/s with 2 workers, 8 clients "
            f"({total} in {elapsed:.1f} s; target ≥ 100/s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zones", type=int, default=200_000)
    parser.add_argument("--servitudes", type=int, default=50_000)
    parser.add_argument("--roads", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    url, engine = scratch_engine("_bench_nru")
    bounds = build_store(engine, args.zones, args.servitudes, args.roads)
    samples = parcels(bounds, args.samples)
    settings = Settings(database_url=url)
    measure_in_process(engine, settings, samples)
    engine.dispose()
    measure_http(url, samples, args.seconds)


if __name__ == "__main__":
    main()
