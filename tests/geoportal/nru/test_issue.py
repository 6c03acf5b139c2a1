"""Issuing notes de renseignements urbanistiques over HTTP, against the demo commune."""

from __future__ import annotations

import hashlib
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import pypdfium2 as pdfium
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from pypdf import PdfReader
from shapely.geometry import Polygon, box
from sqlalchemy import Connection, Engine, text

from geoportal.nru.issue import NruRequest, issue_nru
from geoportal.plans import import_plan_files
from geoportal.settings import Settings
from tests.accounts import PETITIONER
from tests.packages import write_plan
from zoning.package.load import ImportOptions
from zoning.synthetic import plan_layers, reglement

DEMO = Path("data/demo")
OUTPUT = Path("test-output")
# A parcel of the demo commune across a zone boundary, a road right-of-way and a servitude.
PARCEL = box(358700, 366600, 358760, 366660)


def coordinates(polygon: Polygon, comma: bool = True) -> str:
    """A surveyor's list: header, borne ids, French decimal commas."""
    lines = ["Borne;X;Y"]
    for i, (x, y) in enumerate(list(polygon.exterior.coords)[:-1], start=1):
        xs, ys = f"{x:.2f}", f"{y:.2f}"
        lines.append(
            f"B{i};{xs.replace('.', ',') if comma else xs};{ys.replace('.', ',') if comma else ys}"
        )
    return "\n".join(lines) + "\n"


