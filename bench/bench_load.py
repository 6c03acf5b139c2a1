"""Benchmark: the whole service under a realistic load (issue target: 100 requests/s for 5 minutes,
no error, p50 and p95 reported).

A scratch database `<database>_bench_load` gets the demo commune (plan and its 240 authorized
projects) and petitioner accounts; the service runs with two uvicorn workers; locust
(`bench/load_scenario.py`, headless) then mixes the public map, open data, indicators, NRU
issuance by signed-in petitioners and project checks at the target rate, within the service's
own rate limits. Printed: requests, achieved rate, failures, p50/p95/p99/max overall and per
request, with their ratio to the targets (100 requests/s, no failure, p95 ≤ 500 ms); where the
CPU went (service, PostgreSQL, locust, the rest of the machine: cores and ms per request) and the
load average, then one JSON line. Exits non-zero on a failure or below 95 % of the target rate.

Users: 2 per request/s by default (each runs a task every 2 s); each petitioner user has its own
account, created here with a token (as POST /api/v1/token would give), and keeps within the NRU
rate limit the service is configured with (default 30/minute per client); it is never raised.
Run: `.venv/bin/python -m bench.bench_load [--seconds 300] [--rps 100] [--users N]`.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import numpy as np
import shapely
from limits import parse
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import Polygon, box, mapping
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from bench.scratch import drop_database, scratch_database
from bench.service import proc_stat, running_service
from checks.zone_rules import ZoneRules
from geoportal.accounts import NewAccount, create_account, issue_token
from geoportal.settings import Settings
from geoportal.setup.demo import DEMO_PACKAGE, DEMO_RULES, load_demo, load_demo_projects
from zoning.package.reglement import parse_reglement
from zoning.schema import upgrade

PORT = 8768
SRID = 26191
TARGET_P95_MS = 500.0
MIN_RATE_SHARE = 0.95
RAMP_S = 10.0
LOCUSTFILE = Path(__file__).with_name("load_scenario.py")
USER_RPS = 0.5  # tasks a second per locust user, by default: target rate / USER_RPS users
#: read by bench/load_scenario.py (not imported here: importing locust monkey-patches gevent)
SCENARIO_ENV = "LOAD_SCENARIO_FILE"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def create_petitioners(engine: Engine, count: int) -> list[dict[str, str]]:
    """`count` petitioner accounts, each with a bearer token (what POST /api/v1/token gives)."""
    accounts = []
    with engine.begin() as conn:
        for i in range(count):
            login = f"load.petitioner.{i:04d}"
            user_id = create_account(
                conn,
                NewAccount(
                    login=login,
                    role="petitioner",
                    full_name=f"Pétitionnaire {i:04d}",
                    address=f"{1 + i % 90} avenue Mohammed V, Témara",
                ),
            )
            token = issue_token(conn, user_id, hours=24, label="bench_load")
            accounts.append({"login": login, "token": token})
    return accounts


def demo_parcels(data_dir: Path, count: int, seed: int = 17) -> list[dict[str, Any]]:
    """Parcels of 12 to 60 m sides, turned and slightly irregular, wholly inside the demo plan,
    each with a project sized for the zone holding most of it (some over its limits)."""
    zones = gpd.read_file(data_dir / DEMO_PACKAGE, layer="zones")
    rules = parse_reglement((data_dir / DEMO_RULES).read_text(encoding="utf-8")).zones
    inside = shapely.union_all(zones.geometry.values).buffer(-2.0)
    shapely.prepare(inside)
    rng = np.random.default_rng(seed)
    weights = np.sqrt(zones.geometry.area.to_numpy())
    weights /= weights.sum()
    parcels: list[dict[str, Any]] = []
    while len(parcels) < count:
        row = int(rng.choice(len(zones), p=weights))
        parcel = _random_parcel(rng, zones.geometry.iloc[row])
        if parcel is None or not parcel.is_valid or not inside.contains(parcel):
            continue
        overlaps = zones.geometry.intersection(parcel).area
        code = str(zones["code"].iloc[int(overlaps.to_numpy().argmax())])
        parcels.append(_parcel_entry(rng, parcel, code, rules[code], len(parcels)))
    return parcels


def _random_parcel(rng: np.random.Generator, zone: Any) -> Polygon | None:
    minx, miny, maxx, maxy = zone.bounds
    for _ in range(50):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if zone.contains(shapely.Point(x, y)):
            break
    else:
        return None
    width, depth = rng.uniform(12, 45), rng.uniform(15, 60)
    corners = np.array(box(-width / 2, -depth / 2, width / 2, depth / 2).exterior.coords[:-1])
    corners += rng.uniform(-0.6, 0.6, corners.shape)  # surveyed, never a perfect rectangle
    turned = affinity.rotate(Polygon(corners), rng.uniform(0, 180), origin=(0, 0))
    result: Polygon = affinity.translate(turned, x, y)
    return result


def _parcel_entry(
    rng: np.random.Generator, parcel: Polygon, code: str, rules: ZoneRules, index: int
) -> dict[str, Any]:
    """The parcel as a petitioner uploads it (one of four formats) and a project on it."""
    points = [(round(x, 2), round(y, 2)) for x, y in parcel.exterior.coords[:-1]]
    style = index % 4
    if style == 0:  # a surveyor's list: header, bornes, decimal commas
        rows = [f"B{i};{x:.2f};{y:.2f}".replace(".", ",") for i, (x, y) in enumerate(points, 1)]
        coordinates: Any = "Borne;X;Y\n" + "\n".join(rows) + "\n"
    elif style == 1:  # tab-separated bornes
        rows = [f"B{i}\t{x:.2f}\t{y:.2f}" for i, (x, y) in enumerate(points, 1)]
        coordinates = "\n".join(rows) + "\n"
    elif style == 2:  # bare pairs, the ring closed
        coordinates = "\n".join(f"{x:.2f} {y:.2f}" for x, y in [*points, points[0]]) + "\n"
    else:  # JSON pairs
        coordinates = [[x, y] for x, y in points]
    storeys_max = rules.max_storeys if rules.max_storeys is not None else 1
    storeys = int(rng.integers(0, storeys_max + 2))  # now and then one storey too many
    setback = float(rng.uniform(1.0, 7.0))
    footprint = parcel.buffer(-setback, join_style="mitre")
    uses: list[str] = list(rules.allowed_uses or []) or ["habitation"]
    project: dict[str, Any] = {
        "kind": "construction",
        "use": str(rng.choice(uses)),
        "owner": "prive",
        "storeys": storeys,
        "height_m": round(3.2 + 3.1 * storeys + float(rng.uniform(0, 1.5)), 2),
        "dwellings": int(rng.integers(1, 3 + 2 * storeys)),
    }
    if isinstance(footprint, Polygon) and footprint.area > 20:
        project["footprint"] = mapping(shapely.set_precision(footprint, 0.01))
        project["floor_area_m2"] = round(footprint.area * (storeys + 1), 1)
    else:
        project["floor_area_m2"] = round(parcel.area * 0.5 * (storeys + 1), 1)
    return {
        "coordinates": coordinates,
        "front_bornes": ["B1", "B2"] if style in (0, 1) else None,
        "area_m2": round(parcel.area, 1),
        "zone": code,
        "project": project,
    }


def demo_extent(data_dir: Path) -> list[float]:
    """The demo plan's extent in WGS 84 (west, south, east, north): the map's first view."""
    zones = gpd.read_file(data_dir / DEMO_PACKAGE, layer="zones")
    to_wgs84 = Transformer.from_crs(SRID, 4326, always_xy=True)
    west, south, east, north = to_wgs84.transform_bounds(*zones.total_bounds)
    return [round(v, 6) for v in (west, south, east, north)]


def nru_limit(settings: Settings) -> dict[str, Any]:
    """The service's NRU rate limit per client, as the scenario's petitioners respect it."""
    item = parse(settings.nru_rate_limit)
    return {"text": settings.nru_rate_limit, "amount": item.amount, "seconds": item.get_expiry()}


def prepare(url: str, settings: Settings, petitioners: int, parcels: int) -> dict[str, Any]:
    """Migrate the scratch database, load the demo commune; the scenario locust reads."""
    engine = create_engine(url)
    upgrade(engine, SRID)
    print(load_demo(engine, settings.data_dir, SRID))
    print(load_demo_projects(engine, settings.data_dir, SRID))
    accounts = create_petitioners(engine, petitioners)
    engine.dispose()
    return {
        "extent": demo_extent(settings.data_dir),
        "nru_limit": nru_limit(settings),
        "petitioners": accounts,
        "parcels": demo_parcels(settings.data_dir, parcels),
    }


class CpuMeter:
    """CPU time, sampled every second from /proc, of: the service (this process's descendants
    but locust), the scratch database's PostgreSQL backends, locust, and the whole machine."""

    GROUPS = ("service", "postgres", "locust", "machine")

    def __init__(self, database: str, locust_pid: int) -> None:
        self.database, self.locust_pid = database, locust_pid
        self.seen: dict[int, tuple[str, float]] = {}
        self.samples: list[tuple[float, dict[str, float]]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CpuMeter:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()
        self.sample()

    def _run(self) -> None:
        while not self.stop.wait(1.0):
            self.sample()

    def sample(self) -> None:
        parents, cpu = {}, {}
        for entry in os.listdir("/proc"):
            fields = proc_stat(entry) if entry.isdigit() else None
            if fields is not None:
                parents[int(entry)] = int(fields[1])
                cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        for pid, seconds in cpu.items():
            group = self._group(pid, parents)
            if group is not None:
                self.seen[pid] = (group, seconds)
        totals = dict.fromkeys(self.GROUPS, 0.0)
        for group, seconds in self.seen.values():
            totals[group] += seconds
        totals["machine"] = _machine_busy_seconds()
        self.samples.append((time.monotonic(), totals))

    def _group(self, pid: int, parents: dict[int, int]) -> str | None:
        if pid in self.seen:
            return self.seen[pid][0]
        ancestor = pid
        while ancestor > 1:
            if ancestor == self.locust_pid:
                return "locust"
            if ancestor == os.getpid():
                return "service" if pid != os.getpid() else None
            ancestor = parents.get(ancestor, 0)
        with contextlib.suppress(OSError):
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if title.startswith("postgres:") and f" {self.database} " in title:
                return "postgres"
        return None

    def since(self, start: float) -> tuple[float, dict[str, float]]:
        """Seconds elapsed and CPU seconds used per group from `start` (monotonic) to the end."""
        first = next((s for s in self.samples if s[0] >= start), self.samples[0])
        last = self.samples[-1]
        return last[0] - first[0], {g: last[1][g] - first[1][g] for g in self.GROUPS}


def _machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent busy since boot (/proc/stat: all but idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


def run_locust(
    base: str, scenario_file: Path, users: int, rps: float, seconds: float, out: Path, database: str
) -> tuple[int, float, dict[str, float]]:
    """Locust headless: `users` users spawned over RAMP_S, statistics reset once all run, then
    `seconds` of steady load; CSV statistics under `out`. Returns locust's exit code, and the
    seconds and CPU seconds (per group, see CpuMeter) of the steady part."""
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        base,
        "--users",
        str(users),
        "--spawn-rate",
        f"{users / RAMP_S:g}",
        "--run-time",
        f"{math.ceil(RAMP_S + seconds)}s",
        "--reset-stats",
        "--stop-timeout",
        "10",
        "--csv",
        str(out / "load"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, SCENARIO_ENV: str(scenario_file), "LOAD_USER_RPS": f"{rps / users:g}"}
    with (out / "locust.log").open("w") as log:
        locust = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        started = time.monotonic()
        with CpuMeter(database, locust.pid) as meter:
            while locust.poll() is None and time.monotonic() < started + RAMP_S + seconds:
                time.sleep(0.2)
            steady = meter.since(started + RAMP_S)  # locust's statistics restart there too
            code = locust.wait()
    return code, *steady


def drain(base: str, timeout: float = 180.0) -> float:
    """Seconds until each worker has worked off what it had queued: a request on a new
    connection is answered after those queued before it."""
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: httpx.get(f"{base}/api/v1/plans", timeout=timeout), range(8)))
    return time.perf_counter() - started


