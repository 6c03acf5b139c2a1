"""Ring diagnostics: duplicates, closing point, too few points, crossings, overlaps, holes."""

from __future__ import annotations

import pytest
from shapely.geometry import MultiPolygon, Point, Polygon

from tests.zoning.intake.samples import (
    RABAT_X,
    RABAT_Y,
    SQUARE,
    SQUARE_AREA,
    SQUARE_POLYGON,
    box_points,
    codes,
    only,
    refusal,
    same_shape,
    semicolon_text,
)
from zoning.intake import Code, Diagnostic, ParcelInputError, Severity, read_coordinates


def refused(text: str) -> list[Diagnostic]:
    """Diagnostics of a text the intake must refuse."""
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    return refusal(caught.value)


def test_consecutive_duplicate_is_removed_with_a_warning_naming_both_bornes() -> None:
    b1, b2, b3, b4 = SQUARE
    text = semicolon_text([b1, b2, ("B2bis", b2[1], b2[2]), b3, b4])
    parcel = read_coordinates(text, srid=26191)
    diagnostic = only(parcel.warnings, Code.DUPLICATE_POINT)
    assert diagnostic.severity is Severity.WARNING
    assert (diagnostic.line, diagnostic.point) == (3, "B2bis")
    assert diagnostic.bornes == ("B2", "B2bis")
    assert diagnostic.location == (b2[1], b2[2])
    assert diagnostic.message.startswith("Borne B2 (ligne 2) et borne B2bis (ligne 3)")
    assert [b.id for b in parcel.bornes] == ["B1", "B2", "B3", "B4"]
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA)


def test_closing_point_a_few_centimetres_off_is_accepted_with_a_warning() -> None:
    b1 = SQUARE[0]
    text = semicolon_text([*SQUARE, ("B1", b1[1] + 0.03, b1[2])])
    parcel = read_coordinates(text, srid=26191)
    diagnostic = only(parcel.warnings, Code.CLOSING_POINT_ADJUSTED)
    assert (diagnostic.line, diagnostic.point) == (5, "B1")
    assert "3,0 cm" in diagnostic.message
    assert parcel.bornes[0].xy == (b1[1], b1[2])
    assert len(parcel.bornes) == 4


def test_closing_point_far_from_the_first_is_refused() -> None:
    b1 = SQUARE[0]
    text = semicolon_text([*SQUARE, ("B1", b1[1] + 0.9, b1[2])])
    diagnostic = only(refused(text), Code.CLOSING_POINT_MISMATCH)
    assert (diagnostic.line, diagnostic.point) == (5, "B1")
    assert diagnostic.location == pytest.approx((b1[1] + 0.9, b1[2]))
    assert "0,90 m" in diagnostic.message


def test_fewer_than_three_distinct_points() -> None:
    b1, b2 = SQUARE[0], SQUARE[1]
    text = semicolon_text([b1, b2, ("B3", b2[1], b2[2]), ("B4", b1[1], b1[2])])
    diagnostics = refused(text)
    diagnostic = only(diagnostics, Code.TOO_FEW_POINTS)
    assert (diagnostic.line, diagnostic.ring) == (1, 1)
    assert diagnostic.bornes == ("B1", "B2")
    assert diagnostic.message.startswith("La parcelle n'a que 2 point(s) distinct(s) (B1, B2)")
    # The warning about the duplicate travels with the refusal.
    assert only(diagnostics, Code.DUPLICATE_POINT).line == 3


def test_fewer_than_three_points_is_checked_per_ring() -> None:
    second = [("C1", RABAT_X + 100, RABAT_Y), ("C2", RABAT_X + 110, RABAT_Y)]
    diagnostic = only(refused(semicolon_text(SQUARE, second)), Code.TOO_FEW_POINTS)
    assert (diagnostic.ring, diagnostic.line) == (2, 6)
    assert diagnostic.message.startswith(
        "La partie n° 2 de la parcelle (ligne 6) n'a que 2 point(s) distinct(s) (C1, C2)"
    )
    # the blank line that made a part of the two points is named, with what to do
    assert "La ligne vide 5 la sépare du reste de la liste" in diagnostic.message
    assert "supprimez-la" in diagnostic.message
    assert "anneau" not in diagnostic.message


def test_aligned_points_have_no_area() -> None:
    text = semicolon_text(
        [("B1", RABAT_X, RABAT_Y), ("B2", RABAT_X + 10, RABAT_Y), ("B3", RABAT_X + 20, RABAT_Y)]
    )
    diagnostic = only(refused(text), Code.DEGENERATE_RING)
    assert diagnostic.ring == 1


def test_self_intersection_is_located_and_names_both_sides() -> None:
    b1, b2, b3, b4 = SQUARE
    bow_tie = [b1, b3, b2, b4]  # B1→B3 crosses B2→B4
    diagnostic = only(refused(semicolon_text(bow_tie)), Code.SELF_INTERSECTION)
    assert diagnostic.location == pytest.approx((RABAT_X + 20, RABAT_Y + 15))
    assert diagnostic.bornes == ("B1", "B3", "B2", "B4")
    assert "B1–B3 (lignes 1–2)" in diagnostic.message
    assert "B2–B4 (lignes 3–4)" in diagnostic.message
    assert "X = 366\u202f765,09 ; Y = 381\u202f156,99" in diagnostic.message


