"""A parcel as the compliance check sees it: zone parts, roads, servitudes, and its edges.

Geometries are shapely objects in the plan's Lambert metres (docs/architecture.md: areas and
setbacks are never computed in degrees).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

import numpy as np
import shapely
from shapely import (
    GeometryCollection,
    LineString,
    Polygon,
    line_merge,
    unary_union,
)
from shapely.geometry.base import BaseGeometry

from checks.zone_rules import ZoneRules

# A parcel edge lying within this distance of a right-of-way runs along it: plans drawn at
# 1/2000 are accurate to about 0.4 m (0.2 mm on paper), and surveyed coordinates to the cm.
EDGE_SNAP_M = 0.5
# An edge within 45° of the front's direction faces it (rear); otherwise it is a side edge.
REAR_MAX_ANGLE_DEG = 45.0


@dataclass(frozen=True)
class ZonePart:
    """The part of the parcel inside one zone, with that zone's rules.

    allowed_uses / forbidden_uses are explicit flags (Project.use values) a caller may derive
    from the règlement; without them the affectation text can only be checked by a person.
    """

    code: str
    rules: ZoneRules
    geometry: BaseGeometry
    allowed_uses: frozenset[str] | None = None
    forbidden_uses: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Site:
    """The parcel, its zone parts, planned road rights-of-way and no-build servitudes.

    front_edges: the parcel's edges along a road, when known (otherwise derived from roads);
    side_edges / rear_edges: explicit side and rear boundaries, overriding the derivation.
    """

    parcel: BaseGeometry
    parts: Sequence[ZonePart]
    roads: Sequence[BaseGeometry] = ()
    no_build: Sequence[BaseGeometry] = ()
    front_edges: Sequence[BaseGeometry] | None = None
    side_edges: Sequence[BaseGeometry] | None = None
    rear_edges: Sequence[BaseGeometry] | None = None

    def roads_union(self) -> BaseGeometry:
        """All rights-of-way as one geometry (possibly empty)."""
        return self._roads_union

    def net_parcel(self) -> BaseGeometry:
        """The parcel minus the road rights-of-way: what remains behind the alignement."""
        return self._net_parcel

    def no_build_union(self) -> BaseGeometry:
        """All no-build servitudes as one geometry (possibly empty)."""
        return self._no_build_union

    # Each computed once per site: the edges, the bands and the envelope all start from them,
    # and the union of the rights-of-way was the largest single cost of a note's setbacks.
    @cached_property
    def _roads_union(self) -> BaseGeometry:
        return unary_union(list(self.roads))

    @cached_property
    def _net_parcel(self) -> BaseGeometry:
        return self.parcel.difference(self._roads_union)

    @cached_property
    def _no_build_union(self) -> BaseGeometry:
        return unary_union(list(self.no_build))


@dataclass(frozen=True)
class ParcelEdges:
    """Front, side and rear boundaries of the net parcel; None when they cannot be told.

    An empty geometry means the boundary is known not to exist (a parcel without rear edge).
    frontages holds the length of the front along each road (or given front edge).
    """

    front: BaseGeometry | None
    side: BaseGeometry | None
    rear: BaseGeometry | None
    frontages: tuple[float, ...] = ()


def _polygons(geometry: BaseGeometry) -> Iterator[Polygon]:
    """The polygons of a Polygon, MultiPolygon or collection."""
    if isinstance(geometry, Polygon):
        yield geometry
    elif hasattr(geometry, "geoms"):
        for part in geometry.geoms:
            yield from _polygons(part)


def _segments(geometry: BaseGeometry) -> Iterator[LineString]:
    """Each straight segment of the rings of the polygons."""
    for polygon in _polygons(geometry):
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = list(ring.coords)
            for start, end in pairwise(coords):
                if start != end:
                    yield LineString([start, end])


def _direction_deg(segment: LineString) -> float:
    """Direction of a segment in degrees, modulo 180."""
    (x0, y0), (x1, y1) = segment.coords[0], segment.coords[-1]
    return math.degrees(math.atan2(y1 - y0, x1 - x0)) % 180.0


def _angle_between(a: float, b: float) -> float:
    """Unsigned angle between two undirected directions, 0..90°."""
    diff = abs(a - b) % 180.0
    return min(diff, 180.0 - diff)


def _lines(segments: Sequence[BaseGeometry]) -> BaseGeometry:
    """The segments as one (merged) linear geometry, empty if there are none."""
    if not segments:
        return GeometryCollection()
    return line_merge(unary_union(list(segments)))


def _along(piece: BaseGeometry, segments: list[LineString]) -> np.ndarray:
    """Which segments run along a right-of-way or a given front edge (within the snap)."""
    near: np.ndarray = shapely.dwithin(piece, segments, EDGE_SNAP_M)
    if not near.any():  # most roads near a parcel do not touch it: no buffer drawn for them
        return near
    covered: np.ndarray = shapely.covers(piece.buffer(EDGE_SNAP_M), segments)
    return covered


def parcel_edges(site: Site) -> ParcelEdges:
    """Tell the front (along the road), rear (facing it) and side boundaries of the parcel."""
    segments = list(_segments(site.net_parcel()))
    along = [_along(piece, segments) for piece in [*site.roads, *(site.front_edges or [])]]
    is_front = np.logical_or.reduce(along) if along else np.zeros(len(segments), dtype=bool)
    front = [s for s, hit in zip(segments, is_front, strict=True) if hit]
    others = [s for s, hit in zip(segments, is_front, strict=True) if not hit]
    explicit_side = None if site.side_edges is None else _lines(list(site.side_edges))
    explicit_rear = None if site.rear_edges is None else _lines(list(site.rear_edges))
    if not front:
        # Without the front, side and rear boundaries are known only when given.
        return ParcelEdges(front=None, side=explicit_side, rear=explicit_rear)
    main = max(front, key=lambda segment: segment.length)
    rear = [s for s in others if _faces(s, main)]
    side = [s for s in others if not _faces(s, main)]
    lengths = shapely.length(segments)
    return ParcelEdges(
        front=_lines(front),
        side=explicit_side if site.side_edges is not None else _lines(side),
        rear=explicit_rear if site.rear_edges is not None else _lines(rear),
        frontages=tuple(float(lengths[run].sum()) for run in along),
    )


def _faces(segment: LineString, front: LineString) -> bool:
    """Whether a boundary runs roughly parallel to the front (a rear boundary)."""
    angle = _angle_between(_direction_deg(segment), _direction_deg(front))
    return angle < REAR_MAX_ANGLE_DEG


def frontage_m(edges: ParcelEdges) -> float | None:
    """The longest frontage along one road, None when the front is unknown."""
    if edges.front is None or not edges.frontages:
        return None
    return max(edges.frontages)
