"""Synthetic plan packages written to docs/formats.md §1, for tests and benchmarks.

A grid of street blocks near Témara, one zone per block, codes in rotation; a few roads,
servitudes, reservations and sectors on top. Any number of zones, in any supported format.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
import yaml
from ezdxf.filemanagement import new as new_drawing
from shapely.geometry import LineString, Point, box

ORIGIN = (355_000.0, 365_000.0)  # Lambert Nord Maroc, south-west of Témara
CODES = ("B4", "B3", "D1", "D2", "HE", "I", "ZV", "RA")
RULES: dict[str, dict[str, Any]] = {
    "B4": {
        "label": "Zone d'immeubles R+4",
        "max_height_m": 17.5,
        "max_storeys": 4,
        "ces_max": 0.6,
        "cos_max": 3.0,
    },
    "B3": {
        "label": "Zone d'immeubles R+3",
        "max_height_m": 14.5,
        "max_storeys": 3,
        "ces_max": 0.6,
        "cos_max": 2.4,
    },
    "D1": {
        "label": "Zone de villas",
        "max_height_m": 8.5,
        "max_storeys": 1,
        "ces_max": 0.3,
        "cos_max": 0.5,
        "min_parcel_area_m2": 500,
    },
    "D2": {
        "label": "Zone de villas jumelées",
        "max_height_m": 8.5,
        "max_storeys": 1,
        "ces_max": 0.4,
        "cos_max": 0.7,
    },
    "HE": {
        "label": "Zone d'habitat économique",
        "max_height_m": 11.5,
        "max_storeys": 2,
        "habitat_economique": True,
    },
    "I": {"label": "Zone industrielle", "max_height_m": 12, "ces_max": 0.7},
    "ZV": {"label": "Zone verte", "constructible": False},
    "RA": {
        "label": "Zone agricole",
        "max_height_m": 7,
        "max_storeys": 1,
        "ces_max": 0.02,
        "min_parcel_area_m2": 20_000,
    },
}


def grid_zones(
    count: int,
    cell_m: float = 50.0,
    origin: tuple[float, float] = ORIGIN,
    codes: tuple[str, ...] = CODES,
) -> gpd.GeoDataFrame:
    """`count` square zones tiling a near-square grid, codes in rotation (no gap, no overlap)."""
    side = math.ceil(math.sqrt(count))
    index = np.arange(count)
    x0 = origin[0] + (index % side) * cell_m
    y0 = origin[1] + (index // side) * cell_m
    geoms = shapely.box(x0, y0, x0 + cell_m, y0 + cell_m)
    zone_codes = [codes[i % len(codes)] for i in index]
    return gpd.GeoDataFrame({"code": zone_codes, "label": None}, geometry=geoms)


def plan_layers(count: int = 64, cell_m: float = 50.0, srid: int = 26191) -> dict[str, Any]:
    """All layers of a small plan over a grid of `count` zones."""
    zones = grid_zones(count, cell_m)
    minx, miny, maxx, maxy = zones.total_bounds
    midx, midy = (minx + maxx) / 2, (miny + maxy) / 2
    roads = gpd.GeoDataFrame(
        {"ref": ["V1", "V2"], "width_m": [20.0, 15.0], "name": ["Avenue A", "Rue B"]},
        geometry=[
            LineString([(minx, midy), (maxx, midy)]),
            LineString([(midx, miny), (midx, maxy)]),
        ],
    )
    servitudes = gpd.GeoDataFrame(
        {
            "kind": ["non_aedificandi", "monument"],
            "label": ["Oued", "Kasbah"],
            "buffer_m": [10.0, 30.0],
        },
        geometry=[
            LineString([(minx + 15, miny + 25), (maxx - 15, miny + 25)]),
            Point(minx + (maxx - minx) / 4, maxy - (maxy - miny) / 4),
        ],
    )
    reservations = gpd.GeoDataFrame(
        {"code": ["EP"], "label": ["École primaire"]},
        geometry=[box(minx + 60, miny + 60, minx + 100, miny + 100)],
    )
    sectors = gpd.GeoDataFrame(
        {"kind": ["lotissement_receptionne"], "label": ["Lotissement Al Amal"]},
        geometry=[box(minx, midy, midx, maxy)],
    )
    layers = {
        "zones": zones,
        "roads": roads,
        "servitudes": servitudes,
        "reservations": reservations,
        "sectors": sectors,
    }
    return {name: frame.set_crs(srid) for name, frame in layers.items()}


def reglement(
    name: str = "PA Synthétique",
    codes: tuple[str, ...] = CODES,
    srid: int = 26191,
    status: str = "homologue",
) -> dict[str, Any]:
    """A règlement for the synthetic codes (docs/formats.md §1)."""
    return {
        "plan": {
            "name": name,
            "kind": "plan_amenagement",
            "commune": "Commune Test",
            "province": "Skhirate-Temara",
            "agency": "Agence Urbaine de Skhirate-Temara",
            "srid": srid,
            "status": status,
            "approval": {
                "act": "Décret n° 2-20-000",
                "date": "2020-01-15",
                "bo": "6850",
                "bo_date": "2020-02-06",
            },
            "valid_until": "2030-02-06",
        },
        "zones": {code: RULES[code] for code in codes},
        "servitudes": {
            "non_aedificandi": "Toute construction y est interdite.",
            "monument": "Avis de l'inspection des monuments historiques requis.",
        },
    }


def write_reglement(data: dict[str, Any], path: Path) -> str:
    """Write a règlement YAML file and return its text."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return text


