"""Every input format of docs/formats.md §1 reads to the same plan."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from shapely.geometry import Polygon

from tests.packages import check
from zoning.package.read import PackageError, extract_zip_safely, layer_name, read_package
from zoning.synthetic import (
    plan_layers,
    reglement,
    write_dxf,
    write_folder,
    write_geopackage,
    write_reglement,
)

EXPECTED = {"zones": 64, "roads": 2, "servitudes": 2, "reservations": 1, "sectors": 1}


@pytest.fixture
def rules(tmp_path: Path) -> str:
    return write_reglement(reglement(), tmp_path / "reglement.yaml")


def _zipped(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in folder.iterdir():
            archive.write(file, f"plan/{file.name}")
    return target


def test_geopackage(tmp_path: Path, rules: str) -> None:
    checked = check(write_geopackage(plan_layers(), tmp_path / "p.gpkg"), rules)
    assert checked.report.ok and checked.report.counts == EXPECTED
    assert checked.report.findings == []


def test_folder_of_shapefiles_with_mixed_servitudes(tmp_path: Path, rules: str) -> None:
    folder = write_folder(plan_layers(), tmp_path / "shp", ".shp")
    assert (folder / "servitudes_linestring.shp").exists()
    assert (folder / "servitudes_point.shp").exists()
    checked = check(folder, rules)
    assert checked.report.ok and checked.report.counts == EXPECTED


def test_folder_of_geojson(tmp_path: Path, rules: str) -> None:
    checked = check(write_folder(plan_layers(), tmp_path / "gj", ".geojson"), rules)
    assert checked.report.ok and checked.report.counts == EXPECTED


def test_zip_of_shapefiles(tmp_path: Path, rules: str) -> None:
    folder = write_folder(plan_layers(), tmp_path / "shp", ".shp")
    checked = check(_zipped(folder, tmp_path / "plan.zip"), rules)
    assert checked.report.ok and checked.report.counts == EXPECTED


def test_dxf_needs_srid_then_reads_labels(tmp_path: Path, rules: str) -> None:
    path = write_dxf(plan_layers(), tmp_path / "plan.dxf")
    refused = check(path, rules)
    assert {f.code for f in refused.report.errors} == {"crs_missing"}
    checked = check(path, rules, srid=26191)
    assert checked.report.ok and checked.report.counts == EXPECTED
    roads = checked.layers["roads"].set_index("ref")
    assert roads.loc["V1", "width_m"] == 20.0 and roads.loc["V2", "width_m"] == 15.0
    kinds = set(checked.layers["servitudes"]["kind"])
    assert kinds == {"non_aedificandi", "monument"}


def test_dxf_island_is_cut_out_of_the_outer_zone(tmp_path: Path) -> None:
    layers = plan_layers(4, cell_m=100)
    zones = layers["zones"]
    minx, miny = zones.total_bounds[:2]
    island = Polygon(
        [
            (minx + 10, miny + 10),
            (minx + 40, miny + 10),
            (minx + 40, miny + 40),
            (minx + 10, miny + 40),
        ]
    )  # off the outer zone's label, at its centre
    zones.loc[len(zones)] = {"code": "ZV", "label": None, "geometry": island}
    path = write_dxf({"zones": zones}, tmp_path / "island.dxf")
    frame = read_package(path).layers["zones"].frame
    cell = Polygon([(minx, miny), (minx + 100, miny), (minx + 100, miny + 100), (minx, miny + 100)])
    outer = frame.loc[frame.geometry.within(cell.buffer(0.01))]
    assert sorted(outer["code"]) == ["B4", "ZV"]
    assert outer.loc[outer["code"] == "B4"].geometry.iloc[0].area == pytest.approx(10_000 - 900)


def test_layer_names() -> None:
    assert layer_name("Zones") == "zones"
    assert layer_name("servitudes_lignes") == "servitudes"
    assert layer_name("zonesX") is None


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "plan.kml"
    path.write_text("<kml/>")
    with pytest.raises(PackageError, match="format de dossier de plan inconnu"):
        read_package(path)


def test_corrupt_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "plan.gpkg"
    path.write_bytes(b"not a database")
    with pytest.raises(PackageError, match=r"plan\.gpkg"):
        read_package(path)


def test_zip_with_path_traversal_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../etc/zones.geojson", "{}")
    with pytest.raises(PackageError, match="chemin hors du zip"):
        extract_zip_safely(path, tmp_path / "out")
    assert not (tmp_path / "etc").exists()


def test_zip_bomb_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zones.geojson", b" " * 64 * 1024**2)  # 64 MB of blanks, 64 kB packed
    with pytest.raises(PackageError, match="bombe zip"):
        extract_zip_safely(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_zip_with_too_many_files_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(2_001):
            archive.writestr(f"f{i}.txt", "x")
    with pytest.raises(PackageError, match="plus de 2000 fichiers"):
        extract_zip_safely(path, tmp_path / "out")


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "plan.zip"
    path.write_bytes(b"PK but not really")
    with pytest.raises(PackageError, match="pas un fichier zip valide"):
        read_package(path)
