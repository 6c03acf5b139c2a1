"""Benchmark: import 100,000 zone polygons (issue #2 target: under 60 s on 2 cores).

Writes a synthetic GeoPackage, then times `check` (read + validation) and `load` (COPY into
PostGIS, one transaction) separately, on a scratch database `<database>_bench` created and
dropped here. Run: `make bench` or `.venv/bin/python -m bench.bench_import [--zones N]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench.scratch import scratch_engine
from zoning.package.load import ImportOptions, check_package, load_plan
from zoning.package.reglement import parse_reglement
from zoning.synthetic import plan_layers, reglement, write_geopackage, write_reglement

TARGET_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zones", type=int, default=100_000)
    args = parser.parse_args()
    _, engine = scratch_engine("_bench")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        package = write_geopackage(plan_layers(args.zones, cell_m=20), Path(tmp) / "big.gpkg")
        rules_text = write_reglement(reglement("PA Bench"), Path(tmp) / "reglement.yaml")
        written = time.perf_counter() - started
        options = ImportOptions(storage_srid=26191)
        started = time.perf_counter()
        checked = check_package(package, parse_reglement(rules_text), rules_text, options)
        checked_s = time.perf_counter() - started
        assert checked.report.ok, checked.report.errors
        started = time.perf_counter()
        with engine.begin() as conn:
            load_plan(conn, checked, 26191)
        loaded_s = time.perf_counter() - started
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM zones")).scalar_one()
    engine.dispose()
    total = checked_s + loaded_s
    print(f"zones imported          {stored:>10,}")
    print(f"package written         {written:>10.2f} s  (not part of the import)")
    print(f"read + validation       {checked_s:>10.2f} s")
    print(f"COPY into PostGIS       {loaded_s:>10.2f} s")
    print(
        f"import total            {total:>10.2f} s  target {TARGET_S:.0f} s, "
        f"ratio {total / TARGET_S:.2f}"
    )
    print(f"throughput              {stored / total:>10,.0f} zones/s")


if __name__ == "__main__":
    main()
