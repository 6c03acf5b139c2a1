"""Loading into PostGIS: counts, areas, atomic replacement, nothing written on failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from geoportal.plans import import_plan_files
from tests.packages import write_plan
from zoning.package.load import ImportOptions
from zoning.package.reglement import ReglementError
from zoning.package.report import ImportRefused
from zoning.schema import StorageSridMismatch, check_storage_srid
from zoning.store import PlanNotFound, get_plan, list_plans
from zoning.synthetic import plan_layers, reglement

OPTIONS = ImportOptions(storage_srid=26191)
TABLES = ("plans", "zones", "roads", "servitudes", "reservations", "sectors")


def snapshot(conn: Connection) -> dict[str, object]:
    """Row counts and a digest of every stored geometry and attribute."""
    return {
        t: conn.execute(
            text(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, ',' "
                f"ORDER BY t::text), '')) FROM {t} t"
            )
        ).one()
        for t in TABLES
    }


def test_import_stores_every_layer(conn: Connection, tmp_path: Path) -> None:
    package, rules = write_plan(tmp_path)
    report = import_plan_files(conn, package, rules, OPTIONS)
    plan = get_plan(conn, "PA Test")
    assert (
        plan["counts"]
        == report.counts
        == {"zones": 64, "roads": 2, "servitudes": 2, "reservations": 1, "sectors": 1}
    )
    assert plan["area_m2"] == pytest.approx(64 * 2500)
    assert plan["extent"]["bbox"] == [355000.0, 365000.0, 355400.0, 365400.0]
    assert plan["status"] == "homologue" and plan["approval"]["bo"] == "6850"
    assert len(plan["source_sha256"]) == 64


def test_stored_geometries_in_storage_srid_with_rules(conn: Connection, tmp_path: Path) -> None:
    import_plan_files(conn, *write_plan(tmp_path), OPTIONS)
    row = conn.execute(
        text(
            "SELECT ST_SRID(geom), GeometryType(geom), rules->>'max_height_m', ST_Area(geom) "
            "FROM zones WHERE code = 'B4' LIMIT 1"
        )
    ).one()
    assert row[0] == 26191 and row[1] == "MULTIPOLYGON" and row[2] == "17.5"
    assert row[3] == pytest.approx(2500)
    road = conn.execute(
        text("SELECT ST_Area(geom), GeometryType(centerline), width_m FROM roads WHERE ref = 'V1'")
    ).one()
    assert road == pytest.approx((8000.0, "MULTILINESTRING", 20.0))


def test_reimport_replaces_atomically(conn: Connection, tmp_path: Path) -> None:
    import_plan_files(conn, *write_plan(tmp_path / "a"), OPTIONS)
    import_plan_files(conn, *write_plan(tmp_path / "b", plan_layers(16)), OPTIONS)
    [plan] = list_plans(conn)
    assert plan["counts"]["zones"] == 16
    assert conn.execute(text("SELECT count(*) FROM zones")).scalar() == 16


def test_refused_import_changes_nothing(conn: Connection, tmp_path: Path) -> None:
    import_plan_files(conn, *write_plan(tmp_path), OPTIONS)
    before = snapshot(conn)
    broken = plan_layers()
    broken["zones"].loc[0, "code"] = "NOPE"
    with pytest.raises(ImportRefused) as refused:
        import_plan_files(conn, *write_plan(tmp_path / "broken", broken), OPTIONS)
    assert [f.code for f in refused.value.report.errors] == ["unknown_zone_code"]
    assert "NOPE" in str(refused.value)
    assert snapshot(conn) == before


def test_bad_reglement_changes_nothing(conn: Connection, tmp_path: Path) -> None:
    package, rules = write_plan(tmp_path)
    before = snapshot(conn)
    with pytest.raises(ReglementError, match=r"zones\.B4\.max_height_m"):
        import_plan_files(
            conn, package, rules.replace("max_height_m: 17.5", "max_height_m: -3"), OPTIONS
        )
    assert snapshot(conn) == before


def test_interrupted_import_leaves_the_previous_plan(conn: Connection, tmp_path: Path) -> None:
    """Ctrl-C in the middle of the COPY: the transaction rolls back to the old plan."""
    import_plan_files(conn, *write_plan(tmp_path), OPTIONS)
    before = snapshot(conn)
    package, rules = write_plan(tmp_path / "new", plan_layers(400))

    def interrupt(step: str, done: int, total: int) -> None:
        if step == "loading zones" and done == 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), conn.begin_nested():
        import_plan_files(conn, package, rules, OPTIONS, progress=interrupt)
    assert snapshot(conn) == before


def test_dry_run_writes_nothing(conn: Connection, tmp_path: Path) -> None:
    before = snapshot(conn)
    report = import_plan_files(conn, *write_plan(tmp_path), OPTIONS, dry_run=True)
    assert report.ok and snapshot(conn) == before


def test_unknown_plan(conn: Connection) -> None:
    with pytest.raises(PlanNotFound):
        get_plan(conn, "PA Nulle Part")


def test_storage_srid_mismatch_is_refused(conn: Connection) -> None:
    check_storage_srid(conn, 26191)
    with pytest.raises(StorageSridMismatch, match="EPSG:26191"):
        check_storage_srid(conn, 26192)


def test_plan_in_sud_maroc_is_transformed_to_storage(conn: Connection, tmp_path: Path) -> None:
    """A plan delivered in 26192 is stored in 26191; its areas stay within the zone's scale."""
    layers = {
        name: frame.set_crs(26192, allow_override=True) for name, frame in plan_layers().items()
    }
    rules = reglement("PA Sud", srid=26192)
    report = import_plan_files(conn, *write_plan(tmp_path, layers, rules=rules), OPTIONS)
    assert report.ok and report.srid == 26192
    srid = conn.execute(text("SELECT DISTINCT ST_SRID(geom) FROM zones")).scalar()
    assert srid == 26191


def test_raster_must_be_in_the_storage_srid(tmp_path: Path) -> None:
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    from tests.packages import check

    package, rules = write_plan(tmp_path)
    wrong = tmp_path / "plan_4326.tif"
    with rasterio.open(
        wrong,
        "w",
        driver="GTiff",
        width=4,
        height=4,
        count=1,
        dtype="uint8",
        crs="EPSG:4326",
        transform=from_origin(-7, 34, 0.001, 0.001),
    ) as out:
        out.write(np.zeros((1, 4, 4), dtype="uint8"))
    [finding] = check(package, rules, raster=wrong).report.errors
    assert finding.code == "raster_crs" and "EPSG:4326" in finding.message
    missing = check(package, rules, raster=tmp_path / "nope.tif").report.errors
    assert [f.code for f in missing] == ["raster_unreadable"]
    demo = check(package, rules, raster=Path("data/demo/ain_demo_plan.tif"))
    assert demo.report.ok
