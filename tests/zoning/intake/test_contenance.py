"""Contenance parsing and the declared-versus-computed area warning."""

from __future__ import annotations

import pytest

from tests.zoning.intake.samples import SQUARE, SQUARE_AREA, box_points, codes, only, semicolon_text
from zoning.intake import (
    Code,
    ParcelInputError,
    area_mismatch,
    parse_contenance,
    read_coordinates,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 ha 23 a 45 ca", 12_345.0),
        ("1ha 23a 45ca", 12_345.0),
        ("1 HA 23 A 45 CA", 12_345.0),
        ("01 ha 02 a 03 ca.", 10_203.0),
        ("1 ha, 23 a, 45 ca", 12_345.0),
        ("2 hectares 5 ares", 20_500.0),
        ("12 a 50 ca", 1_250.0),
        ("45 ca", 45.0),
        ("3 ha", 30_000.0),
        ("850 m²", 850.0),
        ("850 m2", 850.0),
        ("850m²", 850.0),
        ("850,5 m²", 850.5),
        ("850", 850.0),
        ("1 250 m²", 1_250.0),
        ("1\u00a0250,75 m2", 1_250.75),
        ("1,5 ha", 15_000.0),
    ],
)
def test_parse_contenance(text: str, expected: float) -> None:
    assert parse_contenance(text) == pytest.approx(expected)


def test_parse_contenance_takes_numbers_as_square_metres() -> None:
    assert parse_contenance(1200) == 1200.0
    assert parse_contenance(99.5) == 99.5


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "format non reconnu"),
        ("environ 850 m²", "format non reconnu"),
        ("850 mq", "format non reconnu"),
        ("23 a 1 ha", "désordre"),
        ("1 ha 1 ha", "désordre"),
        ("1 ha 850 m²", "désordre"),
        ("1 ha 23", "unité manquante après 23"),
        ("1 ha 150 a", "inférieur à 100"),
        ("12 a 120 ca", "inférieur à 100"),
        ("0 m²", "positive"),
    ],
)
def test_unreadable_contenance(text: str, reason: str) -> None:
    with pytest.raises(ParcelInputError) as caught:
        parse_contenance(text)
    diagnostics = caught.value.diagnostics
    assert codes(list(diagnostics)) == [Code.UNREADABLE_CONTENANCE]
    assert f"« {text} »" in diagnostics[0].message
    assert reason in diagnostics[0].message


@pytest.mark.parametrize(
    ("computed", "declared", "flagged"),
    [
        (100.0, 104.9, False),  # 5 m² slack on a small lot, more than its 2 %
        (100.0, 105.0, False),
        (100.0, 105.1, True),
        (100.0, 94.0, True),
        (10_000.0, 10_199.0, False),  # 2 % of a large lot, more than 5 m²
        (10_000.0, 10_201.0, True),
        (10_000.0, 9_790.0, True),
    ],
)
def test_area_tolerance_is_the_larger_of_5_m2_and_2_percent(
    computed: float, declared: float, flagged: bool
) -> None:
    assert bool(area_mismatch(computed, declared)) is flagged


def test_no_declared_area_no_warning() -> None:
    assert area_mismatch(1200.0, None) == []


def test_declared_area_mismatch_is_a_warning_with_both_figures() -> None:
    parcel = read_coordinates(semicolon_text(SQUARE), srid=26191, declared_area="12 a 50 ca")
    assert parcel.declared_area_m2 == 1250.0
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA)
    message = only(parcel.warnings, Code.AREA_MISMATCH).message
    assert "1\u202f250,00 m²" in message
    assert "1\u202f200,00 m²" in message
    assert "50,00 m²" in message


def test_declared_area_within_tolerance_is_silent() -> None:
    parcel = read_coordinates(semicolon_text(SQUARE), srid=26191, declared_area=1190.0)
    assert parcel.warnings == ()
    assert parcel.declared_area_m2 == 1190.0


def test_small_parcel_is_not_flagged_for_rounding() -> None:
    lot = box_points(366_745.09, 381_141.99, 10.01, 9.99, prefix="B")
    parcel = read_coordinates(semicolon_text(lot), srid=26191, declared_area="1 a")
    assert parcel.warnings == ()


def test_unreadable_declared_area_refuses_the_request() -> None:
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(semicolon_text(SQUARE), srid=26191, declared_area="douze ares")
    assert codes(list(caught.value.diagnostics)) == [Code.UNREADABLE_CONTENANCE]
