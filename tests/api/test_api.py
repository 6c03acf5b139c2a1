"""HTTP: plans, one plan, its zones, the map page, the agent's import."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text

from geoportal.plans import import_plan_files
from geoportal.settings import Settings
from geoportal.setup.demo import load_demo
from tests.accounts import AGENT
from tests.packages import write_plan
from zoning.crs import to_lonlat
from zoning.package.load import ImportOptions
from zoning.synthetic import plan_layers


@pytest.fixture
def demo(conn: Connection, tmp_path: Path) -> None:
    import_plan_files(conn, *write_plan(tmp_path, name="PA Test"), ImportOptions())


def _upload(tmp_path: Path, **layers_options: int) -> dict[str, tuple[str, bytes]]:
    package, rules = write_plan(
        tmp_path / "upload", plan_layers(**layers_options), name="PA Téléversé"
    )
    return {
        "package": ("plan.gpkg", package.read_bytes()),
        "reglement": ("reglement.yaml", rules.encode()),
    }


def test_list_plans(client: TestClient, demo: None) -> None:
    response = client.get("/api/v1/plans")
    assert response.status_code == 200
    [plan] = response.json()
    assert plan["name"] == "PA Test" and plan["counts"]["zones"] == 64


def test_one_plan_with_extent(client: TestClient, demo: None) -> None:
    plan = client.get("/api/v1/plans/PA Test").json()
    assert plan["extent"]["srid"] == 26191
    west, south, east, north = plan["extent"]["bbox_wgs84"]
    assert -7.1 < west < east < -6.8 and 33.7 < south < north < 34.0  # near Témara
    assert {z["code"] for z in plan["zone_codes"]} == {
        "B4",
        "B3",
        "D1",
        "D2",
        "HE",
        "I",
        "ZV",
        "RA",
    }


def test_unknown_plan_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/plans/PA Inconnu")
    assert response.status_code == 404 and "PA Inconnu" in response.json()["detail"]


def test_zones_geojson_in_wgs84(client: TestClient, demo: None) -> None:
    collection = client.get("/api/v1/plans/PA Test/zones").json()
    assert len(collection["features"]) == 64
    vertices = [
        tuple(v) for f in collection["features"] for v in f["geometry"]["coordinates"][0][0]
    ]
    # PostGIS uses the same EPSG:1166 shift as pyproj: the grid's corner lands where it should
    corner = to_lonlat(355_000.0, 365_000.0, 26191)
    nearest = min(vertices, key=lambda v: (v[0] - corner[0]) ** 2 + (v[1] - corner[1]) ** 2)
    assert nearest == pytest.approx(corner, abs=1e-6)


def test_map_page_has_zones_legend_and_local_leaflet(client: TestClient, demo: None) -> None:
    page = client.get("/plans/PA Test/map")
    assert page.status_code == 200
    html = page.text
    assert "/static/leaflet/leaflet.js" in html and "cdn.jsdelivr" not in html
    assert 'id="legend"' in html and "Zone de villas" in html
    assert client.get("/static/leaflet/leaflet.js").status_code == 200


def test_home_lists_plans(client: TestClient, demo: None) -> None:
    assert "/plans/PA%20Test/map" in client.get("/plans").text


def test_import_needs_the_agent_token(client: TestClient, tmp_path: Path) -> None:
    response = client.post("/api/v1/plans", files=_upload(tmp_path))
    assert response.status_code == 401
    wrong = client.post(
        "/api/v1/plans", files=_upload(tmp_path), headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401


def test_agent_imports_a_plan(client: TestClient, conn: Connection, tmp_path: Path) -> None:
    response = client.post("/api/v1/plans", files=_upload(tmp_path, count=36), headers=AGENT)
    assert response.status_code == 201, response.text
    assert response.json()["counts"]["zones"] == 36
    assert client.get("/api/v1/plans/PA Téléversé").json()["counts"]["zones"] == 36


def test_zip_with_path_traversal_is_422_over_http(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../tmp/zones.geojson", "{}")
    files = {**_upload(tmp_path), "package": ("plan.zip", evil.getvalue())}
    response = client.post("/api/v1/plans", headers=AGENT, files=files)
    assert response.status_code == 422 and "chemin hors du zip" in response.json()["detail"]
    assert conn.execute(text("SELECT count(*) FROM plans")).scalar() == 0


def test_refused_import_is_422_with_the_report(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    layers = plan_layers()
    layers["zones"].loc[2, "code"] = "QQ"
    package, rules = write_plan(tmp_path, layers, name="PA Cassé")
    response = client.post(
        "/api/v1/plans",
        headers=AGENT,
        files={
            "package": ("plan.gpkg", package.read_bytes()),
            "reglement": ("r.yaml", rules.encode()),
        },
    )
    assert response.status_code == 422
    [error] = [f for f in response.json()["report"]["findings"] if f["severity"] == "error"]
    assert error["code"] == "unknown_zone_code" and error["feature"] == 3
    assert conn.execute(text("SELECT count(*) FROM plans")).scalar() == 0


def test_bad_reglement_is_422_naming_the_field(client: TestClient, tmp_path: Path) -> None:
    files = _upload(tmp_path)
    files["reglement"] = ("r.yaml", files["reglement"][1].replace(b"ces_max: 0.6", b"ces_max: 6"))
    response = client.post("/api/v1/plans", headers=AGENT, files=files)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "zones.B4.ces_max"


def test_wrong_package_format_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/v1/plans",
        headers=AGENT,
        files={"package": ("plan.kml", b"<kml/>"), "reglement": ("r.yaml", b"plan: {}")},
    )
    assert response.status_code == 422 and "plan.kml" in response.json()["detail"]


def test_corrupt_geopackage_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/v1/plans",
        headers=AGENT,
        files={
            "package": ("plan.gpkg", b"garbage"),
            "reglement": ("r.yaml", Path("data/demo/reglement.yaml").read_bytes()),
        },
    )
    assert response.status_code == 422 and "GeoPackage" in response.json()["detail"]


def test_import_report_names_the_uploaded_file_not_the_server_path(
    client: TestClient, tmp_path: Path
) -> None:
    """Issue #10: the report echoed /tmp/upload-…/package.gpkg, the server's own path."""
    files = {
        **_upload(tmp_path),
        "package": ("PA Téléversé v2.gpkg", _upload(tmp_path)["package"][1]),
    }
    accepted = client.post("/api/v1/plans", headers=AGENT, files=files)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["source"] == "PA Téléversé v2.gpkg"
    stored = client.get("/api/v1/plans/PA Téléversé").text
    broken = {**files, "package": ("C:\\Plans\\ancien.gpkg", b"garbage")}
    refused = client.post("/api/v1/plans", headers=AGENT, files=broken)
    assert refused.status_code == 422 and "ancien.gpkg" in refused.json()["detail"]
    for text_ in (accepted.text, stored, refused.text):
        assert "/tmp" not in text_ and "upload-" not in text_ and "package.gpkg" not in text_


