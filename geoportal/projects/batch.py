"""Batch checks for agencies: many parcels, each with its project, from one file.

The spatial part is set-based: every parcel is copied into a temporary table and one query
returns, for all of them, the zone parts with their rules, the nearby rights-of-way, the
no-build areas and the sectors of the plan holding most of each parcel. The rules (checks/,
pure) then run in worker processes, chunk by chunk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from pydantic import ValidationError
from sqlalchemy import Connection, text

from checks.compliance import check_compliance
from checks.procedure import classify
from checks.project import Project
from checks.sectors import PlanFacts, merge_sector_facts
from checks.site import Site
from checks.zone_rules import ZoneRules
from geoportal.site import zone_part
from zoning.site import NO_BUILD_KINDS, ROAD_SEARCH_M

CHUNK = 500
PROJECT_FIELDS = set(Project.model_fields) - {"footprint", "coordinates", "srid"}

BATCH_SQL = text("""
WITH chosen AS (
  SELECT DISTINCT ON (b.id) b.id AS parcel_id, b.geom, pl.id AS plan_id, pl.name AS plan
  FROM batch_parcels b JOIN plans pl ON ST_Intersects(pl.perimeter, b.geom)
  WHERE CAST(:plan AS text) IS NULL OR pl.name = :plan
  ORDER BY b.id, CASE WHEN ST_Covers(pl.perimeter, b.geom) THEN ST_Area(b.geom)
                      ELSE ST_Area(ST_Intersection(pl.perimeter, b.geom)) END DESC
)
SELECT c.parcel_id, 'plan' AS layer, c.plan AS name, NULL::jsonb AS rules, NULL::bytea AS wkb
FROM chosen c
UNION ALL
SELECT c.parcel_id, 'zone', z.code, (array_agg(z.rules))[1],
       ST_AsBinary(ST_Union(ST_Intersection(z.geom, c.geom)))
FROM chosen c JOIN zones z ON z.plan_id = c.plan_id AND ST_Intersects(z.geom, c.geom)
GROUP BY c.parcel_id, z.code
UNION ALL
SELECT c.parcel_id, 'road', r.ref, NULL, ST_AsBinary(ST_Intersection(r.geom,
       ST_Expand(c.geom, :search)))
FROM chosen c JOIN roads r ON r.plan_id = c.plan_id AND ST_DWithin(r.geom, c.geom, :search)
UNION ALL
SELECT c.parcel_id, 'no_build', s.kind, NULL, ST_AsBinary(ST_Intersection(s.geom, c.geom))
FROM chosen c JOIN servitudes s ON s.plan_id = c.plan_id AND s.kind = ANY(:no_build)
     AND ST_Intersects(s.geom, c.geom)
