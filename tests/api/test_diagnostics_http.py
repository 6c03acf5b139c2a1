"""The typo diagnostics over HTTP, on the demo commune: POST /api/v1/parcels/preview and
POST /api/v1/nru name the borne (JSON and multipart); swap_axes is taken by both."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from tests.zoning.intake.samples import DEMO_LOT, LOT

pytestmark = pytest.mark.usefixtures("demo")

TYPO = DEMO_LOT.replace("358703,10", "35870,31")  # B2 X: 35870,31 for 358703,1
SPIKE = LOT.replace("B1;358671,00", "B1;358617,00")  # B1 X: 358617 for 358671
SWAPPED = "".join(
    f"{line.split(';')[0]};{line.split(';')[2]};{line.split(';')[1]}\n"
    for line in DEMO_LOT.splitlines()[1:]
)
ENDPOINTS = ("/api/v1/parcels/preview", "/api/v1/nru")


def post(client: TestClient, path: str, coordinates: str, multipart: bool, **fields: Any) -> Any:
    """Send a list as JSON or as an uploaded file, with form fields."""
    if multipart:
        data = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()}
        files = {"file": ("bornes.txt", coordinates.encode())}
        return client.post(path, files=files, data=data)
    return client.post(path, json={"coordinates": coordinates, **fields})


def notes(conn: Connection) -> int:
    """Notes in the register."""
    return int(conn.execute(text("SELECT count(*) FROM nrus")).scalar_one())


@pytest.mark.parametrize("multipart", [False, True], ids=["json", "multipart"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_the_one_digit_typo_names_b2_first(
    client: TestClient, conn: Connection, path: str, multipart: bool
) -> None:
    before = notes(conn)
    response = post(client, path, TYPO, multipart)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == ["borne_aberrante"]  # no crossing reported
    first = errors[0]
    assert (first["point"], first["line"], first["bornes"]) == ("B2", 3, ["B2"])
    assert first["probable"] == pytest.approx([358703.1, 366605.0])
    assert first["message"].startswith("La borne B2 (ligne 3) est à 322,8 km des autres bornes")
    assert "358\u202f703,10" in first["message"]
    assert notes(conn) == before


def test_the_spike_is_previewed_with_the_borne_named(client: TestClient) -> None:
    response = post(client, "/api/v1/parcels/preview", SPIKE, False)
    assert response.status_code == 200, response.text
    [warning] = [w for w in response.json()["warnings"] if w["code"] == "angle_aigu"]
    assert (warning["point"], warning["line"], warning["severity"]) == ("B1", 2, "warning")
    assert warning["probable"] == pytest.approx([358671.0, 366600.0])
    assert "358\u202f671,00" in warning["message"]


@pytest.mark.parametrize("multipart", [False, True], ids=["json", "multipart"])
def test_the_spike_does_not_stop_the_note_and_is_printed_on_it(
    client: TestClient, multipart: bool
) -> None:
    response = post(client, "/api/v1/nru", SPIKE, multipart)
    assert response.status_code == 201, response.text
    [said] = [w for w in response.json()["warnings"] if "borne B1" in w]
    assert said.startswith("Angle aigu (20°) à la borne B1 (ligne 2)")


@pytest.mark.parametrize("multipart", [False, True], ids=["json", "multipart"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_swap_axes_is_taken_by_preview_and_nru(
    client: TestClient, path: str, multipart: bool
) -> None:
    refused = post(client, path, SWAPPED, multipart)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["code"] == "axes_swapped"
    assert "« Inverser X et Y »" in error["message"]
    accepted = post(client, path, SWAPPED, multipart, swap_axes=True)
    assert accepted.status_code in (200, 201), accepted.text
    body = accepted.json()
    assert body["parcel"]["area_m2"] == pytest.approx(2945, abs=1)
    said = [w if isinstance(w, str) else w["message"] for w in body["warnings"]]
    assert any("X et Y ont été échangés" in w for w in said)


def test_a_survey_sheet_with_titles_is_previewed(client: TestClient) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    rows = [
        ["Levé topographique"],
        ["Propriété dite « Dar Salam », TF 12345/R"],
        [],
        ["Borne", "X", "Y"],
        *[line.split(";") for line in DEMO_LOT.splitlines()[1:]],
    ]
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    files = {"file": ("leve.xlsx", stream.getvalue())}
    response = client.post("/api/v1/parcels/preview", files=files)
    assert response.status_code == 200, response.text
    [titles] = [w for w in response.json()["warnings"] if w["code"] == "titre_ignore"]
    assert titles["line"] == 1 and titles["message"].startswith("Lignes 1 et 2 ignorées")
