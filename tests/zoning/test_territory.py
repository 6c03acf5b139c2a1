"""Agencies' territories (issue #10, items 4 and 5): a plan, a footprint, a note across agencies.

The attack: an agent of another agency imported a plan covering all of the demo plan, and
anonymous notes then came out numbered by that agency under its zoning; a 2000 × 200 m footprint
centred just outside the demo plan, 126,000 m² of it inside, was recorded by that agency.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from shapely.affinity import translate
from shapely.geometry import LineString, box, mapping
from sqlalchemy import Connection, Engine, text
from typer.testing import CliRunner

from geoportal.cli import app as cli
from geoportal.plans import import_plan_files
from tests.accounts import ADMIN, AGENCY, AGENT, OTHER_AGENCY, OTHER_AGENT
from tests.geoportal.nru.test_issue import PARCEL, coordinates
from tests.geoportal.projects.test_register import project
from zoning.package.load import ImportOptions, check_package, load_plan
from zoning.package.reglement import parse_reglement
from zoning.synthetic import reglement, write_geopackage, write_reglement
from zoning.territory import TERRITORY_TOLERANCE_M2

DEMO_PERIMETER = gpd.read_file("data/demo/ain_demo.gpkg", layer="perimeter").geometry.iloc[0]


def plan_over(
    tmp: Path, name: str, outline: Any, agency: str = OTHER_AGENCY, status: str = "homologue"
) -> tuple[Path, str]:
    """A one-zone plan of `agency` over `outline` (Lambert Nord), on disk."""
    tmp.mkdir(parents=True, exist_ok=True)
    zones = gpd.GeoDataFrame(
        {"code": ["B4"], "label": ["Zone plantée"]}, geometry=[outline], crs=26191
    )
    package = write_geopackage({"zones": zones}, tmp / "plan.gpkg")
    rules = reglement(name, codes=("B4",), status=status)
    rules["plan"]["agency"] = agency
    return package, write_reglement(rules, tmp / "reglement.yaml")


def upload(package: Path, rules: str) -> dict[str, tuple[str, bytes]]:
    return {"package": ("plan.gpkg", package.read_bytes()), "reglement": ("r.yaml", rules.encode())}


def plan_count(conn: Connection) -> int:
    return int(conn.execute(text("SELECT count(*) FROM plans")).scalar_one())


def test_a_plan_over_another_agency_territory_is_refused(
    client: TestClient, conn: Connection, demo: None, tmp_path: Path
) -> None:
    before = plan_count(conn)
    package, rules = plan_over(tmp_path, "PA Planté", DEMO_PERIMETER.buffer(50))
    response = client.post("/api/v1/plans", files=upload(package, rules), headers=OTHER_AGENT)
    assert response.status_code == 422, response.text
    [error] = [f for f in response.json()["report"]["findings"] if f["severity"] == "error"]
    assert error["code"] == "territoire_autre_agence" and error["layer"] == "perimeter"
    assert f"« {AGENCY} »" in error["message"] and "« PA Ain Demo »" in error["message"]
    assert error["area_m2"] == pytest.approx(DEMO_PERIMETER.area, rel=1e-6)
    assert DEMO_PERIMETER.contains(
        gpd.points_from_xy([error["location"][0]], [error["location"][1]])[0]
    )
    assert plan_count(conn) == before
    # nor by an admin: a territory is no permission, two agencies cannot plan one ground
    assert client.post("/api/v1/plans", files=upload(package, rules), headers=ADMIN).is_client_error


def test_beside_another_territory_and_slivers_under_the_tolerance_are_accepted(
    client: TestClient, conn: Connection, demo: None, tmp_path: Path
) -> None:
    _, miny, maxx, _ = DEMO_PERIMETER.bounds
    apart = box(maxx + 500, miny, maxx + 1500, miny + 1000)
    package, rules = plan_over(tmp_path / "apart", "PA Voisin", apart)
    assert client.post(
        "/api/v1/plans", files=upload(package, rules), headers=OTHER_AGENT
    ).is_success
    # a plan drawn 30 cm over the shared border: digitising, not a claim (under 100 m²)
    east, middle = east_edge()
    sliver = box(east - 0.3, middle, east + 300, middle + 200)
    assert 0 < sliver.intersection(DEMO_PERIMETER).area < TERRITORY_TOLERANCE_M2
    package, rules = plan_over(tmp_path / "sliver", "PA Frontalier", sliver)
    accepted = client.post("/api/v1/plans", files=upload(package, rules), headers=OTHER_AGENT)
    assert accepted.status_code == 201, accepted.text


def test_the_cli_refuses_it_too(engine: Engine, test_database_url: str, tmp_path: Path) -> None:
    outline = box(400_000, 300_000, 401_000, 301_000)
    own, own_rules = plan_over(tmp_path / "own", "PA Territoire CLI", outline, AGENCY)
    with engine.begin() as conn:
        import_plan_files(conn, own, own_rules, ImportOptions())
    try:
        package, _ = plan_over(tmp_path / "other", "PA Territoire Planté", outline.buffer(10))
        env = {"GEOPORTAL_DATABASE_URL": test_database_url}
        rules = str(tmp_path / "other" / "reglement.yaml")
        result = CliRunner().invoke(
            cli, ["plan", "import", str(package), "--rules", rules], env=env
        )
        assert result.exit_code == 1, result.output
        assert "territoire_autre_agence" in result.output and AGENCY in result.output
        with engine.connect() as conn:
            planted = "SELECT count(*) FROM plans WHERE name = 'PA Territoire Planté'"
            assert conn.execute(text(planted)).scalar_one() == 0
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM plans WHERE name = 'PA Territoire CLI'"))


def _load_unchecked(conn: Connection, package: Path, rules: str) -> None:
    """Load a plan as a plan older than the territory rule was: without its check."""
    checked = check_package(package, parse_reglement(rules), rules, ImportOptions())
    load_plan(conn, checked, 26191)


def test_a_note_is_answered_by_the_territory_agency_plan(
    client: TestClient, conn: Connection, demo: None, tmp_path: Path
) -> None:
    """A plan planted before the rule (named to sort first, imported last): the note still
    comes from the demo agency, numbered in its register."""
    _load_unchecked(conn, *plan_over(tmp_path, "PA Aaa Planté", DEMO_PERIMETER.buffer(50)))
    response = client.post("/api/v1/nru", json={"coordinates": coordinates(PARCEL)})
    assert response.status_code == 201, response.text
    note = response.json()
    assert note["plan"]["name"] == "PA Ain Demo" and note["plan"]["agency"] == AGENCY
    assert [p["name"] for p in note["other_plans"]] == ["PA Aaa Planté"]
    register = client.get("/api/v1/nru", headers=AGENT).json()["notes"]
    assert [n["number"] for n in register] == [note["number"]]
    assert client.get("/api/v1/nru", headers=OTHER_AGENT).json()["notes"] == []


def test_between_two_plans_of_the_agency_the_one_in_force_answers(
    client: TestClient, conn: Connection, demo: None, tmp_path: Path
) -> None:
    """The demo plan and its revision under approval over the same ground (named to sort
    first): the approved plan answers (and the public may have its note, art. 6)."""
    package, rules = plan_over(
        tmp_path, "PA Aaa Révision", DEMO_PERIMETER.buffer(50), AGENCY, status="en_cours"
    )
    import_plan_files(conn, package, rules, ImportOptions())
    response = client.post("/api/v1/nru", json={"coordinates": coordinates(PARCEL)})
    assert response.status_code == 201, response.text
    assert response.json()["plan"]["name"] == "PA Ain Demo"
    named = client.post("/api/v1/parcels/preview", json={"coordinates": coordinates(PARCEL)})
    assert named.json()["plan"]["name"] == "PA Ain Demo"


def east_edge() -> tuple[float, float]:
    """Where the demo perimeter's east border crosses its middle latitude."""
    minx, miny, maxx, maxy = DEMO_PERIMETER.bounds
    middle = (miny + maxy) / 2
    crossing = LineString([(minx - 10, middle), (maxx + 10, middle)]).intersection(DEMO_PERIMETER)
    return crossing.bounds[2], middle