UNION ALL
SELECT c.parcel_id, 'sector', k.kind, NULL, NULL
FROM chosen c JOIN sectors k ON k.plan_id = c.plan_id AND ST_Intersects(k.geom, c.geom)
""")


@dataclass
class ParcelCase:
    """One row of the batch: the parcel, its project fields, and what the plan says there."""

    row: int
    parcel: bytes
    fields: dict[str, Any]
    plan: str | None = None
    zones: list[tuple[str, dict[str, Any], bytes]] = field(default_factory=list)
    roads: list[bytes] = field(default_factory=list)
    no_build: list[bytes] = field(default_factory=list)
    sectors: set[str] = field(default_factory=set)


def read_batch(path: Path, srid: int | None, storage_srid: int) -> gpd.GeoDataFrame:
    """Parcels with their project columns, in the storage SRID (declared CRS, else --srid)."""
    frame = gpd.read_file(path, engine="pyogrio")
    if frame.crs is None:
        if srid is None:
            raise ValueError(f"{path.name} declares no CRS: give --srid (e.g. 26191)")
        frame = frame.set_crs(srid)
    return frame.to_crs(storage_srid)


def spatial_cases(
    conn: Connection, frame: gpd.GeoDataFrame, storage_srid: int, plan: str | None = None
) -> list[ParcelCase]:
    """Copy the parcels to a temporary table and read what every plan says about them at once."""
    conn.execute(
        text(
            "CREATE TEMP TABLE batch_parcels (id integer PRIMARY KEY, geom geometry) ON COMMIT DROP"
        )
    )
    geoms = shapely.set_srid(frame.geometry.to_numpy(), storage_srid)
    hexes = shapely.to_wkb(geoms, hex=True, include_srid=True)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy("COPY batch_parcels (id, geom) FROM STDIN") as copy:
        for row, value in enumerate(hexes):
            copy.write_row((row, value))
    conn.execute(text("CREATE INDEX ON batch_parcels USING gist (geom); ANALYZE batch_parcels"))
    cases = _cases(frame)
    rows = conn.execute(
        BATCH_SQL, {"plan": plan, "search": ROAD_SEARCH_M, "no_build": list(NO_BUILD_KINDS)}
    )
    for parcel_id, layer, name, rules, wkb in rows:
        _attach(cases[parcel_id], layer, name, rules, wkb)
    return cases


def _cases(frame: gpd.GeoDataFrame) -> list[ParcelCase]:
    wkbs = shapely.to_wkb(frame.geometry.to_numpy())
    columns = [c for c in frame.columns if c in PROJECT_FIELDS]
    records = frame[columns].astype(object).where(frame[columns].notna(), None)
    return [
        ParcelCase(row, bytes(wkb), record)
        for row, (wkb, record) in enumerate(zip(wkbs, records.to_dict("records"), strict=True))
    ]


def _attach(case: ParcelCase, layer: str, name: str, rules: Any, wkb: Any) -> None:
    if layer == "plan":
        case.plan = name
    elif layer == "zone":
        case.zones.append((name, rules, bytes(wkb)))
    elif layer == "road":
        case.roads.append(bytes(wkb))
    elif layer == "no_build":
        case.no_build.append(bytes(wkb))
    else:
        case.sectors.add(name)


def judge(case: ParcelCase) -> dict[str, Any]:
    """Procedure and verdict of one case (runs in a worker process: pure rules only).

    The plan adds its facts to the row's, never removes one (checks.sectors); a parcel outside
    every plan has no zone to check but its procedure (Annexe 2 §7).
    """
    try:
        declared = Project.model_validate(_clean(case.fields))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return {"row": case.row, "plan": case.plan, "error": problems}
    outside = case.plan is None
    project = merge_sector_facts(declared, _plan_facts(case)).project
    classification = classify(project, hors_plan=outside)
    if outside:
        verdict, non_conformes, a_verifier = "a_verifier", "", "zone"
    else:
        result = check_compliance(project, _site(case))
        verdict = result.verdict
        non_conformes = " ".join(c.rule for c in result.checks if c.ok is False)
        a_verifier = " ".join(c.rule for c in result.checks if c.ok is None)
    return {
        "row": case.row,
        "plan": case.plan,
        "zones": " ".join(c for c, _, _ in case.zones),
        "procedure": classification.procedure,
        "procedure_rules": " | ".join(reason.rule for reason in classification.reasons),
        "missing": " ".join(classification.missing),
        "verdict": verdict,
        "non_conforme": non_conformes,
        "a_verifier": a_verifier,
        "error": None,
    }


def _plan_facts(case: ParcelCase) -> PlanFacts:
    """The plan's facts for the row: its sectors, and whether its zones cover the parcel."""
    if case.plan is None:
        return PlanFacts(outside_plans=True)
    parcel = shapely.from_wkb(case.parcel)
    in_zones = sum(shapely.from_wkb(wkb).area for _, _, wkb in case.zones)
    # The overlay's default tolerance (1 m²): a batch row does not carry its plan's own.
    return PlanFacts(sector_kinds=frozenset(case.sectors), zoned=parcel.area - in_zones <= 1.0)


def _judge_chunk(cases: list[ParcelCase]) -> list[dict[str, Any]]:
    return [judge(case) for case in cases]


def _site(case: ParcelCase) -> Site:
    return Site(
        parcel=shapely.from_wkb(case.parcel),
        parts=[
            zone_part(code, ZoneRules.model_validate(rules), shapely.from_wkb(wkb))
            for code, rules, wkb in case.zones
        ],
        roads=[shapely.from_wkb(w) for w in case.roads],
        no_build=[shapely.from_wkb(w) for w in case.no_build],
    )


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Numbers read as floats where the model wants integers (storeys 2.0 → 2)."""
    return {
        k: int(v) if k in ("storeys", "dwellings") and isinstance(v, float) else v
        for k, v in fields.items()
        if v is not None
    }


def run_batch(
    cases: list[ParcelCase], workers: int, progress: Callable[[int, int], None]
) -> list[dict[str, Any]]:
    """Judge every case, in `workers` processes, reporting progress chunk by chunk."""
    chunks = list(_chunks(cases, CHUNK))
    results: list[dict[str, Any]] = []
    if workers <= 1:
        for chunk in chunks:
            results += _judge_chunk(chunk)
            progress(len(results), len(cases))
        return results
    with ProcessPoolExecutor(workers) as pool:
        for done in pool.map(_judge_chunk, chunks):
            results += done
            progress(len(results), len(cases))
    return results


def _chunks(items: list[ParcelCase], size: int) -> Iterator[list[ParcelCase]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def write_results(frame: gpd.GeoDataFrame, results: list[dict[str, Any]], out: Path) -> None:
    """The input rows with the procedure and verdict columns, as CSV or a vector file."""
    table = pd.DataFrame(results).set_index("row").sort_index()
    joined = frame.join(table)
    if out.suffix.lower() == ".csv":
        joined.drop(columns=joined.geometry.name).to_csv(out, index=False)
    else:
        joined.to_file(out, engine="pyogrio")


def summary(results: list[dict[str, Any]]) -> dict[str, int]:
    """How many cases per verdict (and errors)."""
    counts: dict[str, int] = defaultdict(int)
    for result in results:
        counts[(result["error"] and "erreur") or result["verdict"]] += 1
    return dict(counts)
