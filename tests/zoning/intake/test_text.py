"""Text coordinate lists: separators, decimal marks, headers, ids, closing point, rings."""

from __future__ import annotations

import codecs

import pytest
from shapely.geometry import MultiPolygon, Polygon

from tests.zoning.intake.samples import (
    SQUARE,
    SQUARE_AREA,
    SQUARE_POLYGON,
    box_points,
    codes,
    lines,
    only,
    refusal,
    same_shape,
    semicolon_text,
)
from zoning.intake import Code, ParcelInputError, read_coordinates, read_text
from zoning.intake.text import detect_separator

NBSP = "\u00a0"

SEPARATOR_CASES = {
    "semicolon, decimal comma": lines(SQUARE, "{id};{x:.2f};{y:.2f}").replace(".", ","),
    "comma separator, decimal point": lines(SQUARE, "{x:.2f},{y:.2f}"),
    "comma and space separator": lines(SQUARE, "{id}, {x:.2f}, {y:.2f}"),
    "spaces, decimal comma": lines(SQUARE, "{id} {x:.2f} {y:.2f}").replace(".", ","),
    "spaces, decimal point": lines(SQUARE, "{id} {x:.2f} {y:.2f}"),
    "several spaces and tabs": lines(SQUARE, "{id}  \t {x:.2f}   {y:.2f}  "),
    "tabs, decimal point": lines(SQUARE, "{id}\t{x:.2f}\t{y:.2f}"),
    "tabs, decimal comma": lines(SQUARE, "{id}\t{x:.2f}\t{y:.2f}").replace(".", ","),
    "semicolon, decimal point, CRLF": lines(SQUARE, "{id};{x:.2f};{y:.2f}").replace("\n", "\r\n"),
    "spreadsheet export padding": lines(SQUARE, "{id};{x:.2f};{y:.2f};;").replace(".", ","),
    "no-break space thousands": lines(SQUARE, "{id} {x:,.2f} {y:,.2f}")
    .replace(",", NBSP)
    .replace(".", ","),
    "space thousands inside ; fields": lines(SQUARE, "{id};{x:,.2f};{y:,.2f}")
    .replace(",", " ")
    .replace(".", ","),
}


@pytest.mark.parametrize("text", SEPARATOR_CASES.values(), ids=SEPARATOR_CASES.keys())
def test_every_layout_gives_the_same_parcel(text: str) -> None:
    parcel = read_coordinates(text, srid=26191)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA)
    assert parcel.warnings == ()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("B1;366745,09;381141,99", ";"),
        ("366745.09,381141.99", ","),
        ("B1, 366745.09, 381141.99", ","),
        ("B1 366745,09 381141,99", " "),
        ("366745,09 381141,99", " "),
        ("B1\t366745,09\t381141,99", "\t"),
        ("366745,381141", ","),
    ],
)
def test_separator_detection(line: str, expected: str) -> None:
    assert detect_separator([line, line]) == expected


def test_one_line_missing_a_space_does_not_flip_the_file_to_commas() -> None:
    text = semicolon_text(SQUARE).replace(";", " ")
    broken = text.replace("B3 366785,09 381171,99", "B3 366785,09381171,99")
    assert detect_separator(broken.splitlines()) == " "
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(broken, srid=26191)
    diagnostic = only(refusal(caught.value), Code.COLUMN_COUNT)
    assert diagnostic.line == 3
    assert "2 valeur(s)" in diagnostic.message
    assert "au lieu de 3" in diagnostic.message


def test_bornes_keep_ids_lines_and_order() -> None:
    text = "Borne;X;Y\n" + semicolon_text(SQUARE)
    parcel = read_coordinates(text, srid=26191)
    assert [(b.id, b.line, b.rank) for b in parcel.bornes] == [
        ("B1", 2, 1),
        ("B2", 3, 2),
        ("B3", 4, 3),
        ("B4", 5, 4),
    ]
    assert parcel.bornes[1].xy == (SQUARE[1][1], SQUARE[1][2])
    assert parcel.srid == 26191
    assert parcel.source_format == "text"


