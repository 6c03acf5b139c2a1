"""Re-importing a plan over HTTP with its scanned plan, as the CLI's --raster does (#14)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text

from geoportal.settings import Settings
from tests.accounts import AGENT
from tests.conftest import app_client

DEMO = Path("data/demo")


def _files(raster: bytes | None = None) -> dict[str, tuple[str, bytes, str]]:
    files = {
        "package": ("ain_demo.gpkg", (DEMO / "ain_demo.gpkg").read_bytes(), "application/x"),
        "reglement": ("reglement.yaml", (DEMO / "reglement.yaml").read_bytes(), "text/yaml"),
    }
    if raster is not None:
        files["raster"] = ("ain_demo_plan.tif", raster, "image/tiff")
    return files


def test_reimport_keeps_the_raster_and_says_which_base_extracts_use(
    settings: Settings, engine: Engine, conn: Connection, tmp_path: Path
) -> None:
    local = settings.model_copy(update={"raster_dir": tmp_path / "rasters"})
    raster = (DEMO / "ain_demo_plan.tif").read_bytes()
    with app_client(local, engine, conn) as client:
        with_raster = client.post("/api/v1/plans", headers=AGENT, files=_files(raster))
        assert with_raster.status_code == 201, with_raster.text
        report = with_raster.json()
        assert report["extract_base"] == "raster"
        assert "dessinés sur le plan scanné" in report["extract_base_message"]
        stored = conn.execute(
            text("SELECT raster_path FROM plans WHERE name = 'PA Ain Demo'")
        ).scalar_one()
        assert Path(stored).parent == (tmp_path / "rasters").resolve()
        assert Path(stored).read_bytes() == raster
        again = client.post("/api/v1/plans", headers=AGENT, files=_files())
        assert again.status_code == 201
        assert again.json()["extract_base"] == "vecteurs"
        assert "couches vectorielles" in again.json()["extract_base_message"]


def test_a_raster_that_is_not_a_tiff_is_refused_by_its_field(
    settings: Settings, engine: Engine, conn: Connection, tmp_path: Path
) -> None:
    local = settings.model_copy(update={"raster_dir": tmp_path / "rasters"})
    with app_client(local, engine, conn) as client:
        refused = client.post("/api/v1/plans", headers=AGENT, files=_files(b"%PDF-1.4 nope"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "raster"
    assert list((tmp_path / "rasters").iterdir()) == []


def test_client_fixture_still_imports_without_raster(client: TestClient) -> None:
    """The raster stays optional."""
    answer = client.post("/api/v1/plans", headers=AGENT, files=_files())
    assert answer.status_code == 201 and answer.json()["extract_base"] == "vecteurs"
