"""The geometries the compliance check needs around a parcel, from PostGIS in one round trip."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import shapely
from sqlalchemy import Connection, text

#: Servitude kinds where nothing may be built (a footprint there fails the check).
NO_BUILD_KINDS = ("non_aedificandi", "ligne_ht", "cimetiere")
#: Roads within this distance of the parcel matter for the alignment and the road setback.
ROAD_SEARCH_M = 30.0

SITE_SQL = text("""
WITH parcel AS (SELECT ST_GeomFromEWKB(:parcel) AS g)
SELECT 'zone' AS layer, z.code AS name, (array_agg(z.rules))[1] AS rules,
       ST_AsBinary(ST_Union(ST_Intersection(z.geom, parcel.g))) AS wkb
FROM zones z, parcel
WHERE z.plan_id = :plan_id AND ST_Intersects(z.geom, parcel.g)
GROUP BY z.code
UNION ALL
SELECT 'road', r.ref, NULL,
       ST_AsBinary(ST_Intersection(r.geom, ST_Expand(parcel.g, :search)))
FROM roads r, parcel
WHERE r.plan_id = :plan_id AND ST_DWithin(r.geom, parcel.g, :search)
UNION ALL
SELECT 'no_build', s.kind, NULL, ST_AsBinary(ST_Intersection(s.geom, parcel.g))
FROM servitudes s, parcel
WHERE s.plan_id = :plan_id AND s.kind = ANY(:no_build) AND ST_Intersects(s.geom, parcel.g)
""")


@dataclass
class SiteGeometries:
    """Zone parts (with their rules), nearby road rights-of-way, no-build areas: Lambert metres."""

    zone_parts: list[tuple[str, dict[str, Any], Any]] = field(default_factory=list)
    roads: list[tuple[str, Any]] = field(default_factory=list)
    no_build: list[tuple[str, Any]] = field(default_factory=list)


def site_geometries(
    conn: Connection, parcel: Any, plan_id: int, storage_srid: int
) -> SiteGeometries:
    """The zone parts of the parcel, the roads near it and the no-build areas on it."""
    rows = conn.execute(
        SITE_SQL,
        {
            "parcel": shapely.to_wkb(shapely.set_srid(parcel, storage_srid), include_srid=True),
            "plan_id": plan_id,
            "search": ROAD_SEARCH_M,
            "no_build": list(NO_BUILD_KINDS),
        },
    )
    site = SiteGeometries()
    for layer, name, rules, wkb in rows:
        geometry = shapely.from_wkb(bytes(wkb))
        if geometry.is_empty:
            continue
        if layer == "zone":
            site.zone_parts.append((name, rules, geometry))
        elif layer == "road":
            site.roads.append((name, geometry))
        else:
            site.no_build.append((name, geometry))
    return site
