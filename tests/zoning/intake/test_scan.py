"""Scanned coordinate tables read by OCR (issue 17), on scans generated from known bornes.

Each scan is rendered with a real font, rotated 1-3°, put in perspective, blurred, speckled and
saved as JPEG at quality 35-60 (zoning.intake.synthetic_scan); what comes back is compared with
the bornes it was drawn from. A handful of OCR runs: the `ocr` mark names them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Connection, Engine, text
from typer.testing import CliRunner

from data.make_scan import OUT as DEMO_SCAN
from data.make_scan import demo_points
from geoportal.cli import app
from zoning.intake.diagnostics import Code, ParcelInputError
from zoning.intake.scan import ScanPoint, read_scan, review_parcel
from zoning.intake.scan_ocr import loaded
from zoning.intake.synthetic_scan import Point, make_scan

pytestmark = pytest.mark.ocr

#: (level, seed) → exactly recovered bornes, as bench/bench_scan.py measures them.
EXPECTED = {("leger", 0): 20, ("moyen", 3): 19, ("fort", 6): 19}


def outcome(points: tuple[ScanPoint, ...], truth: list[Point]) -> tuple[int, list[str], int]:
    """Exact points, the wrong points left unflagged, the correct points flagged."""
    expected = {(name, round(x, 2), round(y, 2)) for name, x, y in truth}
    exact = [p for p in points if (p.borne, round(p.x, 2), round(p.y, 2)) in expected]
    wrong = [p for p in points if p not in exact]
    return len(exact), [p.borne for p in wrong if not p.uncertain], sum(p.uncertain for p in exact)


@pytest.mark.parametrize(("level", "seed"), sorted(EXPECTED))
def test_generated_scans_recovered_and_every_misread_flagged(level: str, seed: int) -> None:
    scan = make_scan(seed, level)
    result = review_parcel(read_scan(scan.data, filename="releve.jpg"), srid=26191)
    exact, unflagged_wrong, flagged_right = outcome(result.reading.points, scan.points)
    assert exact == EXPECTED[(level, seed)]
    assert unflagged_wrong == []  # never a misread returned as sure
    assert flagged_right <= 0.2 * exact
    assert loaded("rapidocr") is not None  # loaded once, kept for the process


def test_a_multipage_tiff_is_read_page_after_page() -> None:
    truth = demo_points()
    first, second = (
        make_scan(3, "leger", points=truth[:10]),
        make_scan(4, "leger", points=truth[10:]),
    )
    pages = [Image.open(io.BytesIO(s.data)) for s in (first, second)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:], compression="jpeg")
    reading = read_scan(buffer.getvalue(), filename="releve.tiff")
    assert reading.pages == 2 and [p.page for p in reading.points] == [1] * 10 + [2] * 10
    xy = {(round(p.x, 2), round(p.y, 2)) for p in reading.points}
    assert xy == {(x, y) for _, x, y in truth}


def test_a_scanned_pdf_is_rendered_and_read() -> None:
    scan = make_scan(5, "moyen", points=demo_points())
    buffer = io.BytesIO()
    Image.open(io.BytesIO(scan.data)).save(buffer, "PDF", resolution=130)
    reading = read_scan(buffer.getvalue(), filename="releve.pdf")
    assert reading.source == "ocr"
    exact, unflagged_wrong, _ = outcome(reading.points, scan.points)
    assert exact >= 19 and unflagged_wrong == []


def test_a_photo_without_a_table_is_refused_in_french() -> None:
    image = Image.new("L", (1200, 900), 230)
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    ImageDraw.Draw(image).text((100, 300), "Vue du terrain depuis la route", font=font, fill=30)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=50)
    with pytest.raises(ParcelInputError) as caught:
        read_scan(buffer.getvalue(), filename="photo.jpg")
    [finding] = caught.value.fatal
    assert finding.code is Code.NO_TABLE_FOUND and "Aucun tableau" in finding.message


def test_preview_of_the_demo_scan_over_http(client: TestClient, demo: None) -> None:
    response = client.post(
        "/api/v1/parcels/preview",
        files={"file": ("releve_scanne.jpg", DEMO_SCAN.read_bytes(), "image/jpeg")},
        data={"plan": "PA Ain Demo"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"parcel", "plan", "zones", "warnings", "points", "needs_review"} <= body.keys()
    read = [(p["borne"], p["x"], p["y"]) for p in body["points"]]
    assert read == [(n, round(x, 2), round(y, 2)) for n, x, y in demo_points()]
    assert set(body["points"][0]) >= {"borne", "x", "y", "confidence", "uncertain"}
    assert body["parcel"]["geometry"]["type"] == "Polygon"
    assert body["zones"][0]["code"] == "D1"
    assert body["needs_review"] is any(p["uncertain"] for p in body["points"])


def test_preview_answers_200_when_the_reading_fails_the_diagnostics(
    client: TestClient, demo: None
) -> None:
    """Two bornes' coordinates exchanged in the table: the outline crosses itself. The grid
    still comes back, the crossing named, its bornes flagged, nothing else filled."""
    truth = demo_points()
    truth[4], truth[14] = truth[14], truth[4]
    scan = make_scan(
        8,
        "leger",
        points=[
            (n, x, y) for n, (_, x, y) in zip([p[0] for p in demo_points()], truth, strict=True)
        ],
    )
    response = client.post("/api/v1/parcels/preview", files={"file": ("r.jpg", scan.data)})
    assert response.status_code == 200
    body = response.json()
    assert body["parcel"] is None and body["zones"] == [] and body["needs_review"] is True
    assert {e["code"] for e in body["errors"]} == {"self_intersection"}
    assert len(body["points"]) == 20
    assert {p["borne"] for p in body["points"] if p["uncertain"]} >= {"B5", "B15"}


def test_nru_with_an_image_issues_nothing(client: TestClient, demo: None, conn: Connection) -> None:
    before = conn.execute(text("SELECT count(*) FROM nrus")).scalar_one()
    response = client.post(
        "/api/v1/nru",
        files={"file": ("releve_scanne.jpg", DEMO_SCAN.read_bytes(), "image/jpeg")},
        data={"plan": "PA Ain Demo"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "needs_review"
    assert "parcels/preview" in response.json()["detail"]
    assert conn.execute(text("SELECT count(*) FROM nrus")).scalar_one() == before


def test_cli_prints_the_grid_and_issues_with_yes(
    server: str, test_database_url: str, engine: Engine, tmp_path: Path
) -> None:
    env = {"GEOPORTAL_DATABASE_URL": test_database_url, "GEOPORTAL_STORAGE_SRID": "26191"}
    refused = CliRunner().invoke(app, ["nru", str(DEMO_SCAN)], env=env, input="n\n")
    assert refused.exit_code == 1 and "Rien n'a été délivré" in refused.output
    assert "357405.76" in refused.output  # the grid was printed before the question
    done = CliRunner().invoke(app, ["nru", str(DEMO_SCAN), "--yes", "--json"], env=env)
    assert done.exit_code == 0, done.output
    note = done.stdout[done.stdout.index("{") :]
    assert '"number": "NRU/' in note and '"B20"' in note
