"""Open data for QGIS and GDAL: OGC API Features and vector tiles, read by GDAL's ogrinfo."""

from __future__ import annotations

import math
import shutil
import subprocess

import httpx


def ogrinfo(*args: str) -> str:
    """Run Debian's ogrinfo (gdal-bin, installed by `make setup`)."""
    binary = shutil.which("ogrinfo")
    assert binary, "ogrinfo is missing: run `make setup` (apt-get install gdal-bin)"
    result = subprocess.run([binary, "-ro", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The WebMercatorQuad tile holding a point."""
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_ogrinfo_lists_the_collections(server: str) -> None:
    listing = ogrinfo(f"OAPIF:{server}/ogc")
    for name in (
        "opendata.projets_autorises",
        "opendata.zones",
        "opendata.servitudes",
        "opendata.voies_amenagement",
    ):
        assert name in listing


def test_ogrinfo_reads_the_projects_without_personal_data(server: str) -> None:
    summary = ogrinfo("-so", f"OAPIF:{server}/ogc", "opendata.projets_autorises")
    assert "Feature Count: 240" in summary
    assert "permit_number" in summary and "petitioner" not in summary
    features = ogrinfo(
        "-q",
        "-where",
        "procedure = 'grands_projets'",
        f"OAPIF:{server}/ogc",
        "opendata.projets_autorises",
    )
    assert features.count("POINT (") == features.count("procedure (String) = grands_projets")
    assert features.count("POINT (") > 50


def test_zones_read_in_wgs84(server: str) -> None:
    summary = ogrinfo("-so", f"OAPIF:{server}/ogc", "opendata.zones")
    assert "Feature Count: 122" in summary
    assert "code" in summary and "max_height_m" in summary


def test_vector_tile_of_the_demo(server: str) -> None:
    x, y = tile_of(-6.925, 33.89, 14)
    for collection in ("opendata.zones", "opendata.projets_autorises"):
        response = httpx.get(
            f"{server}/ogc/collections/{collection}/tiles/WebMercatorQuad/14/{x}/{y}"
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/vnd.mapbox-vector-tile")
        assert len(response.content) > 100
