"""Plan packages drawn in DXF (ezdxf): one DXF layer per plan layer, attributes in text labels.

A DXF carries no attribute table and no CRS. The convention (documented in the README):
- closed polylines are polygons, open polylines and lines are lines, points are points, and a
  circle is a point whose radius is its `buffer_m` (servitudes);
- a TEXT or MTEXT on the same layer gives the feature's fields, separated by `;`, in the order of
  FIELDS below (zones: `C;Zone d'immeubles`, roads: `V12;20`): it belongs to the polygon that
  holds its insertion point, or to the nearest line or point within LABEL_RADIUS_M;
- a closed polyline inside another of the same layer is cut out of it (an island, e.g. a ZV
  inside a zone C), as a design office draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from ezdxf.document import Drawing
from ezdxf.filemanagement import readfile
from shapely.geometry import LineString, Point, Polygon

from zoning.messages import printable
from zoning.package.read import LAYER_NAMES, PackageError, SourceLayer

FIELDS: dict[str, tuple[str, ...]] = {
    "zones": ("code", "label"),
    "roads": ("ref", "width_m", "name"),
    "servitudes": ("kind", "buffer_m", "label"),
    "reservations": ("code", "label"),
    "sectors": ("kind", "label"),
    "perimeter": (),
}
NUMERIC_FIELDS = {"width_m", "buffer_m"}
LABEL_RADIUS_M = 25.0


@dataclass
class _Label:
    point: Point
    text: str


def read_dxf(path: Path) -> tuple[dict[str, SourceLayer], list[str]]:
    """Read the plan layers of a DXF drawing; other layer names are listed as unknown."""
    doc = _open(path)
    shapes: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    labels: dict[str, list[_Label]] = {}
    for entity in doc.modelspace():
        layer = entity.dxf.layer.lower()
        if entity.dxftype() in ("TEXT", "MTEXT"):
            labels.setdefault(layer, []).append(_label(entity))
            continue
        shape = _shape(entity)
        if shape is not None:
            shapes.setdefault(layer, []).append(shape)
    known = {
        name: _layer(name, shapes[name], labels.get(name, []), path)
        for name in shapes
        if name in LAYER_NAMES
    }
    unknown = sorted(name for name in shapes if name not in LAYER_NAMES)
    return known, unknown


def _open(path: Path) -> Drawing:
    try:
        return readfile(path)
    # ezdxf reading arbitrary bytes fails in many ways (ValueError, struct.error, a
    # StopIteration, …): each one means this is no DXF we can read, never a server fault.
    except Exception as exc:
        message = printable(exc, paths=[path])
        raise PackageError(f"{path.name} : illisible comme DXF : {message}") from exc


def _label(entity: Any) -> _Label:
    """A TEXT/MTEXT's insertion point and plain text."""
    text = entity.plain_text() if entity.dxftype() == "MTEXT" else entity.dxf.text
    insert = entity.dxf.insert
    return _Label(Point(insert.x, insert.y), str(text).strip())


def _shape(entity: Any) -> tuple[Any, dict[str, Any]] | None:
    """Geometry of a drawing entity, and the fields it carries by itself (a circle's radius)."""
    kind = entity.dxftype()
    if kind == "LWPOLYLINE":
        return _polyline([(p[0], p[1]) for p in entity.get_points("xy")], entity.closed), {}
    if kind == "POLYLINE":
        return _polyline(
            [(v.dxf.location.x, v.dxf.location.y) for v in entity.vertices], entity.is_closed
        ), {}
    if kind == "LINE":
        return LineString([_xy(entity.dxf.start), _xy(entity.dxf.end)]), {}
    if kind == "POINT":
        return Point(_xy(entity.dxf.location)), {}
    if kind == "CIRCLE":
        return Point(_xy(entity.dxf.center)), {"buffer_m": float(entity.dxf.radius)}
    return None


def _xy(vector: Any) -> tuple[float, float]:
    return float(vector.x), float(vector.y)


def _polyline(points: list[tuple[float, float]], closed: bool) -> Any:
    if closed or (len(points) > 3 and points[0] == points[-1]):
        return Polygon(points)
    return LineString(points)


def _layer(
    name: str, shapes: list[tuple[Any, dict[str, Any]]], labels: list[_Label], path: Path
) -> SourceLayer:
    """A GeoDataFrame of one DXF layer with fields parsed from its labels."""
    geoms = _cut_islands([geom for geom, _ in shapes])
    rows = [
        {**_fields(name, _label_for(geom, labels)), **own}
        for geom, (_, own) in zip(geoms, shapes, strict=True)
    ]
    columns = list(FIELDS[name])
    frame = gpd.GeoDataFrame(rows, columns=columns, geometry=geoms, crs=None)
    return SourceLayer(name, frame, f"{path.name}:{name}")


def _cut_islands(geoms: list[Any]) -> list[Any]:
    """Cut each polygon lying inside another polygon of the layer out of the outer one."""
    polygons = [i for i, g in enumerate(geoms) if isinstance(g, Polygon) and g.is_valid]
    if len(polygons) < 2:
        return geoms
    tree = shapely.STRtree([geoms[i] for i in polygons])
    outer_idx, inner_idx = tree.query([geoms[i] for i in polygons], predicate="contains_properly")
    result = list(geoms)
    for outer, inner in zip(outer_idx, inner_idx, strict=True):
        o, i = polygons[int(outer)], polygons[int(inner)]
        result[o] = result[o].difference(geoms[i])
    return result


def _label_for(geom: Any, labels: list[_Label]) -> str | None:
    """The text inside a polygon, or the nearest one to a line or point."""
    if isinstance(geom, Polygon) or geom.geom_type == "MultiPolygon":
        inside = [lab for lab in labels if geom.contains(lab.point)]
        return inside[0].text if inside else None
    near = [(geom.distance(lab.point), lab.text) for lab in labels]
    near = [item for item in near if item[0] <= LABEL_RADIUS_M]
    return min(near)[1] if near else None


def _fields(layer: str, text: str | None) -> dict[str, Any]:
    """Split a label `a;b;c` into the layer's fields (numbers for widths and buffers)."""
    values = [part.strip() for part in text.split(";")] if text else []
    fields: dict[str, Any] = {}
    for field, value in zip(FIELDS[layer], values, strict=False):
        fields[field] = _number(value) if field in NUMERIC_FIELDS else (value or None)
    return fields


def _number(value: str) -> float | str | None:
    """A width like `20`, `20 m` or `20,5` as a float; left as text when unreadable."""
    cleaned = value.lower().removesuffix("m").strip().replace(",", ".")
    try:
        return float(cleaned) if cleaned else None
    except ValueError:
        return value
