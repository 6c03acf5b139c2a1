"""Spreadsheets: first sheet, numeric or text cells, header, blank row, rows as lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from shapely.geometry import MultiPolygon

from tests.zoning.intake.samples import (
    SQUARE,
    SQUARE_AREA,
    SQUARE_POLYGON,
    box_points,
    codes,
    comma,
    only,
    refusal,
    same_shape,
    write_xlsx,
)
from zoning.intake import Code, ParcelInputError, read_coordinates, read_xlsx


def test_numeric_cells_with_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bornes.xlsx", [["Borne", "X", "Y"], *SQUARE])
    parcel = read_coordinates(path.read_bytes(), filename=path.name, srid=26191)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert [(b.id, b.line) for b in parcel.bornes] == [("B1", 2), ("B2", 3), ("B3", 4), ("B4", 5)]
    assert parcel.source_format == "xlsx"


def test_text_cells_with_decimal_commas_and_numeric_ids(tmp_path: Path) -> None:
    rows = [[n, comma(x), comma(y)] for n, (_, x, y) in enumerate(SQUARE, start=1)]
    path = write_xlsx(tmp_path / "bornes.xlsx", rows)
    parcel = read_coordinates(path.read_bytes(), filename=path.name, srid=26191)
    assert [b.id for b in parcel.bornes] == ["1", "2", "3", "4"]
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA)


def test_table_starting_in_column_b_with_two_columns(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[None, "X", "Y"], *([None, x, y] for _, x, y in SQUARE)]
    path = write_xlsx(tmp_path / "xy.xlsx", rows)
    parcel = read_coordinates(path.read_bytes(), filename=path.name, srid=26191)
    assert [b.id for b in parcel.bornes] == [None] * 4
    assert same_shape(parcel.geometry, SQUARE_POLYGON)


def test_blank_row_starts_another_ring(tmp_path: Path) -> None:
    far = box_points(SQUARE[0][1] + 100, SQUARE[0][2], 10, 10, prefix="C")
    rows = [["Borne", "X", "Y"], *SQUARE, [], *far]
    path = write_xlsx(tmp_path / "deux.xlsx", rows)
    parcel = read_coordinates(path.read_bytes(), filename=path.name, srid=26191)
    assert isinstance(parcel.geometry, MultiPolygon)
    assert parcel.bornes[4].line == 7


def test_unreadable_cell_names_the_excel_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Borne", "X", "Y"], *(list(p) for p in SQUARE)]
    rows[3][1] = "366785,O9"
    path = write_xlsx(tmp_path / "faute.xlsx", rows)
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(path.read_bytes(), filename=path.name, srid=26191)
    diagnostic = only(refusal(caught.value), Code.UNREADABLE_VALUE)
    assert (diagnostic.line, diagnostic.point) == (4, "B3")
    assert "« 366785,O9 »" in diagnostic.message


def test_empty_coordinate_cell_is_missing(tmp_path: Path) -> None:
    b1, b2, b3, b4 = SQUARE
    path = write_xlsx(tmp_path / "vide.xlsx", [b1, ["B2", None, b2[2]], b3, b4])
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(path.read_bytes(), filename=path.name, srid=26191)
    diagnostic = only(refusal(caught.value), Code.UNREADABLE_VALUE)
    assert (diagnostic.line, diagnostic.point) == (2, "B2")
    assert diagnostic.message == "ligne 2 : X manquant."


def test_only_the_first_sheet_is_read(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    for row in SQUARE:
        first.append(list(row))
    other = workbook.create_sheet("Brouillon")
    other.append(["garbage", "not", "coordinates"])
    path = tmp_path / "deux_feuilles.xlsx"
    workbook.save(path)
    assert len(read_xlsx(path.read_bytes()).rings[0]) == 4


def test_not_a_workbook() -> None:
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(b"PK\x03\x04 broken", filename="bornes.xlsx", srid=26191)
    assert codes(refusal(caught.value)) == [Code.UNREADABLE_FILE]


def test_survey_sheet_with_title_rows_above_the_header(tmp_path: Path) -> None:
    import datetime as dt

    rows: list[list[Any]] = [
        ["Levé topographique — propriété dite « Dar Salam », TF 12345/R"],
        [None],
        ["Date :", dt.datetime(2024, 3, 12)],
        ["Superficie :", 1200.0, "m²"],
        [None],
        ["Borne", "X", "Y"],
        *[list(point) for point in SQUARE],
    ]
    path = write_xlsx(tmp_path / "leve.xlsx", rows)
    parcel = read_coordinates(path.read_bytes(), filename=path.name, srid=26191)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert [b.line for b in parcel.bornes] == [7, 8, 9, 10]
    found = only(parcel.warnings, Code.TITLE_SKIPPED)
    assert found.line == 1
    assert found.message.startswith("Lignes 1, 3 et 4 ignorées, lues comme des titres")
    assert "« Date : 12/03/2024 »" in found.message
