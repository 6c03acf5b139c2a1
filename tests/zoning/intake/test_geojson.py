"""GeoJSON: geometry, Feature, FeatureCollection; declared CRS or WGS 84 by default."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon

from tests.zoning.intake.samples import (
    SQUARE,
    SQUARE_AREA,
    SQUARE_POLYGON,
    box_points,
    codes,
    only,
    refusal,
    same_shape,
)
from zoning.intake import Code, ParcelInputError, read_coordinates, read_geojson


def ring(points: list[tuple[str, float, float]], srid: int = 26191) -> list[list[float]]:
    """A closed GeoJSON ring of the points, moved from EPSG:26191 to `srid` (4326: lon, lat)."""
    move = Transformer.from_crs(26191, srid, always_xy=True)
    coordinates = [list(move.transform(x, y)) for _, x, y in points]
    return [*coordinates, coordinates[0]]


def named_crs(name: str) -> dict[str, Any]:
    """A legacy `crs` member."""
    return {"type": "name", "properties": {"name": name}}


def write(tmp_path: Path, document: dict[str, Any], name: str = "parcelle.geojson") -> Path:
    """Write a GeoJSON document."""
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def read(path: Path, srid: int = 26191) -> Any:
    """Read a GeoJSON file through the public entry point."""
    return read_coordinates(path.read_bytes(), filename=path.name, srid=srid)


def test_wgs84_polygon_is_projected_to_lambert(tmp_path: Path) -> None:
    geometry = {"type": "Polygon", "coordinates": [ring(SQUARE, 4326)]}
    parcel = read(write(tmp_path, geometry))
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA, abs=0.01)
    assert parcel.bornes[0].xy == pytest.approx((SQUARE[0][1], SQUARE[0][2]), abs=0.01)
    assert parcel.warnings == ()
    assert parcel.source_format == "geojson"


def test_feature_with_declared_lambert_crs(tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "crs": named_crs("urn:ogc:def:crs:EPSG::26191"),
        "properties": {"tf": "12345/R"},
        "geometry": {"type": "Polygon", "coordinates": [ring(SQUARE)]},
    }
    parcel = read(write(tmp_path, feature))
    assert parcel.bornes[0].xy == (SQUARE[0][1], SQUARE[0][2])


def test_collection_declared_in_another_zone_is_transformed(tmp_path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "crs": named_crs("EPSG:26192"),
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [0, 0]},
            },
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [ring(SQUARE, 26192)]},
            },
        ],
    }
    parcel = read(write(tmp_path, collection))
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert "Point" in only(parcel.warnings, Code.GEOMETRY_IGNORED).message


def test_older_epsg_crs_member(tmp_path: Path) -> None:
    document = {
        "type": "Polygon",
        "crs": {"type": "EPSG", "properties": {"code": 26191}},
        "coordinates": [ring(SQUARE)],
    }
    assert read(write(tmp_path, document)).area_m2 == pytest.approx(SQUARE_AREA)


def test_multipolygon_with_a_hole(tmp_path: Path) -> None:
    outer = box_points(366_700, 381_100, 100, 100)
    hole = box_points(366_740, 381_140, 20, 20)
    far = box_points(366_900, 381_100, 10, 10)
    document = {
        "type": "MultiPolygon",
        "crs": named_crs("EPSG:26191"),
        "coordinates": [[ring(outer), ring(hole)], [ring(far)]],
    }
    parcel = read(write(tmp_path, document))
    assert isinstance(parcel.geometry, MultiPolygon)
    assert parcel.area_m2 == pytest.approx(10_000 - 400 + 100)
    assert [b.ring for b in parcel.bornes] == [1] * 4 + [2] * 4 + [3] * 4


def test_lambert_numbers_without_crs_are_read_in_the_request_srid(tmp_path: Path) -> None:
    parcel = read(write(tmp_path, {"type": "Polygon", "coordinates": [ring(SQUARE)]}))
    assert isinstance(parcel.geometry, Polygon)
    assert parcel.bornes[0].xy == (SQUARE[0][1], SQUARE[0][2])
    assert codes(list(parcel.warnings)) == [Code.CRS_ASSUMED]


def test_latitude_longitude_order_is_caught_as_swapped_axes(tmp_path: Path) -> None:
    lat_lon = [[lat, lon] for lon, lat in ring(SQUARE, 4326)]
    path = write(tmp_path, {"type": "Polygon", "coordinates": [lat_lon]})
    with pytest.raises(ParcelInputError) as caught:
        read(path)
    assert codes(refusal(caught.value)) == [Code.AXES_SWAPPED]
    fixed = read_coordinates(path.read_bytes(), filename=path.name, srid=26191, swap_axes=True)
    assert same_shape(fixed.geometry, SQUARE_POLYGON)


def test_self_intersection_in_geojson_names_points_by_rank(tmp_path: Path) -> None:
    b1, b2, b3, b4 = SQUARE
    document = {
        "type": "Polygon",
        "crs": named_crs("EPSG:26191"),
        "coordinates": [ring([b1, b3, b2, b4])],
    }
    with pytest.raises(ParcelInputError) as caught:
        read(write(tmp_path, document))
    diagnostic = only(refusal(caught.value), Code.SELF_INTERSECTION)
    assert diagnostic.bornes == ("n° 1", "n° 2", "n° 3", "n° 4")
    assert diagnostic.line is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"type": "Polygon", "coordinates": [[[1, 2], [3, 4]', Code.UNREADABLE_FILE),
        ('{"type": "Point", "coordinates": [1, 2]}', Code.UNSUPPORTED_GEOMETRY),
        ('{"type": "FeatureCollection", "features": []}', Code.UNSUPPORTED_GEOMETRY),
        (
            '{"type": "Polygon", "crs": {"type": "name", "properties": {"name": "EPSG:999999"}},'
            ' "coordinates": []}',
            Code.UNKNOWN_CRS,
        ),
        (
            '{"type": "Polygon", "coordinates": [[[1, 2], ["a", 4], [5, 6], [1, 2]]]}',
            Code.UNREADABLE_VALUE,
        ),
    ],
)
def test_geojson_refusals(text: str, code: Code) -> None:
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, filename="p.geojson", srid=26191)
    assert codes(refusal(caught.value)) == [code]


def test_declared_degrees_out_of_range_are_outside_the_zone() -> None:
    document = {
        "type": "Polygon",
        "crs": named_crs("urn:ogc:def:crs:OGC:1.3:CRS84"),
        "coordinates": [[[366745, 381141], [366785, 381141], [366785, 381171], [366745, 381141]]],
    }
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(json.dumps(document), filename="p.geojson", srid=26191)
    assert codes(refusal(caught.value)) == [Code.OUTSIDE_SRID_AREA]


def test_syntax_error_names_its_line() -> None:
    with pytest.raises(ParcelInputError) as caught:
        read_geojson('{\n"type": "Polygon",\n"coordinates": [[[1 2]]]\n}')
    assert refusal(caught.value)[0].line == 3


def test_unreadable_position_names_the_point() -> None:
    text = '{"type": "Polygon", "coordinates": [[[1, 2], ["a", 4], [5, 6], [1, 2]]]}'
    with pytest.raises(ParcelInputError) as caught:
        read_geojson(text)
    diagnostic = refusal(caught.value)[0]
    assert (diagnostic.point, diagnostic.ring) == ("n° 2", 1)
    assert '« ["a", 4] »' in diagnostic.message
