"""Benchmark: batch checks of many parcels and projects (issue #4 target: ≥ 1,000 parcels/s).

Loads the demo commune into a scratch database `<database>_bench_batch`, writes N parcels with
projects (random sizes, uses and heights) inside its zones to a GeoPackage, then runs the same
steps as `geoportal batch`: read the file, the set-based PostGIS query, the rules in two worker
processes, the results file. For comparison, an open-source zoning checker reports 421 parcels
in 5.3 s (79 parcels/s). Run: `.venv/bin/python -m bench.bench_batch [--parcels 20000]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from bench.scratch import scratch_engine
from geoportal.projects.batch import read_batch, run_batch, spatial_cases, summary, write_results

SRID = 26191
REFERENCE_PER_S = 421 / 5.3
TARGET_PER_S = 1000.0


def parcels_file(count: int, folder: Path) -> Path:
    """Random parcels of 12 to 40 m sides inside the demo's zones, with a project each."""
    rng = np.random.default_rng(3)
    zones = gpd.read_file("data/demo/ain_demo.gpkg", layer="zones")
    points = zones.sample_points(size=max(1, count // len(zones) + 1), rng=rng).explode()
    points = points.sample(count, replace=True, random_state=3).to_numpy()
    x, y = shapely.get_x(points), shapely.get_y(points)
    w, h = rng.uniform(12, 40, count), rng.uniform(12, 40, count)
    storeys = rng.integers(0, 6, count)
    frame = gpd.GeoDataFrame(
        {
            "parcel_ref": [f"P{i:06d}" for i in range(count)],
            "kind": "construction",
            "use": rng.choice(["habitation", "commerce", "bureaux", "industrie"], count),
            "owner": "prive",
            "storeys": storeys,
            "height_m": storeys * 3.0 + 3.5,
            "floor_area_m2": (w * h * 0.5 * (storeys + 1)).round(1),
            "footprint_area_m2": (w * h * 0.5).round(1),
        },
        geometry=shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2),
        crs=SRID,
    )
    path = folder / "parcelles.gpkg"
    frame.to_file(path, engine="pyogrio")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    _, engine = scratch_engine("_bench_batch", demo=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = parcels_file(args.parcels, Path(tmp))
        started = time.perf_counter()
        frame = read_batch(source, None, SRID)
        read_s = time.perf_counter() - started
        with engine.begin() as conn:
            cases = spatial_cases(conn, frame, SRID)
        spatial_s = time.perf_counter() - started - read_s
        results = run_batch(cases, args.workers, lambda done, total: None)
        rules_s = time.perf_counter() - started - read_s - spatial_s
        write_results(frame, results, Path(tmp) / "resultats.csv")
        total = time.perf_counter() - started
    engine.dispose()
    rate = len(results) / total
    print(f"parcels checked         {len(results):>10,}   {summary(results)}")
    print(f"read file               {read_s:>10.2f} s")
    print(f"PostGIS (one query)     {spatial_s:>10.2f} s")
    print(f"rules ({args.workers} workers)       {rules_s:>10.2f} s")
    print(f"total                   {total:>10.2f} s")
    print(
        f"throughput              {rate:>10,.0f} parcels/s   target {TARGET_PER_S:,.0f}/s "
        f"(ratio {rate / TARGET_PER_S:.2f}); reference checker {REFERENCE_PER_S:.0f}/s "
        f"(× {rate / REFERENCE_PER_S:.0f})"
    )


if __name__ == "__main__":
    main()
