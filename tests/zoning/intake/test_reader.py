"""The entry point: format choice, pairs from JSON, SRID checks, what the API serialises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely

from tests.zoning.intake.samples import (
    RABAT_X,
    RABAT_Y,
    SQUARE,
    SQUARE_AREA,
    SQUARE_POLYGON,
    codes,
    new_dxf,
    refusal,
    same_shape,
    save_dxf,
    semicolon_text,
    write_xlsx,
)
from zoning.intake import (
    Code,
    ParcelInputError,
    detect_format,
    read_coordinates,
    read_pairs,
)
from zoning.intake.reader import sniff_format

PAIRS = [[x, y] for _, x, y in SQUARE]


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("bornes.TXT", "text"),
        ("bornes.csv", "text"),
        ("bornes.xlsx", "xlsx"),
        ("parcelle.geojson", "geojson"),
        ("parcelle.json", "geojson"),
        ("parcelle.DXF", "dxf"),
    ],
)
def test_format_from_extension(filename: str, expected: str) -> None:
    assert detect_format(b"", filename) == expected


@pytest.mark.parametrize(
    ("filename", "tip"), [("bornes.xls", ".xlsx"), ("plan.dwg", "DXF"), ("a.pdf", "")]
)
def test_unsupported_extensions(filename: str, tip: str) -> None:
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(b"whatever", filename=filename, srid=26191)
    diagnostic = refusal(caught.value)[0]
    assert diagnostic.code is Code.UNSUPPORTED_FORMAT
    assert tip in diagnostic.message


def test_content_decides_without_a_file_name(tmp_path: Path) -> None:
    workbook = write_xlsx(tmp_path / "b.xlsx", SQUARE).read_bytes()
    document = new_dxf()
    document.modelspace().add_lwpolyline([(x, y) for x, y in PAIRS], close=True)
    drawing = save_dxf(document, tmp_path / "p.dxf").read_bytes()
    assert sniff_format(workbook) == "xlsx"
    assert sniff_format(drawing) == "dxf"
    assert sniff_format('\ufeff {"type": "Polygon"}') == "geojson"
    assert sniff_format(semicolon_text(SQUARE)) == "text"
    for data in (workbook, drawing):
        assert read_coordinates(data, srid=26191).area_m2 == pytest.approx(SQUARE_AREA)


def test_pairs_from_the_json_api() -> None:
    parcel = read_coordinates(PAIRS, srid=26191)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert parcel.source_format == "pairs"
    rings = read_pairs(
        [PAIRS, [[RABAT_X + 100, RABAT_Y], [RABAT_X + 110, RABAT_Y], [RABAT_X + 110, RABAT_Y + 10]]]
    )
    assert [len(ring) for ring in rings.rings] == [4, 3]


def test_pairs_with_text_numbers_and_a_bad_one() -> None:
    parcel = read_coordinates([["366745,09", "381141,99"], *PAIRS[1:]], srid=26191)
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA)
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates([PAIRS[0], [RABAT_X], *PAIRS[2:]], srid=26191)
    diagnostic = refusal(caught.value)[0]
    assert (diagnostic.code, diagnostic.point) == (Code.UNREADABLE_VALUE, "n° 2")


def test_empty_pairs() -> None:
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates([], srid=26191)
    assert codes(refusal(caught.value)) == [Code.EMPTY_INPUT]


@pytest.mark.parametrize(("srid", "reason"), [(4326, "projection"), (999_999, "inconnu")])
def test_request_srid_must_be_a_known_projection(srid: int, reason: str) -> None:
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(semicolon_text(SQUARE), srid=srid)
    diagnostic = refusal(caught.value)[0]
    assert diagnostic.code is Code.UNSUPPORTED_SRID
    assert reason in diagnostic.message


def test_plain_tuples_are_accepted_as_perimeters() -> None:
    plan = ("PA Rabat", 26191, shapely.box(360_000, 375_000, 375_000, 390_000))
    parcel = read_coordinates(semicolon_text(SQUARE), srid=26191, perimeters=[plan])
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA)


def test_parcel_and_refusal_serialise_for_the_api() -> None:
    parcel = read_coordinates(semicolon_text(SQUARE), srid=26191, declared_area="850 m²")
    warning = json.loads(parcel.warnings[0].model_dump_json())
    assert warning["code"] == "area_mismatch"
    assert warning["severity"] == "warning"
    assert parcel.centroid == pytest.approx((RABAT_X + 20, RABAT_Y + 15))
    text = semicolon_text(SQUARE).replace("381171,99", "381I71,99", 1)
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    error = caught.value.fatal[0].model_dump(mode="json")
    assert error == {
        "code": "unreadable_value",
        "severity": "error",
        "message": "ligne 3 : Y illisible « 381I71,99 ».",
        "line": 3,
        "point": "B3",
        "location": None,
        "ring": None,
        "bornes": [],
        "probable": None,
    }
    assert str(caught.value) == "ligne 3 : Y illisible « 381I71,99 »."
    assert isinstance(caught.value, ValueError)


def test_location_is_a_pair_in_json() -> None:
    b1, b2, b3, b4 = SQUARE
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(semicolon_text([b1, b3, b2, b4]), srid=26191)
    dumped = caught.value.fatal[0].model_dump(mode="json")
    assert dumped["location"] == pytest.approx([RABAT_X + 20, RABAT_Y + 15])
    assert caught.value.warnings == ()
