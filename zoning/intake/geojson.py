"""GeoJSON parcels: Polygon or MultiPolygon, bare or in a Feature or FeatureCollection."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError

from zoning.intake.diagnostics import Code, Diagnostic, error, raise_if_errors, refuse, warning
from zoning.intake.model import Borne, SourceParcel
from zoning.intake.numbers import position
from zoning.intake.text import decode_text

# RFC 7946: without a `crs` member, positions are longitude, latitude on WGS 84.
WGS84 = CRS.from_user_input("OGC:CRS84")


def read_geojson(data: bytes | str) -> SourceParcel:
    """Read the polygons of a GeoJSON document; its rings become the parcel's rings."""
    try:
        return _read(data)
    except RecursionError:
        # Arrays nested thousands deep exhaust Python's stack in the JSON parser or in the
        # walk below: no parcel is shaped like that.
        message = "GeoJSON illisible : tableaux ou objets imbriqués trop profondément."
        refuse(error(Code.UNREADABLE_FILE, message))


def _read(data: bytes | str) -> SourceParcel:
    """Parse the document and collect its rings."""
    document = _load(data)
    crs = declared_crs(document)
    ignored: list[str] = []
    polygons = _polygons(document, ignored)
    if not polygons:
        found = ", ".join(sorted(set(ignored))) or "aucune géométrie"
        refuse(error(Code.UNSUPPORTED_GEOMETRY, f"Aucun Polygon ni MultiPolygon ({found})."))
    rings = _rings(polygons)
    warnings: list[Diagnostic] = []
    if ignored:
        warnings.append(_ignored_warning(ignored))
    if crs is None:
        crs = _default_crs(rings, warnings)
    return SourceParcel(rings=rings, format="geojson", crs=crs, warnings=tuple(warnings))


def _load(data: bytes | str) -> Any:
    """Parse the JSON text; a syntax error names its line."""
    text = decode_text(data) if isinstance(data, bytes) else data
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"GeoJSON illisible, ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}."
        refuse(error(Code.UNREADABLE_FILE, message, line=exc.lineno))


def declared_crs(document: Any) -> CRS | None:
    """The CRS named by the legacy `crs` member (2008 GeoJSON), or None when absent."""
    member = document.get("crs") if isinstance(document, dict) else None
    if member is None:
        return None
    name = _crs_name(member)
    try:
        return CRS.from_user_input(name)
    except (CRSError, TypeError):
        refuse(error(Code.UNKNOWN_CRS, f"CRS déclaré non reconnu : « {json.dumps(member)} »."))


def _crs_name(member: Any) -> Any:
    """The CRS identifier in a `crs` member: {"type": "name"} or the older {"type": "EPSG"}."""
    properties = member.get("properties") if isinstance(member, dict) else None
    if not isinstance(properties, dict):
        return None
    if member.get("type") == "EPSG":
        return f"EPSG:{properties.get('code')}"
    return properties.get("name")


def _polygons(node: Any, ignored: list[str]) -> list[Any]:
    """Coordinate arrays of every polygon in the document; other geometry types are noted."""
    kind = node.get("type") if isinstance(node, dict) else None
    if kind == "FeatureCollection":
        return [p for f in node.get("features") or [] for p in _polygons(f, ignored)]
    if kind == "Feature":
        return _polygons(node.get("geometry"), ignored)
    if kind == "GeometryCollection":
        return [p for g in node.get("geometries") or [] for p in _polygons(g, ignored)]
    if kind == "Polygon":
        return [node.get("coordinates")]
    if kind == "MultiPolygon":
        coordinates = node.get("coordinates")
        return list(coordinates) if isinstance(coordinates, list) else [coordinates]
    ignored.append(_kind_text(node, kind))
    return []


def _kind_text(node: Any, kind: Any) -> str:
    """What stands where a geometry was expected, for a message."""
    if kind is not None:
        return str(kind)
    if isinstance(node, list):
        return "un tableau JSON au lieu d'un objet GeoJSON"
    return "géométrie nulle" if node is None or isinstance(node, dict) else "une valeur JSON isolée"


