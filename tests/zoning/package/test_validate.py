"""Each finding of the validation report, with its layer, feature, area and location."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from tests.packages import check, findings, write_plan
from zoning.synthetic import plan_layers, reglement


def _layers(**changes: object) -> dict[str, gpd.GeoDataFrame]:
    layers = plan_layers()
    layers.update(changes)
    return layers


def _bowtie(x: float, y: float) -> Polygon:
    return Polygon([(x, y), (x + 50, y + 50), (x + 50, y), (x, y + 50)])


def test_clean_plan_has_no_finding(tmp_path: Path) -> None:
    checked = check(*write_plan(tmp_path))
    assert checked.report.ok and checked.report.findings == []


def test_invalid_geometry_is_an_error_with_its_location(tmp_path: Path) -> None:
    layers = plan_layers()
    x, y = layers["zones"].geometry.iloc[3].bounds[:2]
    layers["zones"].loc[3, "geometry"] = _bowtie(x, y)
    checked = check(*write_plan(tmp_path, layers))
    [finding] = findings(checked, "invalid_geometry")
    assert finding.severity == "error" and finding.feature == 4
    assert finding.location == pytest.approx((x + 25, y + 25), abs=0.01)
    assert "--repair" in finding.message
    assert not checked.report.ok


def test_repair_makes_it_a_warning_and_keeps_the_area(tmp_path: Path) -> None:
    layers = plan_layers()
    x, y = layers["zones"].geometry.iloc[3].bounds[:2]
    layers["zones"].loc[3, "geometry"] = _bowtie(x, y)
    checked = check(*write_plan(tmp_path, layers), repair=True)
    [finding] = findings(checked, "invalid_geometry")
    assert finding.severity == "warning" and "réparée" in finding.message
    repaired = checked.layers["zones"].set_index("feature").loc[4, "area_geom"]
    assert repaired.is_valid and repaired.area == pytest.approx(1250.0)


def test_zone_overlap_over_one_square_metre(tmp_path: Path) -> None:
    layers = plan_layers()
    zones = layers["zones"]
    zones.loc[0, "geometry"] = zones.geometry.iloc[0].buffer(2, join_style="mitre")
    checked = check(*write_plan(tmp_path, layers))
    overlaps = findings(checked, "zone_overlap")
    assert overlaps and all(f.severity == "error" for f in overlaps)
    assert {f.feature for f in overlaps} == {1}
    assert sum(f.area_m2 or 0 for f in overlaps) == pytest.approx(2 * 50 * 2 + 4, abs=0.01)


def test_overlap_under_tolerance_is_not_reported(tmp_path: Path) -> None:
    layers = plan_layers()
    zones = layers["zones"]
    x0, y0, x1, y1 = zones.geometry.iloc[0].bounds
    zones.loc[0, "geometry"] = box(x0, y0, x1 + 0.01, y1)  # 0.5 m² into its neighbour
    checked = check(*write_plan(tmp_path, layers))
    assert findings(checked, "zone_overlap") == []


def test_gap_inside_the_perimeter(tmp_path: Path) -> None:
    layers = plan_layers()
    zones = layers["zones"]
    hole = zones.geometry.iloc[27]
    layers["zones"] = zones.drop(index=27)
    checked = check(*write_plan(tmp_path, layers))
    [gap] = findings(checked, "gap")
    assert gap.severity == "warning" and gap.area_m2 == pytest.approx(2500)
    assert hole.contains(Point(gap.location))


def test_feature_outside_the_perimeter(tmp_path: Path) -> None:
    layers = plan_layers()
    far = box(300_000, 300_000, 300_010, 300_010)
    layers["reservations"] = gpd.GeoDataFrame(
        {"code": ["EP", "PV"], "label": ["École", "Espace vert"]},
        geometry=[layers["reservations"].geometry.iloc[0], far],
        crs=26191,
    )
    layers["perimeter"] = gpd.GeoDataFrame(geometry=[box(*layers["zones"].total_bounds)], crs=26191)
    checked = check(*write_plan(tmp_path, layers))
    [outside] = findings(checked, "outside_perimeter")
    assert outside.layer == "reservations" and outside.feature == 2
    assert outside.area_m2 == pytest.approx(100) and "entièrement" in outside.message


def test_crs_missing_is_refused_unless_srid(tmp_path: Path) -> None:
    layers = plan_layers()
    layers["roads"] = layers["roads"].set_crs(None, allow_override=True)
    package, text = write_plan(tmp_path, layers)
    [missing] = findings(check(package, text), "crs_missing")
    assert missing.layer == "roads" and missing.severity == "error"
    assumed = check(package, text, srid=26191)
    assert assumed.report.ok and findings(assumed, "crs_assumed")


def test_declared_crs_is_transformed(tmp_path: Path) -> None:
    layers = plan_layers()
    original = layers["sectors"].geometry.iloc[0]
    layers["sectors"] = layers["sectors"].to_crs(4326)
    checked = check(*write_plan(tmp_path, layers))
    [note] = findings(checked, "crs_transformed")
    assert note.layer == "sectors" and "EPSG:4326" in note.message
    back = checked.layers["sectors"]["area_geom"].iloc[0]
    assert back.hausdorff_distance(original) < 0.01  # metres, after a WGS 84 round trip


def test_zone_codes_against_the_reglement(tmp_path: Path) -> None:
    layers = plan_layers()
    layers["zones"].loc[5, "code"] = "XX"
    rules = reglement()
    rules["zones"]["ZT"] = {"label": "Zone touristique"}
    checked = check(*write_plan(tmp_path, layers, rules=rules))
    [unknown] = findings(checked, "unknown_zone_code")
    assert unknown.severity == "error" and unknown.feature == 6 and "'XX'" in unknown.message
    [unused] = findings(checked, "unused_zone_code")
    assert unused.severity == "warning" and "'ZT'" in unused.message


def test_empty_layers(tmp_path: Path) -> None:
    layers = plan_layers()
    layers["sectors"] = layers["sectors"].iloc[0:0]
    checked = check(*write_plan(tmp_path, layers))
    [empty] = findings(checked, "empty_layer")
    assert empty.layer == "sectors" and empty.severity == "warning" and checked.report.ok
    layers["zones"] = layers["zones"].iloc[0:0]
    refused = check(*write_plan(tmp_path, layers))
    assert any(
        f.layer == "zones" and f.severity == "error" for f in findings(refused, "empty_layer")
    )


def test_missing_zones_layer(tmp_path: Path) -> None:
    layers = plan_layers()
    del layers["zones"]
    [missing] = findings(check(*write_plan(tmp_path, layers)), "missing_layer")
    assert missing.layer == "zones"


def test_missing_required_field_and_values(tmp_path: Path) -> None:
    layers = plan_layers()
    layers["reservations"] = layers["reservations"].drop(columns="code")
    layers["roads"].loc[1, "width_m"] = None
    checked = check(*write_plan(tmp_path, layers))
    [field] = findings(checked, "missing_field")
    assert field.layer == "reservations" and "code" in field.message
    [value] = findings(checked, "missing_value")
    assert value.layer == "roads" and value.feature == 2 and "width_m" in value.message


def test_wrong_geometry_type(tmp_path: Path) -> None:
    layers = plan_layers()
    layers["sectors"] = gpd.GeoDataFrame(
        {"kind": ["medina"], "label": ["Médina"]},
        geometry=[LineString([(355_000, 365_000), (355_100, 365_100)])],
        crs=26191,
    )
    [wrong] = findings(check(*write_plan(tmp_path, layers)), "wrong_geometry_type")
    assert wrong.layer == "sectors" and "LineString" in wrong.message


def test_roads_and_servitudes_become_areas(tmp_path: Path) -> None:
    checked = check(*write_plan(tmp_path))
    roads = checked.layers["roads"].set_index("ref")
    assert roads.loc["V1", "area_geom"].area == pytest.approx(400 * 20)  # flat ends
    monument = checked.layers["servitudes"].set_index("kind").loc["monument", "area_geom"]
    assert monument.area == pytest.approx(3.14159 * 30**2, rel=0.01)
