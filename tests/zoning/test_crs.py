"""CRS module: the four Moroccan Lambert zones, known points, the ballpark warning."""

from __future__ import annotations

import pytest
from shapely.geometry import Point, box

from zoning.crs import (
    MOROCCAN_LAMBERT,
    BallparkTransformWarning,
    to_lonlat,
    transform_geometry,
    transform_point,
    transformer,
    zone_for_lonlat,
)

RABAT_LONLAT = (-6.8416, 34.0209)
RABAT_NORD_MAROC = (366745.09, 381141.99)  # issue #2, EPSG:1166 datum shift


def test_rabat_known_point_in_nord_maroc() -> None:
    x, y = transform_point(*RABAT_LONLAT, 4326, 26191)
    assert x == pytest.approx(RABAT_NORD_MAROC[0], abs=0.01)
    assert y == pytest.approx(RABAT_NORD_MAROC[1], abs=0.01)


def test_rabat_back_to_wgs84() -> None:
    lon, lat = to_lonlat(*RABAT_NORD_MAROC, 26191)
    assert lon == pytest.approx(RABAT_LONLAT[0], abs=1e-7)
    assert lat == pytest.approx(RABAT_LONLAT[1], abs=1e-7)


def test_four_zones_and_their_areas_of_use() -> None:
    assert set(MOROCCAN_LAMBERT) == {26191, 26192, 26194, 26195}
    assert MOROCCAN_LAMBERT[26191].south == pytest.approx(31.49, abs=0.01)
    assert MOROCCAN_LAMBERT[26192].north == pytest.approx(31.51, abs=0.01)
    assert zone_for_lonlat(*RABAT_LONLAT).srid == 26191  # type: ignore[union-attr]
    assert zone_for_lonlat(-8.0, 30.4).srid == 26192  # type: ignore[union-attr]  # Agadir area
    assert zone_for_lonlat(-13.2, 27.15).srid == 26194  # type: ignore[union-attr]  # Laâyoune
    assert zone_for_lonlat(-15.9, 23.7).srid == 26195  # type: ignore[union-attr]  # Dakhla
    assert zone_for_lonlat(2.35, 48.85) is None


def test_nord_and_sud_share_the_false_origin() -> None:
    """Numbers alone cannot tell the zone: the same lon/lat on the shared parallel."""
    nord = transform_point(-6.0, 31.5, 4326, 26191)
    sud = transform_point(-6.0, 31.5, 4326, 26192)
    assert abs(nord[1] - sud[1]) > 100_000  # far apart in numbers…
    assert nord[0] == pytest.approx(sud[0], abs=1.0)  # …on the same central meridian


def test_transformers_are_cached() -> None:
    assert transformer(4326, 26191) is transformer(4326, 26191)


def test_ballpark_warning_south_of_27_66() -> None:
    with pytest.warns(BallparkTransformWarning, match="280 m"):
        transform_point(-15.9, 23.7, 4326, 26195)


def test_no_warning_north_of_27_66(recwarn: pytest.WarningsRecorder) -> None:
    transform_point(*RABAT_LONLAT, 4326, 26191)
    assert not [w for w in recwarn if issubclass(w.category, BallparkTransformWarning)]


def test_geometry_round_trip_keeps_area() -> None:
    square = box(366_000, 381_000, 366_100, 381_100)
    there = transform_geometry(square, 26191, 4326)
    back = transform_geometry(there, 4326, 26191)
    assert back.area == pytest.approx(10_000, rel=1e-6)
    assert transform_geometry(Point(1, 2), 26191, 26191).equals(Point(1, 2))