def test_numeric_borne_ids_and_points_without_ids() -> None:
    numbered = read_coordinates(lines(SQUARE, "{id};{x};{y}").replace("B", ""), srid=26191)
    assert [b.id for b in numbered.bornes] == ["1", "2", "3", "4"]
    bare = read_coordinates(lines(SQUARE, "{x} {y}"), srid=26191)
    assert [b.id for b in bare.bornes] == [None, None, None, None]
    assert [b.name for b in bare.bornes] == ["n° 1", "n° 2", "n° 3", "n° 4"]


@pytest.mark.parametrize(
    "header",
    ["Borne;X;Y", "N° X Y", "Point,X,Y", "Borne\tX (m)\tY (m)", "Liste des coordonnées Lambert"],
)
def test_header_lines_are_skipped(header: str) -> None:
    separator = {"B": ";", "N": " ", "P": ",", "L": ";"}[header[0]]
    if "\t" in header:
        separator = "\t"
    body = lines(SQUARE, f"{{id}}{separator}{{x:.2f}}{separator}{{y:.2f}}")
    parcel = read_coordinates(f"{header}\n{body}", srid=26191)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert parcel.bornes[0].line == 2


def test_header_with_y_before_x_swaps_the_columns_and_says_so() -> None:
    text = "Borne;Y;X\n" + lines(SQUARE, "{id};{y};{x}")
    parcel = read_coordinates(text, srid=26191)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert only(parcel.warnings, Code.COLUMNS_REORDERED).line == 1


def test_windows_1252_file_with_header() -> None:
    text = "N°;X;Y\r\n" + semicolon_text(SQUARE).replace("\n", "\r\n")
    parcel = read_coordinates(text.encode("cp1252"), filename="bornes.csv", srid=26191)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)


def test_utf16_file_as_excel_unicode_text_export() -> None:
    text = "Borne\tX\tY\n" + lines(SQUARE, "{id}\t{x:.2f}\t{y:.2f}").replace(".", ",")
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    parcel = read_coordinates(data, filename="bornes.txt", srid=26191)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)


def test_closing_point_repeated_or_not_is_silent() -> None:
    open_list = semicolon_text(SQUARE)
    closed_list = semicolon_text([*SQUARE, SQUARE[0]])
    unclosed = read_coordinates(open_list, srid=26191)
    closed = read_coordinates(closed_list, srid=26191)
    assert closed.geometry.equals(unclosed.geometry)
    assert len(closed.bornes) == 4
    assert closed.warnings == () == unclosed.warnings


def test_closing_point_under_another_name_is_dropped_too() -> None:
    text = semicolon_text([*SQUARE, ("B5", SQUARE[0][1], SQUARE[0][2])])
    parcel = read_coordinates(text, srid=26191)
    assert [b.id for b in parcel.bornes] == ["B1", "B2", "B3", "B4"]


def test_blank_line_starts_another_part() -> None:
    far = box_points(SQUARE[0][1] + 100, SQUARE[0][2], 10, 10, prefix="C")
    parcel = read_coordinates(semicolon_text(SQUARE, far), srid=26191)
    assert isinstance(parcel.geometry, MultiPolygon)
    assert len(parcel.geometry.geoms) == 2
    assert parcel.area_m2 == pytest.approx(SQUARE_AREA + 100)
    assert [b.ring for b in parcel.bornes] == [1, 1, 1, 1, 2, 2, 2, 2]
    assert parcel.bornes[4].line == 6


def test_several_blank_lines_and_separator_only_lines_count_as_one() -> None:
    far = box_points(SQUARE[0][1] + 100, SQUARE[0][2], 10, 10, prefix="C")
    text = semicolon_text(SQUARE) + "\n;;\n\n" + semicolon_text(far)
    parcel = read_coordinates(text, srid=26191)
    assert len(parcel.geometry.geoms) == 2


def test_titles_opening_each_ring_are_skipped() -> None:
    outer = box_points(366_700, 381_100, 100, 100, prefix="A")
    inner = box_points(366_740, 381_140, 20, 20, prefix="T")
    text = "Parcelle\nBorne;X;Y\n" + semicolon_text(outer) + "\nTrou\n" + semicolon_text(inner)
    parcel = read_coordinates(text, srid=26191)
    assert parcel.area_m2 == pytest.approx(10_000 - 400)
    assert parcel.bornes[4].line == 9


