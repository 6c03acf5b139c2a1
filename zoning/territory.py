"""Agencies' territories: an agency's territory is the union of its plans' perimeters.

A plan must lie within its agency's territory, so a plan overlapping the plans of another agency
beyond TERRITORY_TOLERANCE_M2 is refused at import (`territoire_autre_agence`), and a project's
footprint overlapping another agency's plan beyond that plan's tolerance is refused when an
agent records it (geoportal.projects.register). Where one ground still has two plans (two plans
of one agency, or overlaps older than this rule), the overlay answers with the plan in force of the
agency whose territory it is (zoning.overlay).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import Connection, text

#: Two agencies' plans follow the same commune limit, digitised by different design offices:
#: slivers along a shared border are no claim on the neighbour's land. A hectare is.
TERRITORY_TOLERANCE_M2 = 100.0
#: Key of the advisory lock two imports take before comparing territories: without it, two
#: agencies importing overlapping plans at once would each miss the other's, not yet committed.
#: (Two-key form: it never meets load_plan's single-key lock on a plan's name.)
_TERRITORY_LOCK = {"a": 10, "b": 4}

ENCROACHMENTS_SQL = text("""
WITH candidate AS (SELECT ST_GeomFromEWKB(:geometry) AS g),
parts AS (
  SELECT p.agency, p.name, p.tolerance_m2,
         ST_CollectionExtract(ST_Intersection(p.perimeter, candidate.g), 3) AS part
  FROM plans p, candidate
  WHERE ST_Intersects(p.perimeter, candidate.g)
    AND p.agency IS DISTINCT FROM CAST(:agency AS text)
    AND (CAST(:replacing AS text) IS NULL OR p.name <> :replacing)
),
merged AS (
  SELECT agency, array_agg(name ORDER BY name) AS plans, max(tolerance_m2) AS tolerance_m2,
         ST_Union(part) AS overlap
  FROM parts GROUP BY agency
)
SELECT agency, plans, tolerance_m2, ST_Area(overlap) AS area_m2,
       ST_X(ST_PointOnSurface(overlap)) AS x, ST_Y(ST_PointOnSurface(overlap)) AS y
FROM merged WHERE NOT ST_IsEmpty(overlap)
ORDER BY area_m2 DESC, agency
""")


@dataclass(frozen=True)
class Encroachment:
    """The part of a geometry inside the plans of another agency."""

    agency: str
    plans: tuple[str, ...]
    area_m2: float
    location: tuple[float, float]  # a point of the overlap, in the storage SRID
    tolerance_m2: float  # the largest tolerance of those plans

    def message(self, what: str, tolerance_m2: float) -> str:
        """A French sentence naming the agency, its plans and the overlap."""
        plans = ", ".join(f"« {name} »" for name in self.plans)
        area = f"{self.area_m2:,.0f}".replace(",", " ")
        return (
            f"{what} empiète de {area} m² sur le territoire de l'agence « {self.agency} » "
            f"(plan {plans}) ; un plan ou un projet doit rester dans le territoire de son agence "
            f"(tolérance : {tolerance_m2:g} m²)"
        )


def encroachments(
    conn: Connection,
    geometry: Any,
    storage_srid: int,
    agency: str | None,
    *,
    replacing: str | None = None,
) -> list[Encroachment]:
    """Other agencies' plans that `geometry` (in the storage SRID) overlaps, largest first.

    `replacing` names a plan the geometry's plan replaces: its perimeter is not counted.
    """
    ewkb = shapely.to_wkb(shapely.set_srid(geometry, storage_srid), include_srid=True)
    rows = conn.execute(
        ENCROACHMENTS_SQL, {"geometry": ewkb, "agency": agency, "replacing": replacing}
    )
    return [
        Encroachment(r.agency, tuple(r.plans), float(r.area_m2), (r.x, r.y), r.tolerance_m2)
        for r in rows
        if r.area_m2 > 0
    ]


def lock_territories(conn: Connection) -> None:
    """Serialise territory checks until the transaction ends (plan imports are rare)."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), _TERRITORY_LOCK)


def majority_agency(conn: Connection, geometry: Any, storage_srid: int) -> str | None:
    """The agency whose plans hold most of `geometry`; the earliest imported on a tie."""
    ewkb = shapely.to_wkb(shapely.set_srid(geometry, storage_srid), include_srid=True)
    found = conn.execute(
        text("""WITH candidate AS (SELECT ST_GeomFromEWKB(:geometry) AS g)
                SELECT p.agency FROM plans p, candidate
                WHERE ST_Intersects(p.perimeter, candidate.g)
                GROUP BY p.agency
                ORDER BY sum(ST_Area(ST_Intersection(p.perimeter, candidate.g))) DESC,
                         min(p.imported_at)
                LIMIT 1"""),
        {"geometry": ewkb},
    ).scalar()
    return str(found) if found is not None else None
