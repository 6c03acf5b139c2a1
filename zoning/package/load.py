"""Import a plan package into PostGIS: check it, then load it in one transaction.

Re-importing a plan of the same name replaces it atomically: the old rows are deleted and the
new ones copied in the caller's transaction, so readers see the old plan until the commit and a
failed or killed import leaves it in service. Rows go in with COPY (hex EWKB), not one ORM
object per row: 100,000 zones load in seconds (bench/bench_import.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from sqlalchemy import Connection, text

from zoning.audit import record_act
from zoning.package.read import read_package
from zoning.package.reglement import Reglement
from zoning.package.report import Finding, ImportReport
from zoning.package.validate import Validator

#: (step, done, total): the CLI draws a progress bar from it.
Progress = Callable[[str, int, int], None]
COPY_CHUNK = 5_000
COLUMNS: dict[str, tuple[str, ...]] = {
    "zones": ("code", "label", "rules", "geom"),
    "roads": ("ref", "name", "width_m", "centerline", "geom"),
    "servitudes": ("kind", "label", "buffer_m", "source_geom", "geom"),
    "reservations": ("code", "label", "geom"),
    "sectors": ("kind", "label", "geom"),
}


@dataclass(frozen=True)
class ImportOptions:
    """What the agent decided: repair invalid geometries, SRID of layers that declare none."""

    storage_srid: int = 26191
    repair: bool = False
    srid: int | None = None
    raster: Path | None = None  # GeoTIFF of the plan, for map extracts


@dataclass
class CheckedPlan:
    """A package that was read and checked, ready to load when its report has no error."""

    reglement: Reglement
    layers: dict[str, gpd.GeoDataFrame]
    perimeter: Any
    report: ImportReport
    raster: Path | None = None


def no_progress(step: str, done: int, total: int) -> None:
    """Default progress callback."""


def check_package(
    package_path: Path,
    reglement: Reglement,
    reglement_text: str,
    options: ImportOptions,
    progress: Progress = no_progress,
    *,
    source: str | None = None,
) -> CheckedPlan:
    """Read and validate a package against its règlement; nothing touches the database.

    `source` names the package in the report (the uploaded file's name, never the server's
    temporary copy); by default its path.
    """
    progress("reading", 0, 1)
    package = read_package(package_path)
    report = ImportReport(
        reglement.plan.name,
        source or str(package_path),
        reglement.plan.srid,
        options.storage_srid,
        sha256=source_digest(package.sha256, reglement_text),
    )
    validator = Validator(
        reglement.plan.srid,
        options.storage_srid,
        options.srid,
        options.repair,
        reglement.plan.tolerance_m2,
    )
    progress("checking", 0, 1)
    layers = validator.prepare(package)
    perimeter = validator.perimeter(layers)
    zones = layers.get("zones")
    if zones is not None:
        validator.check_zone_codes(zones, reglement)
        validator.check_overlaps(zones)
        validator.check_gaps(zones, perimeter)
    validator.check_outside(layers, perimeter)
    report.add(validator.findings)
    if options.raster is not None:
        report.add(check_raster(options.raster, options.storage_srid))
        report.extract_base = "raster"
        report.extract_base_message = (
            f"Les extraits de plan des notes seront dessinés sur le plan scanné "
            f"« {options.raster.name} » (géoréférencé), les couches vectorielles par-dessus."
        )
    report.counts = {name: len(frame) for name, frame in layers.items() if name != "perimeter"}
    progress("checking", 1, 1)
    return CheckedPlan(reglement, layers, perimeter, report, options.raster)


def check_raster(path: Path, storage_srid: int) -> list[Finding]:
    """The plan's GeoTIFF must open and be in the storage SRID (map extracts read windows)."""
    import rasterio  # heavy; only when a raster comes with the plan

    try:
        with rasterio.open(path) as raster:
            epsg = raster.crs.to_epsg() if raster.crs else None
    except (rasterio.errors.RasterioIOError, OSError) as exc:
        return [Finding("raster_unreadable", "error", f"raster {path.name}: {exc}")]
    if epsg != storage_srid:
        found = f"EPSG:{epsg}" if epsg else "no CRS"
        return [
            Finding(
                "raster_crs",
                "error",
                f"raster {path.name} is in {found}; map extracts need EPSG:{storage_srid} "
                "(reproject it with gdalwarp)",
            )
        ]
    return []


def source_digest(package_sha256: str, reglement_text: str) -> str:
    """SHA-256 of the source: the package's digest and the règlement's bytes."""
    digest = hashlib.sha256(package_sha256.encode())
    digest.update(reglement_text.encode("utf-8"))
    return digest.hexdigest()


def load_plan(
    conn: Connection,
    checked: CheckedPlan,
    storage_srid: int,
    progress: Progress = no_progress,
    *,
    actor: str = "system",
) -> int:
    """Replace the plan of that name by the checked one; return its new id.

    `actor` names who did it in the audit trail (an account, or the operator: "system").
    """
    name = checked.reglement.plan.name
    # Two imports of the same plan wait for each other instead of failing on the unique name.
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})
    replaced = conn.execute(text("DELETE FROM plans WHERE name = :name"), {"name": name}).rowcount
    plan_id = _insert_plan(conn, checked, storage_srid)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for layer, frame in checked.layers.items():
        if layer in COLUMNS:
            _copy_layer(
                cursor,
                layer,
                _rows(layer, frame, plan_id, checked.reglement, storage_srid),
                len(frame),
                progress,
            )
    record_act(
        conn,
        "plan.replace" if replaced else "plan.import",
        name,
        {
            "sha256": checked.report.sha256,
            "counts": checked.report.counts,
            "agency": checked.reglement.plan.agency,
        },
        actor=actor,
    )
    return plan_id


