"""Rings of one property put together: a ring inside another is a hole, apart ones are parts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.validation import explain_validity

from zoning.intake.diagnostics import Code, Diagnostic, error, warning, xy_text
from zoning.intake.rings import CleanRing

_VALIDITY_LOCATION = re.compile(r"\[\s*([-+\d.eE]+)[ ,]+([-+\d.eE]+)\s*\]")


def assemble(rings: Sequence[CleanRing]) -> tuple[Any, list[Diagnostic]]:
    """The parcel's Polygon or MultiPolygon (None when refused) and the findings."""
    polygons = [ring.polygon for ring in rings]
    overlaps = overlap_errors(rings, polygons)
    if overlaps:
        return None, overlaps
    containers = _containers(polygons)
    parts = _parts(polygons, containers)
    return _combine(parts)


def overlap_errors(rings: Sequence[CleanRing], polygons: Sequence[Any]) -> list[Diagnostic]:
    """Rings that partly overlap, or repeat each other: neither a hole nor a separate part."""
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    diagnostics = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        a, b = polygons[i], polygons[j]
        if i < j and (a.overlaps(b) or a.equals(b)):
            diagnostics.append(_overlap(rings[i], rings[j], a.intersection(b)))
    return diagnostics


def _overlap(first: CleanRing, second: CleanRing, shared: Any) -> Diagnostic:
    """Two rings sharing part of their surface."""
    point = shared.representative_point()
    where = (float(point.x), float(point.y))
    return error(
        Code.RINGS_OVERLAP,
        f"{first.label[:1].upper()}{first.label[1:]} et {second.label} se chevauchent "
        f"(vers {xy_text(*where)}) : une partie de la parcelle doit être entièrement dans une "
        "autre (c'est alors un trou) ou entièrement en dehors (une autre partie).",
        location=where,
        ring=second.number,
    )


def _containers(polygons: Sequence[Any]) -> list[list[int]]:
    """For each ring, the indexes of the other rings that cover it."""
    containers: list[list[int]] = [[] for _ in polygons]
    outer, inner = shapely.STRtree(polygons).query(polygons, predicate="covers")
    for i, j in zip(outer.tolist(), inner.tolist(), strict=True):
        if i != j:
            containers[j].append(i)
    return containers


def _parts(polygons: Sequence[Any], containers: Sequence[Sequence[int]]) -> list[Any]:
    """Shells with their holes: an odd nesting depth makes a hole of the smallest container."""
    holes: dict[int, list[Any]] = {i: [] for i in range(len(polygons))}
    shells = []
    for index, covering in enumerate(containers):
        if len(covering) % 2 == 0:
            shells.append(index)
        else:
            parent = min(covering, key=lambda k: polygons[k].area)
            holes[parent].append(polygons[index].exterior)
    return [Polygon(polygons[i].exterior, holes[i]) for i in shells]


def _combine(parts: Sequence[Any]) -> tuple[Any, list[Diagnostic]]:
    """One Polygon, or a MultiPolygon; parts sharing a side are merged, as one property."""
    geometry = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if geometry.is_valid:
        return shapely.orient_polygons(geometry), []
    if len(parts) > 1 and all(p.is_valid for p in parts):
        merged = shapely.union_all(parts)
        if merged.is_valid:
            return shapely.orient_polygons(merged), [_merged_warning(len(parts), merged)]
    return None, [invalid_geometry(geometry)]


def _merged_warning(count: int, merged: Any) -> Diagnostic:
    """Adjoining rings of one property become one part."""
    remaining = len(merged.geoms) if merged.geom_type == "MultiPolygon" else 1
    return warning(
        Code.RINGS_MERGED,
        f"{count} parties ont des côtés communs : elles sont réunies en {remaining} partie(s).",
    )


def invalid_geometry(geometry: Any) -> Diagnostic:
    """Whatever GEOS still finds wrong, located when it says where."""
    reason = explain_validity(geometry)
    match = _VALIDITY_LOCATION.search(reason)
    where = (float(match.group(1)), float(match.group(2))) if match else None
    at = f" en {xy_text(*where)}" if where else ""
    return error(
        Code.INVALID_GEOMETRY,
        f"Géométrie invalide ({_VALIDITY_LOCATION.sub('', reason).strip()}){at}.",
        location=where,
    )
