"""Batch checks: many parcels and projects in one set-based query and the pure rules."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box
from sqlalchemy import Connection

from geoportal.projects.batch import read_batch, run_batch, spatial_cases, write_results
from tests.geoportal.projects.test_instruction import villa_parcel


def batch_file(tmp_path: Path) -> Path:
    parcel = villa_parcel()
    frame = gpd.GeoDataFrame(
        {
            "parcel_ref": ["ok", "trop_haut", "mauvais", "dehors"],
            "kind": ["construction", "construction", "chalet", "construction"],
            "use": ["habitation"] * 4,
            "owner": ["prive"] * 4,
            "storeys": [1, 4, 1, 1],
            "height_m": [7.5, 14.0, 7.5, 7.5],
            "floor_area_m2": [400.0, 1200.0, 400.0, 400.0],
            "footprint_area_m2": [300.0, 300.0, 300.0, 300.0],
            # Annexe 2 §8: facts the plan may add but never deny, so the rows declare them.
            "in_tissu_ancien": [False] * 4,
            "patrimoine": [False] * 4,
        },
        geometry=[parcel, parcel, parcel, box(300000, 300000, 300030, 300040)],
        crs=26191,
    )
    path = tmp_path / "parcelles.gpkg"
    frame.to_file(path, engine="pyogrio")
    return path


def test_batch_verdicts(conn: Connection, demo: None, tmp_path: Path) -> None:
    frame = read_batch(batch_file(tmp_path), None, 26191)
    results = {
        r["row"]: r
        for r in run_batch(spatial_cases(conn, frame, 26191), 1, lambda done, total: None)
    }
    assert results[0]["verdict"] == "a_verifier"  # the street front is not in a batch file
    assert results[0]["procedure"] == "petits_projets" and results[0]["zones"] == "D1"
    assert results[1]["verdict"] == "non_conforme"
    assert {"max_height_m", "max_storeys"} <= set(results[1]["non_conforme"].split())
    assert "kind" in results[2]["error"]
    # Annexe 2 §7: outside every plan, no plan defines the land's use: a grand projet.
    assert results[3]["error"] is None and results[3]["plan"] is None
    assert results[3]["procedure"] == "grands_projets"
    assert "Annexe 2 §7" in results[3]["procedure_rules"]
    out = tmp_path / "resultats.csv"
    write_results(frame, list(results.values()), out)
    table = pd.read_csv(out)
    assert list(table["parcel_ref"]) == ["ok", "trop_haut", "mauvais", "dehors"]
    assert list(table["verdict"].fillna("")) == ["a_verifier", "non_conforme", "", "a_verifier"]


def test_batch_in_worker_processes(
    conn: Connection,
    demo: None,
    tmp_path: Path,
) -> None:
    frame = read_batch(batch_file(tmp_path), None, 26191)
    cases = spatial_cases(conn, frame, 26191)
    seen: list[int] = []
    results = run_batch(cases, 2, lambda done, total: seen.append(done))
    assert [r["row"] for r in results] == [0, 1, 2, 3] and seen[-1] == 4
