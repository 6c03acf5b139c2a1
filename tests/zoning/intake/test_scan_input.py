"""Scanned tables (issue 17) refused before any OCR: not an image, a bomb, too many pages; and
a PDF's own text read without OCR; the table reader and the review flags on given rows."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import Connection, text

from zoning.intake.diagnostics import Code, ParcelInputError
from zoning.intake.scan import is_scan, read_scan
from zoning.intake.scan_review import review_rows
from zoning.intake.scan_table import read_table, text_words


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels, with a few bytes of garbage as data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"not zlib at all")
        + chunk(b"IEND", b"")
    )


def refusal(data: bytes, filename: str) -> tuple[Code, str]:
    with pytest.raises(ParcelInputError) as caught:
        read_scan(data, filename=filename)
    [finding] = caught.value.fatal
    return finding.code, finding.message


def test_a_file_that_is_not_an_image_is_refused_in_french() -> None:
    code, message = refusal(b"B1;358700;366600\n", "releve.jpg")
    assert code is Code.UNREADABLE_FILE
    assert "n'est pas une image" in message


def test_a_decompression_bomb_is_refused_from_its_header_before_decoding() -> None:
    # 9 000 × 9 000 pixels claimed (81 MP over the 60 MP limit). Its data is garbage, so a
    # decoder would fail with « endommagée »: the refusal for its size comes before decoding.
    code, message = refusal(png_header(9000, 9000), "bombe.png")
    assert code is Code.IMAGE_TOO_LARGE
    assert "9000 × 9000 pixels" in message and "limite est de 60 mégapixels" in message
    # 100 000 × 100 000 (10 GB decoded): Pillow's guard on the header, said the same way
    code, message = refusal(png_header(100_000, 100_000), "bombe.png")
    assert code is Code.IMAGE_TOO_LARGE and "mégapixels" in message


def test_a_pdf_of_hundreds_of_pages_is_refused_by_its_page_count() -> None:
    writer = PdfWriter()
    for _ in range(300):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    code, message = refusal(buffer.getvalue(), "releve.pdf")
    assert code is Code.TOO_MANY_PAGES
    assert "300 pages" in message


def test_a_multipage_tiff_over_the_page_limit_is_refused() -> None:
    pages = [Image.new("L", (20, 20), 255) for _ in range(25)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:])
    code, _ = refusal(buffer.getvalue(), "releve.tif")
    assert code is Code.TOO_MANY_PAGES


def table_pdf(rows: list[tuple[str, str, str]]) -> bytes:
    """A PDF with the table as real text (what a surveyor's software exports)."""
    from weasyprint import HTML

    cells = "".join(f"<tr><td>{b}</td><td>{x}</td><td>{y}</td></tr>" for b, x, y in rows)
    html = f"<h1>Coordonnées</h1><table><tr><th>Borne</th><th>X</th><th>Y</th></tr>{cells}</table>"
    return bytes(HTML(string=html).write_pdf())


ROWS = [
    ("B1", "357 340,00", "367 060,00"),
    ("B2", "357 380,00", "367 060,00"),
    ("B3", "357 380,00", "367 100,00"),
    ("B4", "357 340,00", "367 100,00"),
]


def test_a_pdf_with_text_is_read_without_ocr_and_exactly() -> None:
    reading = read_scan(table_pdf(ROWS), filename="releve.pdf")
    assert reading.source == "texte_pdf" and reading.engine is None
    assert [(p.borne, p.x, p.y) for p in reading.points] == [
        ("B1", 357340.0, 367060.0),
        ("B2", 357380.0, 367060.0),
        ("B3", 357380.0, 367100.0),
        ("B4", 357340.0, 367100.0),
    ]
    assert not any(p.uncertain for p in reading.points)
    assert all(p.confidence == 1.0 for p in reading.points)


def test_scans_are_told_from_coordinate_files() -> None:
    assert is_scan(b"\xff\xd8\xff\xe0....", None)
    assert is_scan(b"%PDF-1.7", None)
    assert is_scan(b"", "photo.JPG")
    assert not is_scan(b"B1;1;2", "bornes.csv")
    assert not is_scan([[1.0, 2.0]], None)


def rows_of(lines: list[str]) -> list[tuple[str, float | None, float | None]]:
    table = read_table((1, text_words(line)) for line in lines)
    return [(r.label.text if r.label else "", r.x.value, r.y.value) for r in table.rows]


def test_numbers_with_spaces_dots_commas_and_a_header_naming_y_first() -> None:
    assert rows_of(["B1 358 425,73 366 892,68", "B2 358.419,63 366908.36", "3 358419 366908"]) == [
        ("B1", 358425.73, 366892.68),
        ("B2", 358419.63, 366908.36),
        ("3", 358419.0, 366908.0),
    ]
    # a header with Y before X: the columns are read in that order
    assert rows_of(["N° Y X", "12 366 892,68 358 425,73"]) == [("12", 358425.73, 366892.68)]


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        ("N X Y", "B1 358 522,04 366 811,65", (358522.04, 366811.65)),  # « N° », its ° unread
        ("N Y X", "B1 366 811,65 358 522,04", (358522.04, 366811.65)),
        ("N° E N", "B1 358 522,04 366 811,65", (358522.04, 366811.65)),
        ("N E N", "B1 358 522,04 366 811,65", (358522.04, 366811.65)),
        ("Borne Nord Est", "B1 366 811,65 358 522,04", (358522.04, 366811.65)),
        ("Borne CoordonnéeX CoordonnéeY", "B1 358 522,04 366 811,65", (358522.04, 366811.65)),
    ],
)
def test_a_header_says_which_column_is_x_even_with_a_first_n(
    header: str, row: str, expected: tuple[float, float]
) -> None:
    # a generated « fort » scan (seed 5008) read « N° X Y » as « N X Y »: the first « N » was
    # taken for the northing and every point came back swapped, and sure
    [(_, x, y)] = rows_of([header, row])
    assert (x, y) == expected


def test_a_misread_value_and_a_broken_sequence_are_flagged_and_only_them() -> None:
    lines = [f"B{i} 358 4{10 + i},00 366 8{10 + 3 * (i % 2)},00" for i in range(1, 11)]
    lines[4] = "B5 358 415,00 306 813,00"  # a 6 read as 0: kilometres away
    lines[6] = "B1 358 417,00 366 813,00"  # B7 read as B1
    lines[8] = "89 358 419,00 366 813,00"  # B9 read as 89 (a B like an 8): read back, sure
    table = read_table((1, text_words(line)) for line in lines)
    reviews = review_rows(table.rows, exact=True)
    flagged = {r.borne for r in reviews if r.uncertain}
    assert flagged == {"B5", "B7"}
    assert reviews[6].borne == "B7"  # named back from its neighbours, and still flagged
    assert "« B1 » rompt la suite" in reviews[6].reasons["borne"][0]
    assert reviews[8].borne == "B9" and not reviews[8].uncertain


def test_preview_refuses_a_bomb_with_the_settings_limit_and_issues_nothing(
    client: TestClient, demo: None, conn: Connection
) -> None:
    before = conn.execute(text("SELECT count(*) FROM nrus")).scalar_one()
    response = client.post(
        "/api/v1/parcels/preview", files={"file": ("bombe.png", png_header(9000, 9000))}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "image_too_large"
    response = client.post("/api/v1/nru", files={"file": ("releve.png", png_header(10, 10))})
    assert response.status_code == 422 and response.json()["code"] == "needs_review"
    assert conn.execute(text("SELECT count(*) FROM nrus")).scalar_one() == before