def _insert_plan(conn: Connection, checked: CheckedPlan, storage_srid: int) -> int:
    plan = checked.reglement.plan
    values = {
        "name": plan.name,
        "kind": plan.kind,
        "commune": plan.commune,
        "province": plan.province,
        "agency": plan.agency,
        "srid": plan.srid,
        "status": plan.status,
        "approval_act": plan.approval.act,
        "approval_date": plan.approval.date,
        "bo_number": plan.approval.bo,
        "bo_date": plan.approval.bo_date,
        "valid_until": plan.valid_until,
        "tolerance_m2": plan.tolerance_m2,
        "imported_at": dt.datetime.now(dt.UTC),
        "source_sha256": checked.report.sha256,
        "reglement": json.dumps(checked.reglement.model_dump(mode="json")),
        "import_report": json.dumps(checked.report.to_dict()),
        "perimeter": _ewkb(_as_multi(checked.perimeter), storage_srid),
        "raster_path": str(checked.raster.resolve()) if checked.raster else None,
        "srid_store": storage_srid,
    }
    columns = [c for c in values if c != "srid_store"]
    placeholders = [
        f"ST_GeomFromEWKB(decode(:{c}, 'hex'))"
        if c == "perimeter"
        else f"CAST(:{c} AS jsonb)"
        if c in ("reglement", "import_report")
        else f":{c}"
        for c in columns
    ]
    sql = (
        f"INSERT INTO plans ({', '.join(columns)}) VALUES ({', '.join(placeholders)}) RETURNING id"
    )
    return int(conn.execute(text(sql), values).scalar_one())


def _copy_layer(
    cursor: Any, layer: str, rows: Iterator[tuple[Any, ...]], total: int, progress: Progress
) -> None:
    columns = ", ".join(("plan_id", *COLUMNS[layer]))
    done = 0
    progress(f"loading {layer}", 0, total)
    with cursor.copy(f"COPY {layer} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            done += 1
            if done % COPY_CHUNK == 0:
                progress(f"loading {layer}", done, total)
    progress(f"loading {layer}", total, total)


def _rows(
    layer: str, frame: gpd.GeoDataFrame, plan_id: int, reglement: Reglement, srid: int
) -> Iterator[tuple[Any, ...]]:
    """COPY rows of a layer: text fields, JSON rules, hex EWKB geometries."""
    geoms = _ewkb_array(frame["area_geom"].to_numpy(), srid)
    labels = _column(frame, "label")
    if layer == "zones":
        rules = {code: json.dumps(z.model_dump(mode="json")) for code, z in reglement.zones.items()}
        for code, label, geom in zip(frame["code"], labels, geoms, strict=True):
            yield plan_id, code, label or reglement.zones[code].label, rules[code], geom
    elif layer == "roads":
        yield from _road_rows(frame, plan_id, srid, geoms)
    elif layer == "servitudes":
        sources = _ewkb_array(frame.geometry.to_numpy(), srid)
        for row in zip(frame["kind"], labels, frame["buffer_m"], sources, geoms, strict=True):
            yield plan_id, row[0], row[1], _float(row[2]), row[3], row[4]
    else:
        key = "code" if layer == "reservations" else "kind"
        for value, label, geom in zip(frame[key], labels, geoms, strict=True):
            yield plan_id, value, label, geom


def _road_rows(
    frame: gpd.GeoDataFrame, plan_id: int, srid: int, geoms: list[str]
) -> Iterator[tuple[Any, ...]]:
    lines = frame.geometry.to_numpy()
    is_line = ~frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    centerlines = [
        _ewkb(shapely.multilinestrings(shapely.get_parts(g)), srid) if line else None
        for g, line in zip(lines, is_line, strict=True)
    ]
    for ref, name, width, centre, geom in zip(
        frame["ref"], _column(frame, "name"), frame["width_m"], centerlines, geoms, strict=True
    ):
        yield plan_id, ref, name, _float(width), centre, geom


def _column(frame: gpd.GeoDataFrame, name: str) -> list[str | None]:
    """An optional text column (None where absent or blank)."""
    if name not in frame.columns:
        return [None] * len(frame)
    return [str(v).strip() or None if v is not None and v == v else None for v in frame[name]]


def _float(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


def _as_multi(geom: Any) -> Any:
    if geom.geom_type == "Polygon":
        return shapely.multipolygons([geom])
    return geom


def _ewkb(geom: Any, srid: int) -> str:
    return str(shapely.to_wkb(shapely.set_srid(geom, srid), hex=True, include_srid=True))


def _ewkb_array(geoms: Any, srid: int) -> list[str]:
    return list(shapely.to_wkb(shapely.set_srid(geoms, srid), hex=True, include_srid=True))
