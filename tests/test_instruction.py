"""Procedure, compliance and fees over HTTP and the command line, on the demo commune."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, box, mapping
from typer.testing import CliRunner

from geoportal.cli import app
from tests.test_nru import coordinates

DEMO = Path("data/demo")


def zone_point(code: str) -> Point:
    zones = gpd.read_file(DEMO / "ain_demo.gpkg", layer="zones")
    return zones.loc[zones["code"] == code].geometry.iloc[0].representative_point()


def villa_parcel() -> Any:
    """A 30 × 40 m parcel inside a villas zone (D1: R+1, 8.5 m, CES 0.3, reculs 5/4/4 m)."""
    centre = zone_point("D1")
    return box(centre.x - 15, centre.y - 20, centre.x + 15, centre.y + 20)


def villa(**changes: Any) -> dict[str, Any]:
    parcel = villa_parcel()
    x0, y0 = parcel.bounds[:2]
    footprint = box(x0 + 6, y0 + 6, x0 + 24, y0 + 24)  # 18 × 18 m, 6 m from every boundary
    return {
        "kind": "construction",
        "use": "habitation",
        "owner": "prive",
        "height_m": 7.5,
        "storeys": 1,
        "floor_area_m2": 450,
        "footprint": mapping(footprint),
        **changes,
    }


def post_check(client: TestClient, project: dict[str, Any]) -> dict[str, Any]:
    """Check on the villa parcel, whose south side B4–B1 is on the street."""
    body = {
        "coordinates": coordinates(villa_parcel()),
        "project": project,
        "front_bornes": ["B4", "B1"],
    }
    response = client.post("/api/v1/check", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def checks_by_rule(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["rule"]: c for c in result["checks"]}


@pytest.mark.parametrize(
    ("height", "storeys", "procedure"),
    [
        (15.50, 3, "petits_projets"),
        (15.51, 3, "grands_projets"),
        (15.50, 4, "grands_projets"),
    ],
)
def test_classify_dwelling_thresholds(
    client: TestClient, height: float, storeys: int, procedure: str
) -> None:
    """Annexe 3: a dwelling is a petit projet at most 15.50 m AND at most R+3."""
    response = client.post(
        "/api/v1/classify",
        json={
            "kind": "construction",
            "use": "habitation",
            "owner": "prive",
            "height_m": height,
            "storeys": storeys,
            "in_lotissement_receptionne": False,
            "in_lotissement_restructure": False,
            "in_tissu_ancien": False,
            "patrimoine": False,
            "affectation_definie": True,
            "filed_on": "2026-07-27",
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["procedure"] == procedure
    assert result["reasons"] and all(r["rule"] for r in result["reasons"])
    codes = {m["code"] for m in result["commission"]}
    assert {"prefecture_province", "commune", "agence_urbaine"} <= codes
    assert result["deadlines"]["steps"]


def test_grands_projets_deadlines_in_working_days(client: TestClient) -> None:
    """Art. 18: 3 working days to transmit, from a Monday before Throne Day (30 July)."""
    result = client.post(
        "/api/v1/classify",
        json={
            "kind": "construction",
            "use": "industrie",
            "owner": "prive",
            "filed_on": "2026-07-27",
        },
    ).json()
    assert result["procedure"] == "grands_projets"
    dues = [step["due"] for step in result["deadlines"]["steps"] if step["due"]]
    assert "2026-07-31" in dues  # 28, 29, (30 July is a holiday), 31


def test_sector_flags_come_from_the_plan(client: TestClient, demo: None) -> None:
    """A small house in the médina is a grand projet (Annexe 2: tissus anciens)."""
    centre = zone_point("M")
    parcel = box(centre.x - 5, centre.y - 5, centre.x + 5, centre.y + 5)
    result = client.post(
        "/api/v1/classify",
        json={
            "kind": "construction",
            "use": "habitation",
            "owner": "prive",
            "height_m": 7,
            "storeys": 1,
            "coordinates": coordinates(parcel),
        },
    ).json()
    assert result["sector_flags"]["in_tissu_ancien"] is True
    assert result["procedure"] == "grands_projets"
    assert any(
        "ancien" in r["text"].lower() or "médina" in r["text"].lower() for r in result["reasons"]
    )


def test_conforming_villa_with_envelope(client: TestClient, demo: None) -> None:
    result = post_check(client, villa())
    assert result["verdict"] == "conforme", [c for c in result["checks"] if not c["ok"]]
    assert [z["code"] for z in result["zones"]] == ["D1"]
    assert result["envelope"]["type"] in ("Polygon", "MultiPolygon")
    assert result["procedure"]["procedure"] == "petits_projets"


def test_too_high_villa_is_non_conforme(client: TestClient, demo: None) -> None:
    checks = checks_by_rule(post_check(client, villa(height_m=10.5, storeys=2)))
    assert checks["max_height_m"]["ok"] is False
    assert checks["max_height_m"]["limit"] == 8.5 and checks["max_height_m"]["value"] == 10.5
    assert checks["max_storeys"]["ok"] is False and checks["max_height_m"]["zone"] == "D1"


def test_missing_height_is_a_verifier(client: TestClient, demo: None) -> None:
    project = villa()
    del project["height_m"]
    result = post_check(client, project)
    assert result["verdict"] == "a_verifier"
    assert checks_by_rule(result)["max_height_m"]["ok"] is None


def test_footprint_over_the_setback_fails(client: TestClient, demo: None) -> None:
    parcel = villa_parcel()
    x0, y0 = parcel.bounds[:2]
    result = post_check(client, villa(footprint=mapping(box(x0 + 1, y0 + 6, x0 + 19, y0 + 24))))
    assert result["verdict"] == "non_conforme"
    assert checks_by_rule(result)["buildable_envelope"]["ok"] is False


def test_without_the_street_front_setbacks_are_a_verifier(
    client: TestClient,
    demo: None,
) -> None:
    response = client.post(
        "/api/v1/check", json={"coordinates": coordinates(villa_parcel()), "project": villa()}
    )
    result = response.json()
    assert result["verdict"] == "a_verifier"
    assert checks_by_rule(result)["setback_road"]["ok"] is None  # never guessed


def test_forbidden_use_fails(client: TestClient, demo: None) -> None:
    use = checks_by_rule(post_check(client, villa(use="commerce")))["use"]
    assert use["ok"] is False and use["zone"] == "D1"


def test_front_bornes_must_be_a_side(client: TestClient, demo: None) -> None:
    response = client.post(
        "/api/v1/check",
        json={
            "coordinates": coordinates(villa_parcel()),
            "project": villa(),
            "front_bornes": ["B1"],
        },
    )
    assert response.status_code == 422 and "front_bornes" in response.json()["detail"]


def test_check_refuses_bad_coordinates(client: TestClient, demo: None) -> None:
    response = client.post("/api/v1/check", json={"coordinates": "B1;1;2\n", "project": villa()})
    assert response.status_code == 422


def test_unknown_project_field_is_422(client: TestClient) -> None:
    response = client.post("/api/v1/classify", json={"kind": "construction", "hieght_m": 3})
    assert response.status_code == 422
    assert "hieght_m" in json.dumps(response.json())


def test_fee_of_a_construction(client: TestClient) -> None:
    """3.00 DH HT per m² of floor area, VAT shown (guide of the agency)."""
    response = client.post(
        "/api/v1/fees",
        json={"project": {"kind": "construction", "use": "habitation", "floor_area_m2": 200}},
    )
    assert response.status_code == 200, response.text
    quote = response.json()
    assert float(quote["montant_ht"]) == 600.0
    assert float(quote["tva"]) == 120.0 and float(quote["montant_ttc"]) == 720.0


def test_demolition_carries_no_fee(client: TestClient) -> None:
    quote = client.post("/api/v1/fees", json={"project": {"kind": "demolition"}}).json()
    assert quote["montant_ht"] is None and quote["reasons"]


def test_cli_classify(tmp_path: Path, settings: Any) -> None:
    path = tmp_path / "projet.json"
    path.write_text(
        json.dumps(
            {
                "kind": "refection",
                "changement_affectation": False,
                "modifie_elements_reglementes": False,
            }
        )
    )
    result = CliRunner().invoke(
        app,
        ["classify", str(path), "--filed-on", "2026-03-02"],
        env={"GEOPORTAL_DATABASE_URL": settings.database_url},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["procedure"] == "refection"
    path.write_text(json.dumps({"kind": "chalet"}))
    refused = CliRunner().invoke(
        app, ["classify", str(path)], env={"GEOPORTAL_DATABASE_URL": settings.database_url}
    )
    assert refused.exit_code == 1 and "kind" in refused.output