def test_crossing_with_the_closing_side() -> None:
    points = [
        ("B1", RABAT_X, RABAT_Y),
        ("B2", RABAT_X + 40, RABAT_Y),
        ("B3", RABAT_X, RABAT_Y + 30),
        ("B4", RABAT_X + 40, RABAT_Y + 30),
    ]
    diagnostic = only(refused(semicolon_text(points)), Code.SELF_INTERSECTION)
    assert diagnostic.bornes == ("B2", "B3", "B4", "B1")
    assert "B4–B1 (lignes 4–1)" in diagnostic.message
    assert diagnostic.location == pytest.approx((RABAT_X + 20, RABAT_Y + 15))


def test_a_side_running_back_over_the_previous_one() -> None:
    points = [
        ("B1", RABAT_X, RABAT_Y),
        ("B2", RABAT_X + 40, RABAT_Y),
        ("B3", RABAT_X + 30, RABAT_Y),
        ("B4", RABAT_X + 30, RABAT_Y + 30),
    ]
    diagnostics = refused(semicolon_text(points))
    overlap = [d for d in diagnostics if d.bornes == ("B1", "B2", "B2", "B3")]
    assert len(overlap) == 1
    assert "se superposent" in overlap[0].message


def test_outline_passing_twice_through_a_point() -> None:
    b1, b2, b3, b4 = SQUARE
    points = [b1, b2, b3, ("B5", b2[1], b2[2]), b4]
    diagnostics = refused(semicolon_text(points))
    diagnostic = only(diagnostics, Code.REPEATED_POINT)
    assert (diagnostic.line, diagnostic.point, diagnostic.bornes) == (4, "B5", ("B2", "B5"))
    assert Code.SELF_INTERSECTION not in codes(diagnostics)


def test_multiple_disjoint_rings_make_a_multipolygon() -> None:
    second = box_points(RABAT_X + 100, RABAT_Y, 20, 10, prefix="C")
    parcel = read_coordinates(semicolon_text(SQUARE, second), srid=26191)
    assert isinstance(parcel.geometry, MultiPolygon)
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA + 200)


def test_hole_and_island_in_the_hole() -> None:
    outer = box_points(RABAT_X, RABAT_Y, 100, 100, prefix="A")
    hole = box_points(RABAT_X + 20, RABAT_Y + 20, 60, 60, prefix="T")
    island = box_points(RABAT_X + 40, RABAT_Y + 40, 10, 10, prefix="I")
    parcel = read_coordinates(semicolon_text(outer, hole, island), srid=26191)
    assert isinstance(parcel.geometry, MultiPolygon)
    assert parcel.area_m2 == pytest.approx(10_000 - 3_600 + 100)
    with_hole = max(parcel.geometry.geoms, key=lambda p: p.area)
    assert len(with_hole.interiors) == 1


def test_hole_listed_before_its_shell() -> None:
    outer = box_points(RABAT_X, RABAT_Y, 100, 100, prefix="A")
    hole = box_points(RABAT_X + 20, RABAT_Y + 20, 60, 60, prefix="T")
    parcel = read_coordinates(semicolon_text(hole, outer), srid=26191)
    assert isinstance(parcel.geometry, Polygon)
    assert parcel.area_m2 == pytest.approx(10_000 - 3_600)


def test_partly_overlapping_rings_are_refused() -> None:
    second = box_points(RABAT_X + 30, RABAT_Y + 10, 40, 40, prefix="C")
    diagnostic = only(refused(semicolon_text(SQUARE, second)), Code.RINGS_OVERLAP)
    assert diagnostic.ring == 2
    assert "la partie n° 1 de la parcelle (ligne 1)" in diagnostic.message.lower()
    assert "anneau" not in diagnostic.message
    assert diagnostic.location is not None
    where = Point(diagnostic.location)
    assert SQUARE_POLYGON.contains(where)
    assert Polygon([(x, y) for _, x, y in second]).contains(where)


def test_same_ring_twice_is_refused() -> None:
    diagnostic = only(refused(semicolon_text(SQUARE, SQUARE)), Code.RINGS_OVERLAP)
    assert diagnostic.ring == 2


def test_adjoining_rings_are_merged_with_a_warning() -> None:
    neighbour = box_points(RABAT_X + 40, RABAT_Y, 20, 30, prefix="C")
    parcel = read_coordinates(semicolon_text(SQUARE, neighbour), srid=26191)
    assert isinstance(parcel.geometry, Polygon)
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA + 600)
    assert "réunies en 1 partie" in only(parcel.warnings, Code.RINGS_MERGED).message


def test_rings_touching_at_one_corner_stay_two_parts() -> None:
    corner = box_points(RABAT_X + 40, RABAT_Y + 30, 10, 10, prefix="C")
    parcel = read_coordinates(semicolon_text(SQUARE, corner), srid=26191)
    assert isinstance(parcel.geometry, MultiPolygon)
    assert parcel.warnings == ()


def test_hole_sharing_a_side_with_its_shell_is_invalid_and_located() -> None:
    outer = box_points(RABAT_X, RABAT_Y, 100, 100, prefix="A")
    notch = box_points(RABAT_X, RABAT_Y + 20, 30, 30, prefix="T")
    diagnostic = only(refused(semicolon_text(outer, notch)), Code.INVALID_GEOMETRY)
    assert diagnostic.location is not None
    assert diagnostic.location[0] == pytest.approx(RABAT_X)


def test_geometry_is_oriented_counter_clockwise_and_valid() -> None:
    clockwise = list(reversed(SQUARE))
    parcel = read_coordinates(semicolon_text(clockwise), srid=26191)
    assert parcel.geometry.is_valid
    assert parcel.geometry.exterior.is_ccw
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
