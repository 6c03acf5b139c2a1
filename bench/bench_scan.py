"""Benchmark: scanned coordinate tables read by OCR (issue 17), for each engine tried.

Generates N scans of 20-row Lambert tables (zoning.intake.synthetic_scan: a real font, rotation
1-3°, perspective, blur, speckle, JPEG 35-60), spread over three levels of degradation (léger,
moyen, fort), reads each through the whole pipeline (straightening, OCR, table, review flags,
the intake's diagnostics) and prints, per engine and level: the bornes recovered exactly out of
the total, the wrong points and how many of them were flagged (all must be), the correct points
flagged (at most 20 %), p50/p95 of the time per scan, the first load of the models and the peak
RSS of the process. Each engine runs in its own process, so its memory is its own.
Targets: p95 ≤ 3 s per one-page scan on 2 cores; ≤ 500 MB per process.
Run: `.venv/bin/python -m bench.bench_scan [--scans 50] [--engines rapidocr,tesseract]
[--first-seed 1000]`.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

from zoning.intake.diagnostics import ParcelInputError
from zoning.intake.scan import read_scan, review_parcel
from zoning.intake.scan_ocr import engine
from zoning.intake.synthetic_scan import LEVELS, make_scan

P95_TARGET_S = 3.0
RSS_TARGET_MB = 500


def measure(engine_name: str, scans: int, first_seed: int = 1000) -> dict[str, Any]:
    """Read `scans` generated scans (seeds from `first_seed`) with one engine, in this process."""
    started = time.perf_counter()
    engine(engine_name)
    load_s = time.perf_counter() - started
    levels = list(LEVELS)
    figures: dict[str, Any] = {
        level: {"total": 0, "exact": 0, "wrong": 0, "wrong_flagged": 0, "right_flagged": 0}
        for level in levels
    }
    times: list[float] = []
    cpu: list[float] = []
    for index in range(scans):
        level = levels[index % len(levels)]
        scan = make_scan(first_seed + index, level)
        truth = {(n, round(x, 2), round(y, 2)) for n, x, y in scan.points}
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            result = review_parcel(
                read_scan(scan.data, filename="releve.jpg", engine_name=engine_name), srid=26191
            )
            points = result.reading.points
        except ParcelInputError:
            points = ()  # no table found: nothing read, nothing wrong
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        counts = figures[level]
        counts["total"] += len(truth)
        for point in points:
            if (point.borne, round(point.x, 2), round(point.y, 2)) in truth:
                counts["exact"] += 1
                counts["right_flagged"] += point.uncertain
            else:
                counts["wrong"] += 1
                counts["wrong_flagged"] += point.uncertain
    ordered = sorted(times)
    return {
        "engine": engine_name,
        "levels": figures,
        "p50_s": statistics.median(ordered),
        "p95_s": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "cpu_p50_s": statistics.median(cpu),
        "load_s": load_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def report(result: dict[str, Any]) -> None:
    """One engine's table."""
    name = result["engine"]
    print(f"\n{name}: models loaded in {result['load_s']:.2f} s")
    print(f"{'level':8} {'exact':>10} {'wrong':>6} {'flagged':>8} {'right flagged':>14}")
    all_counts = {"total": 0, "exact": 0, "wrong": 0, "wrong_flagged": 0, "right_flagged": 0}
    for level, counts in result["levels"].items():
        for key in all_counts:
            all_counts[key] += counts[key]
        _row(level, counts)
    _row("total", all_counts)
    print(
        f"time per scan p50 {result['p50_s']:.2f} s, p95 {result['p95_s']:.2f} s "
        f"(CPU p50 {result.get('cpu_p50_s', 0):.2f} s over the 2 cores) "
        f"(target ≤ {P95_TARGET_S} s: ratio {result['p95_s'] / P95_TARGET_S:.2f}); "
        f"peak RSS {result['peak_rss_mb']:.0f} MB (target ≤ {RSS_TARGET_MB} MB: ratio "
        f"{result['peak_rss_mb'] / RSS_TARGET_MB:.2f})"
    )


def _row(level: str, counts: dict[str, int]) -> None:
    share = counts["right_flagged"] / counts["exact"] if counts["exact"] else 0.0
    print(
        f"{level:8} {counts['exact']:>4}/{counts['total']:<5} {counts['wrong']:>6} "
        f"{counts['wrong_flagged']:>8} {counts['right_flagged']:>7} ({share:.0%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scans", type=int, default=50)
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--first-seed", type=int, default=1000, help="other scans, same levels")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.scans, args.first_seed)))
        return
    print(f"{args.scans} generated scans of 20 bornes, levels {', '.join(LEVELS)} in turn")
    for name in args.engines.split(","):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.bench_scan",
                "--child",
                name,
                "--scans",
                str(args.scans),
                "--first-seed",
                str(args.first_seed),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        report(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
