"""Location checks: swapped X/Y, another Lambert zone, outside the SRID's domain or every plan."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon

from tests.zoning.intake.samples import (
    RABAT_PLAN,
    RABAT_X,
    RABAT_Y,
    SQUARE,
    SQUARE_POLYGON,
    codes,
    lines,
    only,
    refusal,
    same_shape,
    semicolon_text,
)
from zoning.intake import (
    Code,
    Diagnostic,
    ParcelInputError,
    PlanPerimeter,
    read_coordinates,
    srid_domain,
)

SWAPPED_TEXT = lines(SQUARE, "{id};{y:.2f};{x:.2f}")


def lonlat_to(srid: int, lon: float, lat: float) -> tuple[float, float]:
    """A WGS 84 position in a Lambert zone."""
    x, y = Transformer.from_crs(4326, srid, always_xy=True).transform(lon, lat)
    return (float(x), float(y))


def refused(
    text: str, *, perimeters: Sequence[PlanPerimeter] = (), swap_axes: bool = False
) -> list[Diagnostic]:
    """Diagnostics of a text the intake must refuse, in EPSG:26191."""
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191, perimeters=perimeters, swap_axes=swap_axes)
    return refusal(caught.value)


def square_at(x: float, y: float, size: float = 20.0) -> str:
    """A square lot as `Borne;X;Y` text with its first corner at (x, y)."""
    corners = [(x, y), (x + size, y), (x + size, y + size), (x, y + size)]
    return lines([(f"B{n}", cx, cy) for n, (cx, cy) in enumerate(corners, 1)], "{id};{x};{y}")


def test_parcel_inside_a_plan_is_accepted() -> None:
    parcel = read_coordinates(semicolon_text(SQUARE), srid=26191, perimeters=[RABAT_PLAN])
    assert same_shape(parcel.geometry, SQUARE_POLYGON)


def test_swapped_axes_against_a_plan_near_rabat() -> None:
    diagnostics = refused(SWAPPED_TEXT, perimeters=[RABAT_PLAN])
    diagnostic = only(diagnostics, Code.AXES_SWAPPED)
    assert diagnostic.message.startswith("X et Y semblent inversés :")
    assert "« PA Rabat »" in diagnostic.message
    assert "swap_axes=true" in diagnostic.message
    assert diagnostic.location == pytest.approx((RABAT_Y, RABAT_X))
    assert codes(diagnostics) == [Code.AXES_SWAPPED]


def test_swap_axes_option_accepts_the_swapped_reading() -> None:
    parcel = read_coordinates(SWAPPED_TEXT, srid=26191, perimeters=[RABAT_PLAN], swap_axes=True)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert parcel.axes_swapped
    assert parcel.bornes[0].xy == (RABAT_X, RABAT_Y)
    assert codes(list(parcel.warnings)) == [Code.AXES_SWAP_APPLIED]


def test_swap_axes_on_coordinates_that_were_right() -> None:
    text = semicolon_text(SQUARE)
    diagnostic = only(refused(text, perimeters=[RABAT_PLAN], swap_axes=True), Code.AXES_SWAPPED)
    assert "à tort" in diagnostic.message
    assert "sans swap_axes" in diagnostic.message


def test_swapped_rabat_cannot_be_told_without_a_perimeter() -> None:
    # Both readings lie in the Nord Maroc domain: only a plan perimeter can tell them apart.
    parcel = read_coordinates(SWAPPED_TEXT, srid=26191)
    assert parcel.bornes[0].xy == (RABAT_Y, RABAT_X)


def test_swapped_axes_against_the_srid_domain_near_oujda() -> None:
    x, y = lonlat_to(26191, -1.91, 34.68)
    assert (round(x), round(y)) == (819599, 458669)
    diagnostic = only(refused(square_at(y, x)), Code.AXES_SWAPPED)
    assert "zone de validité de EPSG:26191 (Nord Maroc)" in diagnostic.message
    assert diagnostic.location == pytest.approx((y, x))
    accepted = read_coordinates(square_at(y, x), srid=26191, swap_axes=True)
    assert accepted.bornes[0].xy == pytest.approx((x, y))


def test_plan_stored_in_another_zone_names_that_zone() -> None:
    # The numbers of Rabat in 26191, read in 26192, land in a plan stored in Sud Maroc.
    south_plan = PlanPerimeter(
        "PA Sud Démo", 26192, shapely.box(360_000, 375_000, 375_000, 390_000)
    )
    diagnostic = only(refused(semicolon_text(SQUARE), perimeters=[south_plan]), Code.OTHER_ZONE)
    assert "EPSG:26192 (Sud Maroc)" in diagnostic.message
    assert "« PA Sud Démo »" in diagnostic.message
    assert "Lues en EPSG:26191 (Nord Maroc)" in diagnostic.message
    assert diagnostic.location == pytest.approx((RABAT_X, RABAT_Y))


def test_sud_numbers_given_as_nord_fit_a_plan_stored_in_nord() -> None:
    # Agadir is in Sud Maroc; the agency stores its plan in 26191 all the same.
    x_sud, y_sud = lonlat_to(26192, -9.60, 30.42)
    x_nord, y_nord = lonlat_to(26191, -9.60, 30.42)
    plan = PlanPerimeter("PA Agadir", 26191, shapely.Point(x_nord, y_nord).buffer(3_000))
    diagnostic = only(refused(square_at(x_sud, y_sud), perimeters=[plan]), Code.OTHER_ZONE)
    assert "lues en EPSG:26192 (Sud Maroc)" in diagnostic.message
    assert "« PA Agadir »" in diagnostic.message
    accepted = read_coordinates(square_at(x_sud, y_sud), srid=26192, perimeters=[plan])
    assert accepted.srid == 26192


def test_plan_stored_in_another_srid_still_matches_after_transformation() -> None:
    to_sud = Transformer.from_crs(26191, 26192, always_xy=True)
    corners = [to_sud.transform(x, y) for x, y in RABAT_PLAN.geometry.exterior.coords]
    plan = PlanPerimeter("PA Rabat (stocké en 26192)", 26192, Polygon(corners))
    parcel = read_coordinates(semicolon_text(SQUARE), srid=26191, perimeters=[plan])
    assert same_shape(parcel.geometry, SQUARE_POLYGON)


def test_outside_every_plan() -> None:
    elsewhere = PlanPerimeter("PA Fès", 26191, shapely.box(530_000, 370_000, 545_000, 385_000))
    diagnostic = only(refused(semicolon_text(SQUARE), perimeters=[elsewhere]), Code.OUTSIDE_PLANS)
    assert "« PA Fès »" in diagnostic.message
    assert diagnostic.location == pytest.approx((RABAT_X, RABAT_Y))


def test_outside_the_srid_domain_with_the_zone_that_would_fit() -> None:
    diagnostic = only(refused(square_at(-100_000, 300_000)), Code.OUTSIDE_SRID_AREA)
    assert "hors de la zone de validité de EPSG:26191 (Nord Maroc)" in diagnostic.message
    assert "EPSG:26192 (Sud Maroc)" in diagnostic.message
    assert diagnostic.location == (-100_000, 300_000)


def test_outside_every_domain() -> None:
    diagnostic = only(refused(square_at(5_000_000, 6_000_000)), Code.OUTSIDE_SRID_AREA)
    assert "conviendraient" not in diagnostic.message


def test_location_and_outline_errors_are_reported_together() -> None:
    b1, b2, b3, b4 = SQUARE
    bow_tie = lines([b1, b3, b2, b4], "{id};{y};{x}")
    diagnostics = refused(bow_tie, perimeters=[RABAT_PLAN])
    assert sorted(codes(diagnostics)) == sorted([Code.SELF_INTERSECTION, Code.AXES_SWAPPED])


def test_domain_of_nord_maroc_contains_rabat_and_follows_epsg() -> None:
    domain = srid_domain(26191)
    assert domain.contains(shapely.Point(RABAT_X, RABAT_Y))
    west, south, east, north = domain.bounds
    assert 60_000 < west < 80_000
    assert 890_000 < east < 930_000
    assert 80_000 < south < 100_000
    assert 600_000 < north < 620_000