def drained(base: str) -> float | None:
    """`drain`, or None when the service does not answer in time."""
    try:
        return drain(base)
    except httpx.HTTPError as exc:
        print(f"the service did not answer after the run: {exc!r}")
        return None


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def read_stats(out: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per request name, and overall: count, failures, rate, p50/p95/p99/max (locust's CSV)."""
    rows = []
    with (out / "load_stats.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            rows.append(
                {
                    "name": f"{row['Type']} {row['Name']}".strip(),
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50_ms": _ms(row["50%"]),
                    "p95_ms": _ms(row["95%"]),
                    "p99_ms": _ms(row["99%"]),
                    "max_ms": _ms(row["Max Response Time"]),
                    "mean_ms": _ms(row["Average Response Time"]),
                }
            )
    overall = next(r for r in rows if r["name"] == "Aggregated")
    return [r for r in rows if r["name"] != "Aggregated"], overall


def read_problems(out: Path) -> tuple[list[str], int]:
    """Request failures and exceptions raised in the scenario, with their counts; and how many
    exceptions (a bug of the scenario counts as a failure too)."""
    problems, raised = [], 0
    failures, exceptions = out / "load_failures.csv", out / "load_exceptions.csv"
    if failures.exists():
        with failures.open(encoding="utf-8") as file:
            for row in csv.DictReader(file):
                problems.append(
                    f"{row['Occurrences']:>6} × {row['Method']} {row['Name']}: {row['Error']}"
                )
    if exceptions.exists():
        with exceptions.open(encoding="utf-8") as file:
            for row in csv.DictReader(file):
                problems.append(f"{row['Count']:>6} × exception: {row['Message']}")
                raised += int(row["Count"])
    return problems, raised


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def report(
    rows: list[dict[str, Any]],
    overall: dict[str, Any],
    problems: list[str],
    raised: int,
    args: Any,
) -> dict[str, Any]:
    """Print the table and the verdicts; return the figures for the JSON line."""
    total = overall["requests"]
    print(
        f"\n{'request':<72}{'n':>7}{'%':>6}{'fail':>6}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'max':>7}{'p95/target':>11}"
    )
    for row in sorted(rows, key=lambda r: -r["requests"]):
        share = 100 * row["requests"] / total if total else 0.0
        ratio = f"{row['p95_ms'] / TARGET_P95_MS:.2f}" if row["p95_ms"] is not None else "—"
        print(
            f"{row['name'][:71]:<72}{row['requests']:>7}{share:>6.1f}{row['failures']:>6}"
            f"{_fmt(row['p50_ms']):>7}{_fmt(row['p95_ms']):>7}{_fmt(row['p99_ms']):>7}"
            f"{_fmt(row['max_ms']):>7}{ratio:>11}"
        )
    failures = overall["failures"] + raised
    rps_ratio = overall["rps"] / args.rps
    p95 = overall["p95_ms"] or 0.0
    print(f"\nrequests                {total:>10,}   in {args.seconds:.0f} s of steady load")
    print(
        f"achieved rate           {overall['rps']:>10.1f} /s  target {args.rps:.0f}/s "
        f"(ratio {rps_ratio:.2f}; at least {MIN_RATE_SHARE:.0%})"
    )
    print(f"failures                {failures:>10}   target 0")
    print(
        f"latency overall         p50 {_fmt(overall['p50_ms'])} ms, p95 {_fmt(p95)} ms, "
        f"p99 {_fmt(overall['p99_ms'])} ms, max {_fmt(overall['max_ms'])} ms   "
        f"target p95 ≤ {TARGET_P95_MS:.0f} ms (ratio {p95 / TARGET_P95_MS:.2f})"
    )
    for problem in problems[:20]:
        print(f"  {problem}")
    return {
        "requests": total,
        "seconds": args.seconds,
        "target_rps": args.rps,
        "achieved_rps": round(overall["rps"], 2),
        "rps_ratio": round(rps_ratio, 3),
        "failures": failures,
        "p50_ms": overall["p50_ms"],
        "p95_ms": overall["p95_ms"],
        "p99_ms": overall["p99_ms"],
        "max_ms": overall["max_ms"],
        "p95_target_ms": TARGET_P95_MS,
        "p95_ratio": round(p95 / TARGET_P95_MS, 3),
        "endpoints": {r["name"]: {k: v for k, v in r.items() if k != "name"} for r in rows},
    }


def cpu_report(seconds: float, cpu: dict[str, float], requests: int) -> dict[str, Any]:
    """Where the machine's time went during the steady part: cores used and ms per request."""
    others = max(0.0, cpu["machine"] - cpu["service"] - cpu["postgres"] - cpu["locust"])
    used = {**{g: cpu[g] for g in ("service", "postgres", "locust")}, "others": others}
    line = ", ".join(
        f"{group} {seconds_used / seconds:.2f}" for group, seconds_used in used.items()
    )
    print(f"CPU cores used          {line} (of {os.cpu_count()}; others: the rest of the machine)")
    per_request = {g: 1000 * used[g] / max(requests, 1) for g in ("service", "postgres")}
    print(
        f"CPU per request         service {per_request['service']:.1f} ms, "
        f"PostgreSQL {per_request['postgres']:.1f} ms"
    )
    return {
        "cpu_cores": {g: round(v / seconds, 3) for g, v in used.items()},
        "cpu_ms_per_request": {g: round(v, 2) for g, v in per_request.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=300.0, help="steady load, after ramp")
    parser.add_argument("--rps", type=float, default=100.0, help="target requests per second")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument("--parcels", type=int, default=400)
    parser.add_argument(
        "--users", type=int, help=f"locust users (default: target rate / {USER_RPS:g})"
    )
    args = parser.parse_args()
    users = args.users or max(1, round(args.rps / USER_RPS))
    settings = Settings()
    url = scratch_database(settings.database_url, suffix="_bench_load")
    try:
        figures = measure(url, settings, users, args)
    finally:
        drop_database(url)
    print(json.dumps({"bench": "load", **figures}, ensure_ascii=False))
    if figures["failures"] or figures["rps_ratio"] < MIN_RATE_SHARE:
        sys.exit(1)


def measure(url: str, settings: Settings, users: int, args: Any) -> dict[str, Any]:
    """Prepare the database, run the service and locust; print and return the figures."""
    started = time.perf_counter()
    scenario = prepare(url, settings, petitioners=users, parcels=args.parcels)
    print(
        f"prepared                {time.perf_counter() - started:>10.1f} s  "
        f"({len(scenario['parcels'])} parcels, {users} petitioner accounts, NRU limit "
        f"{scenario['nru_limit']['text']} per client)"
    )
    database = str(make_url(url).database)
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        out = Path(tmp)
        scenario_file = out / "scenario.json"
        scenario_file.write_text(json.dumps(scenario), encoding="utf-8")
        with running_service(url, PORT, workers=args.workers) as base:
            load_before = os.getloadavg()
            print(
                f"locust                  {users} users × {args.rps / users:g} task/s, ramp "
                f"{RAMP_S:.0f} s, then {args.seconds:.0f} s (load average before: "
                f"{load_before[0]:.2f})"
            )
            code, seconds, cpu = run_locust(
                base, scenario_file, users, args.rps, args.seconds, out, database
            )
            load_after = os.getloadavg()
            backlog = drained(base)
        if not (out / "load_stats.csv").exists():
            print((out / "locust.log").read_text(encoding="utf-8")[-4000:])
            sys.exit(code or 1)
        rows, overall = read_stats(out)
        figures = report(rows, overall, *read_problems(out), args)
        for line in (out / "locust.log").read_text(encoding="utf-8").splitlines():
            if "CPU usage" in line:  # locust warns when it is itself the bottleneck
                print(f"  locust: {line.strip()}")
    figures.update(cpu_report(seconds, cpu, overall["requests"]))
    if backlog is not None and backlog > 1.0:
        print(f"service backlog         {backlog:>10.1f} s  to work off after the run")
    print(
        f"machine load average    {load_before[0]:.2f} before, {load_after[0]:.2f} after "
        f"(1 min; {os.cpu_count()} CPUs)"
    )
    figures.update(
        users=users,
        workers=args.workers,
        locust_exit=code,
        nru_limit=scenario["nru_limit"]["text"],
        backlog_s=None if backlog is None else round(backlog, 2),
        loadavg_before=[round(v, 2) for v in load_before],
        loadavg_after=[round(v, 2) for v in load_after],
        cpus=os.cpu_count(),
    )
    return figures


if __name__ == "__main__":
    main()
