"""The overlay of a parcel with a plan, in PostGIS, in one round trip.

Candidates come from the GiST indexes (`ST_Intersects`), exact areas from `ST_Intersection`.
Zones are merged by code, servitudes by kind and label, roads by ref, reservations by code and
label. Pieces smaller than the plan's tolerance (1 m² by default) are not counted: they go to
`omitted` with their area and the reason, so nothing vanishes silently (as pyramid_oereb does).
A parcel over two plans is answered by the plan of the agency whose territory it is (the
agency whose plans hold most of it), the one holding most of it; between two plans holding as
much (a plan and its revision), the one in force. The others are reported in `other_plans`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import shapely
from sqlalchemy import Connection, text

from zoning.refusal import Invalid
from zoning.site import NO_BUILD_KINDS, ROAD_SEARCH_M, SiteGeometries, site_from_json

OVERLAY_SQL = text("""
WITH parcel AS (SELECT ST_GeomFromEWKB(:parcel) AS g),
hits AS (
  SELECT p.id, p.name, p.tolerance_m2, p.agency, p.imported_at,
         p.status = 'homologue' AND coalesce(p.valid_until >= CURRENT_DATE, true) AS in_force,
         -- most parcels lie wholly inside: a containment test is cheaper than an intersection
         CASE WHEN ST_Covers(p.perimeter, parcel.g) THEN ST_Area(parcel.g)
              ELSE ST_Area(ST_Intersection(p.perimeter, parcel.g)) END AS area_m2
  FROM plans p, parcel
  WHERE ST_Intersects(p.perimeter, parcel.g)
),
-- the agency whose territory (its plans) holds most of the parcel; the first there on a tie
territory AS (
  SELECT agency FROM hits GROUP BY agency ORDER BY sum(area_m2) DESC, min(imported_at) LIMIT 1
),
candidates AS (
  SELECT hits.*, hits.agency = (SELECT agency FROM territory) AS territorial FROM hits
  WHERE (CAST(:plan AS text) IS NULL OR name = :plan)
),
-- that agency's plan holding (within its tolerance) the most of the parcel; between plans
-- holding as much, the one in force (approved, not expired)
chosen AS (
  SELECT * FROM candidates
  ORDER BY territorial DESC,
           area_m2 >= max(area_m2) OVER (PARTITION BY territorial) - tolerance_m2 DESC,
           in_force DESC, area_m2 DESC, name
  LIMIT 1
),
-- the pieces are kept (not only their areas): the site below reuses them
zone_parts AS (
  SELECT z.code, z.label, z.rules, ST_Intersection(z.geom, parcel.g) AS piece
  FROM zones z, chosen, parcel
  WHERE z.plan_id = chosen.id AND ST_Intersects(z.geom, parcel.g)
),
servitude_pieces AS (
  SELECT s.kind, s.label, ST_Intersection(s.geom, parcel.g) AS piece
  FROM servitudes s, chosen, parcel
  WHERE s.plan_id = chosen.id AND ST_Intersects(s.geom, parcel.g)
),
servitude_parts AS (
  SELECT kind, label, ST_Area(ST_Union(piece)) AS area_m2
  FROM servitude_pieces GROUP BY kind, label
),
road_parts AS (
  SELECT r.ref, min(r.name) AS name, max(r.width_m) AS width_m,
         ST_Area(ST_Union(ST_Intersection(r.geom, parcel.g))) AS area_m2
  FROM roads r, chosen, parcel
  WHERE r.plan_id = chosen.id AND ST_Intersects(r.geom, parcel.g)
  GROUP BY r.ref
),
reservation_parts AS (
  SELECT v.code, v.label, sum(ST_Area(ST_Intersection(v.geom, parcel.g))) AS area_m2
  FROM reservations v, chosen, parcel
  WHERE v.plan_id = chosen.id AND ST_Intersects(v.geom, parcel.g)
  GROUP BY v.code, v.label
),
sector_parts AS (
  SELECT c.kind, c.label, sum(ST_Area(ST_Intersection(c.geom, parcel.g))) AS area_m2
  FROM sectors c, chosen, parcel
  WHERE c.plan_id = chosen.id AND ST_Intersects(c.geom, parcel.g)
  GROUP BY c.kind, c.label
)
SELECT json_build_object(
  'parcel_area_m2', (SELECT ST_Area(g) FROM parcel),
  'plans', (SELECT json_agg(json_build_object('id', id, 'name', name, 'area_m2', area_m2,
                                              'tolerance_m2', tolerance_m2)) FROM hits),
  'chosen', (SELECT id FROM chosen),
  'plan', (SELECT json_build_object(
      'name', p.name, 'kind', p.kind, 'status', p.status, 'commune', p.commune,
      'province', p.province, 'agency', p.agency, 'srid', p.srid,
      'approval', json_build_object('act', p.approval_act, 'date', p.approval_date,
                                    'bo', p.bo_number, 'bo_date', p.bo_date),
      'valid_until', p.valid_until, 'source_sha256', p.source_sha256,
      'raster_path', p.raster_path, 'servitude_texts', p.reglement -> 'servitudes',
      'servitude_texts_ar', p.reglement -> 'servitudes_ar',
      'legend', p.reglement -> 'legend',
      'enquete_publique', p.reglement #>> '{plan,enquete_publique}',
      'signatory', p.reglement #> '{plan,signatory}')
    FROM plans p JOIN chosen ON chosen.id = p.id),
  'zones', (SELECT json_agg(json_build_object('code', code, 'label', label, 'rules', rules,
                                              'area_m2', area_m2)) FROM (
      SELECT code, min(label) AS label, (array_agg(rules))[1] AS rules,
             sum(ST_Area(piece)) AS area_m2
      FROM zone_parts GROUP BY code) merged),
  'servitudes', (SELECT json_agg(s) FROM servitude_parts s),
  'roads', (SELECT json_agg(r) FROM road_parts r),
  'reservations', (SELECT json_agg(v) FROM reservation_parts v),
  'sectors', (SELECT json_agg(c) FROM sector_parts c),
  -- what the setbacks and the envelope are drawn from (zoning.site), when asked: the zone
  -- pieces merged by code, the roads within the search distance, the no-build pieces
  'site', CASE WHEN CAST(:with_site AS boolean) THEN json_build_object(
    'zones', (SELECT json_agg(json_build_object('code', code, 'wkb', wkb) ORDER BY code) FROM (
        SELECT code, encode(ST_AsBinary(ST_Union(piece)), 'hex') AS wkb
        FROM zone_parts GROUP BY code) merged),
    'roads', (SELECT json_agg(json_build_object('ref', r.ref, 'wkb',
                encode(ST_AsBinary(ST_Intersection(r.geom, ST_Expand(parcel.g, :search))), 'hex'))
                ORDER BY r.ref)
              FROM roads r, chosen, parcel
              WHERE r.plan_id = chosen.id AND ST_DWithin(r.geom, parcel.g, :search)),
    'no_build', (SELECT json_agg(json_build_object('kind', kind, 'wkb',
                   encode(ST_AsBinary(piece), 'hex')) ORDER BY kind)
                 FROM servitude_pieces WHERE kind = ANY(CAST(:no_build AS text[]))))
  END
)
""")


class ParcelOutsidePlans(Invalid, LookupError):
    """No plan (or not the plan asked for) covers the parcel."""

    def __init__(self, detail: str) -> None:
        super().__init__("parcel_outside_plans", detail)


@dataclass
class Overlay:
    """What lies on a parcel according to one plan, areas in m² of the storage SRID."""

    plan_id: int
    plan_name: str
    plan: dict[str, Any]
    parcel_area_m2: float
    inside_plan_m2: float
    tolerance_m2: float
    zones: list[dict[str, Any]] = field(default_factory=list)
    servitudes: list[dict[str, Any]] = field(default_factory=list)
    roads: list[dict[str, Any]] = field(default_factory=list)
    reservations: list[dict[str, Any]] = field(default_factory=list)
    sectors: list[dict[str, Any]] = field(default_factory=list)
    other_plans: list[dict[str, Any]] = field(default_factory=list)
    omitted: list[dict[str, Any]] = field(default_factory=list)
    site: SiteGeometries | None = None  # when asked (with_site): for setbacks and envelope

    def site_geometries(self) -> SiteGeometries:
        """The site brought by overlay_parcel(…, with_site=True); an error of the caller's
        without it."""
        if self.site is None:
            raise ValueError("the overlay was made without its site (with_site=True)")
        return self.site

    @property
    def outside_plan_m2(self) -> float:
        """The part of the parcel outside the answering plan's perimeter."""
        return round(max(0.0, self.parcel_area_m2 - self.inside_plan_m2), 2)


def overlay_parcel(
    conn: Connection,
    parcel: Any,
    storage_srid: int,
    plan: str | None = None,
    *,
    with_site: bool = False,
) -> Overlay:
    """Intersect a parcel (shapely, in the storage SRID) with the plan that holds most of it.

    with_site: also bring the geometries its setbacks and envelope are drawn from (`site`),
    in the same round trip and from the same intersections.
    """
    ewkb = shapely.to_wkb(shapely.set_srid(parcel, storage_srid), include_srid=True)
    params = {
        "parcel": ewkb,
        "plan": plan,
        "with_site": with_site,
        "search": ROAD_SEARCH_M,
        "no_build": list(NO_BUILD_KINDS),
    }
    raw = conn.execute(OVERLAY_SQL, params).scalar_one()
    data = json.loads(raw) if isinstance(raw, str) else raw
    if data["chosen"] is None:
        where = f"du plan {plan!r}" if plan else "de tout plan enregistré"
        raise ParcelOutsidePlans(f"la parcelle est en dehors {where}")
    return _overlay(data)


def _overlay(data: dict[str, Any]) -> Overlay:
    plans = data["plans"]
    chosen = next(p for p in plans if p["id"] == data["chosen"])
    result = Overlay(
        plan_id=chosen["id"],
        plan_name=chosen["name"],
        plan=data["plan"],
        parcel_area_m2=data["parcel_area_m2"],
        inside_plan_m2=chosen["area_m2"],
        tolerance_m2=chosen["tolerance_m2"],
    )
    if data["site"] is not None:
        rules = {zone["code"]: zone["rules"] for zone in data["zones"] or []}
        result.site = site_from_json(data["site"], rules)
    tolerance = result.tolerance_m2
    result.zones = _kept(data["zones"], "zones", "code", tolerance, result.omitted)
    result.servitudes = _kept(data["servitudes"], "servitudes", "kind", tolerance, result.omitted)
    result.roads = _kept(data["roads"], "roads", "ref", tolerance, result.omitted)
    result.reservations = _kept(
        data["reservations"], "reservations", "code", tolerance, result.omitted
    )
    result.sectors = _kept(data["sectors"], "sectors", "kind", tolerance, result.omitted)
    result.other_plans = [
        {"name": p["name"], "area_m2": round(p["area_m2"], 2)}
        for p in plans
        if p["id"] != chosen["id"] and p["area_m2"] > 0
    ]
    return result


def _kept(
    rows: list[dict[str, Any]] | None,
    layer: str,
    key: str,
    tolerance: float,
    omitted: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Rows at or above the tolerance, largest first; the others go to `omitted`."""
    kept = []
    for row in sorted(rows or [], key=lambda r: (-r["area_m2"], str(r[key]))):
        row["area_m2"] = round(row["area_m2"], 2)
        if row["area_m2"] >= tolerance:
            kept.append(row)
            continue
        omitted.append(
            {
                "layer": layer,
                "name": str(row[key]),
                "area_m2": row["area_m2"],
                "reason": f"recouvrement de {row['area_m2']:.2f} m², sous la tolérance de "
                f"{tolerance:g} m² du plan",
            }
        )
    return kept