def write_geopackage(layers: dict[str, gpd.GeoDataFrame], path: Path) -> Path:
    """One GeoPackage, one layer each."""
    for name, frame in layers.items():
        frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path


def write_folder(layers: dict[str, gpd.GeoDataFrame], folder: Path, suffix: str) -> Path:
    """A folder of Shapefiles (`.shp`) or GeoJSON files (`.geojson`), one per layer.

    A Shapefile holds one geometry type, so a mixed layer is written in parts
    (`servitudes_linestring.shp`, `servitudes_point.shp`), as agencies do.
    """
    folder.mkdir(parents=True, exist_ok=True)
    driver = "ESRI Shapefile" if suffix == ".shp" else "GeoJSON"
    for name, frame in layers.items():
        kinds = frame.geom_type.unique() if suffix == ".shp" else [None]
        for kind in kinds:
            part = frame if kind is None else frame.loc[frame.geom_type == kind]
            stem = name if len(kinds) == 1 else f"{name}_{str(kind).lower()}"
            part.to_file(folder / f"{stem}{suffix}", driver=driver, engine="pyogrio")
    return folder


def write_dxf(layers: dict[str, gpd.GeoDataFrame], path: Path) -> Path:
    """A DXF drawing with one layer per plan layer and `;`-separated labels (zoning.package.dxf)."""
    from zoning.package.dxf import FIELDS

    doc = new_drawing()
    space = doc.modelspace()
    for name, frame in layers.items():
        for row in frame.itertuples():
            attributes = {"layer": name}
            _draw(space, row.geometry, attributes)
            label = ";".join(_text(getattr(row, f, None)) for f in FIELDS[name]).rstrip(";")
            if label:
                anchor = _label_anchor(row.geometry)
                space.add_text(label, dxfattribs={**attributes, "insert": anchor, "height": 2})
    doc.saveas(path)
    return path


def _draw(space: Any, geom: Any, attributes: dict[str, Any]) -> None:
    if geom.geom_type == "Polygon":
        space.add_lwpolyline(list(geom.exterior.coords)[:-1], close=True, dxfattribs=attributes)
    elif geom.geom_type == "LineString":
        space.add_lwpolyline(list(geom.coords), dxfattribs=attributes)
    elif geom.geom_type == "Point":
        space.add_point((geom.x, geom.y), dxfattribs=attributes)
    else:
        raise ValueError(f"cannot draw {geom.geom_type} in DXF")


def _label_anchor(geom: Any) -> tuple[float, float]:
    if geom.geom_type == "Polygon":
        geom = geom.representative_point()
    elif geom.geom_type == "LineString":
        geom = geom.interpolate(0.25, normalized=True)  # not at the middle, where roads cross
    return float(geom.x), float(geom.y)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)