def _rings(polygons: Sequence[Any]) -> tuple[tuple[Borne, ...], ...]:
    """Bornes of every ring, numbered in document order; unreadable positions are refused."""
    rings: list[tuple[Borne, ...]] = []
    diagnostics: list[Diagnostic] = []
    rank = 0
    for number, polygon in enumerate(polygons, start=1):
        if not isinstance(polygon, list):
            diagnostics.append(_not_an_array(polygon, number, len(rings) + 1))
            continue
        for ring_coordinates in polygon:
            values = ring_coordinates if isinstance(ring_coordinates, list) else [None]
            bornes = _ring(values, len(rings) + 1, rank, diagnostics)
            diagnostics.extend(_unclosed(ring_coordinates, bornes))
            rings.append(bornes)
            rank += len(values)
    raise_if_errors(diagnostics)
    return tuple(rings)


def _ring(
    values: Sequence[Any], ring: int, ranked: int, diagnostics: list[Diagnostic]
) -> tuple[Borne, ...]:
    """The bornes of one ring's positions, ranked after the `ranked` before them; the
    unreadable ones go to `diagnostics`."""
    bornes = []
    for rank, value in enumerate(values, start=ranked + 1):
        xy = position(value)
        if xy is None:
            diagnostics.append(_unreadable(value, rank, ring))
        else:
            bornes.append(Borne(id=None, x=xy[0], y=xy[1], ring=ring, rank=rank))
    return tuple(bornes)


def _not_an_array(value: Any, polygon: int, ring: int) -> Diagnostic:
    """A polygon whose `coordinates` is not an array of rings (JSON encoded twice, a number)."""
    shown = json.dumps(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    message = (
        f"polygone n° {polygon} : « coordinates » doit être un tableau de contours (chacun "
        f"un tableau de positions), pas « {shown} »."
    )
    return error(Code.UNREADABLE_VALUE, message, ring=ring)


def _unclosed(coordinates: Any, bornes: Sequence[Borne]) -> list[Diagnostic]:
    """RFC 7946 §3.1.6: a ring's last position repeats its first; an open one is a broken export.

    Checked only when every position of the ring could be read.
    """
    if not isinstance(coordinates, list) or len(bornes) != len(coordinates) or len(bornes) < 2:
        return []
    first, last = bornes[0], bornes[-1]
    if first.xy == last.xy:
        return []
    message = (
        f"contour n° {last.ring} : il n'est pas fermé ; la dernière position (point "
        f"{last.name}, {json.dumps(coordinates[-1])}) doit répéter la première (point "
        f"{first.name}, {json.dumps(coordinates[0])}), comme l'exige GeoJSON (RFC 7946 §3.1.6)."
    )
    return [error(Code.RING_NOT_CLOSED, message, point=last.name, ring=last.ring)]


def _unreadable(value: Any, rank: int, ring: int) -> Diagnostic:
    """A position that is not a pair of numbers."""
    message = f"contour n° {ring}, point n° {rank} : position illisible « {json.dumps(value)} »."
    return error(Code.UNREADABLE_VALUE, message, point=f"n° {rank}", ring=ring)


def _ignored_warning(ignored: Sequence[str]) -> Diagnostic:
    """Say which non-polygon geometries were left out."""
    kinds = ", ".join(sorted(set(ignored)))
    return warning(Code.GEOMETRY_IGNORED, f"Géométries autres que polygones ignorées : {kinds}.")


def _default_crs(rings: Sequence[Sequence[Borne]], warnings: list[Diagnostic]) -> CRS | None:
    """WGS 84 as RFC 7946 says, unless the numbers cannot be degrees: then the request's SRID."""
    if all(-180 <= b.x <= 180 and -90 <= b.y <= 90 for ring in rings for b in ring):
        return WGS84
    # Exports from GIS tools often drop the `crs` member while keeping Lambert metres; reading
    # them as degrees would fail anyway, so the request's SRID is the only sensible reading.
    warnings.append(
        warning(
            Code.CRS_ASSUMED,
            "Le GeoJSON ne déclare pas de CRS et ses coordonnées ne sont pas des degrés WGS 84 : "
            "elles sont lues dans le SRID de la demande.",
        )
    )
    return None