def test_words_inside_a_ring_are_not_skipped() -> None:
    text = semicolon_text(SQUARE[:2]) + "voir plan\n" + semicolon_text(SQUARE[2:])
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    assert only(refusal(caught.value), Code.COLUMN_COUNT).line == 3


def test_ring_inside_another_is_a_hole() -> None:
    outer = box_points(366_700, 381_100, 100, 100, prefix="A")
    inner = box_points(366_740, 381_140, 20, 20, prefix="T")
    parcel = read_coordinates(semicolon_text(outer, inner), srid=26191)
    assert isinstance(parcel.geometry, Polygon)
    assert len(parcel.geometry.interiors) == 1
    assert parcel.area_m2 == pytest.approx(10_000 - 400)


def test_text_reader_alone_returns_unchecked_rings() -> None:
    source = read_text(semicolon_text(SQUARE))
    assert source.format == "text"
    assert source.crs is None
    assert [len(ring) for ring in source.rings] == [4]


def test_unreadable_value_names_line_borne_and_value() -> None:
    text = semicolon_text(SQUARE).replace("B3;366785,09", "B3;366785,O9")
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    diagnostic = only(refusal(caught.value), Code.UNREADABLE_VALUE)
    assert (diagnostic.line, diagnostic.point) == (3, "B3")
    assert "« 366785,O9 »" in diagnostic.message
    assert diagnostic.message.startswith("ligne 3 : X illisible")


def test_every_unreadable_line_is_reported_at_once() -> None:
    text = "Borne;X;Y\nB1;366745,09;381141,99\nB2;36678S,09;381141,99\nB3;;381171,99\nB4;1;2;3\n"
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    diagnostics = refusal(caught.value)
    assert [(d.code, d.line) for d in diagnostics] == [
        (Code.UNREADABLE_VALUE, 3),
        (Code.UNREADABLE_VALUE, 4),
        (Code.COLUMN_COUNT, 5),
    ]
    assert "X manquant" in diagnostics[1].message


def test_decimal_commas_with_comma_separator_are_explained() -> None:
    text = lines(SQUARE, "{id},{x:.2f},{y:.2f}").replace(".", ",")
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    diagnostics = refusal(caught.value)
    assert codes(diagnostics) == [Code.COLUMN_COUNT] * 4
    assert [d.line for d in diagnostics] == [1, 2, 3, 4]
    assert "séparateur décimal" in diagnostics[0].message


def test_space_as_thousands_separator_is_refused_where_spaces_separate_columns() -> None:
    text = semicolon_text(SQUARE).replace(";", " ").replace("B2 366785,09", "B2 366 785,09")
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    diagnostic = only(refusal(caught.value), Code.THOUSANDS_SEPARATOR)
    assert diagnostic.line == 2
    assert "« 366 785,09 »" in diagnostic.message
    assert "366785,09" in diagnostic.message


@pytest.mark.parametrize("text", ["", "\n\n", "Borne;X;Y\n", ";;\n;;\n"])
def test_nothing_to_read(text: str) -> None:
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    assert codes(refusal(caught.value)) == [Code.EMPTY_INPUT]


def test_binary_file_is_not_text() -> None:
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(b"\x00\x01\x02 366745 381141", filename="bornes.txt", srid=26191)
    assert codes(refusal(caught.value)) == [Code.UNREADABLE_FILE]


def test_error_list_is_capped() -> None:
    text = "".join(f"B{n};abc;def\n" for n in range(1, 41))
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    diagnostics = refusal(caught.value)
    assert len(diagnostics) == 51
    assert diagnostics[-1].code is Code.TOO_MANY_ERRORS
    assert "30 autres" in diagnostics[-1].message


SURVEY_TITLES = (
    "Levé topographique de la propriété\n"
    "Propriété dite « Dar Salam », TF 12345/R\n"
    "\n"
    "Date : 12/03/2024 — Superficie : 805,39 m²\n"
    "\n"
)


def test_survey_title_lines_above_the_header_are_skipped_and_named() -> None:
    text = SURVEY_TITLES + "Borne;X;Y\n" + semicolon_text(SQUARE)
    parcel = read_coordinates(text, srid=26191)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert [b.line for b in parcel.bornes] == [7, 8, 9, 10]
    found = only(parcel.warnings, Code.TITLE_SKIPPED)
    assert found.line == 1
    assert found.message.startswith(
        "Lignes 1, 2 et 4 ignorées, lues comme des titres et non comme des coordonnées : "
        "« Levé topographique de la propriété » ; « Propriété dite « Dar Salam », TF 12345/R »"
    )
    assert [w.code for w in parcel.warnings] == [Code.TITLE_SKIPPED]  # the header is not one


