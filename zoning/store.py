"""Read the stored plans: list, metadata with counts and extent, zones for maps.

These are public reads: they go through the `opendata` views (migration 0008), which the
public role may read, and name plans by their name (never the tables' ids).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from zoning.crs import WGS84, to_lonlat
from zoning.refusal import NotFound, Problem

LAYER_TABLES = ("zones", "roads", "servitudes", "reservations", "sectors")

_PLAN_COLUMNS = """p.name, p.kind, p.commune, p.province, p.agency, p.srid, p.status,
    p.approval_act, p.approval_date, p.bo_number, p.bo_date, p.valid_until, p.tolerance_m2,
    p.imported_at, p.source_sha256, """ + ", ".join(f"p.{t}" for t in LAYER_TABLES)
#: the open data view of each layer
LAYER_VIEWS = {
    "zones": "opendata.zones",
    "roads": "opendata.voies_amenagement",
    "servitudes": "opendata.servitudes",
    "reservations": "opendata.reservations",
    "sectors": "opendata.secteurs",
}


class PlanNotFound(NotFound, LookupError):
    """No plan of that name is stored."""

    def __init__(self, name: str) -> None:
        self.name = name
        detail = f"Aucun plan nommé « {name} » (GET /api/v1/plans les liste)."
        super().__init__("plan_not_found", detail, [Problem("plan_not_found", detail, "name")])


def list_plans(conn: Connection) -> list[dict[str, Any]]:
    """Every plan with its status and layer counts, by name."""
    rows = conn.execute(text(f"SELECT {_PLAN_COLUMNS} FROM opendata.plans p ORDER BY p.name"))
    return [_plan_dict(row._mapping) for row in rows]


def get_plan(conn: Connection, name: str) -> dict[str, Any]:
    """One plan: metadata, counts, zone codes, and its extent in Lambert and WGS 84."""
    row = conn.execute(
        text(f"""SELECT {_PLAN_COLUMNS},
                 ST_XMin(p.geom) AS xmin, ST_YMin(p.geom) AS ymin,
                 ST_XMax(p.geom) AS xmax, ST_YMax(p.geom) AS ymax,
                 ST_Area(p.geom) AS area_m2, ST_SRID(p.geom) AS storage_srid, p.legend,
                 (SELECT json_agg(z ORDER BY z.code) FROM (
                    SELECT code, min(label) AS label, count(*) AS count,
                           round(sum(ST_Area(geom))::numeric, 2) AS area_m2
                    FROM opendata.zones WHERE plan = p.name GROUP BY code) z) AS zone_codes
                 FROM opendata.plans p WHERE p.name = :name"""),
        {"name": name},
    ).first()
    if row is None:
        raise PlanNotFound(name)
    data = _plan_dict(row._mapping)
    data["area_m2"] = round(float(row.area_m2), 2)
    data["zone_codes"] = row.zone_codes or []
    data["legend"] = row.legend or {}
    data["extent"] = _extent(row._mapping)
    return data


def plan_id(conn: Connection, name: str) -> int:
    """The id of a stored plan, or PlanNotFound."""
    found = conn.execute(
        text("SELECT id FROM opendata.plans WHERE name = :n"), {"n": name}
    ).scalar()
    if found is None:
        raise PlanNotFound(name)
    return int(found)


#: the attributes each layer shows on a map (no personal data lives in these tables).
LAYER_PROPERTIES = {
    "roads": ("ref", "name", "width_m"),
    "servitudes": ("kind", "label", "buffer_m"),
    "reservations": ("code", "label"),
    "sectors": ("kind", "label"),
}


def layer_geojson(conn: Connection, name: str, layer: str) -> dict[str, Any]:
    """A layer of the plan as a WGS 84 FeatureCollection, for display."""
    columns = LAYER_PROPERTIES[layer]  # a fixed table of names: no user text reaches the SQL
    plan_id(conn, name)  # PlanNotFound for an unknown plan, not an empty layer
    rows = conn.execute(
        text(f"""SELECT {", ".join(columns)}, ST_AsGeoJSON(ST_Transform(geom, :wgs), 7)
                 FROM {LAYER_VIEWS[layer]} WHERE plan = :name ORDER BY id"""),
        {"name": name, "wgs": WGS84},
    )
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(row[-1]),
            "properties": dict(zip(columns, row[:-1], strict=True)),
        }
        for row in rows
    ]
    return {"type": "FeatureCollection", "features": features}


#: the rules a zone's feature carries for the map's popup
SUMMARY_RULES = ("max_height_m", "max_storeys", "ces_max", "cos_max", "constructible")
# Each feature built as JSON by PostgreSQL: only the summary's rules leave the database and
# the geometry is parsed once, not as text then again as a dict (issue 15, item 8).
_ZONE_FEATURES = text(f"""
SELECT json_build_object(
    'type', 'Feature',
    'geometry', ST_AsGeoJSON(ST_Transform(
        ST_Multi(ST_SimplifyPreserveTopology(geom, 0.2)), :wgs), 7)::json,
    'properties', json_build_object('code', code, 'label', label,
        {", ".join(f"'{key}', rules -> '{key}'" for key in SUMMARY_RULES)}))
FROM opendata.zones WHERE plan = :name ORDER BY code
""")


def zones_geojson(conn: Connection, name: str) -> dict[str, Any]:
    """The plan's zones as a WGS 84 FeatureCollection (display only: EPSG:1166, about 7 m)."""
    plan_id(conn, name)
    features = conn.execute(_ZONE_FEATURES, {"name": name, "wgs": WGS84}).scalars().all()
    return {"type": "FeatureCollection", "features": list(features)}


def _plan_dict(row: Any) -> dict[str, Any]:
    return {
        "name": row["name"],
        "kind": row["kind"],
        "commune": row["commune"],
        "province": row["province"],
        "agency": row["agency"],
        "srid": row["srid"],
        "status": row["status"],
        "approval": {
            "act": row["approval_act"],
            "date": _iso(row["approval_date"]),
            "bo": row["bo_number"],
            "bo_date": _iso(row["bo_date"]),
        },
        "valid_until": _iso(row["valid_until"]),
        "tolerance_m2": row["tolerance_m2"],
        "imported_at": _iso(row["imported_at"]),
        "source_sha256": row["source_sha256"],
        "counts": {t: int(row[t]) for t in LAYER_TABLES},
    }


def _extent(row: Any) -> dict[str, Any]:
    srid = int(row["storage_srid"])
    west, south = to_lonlat(row["xmin"], row["ymin"], srid)
    east, north = to_lonlat(row["xmax"], row["ymax"], srid)
    lambert = [round(float(row[k]), 2) for k in ("xmin", "ymin", "xmax", "ymax")]
    wgs84 = [round(v, 6) for v in (west, south, east, north)]
    return {"srid": srid, "bbox": lambert, "bbox_wgs84": wgs84}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
