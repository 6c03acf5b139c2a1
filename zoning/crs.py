"""Moroccan Lambert zones (Merchich datum) and cached transformations to and from WGS 84.

Nord and Sud Maroc share the false origin (500000, 300000), so numbers alone cannot tell the
zone: the plan's SRID decides. Merchich → WGS 84 uses EPSG:1166 (about 7 m): good for a web
map, never used for areas, which are always computed in Lambert metres.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import shapely
from pyproj import CRS, Transformer
from shapely import Geometry

WGS84 = 4326
#: EPSG:1166 (Merchich to WGS 84) is defined only north of this latitude; further south PROJ
#: falls back to a "ballpark" offset that ignores the datum shift (about 280 m off).
DATUM_SHIFT_SOUTH_LIMIT_DEG = 27.66


@dataclass(frozen=True)
class LambertZone:
    """One Moroccan Lambert zone and its area of use (degrees, WGS 84)."""

    srid: int
    name: str
    west: float
    south: float
    east: float
    north: float

    def contains_lonlat(self, lon: float, lat: float) -> bool:
        """Whether a WGS 84 point lies in this zone's area of use."""
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def _zone(srid: int) -> LambertZone:
    crs = CRS.from_epsg(srid)
    area = crs.area_of_use
    assert area is not None, f"EPSG:{srid} has no area of use"
    return LambertZone(srid, crs.name, area.west, area.south, area.east, area.north)


#: EPSG 26191 Nord Maroc, 26192 Sud Maroc, 26194 Sahara Nord, 26195 Sahara Sud.
MOROCCAN_LAMBERT: dict[int, LambertZone] = {s: _zone(s) for s in (26191, 26192, 26194, 26195)}


class BallparkTransformWarning(UserWarning):
    """A transformation south of EPSG:1166's area fell back to PROJ's ballpark offset."""


@lru_cache(maxsize=64)
def transformer(source: int | CRS, target: int | CRS) -> Transformer:
    """A cached pyproj transformer (EPSG codes or CRS objects), always in x/y (lon/lat) order."""
    return Transformer.from_crs(source, target, always_xy=True)


def transform_point(x: float, y: float, source_srid: int, target_srid: int) -> tuple[float, float]:
    """Transform one point, warning when the datum shift is a ballpark guess."""
    tx, ty = transformer(source_srid, target_srid).transform(x, y)
    _warn_if_ballpark(source_srid, target_srid, y if source_srid == WGS84 else ty)
    return float(tx), float(ty)


def transform_geometry(geom: Geometry, source_srid: int, target_srid: int) -> Geometry:
    """Transform a shapely geometry between two SRIDs (identity when they are equal)."""
    if source_srid == target_srid:
        return geom
    forward = transformer(source_srid, target_srid).transform
    result = shapely.transform(geom, lambda x, y: forward(x, y), interleaved=False)
    lat = _latitude_of(geom if source_srid == WGS84 else result, source_srid, target_srid)
    if lat is not None:
        _warn_if_ballpark(source_srid, target_srid, lat)
    return result


def to_lonlat(x: float, y: float, srid: int) -> tuple[float, float]:
    """Lambert (or any SRID) to WGS 84 longitude/latitude, for display only."""
    return transform_point(x, y, srid, WGS84)


def zone_for_lonlat(lon: float, lat: float) -> LambertZone | None:
    """The Lambert zone whose area of use holds a WGS 84 point (the northern one on a border)."""
    for zone in MOROCCAN_LAMBERT.values():
        if zone.contains_lonlat(lon, lat):
            return zone
    return None


def _latitude_of(geom: Geometry, source_srid: int, target_srid: int) -> float | None:
    """Southernmost latitude of a geometry, when one side of the transformation is WGS 84."""
    if WGS84 not in (source_srid, target_srid) or geom.is_empty:
        return None
    return float(geom.bounds[1])


def _warn_if_ballpark(source_srid: int, target_srid: int, lat: float) -> None:
    """Warn when a Merchich ↔ WGS 84 transformation runs south of EPSG:1166's area of use."""
    lambert = {source_srid, target_srid} & set(MOROCCAN_LAMBERT)
    if lambert and WGS84 in (source_srid, target_srid) and lat < DATUM_SHIFT_SOUTH_LIMIT_DEG:
        warnings.warn(
            f"latitude {lat:.2f}° is south of {DATUM_SHIFT_SOUTH_LIMIT_DEG}° N, outside EPSG:1166: "
            "PROJ uses a ballpark Merchich ↔ WGS 84 offset, about 280 m off; "
            "positions are indicative only",
            BallparkTransformWarning,
            stacklevel=3,
        )