@pytest.mark.parametrize("separator", [" ", "\t", ";"])
def test_title_lines_without_a_header(separator: str) -> None:
    body = lines(SQUARE, f"{{id}}{separator}{{x:.2f}}{separator}{{y:.2f}}").replace(".", ",")
    parcel = read_coordinates("Levé du 12 mars 2024\nÉchelle 1/500\n" + body, srid=26191)
    assert same_shape(parcel.geometry, SQUARE_POLYGON)
    assert only(parcel.warnings, Code.TITLE_SKIPPED).message.startswith("Lignes 1 et 2 ignorées")


def test_a_spoilt_first_row_under_the_titles_is_reported_not_skipped() -> None:
    text = (
        SURVEY_TITLES
        + "Borne;X;Y\n"
        + semicolon_text(SQUARE).replace("B1;366745,09", "B1;3667x5,09")
    )
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    diagnostic = only(refusal(caught.value), Code.UNREADABLE_VALUE)
    assert (diagnostic.line, diagnostic.point) == (7, "B1")


def test_a_first_row_missing_its_y_is_reported_not_skipped() -> None:
    text = "Levé topographique\n" + semicolon_text(SQUARE).replace(";381141,99", "", 1)
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    assert only(refusal(caught.value), Code.COLUMN_COUNT).line == 2


def test_titles_opening_parts_are_named_too() -> None:
    outer = box_points(366_700, 381_100, 100, 100, prefix="A")
    inner = box_points(366_740, 381_140, 20, 20, prefix="T")
    text = "Parcelle\nBorne;X;Y\n" + semicolon_text(outer) + "\nTrou\n" + semicolon_text(inner)
    found = only(read_coordinates(text, srid=26191).warnings, Code.TITLE_SKIPPED)
    assert found.message.startswith("Lignes 1 et 8 ignorées")


def test_a_stray_blank_line_is_named_with_what_to_do() -> None:
    points = semicolon_text(SQUARE).splitlines()
    text = "\n".join([*points[:3], "", points[3]]) + "\n"
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    diagnostic = only(refusal(caught.value), Code.TOO_FEW_POINTS)
    assert (diagnostic.ring, diagnostic.line, diagnostic.bornes) == (2, 5, ("B4",))
    assert diagnostic.message == (
        "La partie n° 2 de la parcelle (ligne 5) n'a que 1 point(s) distinct(s) (B4) ; il en faut "
        "au moins 3. La ligne vide 4 la sépare du reste de la liste (une ligne vide commence une "
        "autre partie de la parcelle) : si ces points font partie du même contour, supprimez-la."
    )


def test_two_stray_blank_lines_split_two_short_parts() -> None:
    points = semicolon_text(SQUARE).splitlines()
    text = "\n".join([*points[:2], "", "", *points[2:]]) + "\n"
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    found = [d for d in refusal(caught.value) if d.code is Code.TOO_FEW_POINTS]
    assert [d.ring for d in found] == [1, 2]
    assert all("Les lignes vides 3 et 4 la séparent" in d.message for d in found)
    assert all("supprimez-les" in d.message for d in found)


def test_no_message_speaks_of_rings() -> None:
    far = box_points(SQUARE[0][1] + 20, SQUARE[0][2] + 10, 40, 40, prefix="C")
    cases = [
        semicolon_text(SQUARE, far),  # overlapping parts
        semicolon_text(SQUARE, SQUARE[:2]),  # a part of two points
        semicolon_text(SQUARE, [SQUARE[0], SQUARE[2], SQUARE[1], SQUARE[3]]),  # a bow tie
    ]
    for text in cases:
        with pytest.raises(ParcelInputError) as caught:
            read_coordinates(text, srid=26191)
        for diagnostic in refusal(caught.value):
            assert "anneau" not in diagnostic.message.lower(), diagnostic.message
            assert "ring" not in diagnostic.message.lower(), diagnostic.message