def issue(
    client: TestClient,
    polygon: Polygon = PARCEL,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    response = client.post(
        "/api/v1/nru", json={"coordinates": coordinates(polygon), **fields}, headers=headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def expected_zone_areas(polygon: Polygon) -> dict[str, float]:
    """Computed independently of PostGIS, from the package itself with shapely."""
    zones = gpd.read_file(DEMO / "ain_demo.gpkg", layer="zones")
    parts = zones.geometry.intersection(polygon).area
    areas = parts.groupby(zones["code"]).sum()
    return {code: float(area) for code, area in areas.items() if area >= 1.0}


def test_nru_zones_and_areas_match_an_independent_computation(
    client: TestClient, demo: None
) -> None:
    nru = issue(client, land_reference="TF 1234/R", declared_area_m2=3600)
    assert re.fullmatch(r"NRU/\d{4}/\d{6}", nru["number"])
    got = {z["code"]: z["area_m2"] for z in nru["zones"]}
    expected = expected_zone_areas(PARCEL)
    assert set(got) == set(expected)
    for code, area in expected.items():
        assert got[code] == pytest.approx(area, abs=0.5, rel=0.001)
    assert sum(z["share"] for z in nru["zones"]) == pytest.approx(1.0, abs=0.001)
    assert nru["parcel"]["area_m2"] == 3600 and nru["parcel"]["land_reference"] == "TF 1234/R"
    assert nru["plan"]["name"] == "PA Ain Demo" and nru["valid_until"] == "2031-04-01"


def test_roads_are_the_alignment_to_respect(client: TestClient, demo: None) -> None:
    nru = issue(client)
    roads = gpd.read_file(DEMO / "ain_demo.gpkg", layer="roads").set_index("ref")
    for road in nru["roads"]:
        source = roads.loc[road["ref"]]
        geometry = source.geometry
        if geometry.geom_type == "LineString":
            geometry = geometry.buffer(source["width_m"] / 2, cap_style="flat")
        assert road["area_m2"] == pytest.approx(geometry.intersection(PARCEL).area, abs=0.5)
    text_ = " ".join(nru["text"])
    assert (
        "un nouvel alignement est à respecter le long de la voie d'aménagement n° V2 de "
        "30 m d'emprise" in text_
    )


def test_annexe_1_text_and_disclaimer(client: TestClient, demo: None) -> None:
    text_ = "\n".join(issue(client)["text"])
    assert (
        "plan d'aménagement de Ain Demo approuvé par Décret n° 2-21-101 du 15/03/2021 "
        "(BO n° 6970 du 01/04/2021)" in text_
    )
    assert "– situé en zone " in text_
    assert "n'équivaut, en aucun cas, à un accord de principe" in text_  # art. 7


def test_servitude_and_sector(client: TestClient, demo: None) -> None:
    servitudes = gpd.read_file(DEMO / "ain_demo.gpkg", layer="servitudes")
    monument = servitudes.loc[servitudes["kind"] == "monument"].geometry.iloc[0]
    parcel = box(monument.x - 20, monument.y - 20, monument.x + 20, monument.y + 20)
    nru = issue(client, parcel)
    assert {s["kind"] for s in nru["servitudes"]} >= {"monument"}
    assert {s["kind"] for s in nru["sectors"]} >= {"medina", "patrimoine"}
    assert "grevé par" in " ".join(nru["text"])


def test_get_returns_what_was_issued(client: TestClient, demo: None) -> None:
    nru = issue(client)
    again = client.get(f"/api/v1/nru/{nru['id']}")
    assert again.status_code == 200 and again.json() == nru


def test_file_upload(client: TestClient, demo: None) -> None:
    response = client.post(
        "/api/v1/nru",
        files={"file": ("bornes.txt", coordinates(PARCEL))},
        data={"land_reference": "Réquisition 55/R"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["parcel"]["land_reference"] == "Réquisition 55/R"


def test_numbers_follow_each_other(client: TestClient, demo: None) -> None:
    first, second = issue(client)["number"], issue(client)["number"]
    assert int(second[-6:]) == int(first[-6:]) + 1


def test_swapped_axes_are_named(client: TestClient, demo: None) -> None:
    swapped = Polygon([(y, x) for x, y in PARCEL.exterior.coords])
    response = client.post("/api/v1/nru", json={"coordinates": coordinates(swapped)})
    assert response.status_code == 422
    assert "axes_swapped" in {e["code"] for e in response.json()["errors"]}


def test_parcel_outside_every_plan(client: TestClient, demo: None) -> None:
    response = client.post(
        "/api/v1/nru", json={"coordinates": coordinates(box(340000, 360000, 340050, 360050))}
    )
    assert response.status_code == 422


def test_unreadable_line_is_named(client: TestClient, demo: None, conn: Connection) -> None:
    bad = coordinates(PARCEL).replace("B2;358760,00", "B2;3587x0,00")
    response = client.post("/api/v1/nru", json={"coordinates": bad})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["line"] == 3 and error["code"] == "unreadable_value"
    assert conn.execute(text("SELECT count(*) FROM nrus")).scalar() == 0


def test_malformed_json_is_422(client: TestClient) -> None:
    assert client.post("/api/v1/nru", json={"coords": "x"}).status_code == 422
    assert (
        client.post(
            "/api/v1/nru", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )


def test_unknown_note_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/nru/2e8375fd-ad4c-436d-958e-5ff06d94b1ef").status_code == 404
    assert client.get("/api/v1/nru/not-a-uuid").status_code == 404
    assert client.get("/verify/not-a-uuid").status_code == 404


def test_verify_page(client: TestClient, demo: None) -> None:
    nru = issue(client, land_reference="TF 99/R")
    page = client.get(nru["links"]["verify"])
    assert page.status_code == 200
    assert nru["number"] in page.text and "TF 99/R" in page.text


def test_sliver_goes_to_omitted(client: TestClient, conn: Connection, tmp_path: Path) -> None:
    """A parcel overlapping a neighbouring zone by 0.4 m²: listed in `omitted`, not counted."""
    import_plan_files(conn, *write_plan(tmp_path), ImportOptions())
    # zones are 50 m squares from (355000, 365000): reach 0.02 m into the next one
    parcel = box(355010, 365010, 355050.02, 365030)
    nru = issue(client, parcel)
    assert [z["code"] for z in nru["zones"]] == ["B4"]
    [omitted] = nru["omitted"]
    assert omitted["layer"] == "zones" and omitted["area_m2"] == pytest.approx(0.4)
    assert "tolérance" in omitted["reason"]


def test_plan_en_cours_needs_the_owner(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Art. 6: a plan not yet approved answers only the owner (an account), with proof."""
    rules = reglement("PA En Cours", status="en_cours")
    import_plan_files(conn, *write_plan(tmp_path, rules=rules), ImportOptions())
    parcel = box(355010, 365010, 355040, 365040)
    body = {"coordinates": coordinates(parcel)}
    # art. 6 al. 3 restricts by title and document, not by account
    anonymous = client.post("/api/v1/nru", json=body)
    assert anonymous.status_code == 422 and "article 6" in anonymous.json()["detail"]
    without_proof = client.post("/api/v1/nru", json=body, headers=PETITIONER)
    assert without_proof.status_code == 422 and "article 6" in without_proof.json()["detail"]
    fields = {e["field"] for e in without_proof.json()["errors"]}
    assert fields == {"qualite"}
    nru = issue(client, parcel, PETITIONER, land_reference="TF 1/R", ownership_proof="CP 2026/77")
    assert "en cours d'approbation" in nru["text"][0]
    public = issue(
        client,
        parcel,
        land_reference="TF 1/R",
        qualite="administration",
        qualite_document="Décret DUP n° 2-25-1",
    )
    assert public["request"]["qualite"] == "administration"


def test_parcel_over_two_plans(client: TestClient, conn: Connection, tmp_path: Path) -> None:
    import_plan_files(conn, *write_plan(tmp_path / "a", name="PA Ouest"), ImportOptions())
    east = {
        name: frame.assign(geometry=frame.translate(400, 0))
        for name, frame in plan_layers().items()
    }
    import_plan_files(
        conn,
        *write_plan(tmp_path / "b", east, name="PA Est", rules=reglement("PA Est")),
        ImportOptions(),
    )
    parcel = box(355370, 365010, 355410, 365030)  # 30 m in the west plan, 10 m in the east
    nru = issue(client, parcel)
    assert nru["plan"]["name"] == "PA Ouest"
    assert nru["outside_plan_m2"] == pytest.approx(200)
    assert nru["other_plans"] == [{"name": "PA Est", "area_m2": pytest.approx(200)}]


def test_preview_does_not_issue(client: TestClient, demo: None, conn: Connection) -> None:
    response = client.post("/api/v1/parcels/preview", json={"coordinates": coordinates(PARCEL)})
    assert response.status_code == 200
    preview = response.json()
    assert preview["parcel"]["geometry"]["type"] == "Polygon"
    assert {z["code"] for z in preview["zones"]} == set(expected_zone_areas(PARCEL))
    assert conn.execute(text("SELECT count(*) FROM nrus")).scalar() == 0


def test_demo_pdf_read_back_text_and_qr(client: TestClient, demo: None, settings: Settings) -> None:
    """The PDF of the demo: rendered, read back (text and QR payload), the same bytes twice."""
    nru = issue(client, land_reference="TF 1234/R")
    first = client.get(nru["links"]["pdf"])
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert client.get(nru["links"]["pdf"]).content == first.content
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "nru-demo.pdf").write_bytes(first.content)
    reader = PdfReader(io.BytesIO(first.content))
    words = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert nru["number"] in words and "TF 1234/R" in words and "situé en zone" in words
    for zone in nru["zones"]:
        assert zone["code"] in words
    payloads = {
        code.text
        for page in pdfium.PdfDocument(first.content)
        for code in zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    }
    assert f"{settings.public_url}/verify/{nru['id']}" in payloads
    digest = hashlib.sha256(first.content).hexdigest()
    assert digest in client.get(nru["links"]["verify"]).text


def test_concurrent_requests_get_distinct_numbers(engine: Engine, tmp_path: Path) -> None:
    """50 notes issued at once, each in its own transaction: 50 distinct, consecutive numbers."""
    rules = reglement("PA Concurrence")
    rules["plan"]["agency"] = "Agence Urbaine de Test Concurrence"
    with engine.begin() as conn:
        import_plan_files(conn, *write_plan(tmp_path, rules=rules), ImportOptions())

    def one(i: int) -> tuple[str, str]:
        parcel = box(355010 + i, 365010, 355030 + i, 365030)
        with engine.begin() as conn:
            note = issue_nru(conn, NruRequest(coordinates=coordinates(parcel)), storage_srid=26191)
            assert note.request is not None
            return note.number, note.request.number

    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            pairs = list(pool.map(one, range(50)))
        numbers = [note for note, _ in pairs]
        assert len(set(numbers)) == 50
        assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 51))
        # the requests (art. 6 al. 2) are numbered the same way, by their own counter
        requests = [request for _, request in pairs]
        assert sorted(int(n[-6:]) for n in requests) == list(range(1, 51))
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM nru_requests WHERE plan_name = 'PA Concurrence'"))
            conn.execute(text("DELETE FROM nrus WHERE plan_name = 'PA Concurrence'"))
            conn.execute(text("DELETE FROM nru_counters WHERE agency LIKE '%Concurrence'"))
            conn.execute(text("DELETE FROM nru_request_counters WHERE agency LIKE '%Concurrence'"))
            conn.execute(text("DELETE FROM plans WHERE name = 'PA Concurrence'"))
