"""The command line: `geoportal plan import` and `geoportal plan list` on the test database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from geoportal.cli import app
from tests.packages import write_plan
from zoning.synthetic import plan_layers, write_dxf

PLAN = "PA Ligne de Commande"


@pytest.fixture
def cli_env(test_database_url: str, engine: Engine) -> Iterator[dict[str, str]]:
    """Environment for the CLI on the test database; its commits are cleaned up after."""
    yield {"GEOPORTAL_DATABASE_URL": test_database_url, "GEOPORTAL_STORAGE_SRID": "26191"}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM plans WHERE name = :n"), {"n": PLAN})


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def run_json(env: dict[str, str], *args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(app, [*args, "--json"], env=env)
    return result.exit_code, json.loads(result.stdout)


def test_import_then_list(cli_env: dict[str, str], tmp_path: Path) -> None:
    package, _ = write_plan(tmp_path, name=PLAN)
    code, out = run(
        cli_env, "plan", "import", str(package), "--rules", str(tmp_path / "reglement.yaml")
    )
    assert code == 0, out
    assert "imported" in out and "64 zones" in out
    assert "couches vectorielles" in out  # no --raster: the extracts' base is said (#14)
    code, plans = run_json(cli_env, "plan", "list")
    [plan] = [p for p in plans if p["name"] == PLAN]
    assert plan["counts"] == {
        "zones": 64,
        "roads": 2,
        "servitudes": 2,
        "reservations": 1,
        "sectors": 1,
    }


def test_dxf_import_with_srid(cli_env: dict[str, str], tmp_path: Path) -> None:
    _, _ = write_plan(tmp_path, name=PLAN)
    dxf = write_dxf(plan_layers(), tmp_path / "plan.dxf")
    rules = str(tmp_path / "reglement.yaml")
    code, out = run(cli_env, "plan", "import", str(dxf), "--rules", rules)
    assert code == 1 and "crs_missing" in out and "--srid" in out
    code, out = run(cli_env, "plan", "import", str(dxf), "--rules", rules, "--srid", "26191")
    assert code == 0, out


def test_broken_package_names_each_problem(
    cli_env: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    layers = plan_layers()
    layers["zones"].loc[0, "code"] = "NOPE"
    layers["zones"].loc[9, "geometry"] = layers["zones"].geometry.iloc[9].buffer(5)
    package, _ = write_plan(tmp_path, layers, name=PLAN)
    code, report = run_json(
        cli_env, "plan", "import", str(package), "--rules", str(tmp_path / "reglement.yaml")
    )
    assert code == 1
    assert {f["code"] for f in report["findings"] if f["severity"] == "error"} == {
        "unknown_zone_code",
        "zone_overlap",
    }
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM plans WHERE name = :n"), {"n": PLAN}).scalar()
            == 0
        )


def test_killed_import_leaves_the_previous_plan(
    cli_env: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    """SIGKILL during the COPY of a large replacement: the old plan stays in service."""
    package, _ = write_plan(tmp_path / "old", name=PLAN)
    assert (
        run(
            cli_env,
            "plan",
            "import",
            str(package),
            "--rules",
            str(tmp_path / "old" / "reglement.yaml"),
        )[0]
        == 0
    )
    big, _ = write_plan(tmp_path / "big", plan_layers(40_000, cell_m=10), name=PLAN)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "geoportal.cli",
            "plan",
            "import",
            str(big),
            "--rules",
            str(tmp_path / "big" / "reglement.yaml"),
        ],
        env={**os.environ, **cli_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_copy(engine)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    with engine.connect() as conn:
        zones = conn.execute(
            text("SELECT count(*) FROM zones z JOIN plans p ON p.id = z.plan_id WHERE p.name = :n"),
            {"n": PLAN},
        ).scalar()
    assert zones == 64


def _wait_for_copy(engine: Engine, seconds: float = 120) -> None:
    """Until another session is copying zones into the database."""
    deadline = time.monotonic() + seconds
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            busy = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                    "'COPY zones%' AND pid <> pg_backend_pid()"
                )
            ).scalar()
            if busy:
                return
            conn.rollback()
            time.sleep(0.05)
    raise AssertionError("the import never reached the COPY of zones")


def test_nru_command_prints_json_and_writes_the_pdf(
    cli_env: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    package, _ = write_plan(tmp_path, name=PLAN)
    assert (
        run(cli_env, "plan", "import", str(package), "--rules", str(tmp_path / "reglement.yaml"))[0]
        == 0
    )
    coords = tmp_path / "bornes.txt"
    coords.write_text("B1 355010,5 365010\nB2 355040 365010\nB3 355040 365040\nB4 355010 365040\n")
    pdf = tmp_path / "note.pdf"
    try:
        code, note = run_json(cli_env, "nru", str(coords), "--pdf", str(pdf))
        assert code == 0
        assert note["plan"]["name"] == PLAN and note["zones"][0]["code"] == "B4"
        assert pdf.read_bytes().startswith(b"%PDF")
        code, out = run(cli_env, "nru", str(coords), "--srid", "26191", "--plan", "PA Absent")
        assert code == 1 and "PA Absent" in out
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM nrus WHERE plan_name = :n"), {"n": PLAN})


def test_batch_command(cli_env: dict[str, str], tmp_path: Path) -> None:
    package, _ = write_plan(tmp_path, name=PLAN)
    assert (
        run(cli_env, "plan", "import", str(package), "--rules", str(tmp_path / "reglement.yaml"))[0]
        == 0
    )
    parcels = gpd.GeoDataFrame(
        {
            "kind": ["construction"] * 3,
            "use": ["habitation"] * 3,
            "owner": ["prive"] * 3,
            "storeys": [1, 1, 6],
            "height_m": [7.0, 7.0, 20.0],
        },
        geometry=[box(355105, 365105, 355135, 365140)] * 3,
        crs=26191,
    )
    source = tmp_path / "lot.geojson"
    parcels.to_file(source, engine="pyogrio")
    out = tmp_path / "resultats.csv"
    code, output = run(cli_env, "batch", str(source), "--out", str(out), "--workers", "1")
    assert code == 0, output
    assert "3 parcelles" in output
    verdicts = pd.read_csv(out)["verdict"].tolist()
    assert verdicts[2] == "non_conforme"


def test_latin1_reglement_is_refused_with_its_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    package, text = write_plan(tmp_path, name=PLAN)
    latin1 = tmp_path / "reglement-latin1.yaml"
    latin1.write_bytes(text.replace("Zone", "Zône", 1).encode("latin-1"))
    code, out = run(cli_env, "plan", "import", str(package), "--rules", str(latin1))
    assert code == 1 and "pas en UTF-8" in out and "ligne" in out