def issue_footprint() -> Any:
    """The issue's footprint: 2000 × 200 m, centred 370 m east of the demo plan's edge."""
    east, middle = east_edge()
    footprint = box(east + 370 - 1000, middle - 100, east + 370 + 1000, middle + 100)
    assert not DEMO_PERIMETER.contains(footprint.representative_point())
    return footprint


def test_a_footprint_across_another_agency_plan_is_refused(
    client: TestClient, conn: Connection, demo: None
) -> None:
    footprint = issue_footprint()
    inside = footprint.intersection(DEMO_PERIMETER).area
    assert inside > 100_000  # about 126,000 m², as in the issue
    body = project("AU-CASA/2026/1", footprint=mapping(footprint))
    refused = client.post("/api/v1/projects", json=body, headers=OTHER_AGENT)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "territoire_autre_agence"
    assert AGENCY in refused.json()["detail"] and "PA Ain Demo" in refused.json()["detail"]
    assert f"{inside:,.0f}".replace(",", " ") in refused.json()["detail"]
    assert conn.execute(text("SELECT count(*) FROM projects")).scalar_one() == 0
    # the demo agency records it; the admin's goes to the agency holding most of it
    assert client.post("/api/v1/projects", json=body, headers=AGENT).status_code == 201
    by_admin = project("AU-ADMIN/2026/1", footprint=mapping(translate(footprint, yoff=300)))
    assert client.post("/api/v1/projects", json=by_admin, headers=ADMIN).status_code == 201
    agencies = conn.execute(text("SELECT agency FROM projects ORDER BY id")).scalars().all()
    assert agencies == [AGENCY, AGENCY]


def test_a_footprint_touching_another_plan_within_its_tolerance_is_accepted(
    client: TestClient, demo: None
) -> None:
    """Half a square metre over the border (the plan's tolerance is 1 m²): not a claim."""
    east, middle = east_edge()
    footprint = box(east - 0.05, middle, east + 20, middle + 10)
    assert 0 < footprint.intersection(DEMO_PERIMETER).area < 1
    body = project("AU-CASA/2026/2", footprint=mapping(footprint))
    assert client.post("/api/v1/projects", json=body, headers=OTHER_AGENT).status_code == 201
