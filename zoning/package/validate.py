"""Checks on a plan package before it is loaded, producing the findings of the import report.

Each layer is normalised on the way: CRS resolved and transformed to the storage SRID, required
fields and geometry types checked, invalid geometries repaired only when asked (`--repair`),
lines and points turned into areas (roads by half their width with flat ends, servitudes by
`buffer_m`). Then the plan as a whole: zone codes against the règlement, zone overlaps,
gaps inside the perimeter, features outside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon

from zoning.crs import transform_point
from zoning.package.read import PlanPackage
from zoning.package.reglement import Reglement
from zoning.package.report import Finding

POLYGONAL = {"Polygon", "MultiPolygon"}
LINEAR = {"LineString", "MultiLineString"}
PUNCTUAL = {"Point", "MultiPoint"}
REQUIRED_FIELDS = {
    "zones": ("code",),
    "roads": ("ref",),
    "servitudes": ("kind",),
    "reservations": ("code",),
    "sectors": ("kind",),
    "perimeter": (),
}
ALLOWED_TYPES = {
    "zones": POLYGONAL,
    "reservations": POLYGONAL,
    "sectors": POLYGONAL,
    "perimeter": POLYGONAL,
    "roads": POLYGONAL | LINEAR,
    "servitudes": POLYGONAL | LINEAR | PUNCTUAL,
}
SECTOR_KINDS = {
    "medina",
    "ksar",
    "kasbah",
    "lotissement_receptionne",
    "lotissement_restructure",
    "patrimoine",
    "affectation_non_definie",
    # RGC art. 3 and 4: areas where the règlement does not apply (checks.sectors)
    "bouregreg",
    "marchica",
    "militaire",
    "culte_musulman",
}
#: findings of one kind listed one by one up to this many; the rest are summed in one line.
MAX_LISTED = 200
_LOCATION = re.compile(r"\[([-\d.e+]+) ([-\d.e+]+)\]")


@dataclass
class Validator:
    """Validation context: the plan's SRID, the storage SRID and the options of the import."""

    plan_srid: int
    storage_srid: int
    assumed_srid: int | None = None
    repair: bool = False
    tolerance_m2: float = 1.0
    findings: list[Finding] = field(default_factory=list)

    def add(self, code: str, severity: str, message: str, **where: Any) -> None:
        """Record a finding (locations given in storage SRID, reported in the plan's)."""
        location = where.pop("location", None)
        if location is not None:
            location = self._plan_xy(location)
        self.findings.append(Finding(code, severity, message, location=location, **where))  # type: ignore[arg-type]

    def _plan_xy(self, xy: tuple[float, float]) -> tuple[float, float]:
        x, y = transform_point(xy[0], xy[1], self.storage_srid, self.plan_srid)
        return round(x, 2), round(y, 2)

    # -- per layer ------------------------------------------------------------------------

    def prepare(self, package: PlanPackage) -> dict[str, gpd.GeoDataFrame]:
        """Normalise every layer of the package; findings accumulate on the validator."""
        if "zones" not in package.layers:
            self.add(
                "missing_layer", "error", "le dossier n'a pas de couche `zones`", layer="zones"
            )
        for name in package.unknown_layers:
            self.add(
                "unknown_layer",
                "warning",
                f"la couche {name!r} ne fait pas partie d'un dossier de plan "
                "(docs/formats.md §1) et n'a pas été importée",
                layer=name,
            )
        prepared = {}
        for name, layer in package.layers.items():
            frame = self._prepare_layer(name, layer.frame)
            if frame is not None:
                prepared[name] = frame
        return prepared

    def _prepare_layer(self, name: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
        if frame.empty:
            severity = "error" if name == "zones" else "warning"
            self.add("empty_layer", severity, f"la couche {name} n'a aucun objet", layer=name)
            return None
        missing = [f for f in REQUIRED_FIELDS[name] if f not in frame.columns]
        if missing:
            self.add(
                "missing_field",
                "error",
                f"la couche {name} n'a pas le champ {', '.join(missing)} "
                "(requis, docs/formats.md §1)",
                layer=name,
            )
            return None
        frame = frame.copy()
        frame["feature"] = np.arange(1, len(frame) + 1)
        frame = self._to_storage_crs(name, frame)
        frame = self._usable_geometries(name, frame)
        frame = self._required_values(name, frame)
        return self._as_areas(name, frame)

    def _to_storage_crs(self, name: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Transform a declared CRS; refuse a missing one unless the agent gave --srid."""
        if frame.crs is None:
            if self.assumed_srid is None:
                self.add(
                    "crs_missing",
                    "error",
                    f"la couche {name} ne déclare aucun système de coordonnées ; donnez --srid "
                    f"(par exemple --srid {self.plan_srid}) pour confirmer ses coordonnées",
                    layer=name,
                )
                frame = frame.set_crs(self.plan_srid)
            else:
                self.add(
                    "crs_assumed",
                    "info",
                    f"la couche {name} ne déclare aucun système : "
                    f"lue en EPSG:{self.assumed_srid} (--srid)",
                    layer=name,
                )
                frame = frame.set_crs(self.assumed_srid)
        elif _epsg(frame.crs) != self.plan_srid:
            self.add(
                "crs_transformed",
                "warning",
                f"la couche {name} est en {_crs_name(frame.crs)}, "
                f"pas dans l'EPSG:{self.plan_srid} du plan : transformée",
                layer=name,
            )
        return frame.to_crs(self.storage_srid)

    def _usable_geometries(self, name: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Drop (as errors) empty or mistyped geometries; repair or refuse invalid ones."""
        geoms = frame.geometry.values
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        for feature in frame.loc[empty, "feature"]:
            self.add(
                "empty_geometry",
                "error",
                "feature has no geometry",
                layer=name,
                feature=int(feature),
            )
        frame = frame.loc[~empty]
        types = frame.geometry.geom_type
        wrong = ~types.isin(list(ALLOWED_TYPES[name]))
        for feature, kind in zip(frame.loc[wrong, "feature"], types[wrong], strict=True):
            self.add(
                "wrong_geometry_type",
                "error",
                f"{kind} n'est pas permis dans la couche {name} "
                f"(attendu : {', '.join(sorted(ALLOWED_TYPES[name]))})",
                layer=name,
                feature=int(feature),
            )
        frame = frame.loc[~wrong]
        return self._valid(name, frame)

    def _valid(self, name: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        geoms = frame.geometry.values
        invalid = ~shapely.is_valid(geoms)
        if not invalid.any():
            return frame
        reasons = shapely.is_valid_reason(geoms[invalid])
        for row, reason in zip(frame.loc[invalid].itertuples(), reasons, strict=True):
            self._invalid_finding(name, row, str(reason))
        if not self.repair:
            return frame.loc[~invalid]
        frame = frame.copy()
        repaired = shapely.make_valid(geoms[invalid])
        frame.loc[invalid, frame.geometry.name] = [
            _same_dimension(g, o) for g, o in zip(repaired, geoms[invalid], strict=True)
        ]
        return frame

    def _invalid_finding(self, name: str, row: Any, reason: str) -> None:
        match = _LOCATION.search(reason)
        location = (float(match[1]), float(match[2])) if match else _point_of(row.geometry)
        action = "réparée avec make_valid" if self.repair else "utilisez --repair pour la réparer"
        self.add(
            "invalid_geometry",
            "warning" if self.repair else "error",
            f"géométrie invalide : {reason.split('[')[0]} ; {action}",
            layer=name,
            feature=int(row.feature),
            location=location,
            area_m2=_area(row.geometry),
        )

    def _required_values(self, name: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Every required field filled; widths and buffers where a line or point needs them."""
        keep = pd.Series(True, index=frame.index)
        for field_name in REQUIRED_FIELDS[name]:
            frame[field_name] = frame[field_name].map(_clean_text)
            blank = frame[field_name].isna()
            for row in frame.loc[blank].itertuples():
                self.add(
                    "missing_value",
                    "error",
                    f"{field_name} est vide",
                    layer=name,
                    feature=int(row.feature),
                    location=_point_of(row.geometry),
                )
            keep &= ~blank
        if name == "roads":
            keep &= self._numbers(frame, name, "width_m", needed=~_polygonal(frame))
        if name == "servitudes":
            keep &= self._numbers(frame, name, "buffer_m", needed=~_polygonal(frame))
        if name == "sectors":
            self._sector_kinds(frame.loc[keep])
        return frame.loc[keep]

    def _numbers(
        self, frame: gpd.GeoDataFrame, layer: str, column: str, needed: pd.Series
    ) -> pd.Series:
        """Coerce `column` to positive floats; required where `needed` (lines, points)."""
        raw = frame[column] if column in frame.columns else pd.Series(None, index=frame.index)
        values = pd.to_numeric(raw, errors="coerce")
        bad = (raw.notna() & values.isna()) | (values <= 0) | (needed & values.isna())
        for row, value in zip(frame.loc[bad].itertuples(), raw[bad], strict=True):
            problem = "manque" if pd.isna(value) else f"n'est pas un nombre positif ({value!r})"
            self.add(
                "missing_value",
                "error",
                f"{column} {problem} : un objet {row.geometry.geom_type} en a besoin",
                layer=layer,
                feature=int(row.feature),
                location=_point_of(row.geometry),
            )
        frame[column] = values
        return ~bad

    def _sector_kinds(self, frame: gpd.GeoDataFrame) -> None:
        for row in frame.loc[~frame["kind"].isin(SECTOR_KINDS)].itertuples():
            self.add(
                "unknown_sector_kind",
                "warning",
                f"le type de secteur {row.kind!r} n'a pas de portée "
                f"procédurale (connus : {', '.join(sorted(SECTOR_KINDS))})",
                layer="sectors",
                feature=int(row.feature),
            )

    def _as_areas(self, name: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """The stored area of each feature: polygons as MultiPolygons, lines and points buffered."""
        geoms = frame.geometry.values
        areas = geoms.copy()
        if name == "roads":
            lines = ~_polygonal(frame).to_numpy()
            half = frame["width_m"].to_numpy()[lines] / 2
            areas[lines] = shapely.buffer(geoms[lines], half, cap_style="flat")
        elif name == "servitudes":
            others = ~_polygonal(frame).to_numpy()
            areas[others] = shapely.buffer(geoms[others], frame["buffer_m"].to_numpy()[others])
        frame["area_geom"] = [_multipolygon(g) for g in areas]
        return frame

    # -- the plan as a whole --------------------------------------------------------------

    def check_zone_codes(self, zones: gpd.GeoDataFrame, reglement: Reglement) -> None:
        """Codes drawn but not ruled are errors; codes ruled but not drawn are warnings."""
        drawn = set(zones["code"])
        for code in sorted(drawn - set(reglement.zones)):
            rows = zones.loc[zones["code"] == code]
            self.add(
                "unknown_zone_code",
                "error",
                f"le code de zone {code!r} est dans la couche "
                f"({len(rows)} objet(s)) mais pas dans le règlement",
                layer="zones",
                feature=int(rows["feature"].iloc[0]),
                area_m2=float(rows.area.sum()),
                location=_point_of(rows.geometry.iloc[0]),
            )
        for code in sorted(set(reglement.zones) - drawn):
            self.add(
                "unused_zone_code",
                "warning",
                f"le code de zone {code!r} est dans le règlement mais aucune zone de la "
                "couche ne le porte",
                layer="zones",
            )

    def check_overlaps(self, zones: gpd.GeoDataFrame) -> None:
        """Zone overlaps larger than the tolerance (1 m² by default)."""
        geoms = zones["area_geom"].to_numpy()
        left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        pairs = left < right
        left, right = left[pairs], right[pairs]
        interior = shapely.relate_pattern(geoms[left], geoms[right], "2********")
        left, right = left[interior], right[interior]
        overlaps = shapely.intersection(geoms[left], geoms[right])
        big = shapely.area(overlaps) > self.tolerance_m2
        found = list(zip(left[big], right[big], overlaps[big], strict=True))
        for a, b, overlap in found[:MAX_LISTED]:
            za, zb = zones.iloc[int(a)], zones.iloc[int(b)]
            self.add(
                "zone_overlap",
                "error",
                f"les zones {za.code} (n° {za.feature}) et {zb.code} (n° {zb.feature}) "
                "se chevauchent",
                layer="zones",
                feature=int(za.feature),
                area_m2=round(float(overlap.area), 2),
                location=_point_of(overlap),
            )
        self._more("zone_overlap", "error", "zones", found)

    def perimeter(self, layers: dict[str, gpd.GeoDataFrame]) -> Any:
        """The plan's legal boundary: the perimeter layer, else the zones' outline (holes filled,
        so that land no zone covers inside it shows as a gap)."""
        if "perimeter" in layers:
            return shapely.union_all(layers["perimeter"]["area_geom"].to_numpy())
        if "zones" in layers:
            union = shapely.union_all(layers["zones"]["area_geom"].to_numpy())
            return shapely.union_all(
                [
                    Polygon(part.exterior)
                    for part in shapely.get_parts(union)
                    if isinstance(part, Polygon)
                ]
            )
        return Polygon()

    def check_gaps(self, zones: gpd.GeoDataFrame, perimeter: Any) -> None:
        """Land inside the perimeter that no zone covers (pieces above the tolerance)."""
        covered = shapely.union_all(zones["area_geom"].to_numpy())
        gaps = [
            g
            for g in shapely.get_parts(perimeter.difference(covered))
            if g.area > self.tolerance_m2
        ]
        for gap in gaps[:MAX_LISTED]:
            self.add(
                "gap",
                "warning",
                "land inside the perimeter is in no zone",
                layer="zones",
                area_m2=round(float(gap.area), 2),
                location=_point_of(gap),
            )
        self._more("gap", "warning", "zones", gaps)

    def check_outside(self, layers: dict[str, gpd.GeoDataFrame], perimeter: Any) -> None:
        """Features reaching beyond the perimeter by more than the tolerance."""
        if perimeter.is_empty:
            return
        shapely.prepare(perimeter)
        for name, frame in layers.items():
            if name == "perimeter":
                continue
            self._outside(name, frame, perimeter)

    def _outside(self, name: str, frame: gpd.GeoDataFrame, perimeter: Any) -> None:
        geoms = frame["area_geom"].to_numpy()
        candidates = ~shapely.covered_by(geoms, perimeter)
        outside = shapely.difference(geoms[candidates], perimeter)
        areas = shapely.area(outside)
        found = [
            (row, part, area)
            for row, part, area in zip(
                frame.loc[candidates].itertuples(), outside, areas, strict=True
            )
            if area > self.tolerance_m2
        ]
        for row, part, area in found[:MAX_LISTED]:
            whole = "entièrement" if area >= row.area_geom.area - self.tolerance_m2 else "en partie"
            self.add(
                "outside_perimeter",
                "warning",
                f"l'objet est {whole} hors du périmètre du plan",
                layer=name,
                feature=int(row.feature),
                area_m2=round(area, 2),
                location=_point_of(part),
            )
        self._more("outside_perimeter", "warning", name, found)

    def _more(self, code: str, severity: str, layer: str, found: list[Any]) -> None:
        if len(found) > MAX_LISTED:
            self.add(
                code,
                severity,
                f"… et {len(found) - MAX_LISTED} autre(s) du même genre",
                layer=layer,
            )


def _epsg(crs: CRS) -> int | None:
    epsg = CRS(crs).to_epsg(min_confidence=70)
    return int(epsg) if epsg else None


def _crs_name(crs: CRS) -> str:
    epsg = _epsg(crs)
    return f"EPSG:{epsg}" if epsg else CRS(crs).name


def _clean_text(value: Any) -> str | None:
    """Strip text fields; empty strings and NULLs are missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _polygonal(frame: gpd.GeoDataFrame) -> pd.Series:
    return frame.geometry.geom_type.isin(list(POLYGONAL))


def _same_dimension(repaired: Any, original: Any) -> Any:
    """make_valid may return a collection with stray lines: keep the original's dimension."""
    if original.geom_type not in POLYGONAL:
        return repaired
    return MultiPolygon(
        [p for p in shapely.get_parts(repaired) if p.geom_type == "Polygon"]
        + [q for m in shapely.get_parts(repaired) if m.geom_type == "MultiPolygon" for q in m.geoms]
    )


def _multipolygon(geom: Any) -> MultiPolygon:
    """Polygonal parts of a geometry as one MultiPolygon (the stored type)."""
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon)]
    return MultiPolygon(parts)


def _point_of(geom: Any) -> tuple[float, float] | None:
    if geom is None or geom.is_empty:
        return None
    point = geom.representative_point() if geom.is_valid else geom.centroid
    return float(point.x), float(point.y)


def _area(geom: Any) -> float | None:
    return round(float(geom.area), 2) if geom.geom_type in POLYGONAL else None