def test_random_bytes_as_a_dxf_plan_is_422(client: TestClient, conn: Connection) -> None:
    """Issue #10: ezdxf fails on random bytes in many ways (ValueError, struct.error, a
    StopIteration…), each one a 500 before; and its messages quoted the server's path."""
    rules = Path("data/demo/reglement.yaml").read_bytes()
    for seed in range(40):
        garbage = random.Random(seed).randbytes(200 * (seed % 5))
        start = (b"", b"0\nSECTION\n", b"AutoCAD Binary DXF\r\n\x1a\x00")[seed % 3]
        files = {"package": ("dessin.dxf", start + garbage), "reglement": ("r.yaml", rules)}
        response = client.post("/api/v1/plans", headers=AGENT, files=files)
        assert response.status_code == 422, (seed, response.text)
        assert "dessin.dxf" in response.json()["detail"] and "/tmp" not in response.text
    assert conn.execute(text("SELECT count(*) FROM plans")).scalar() == 0


def test_demo_loads_once(engine: Engine, settings: Settings) -> None:
    """`geoportal demo` loads the demo commune, then finds it already there."""
    try:
        first = load_demo(engine, Path("data"), 26191)
        second = load_demo(engine, Path("data"), 26191)
        assert "loaded" in first and "already loaded" in second
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM plans WHERE name = 'PA Ain Demo'"))


def test_other_layers_as_geojson(client: TestClient, demo: None) -> None:
    roads = client.get("/api/v1/plans/PA Test/layers/roads").json()
    assert sorted(f["properties"]["ref"] for f in roads["features"]) == ["V1", "V2"]
    assert client.get("/api/v1/plans/PA Test/layers/parcels").status_code == 422
