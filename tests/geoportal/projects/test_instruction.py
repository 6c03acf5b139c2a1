"""Procedure, compliance and fees over HTTP and the command line, on the demo commune."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import LineString, Point, box, mapping
from shapely.ops import unary_union
from sqlalchemy import Connection, text
from typer.testing import CliRunner

from geoportal.cli import app
from tests.geoportal.nru.test_issue import coordinates

DEMO = Path("data/demo")


def zone_point(code: str) -> Point:
    zones = gpd.read_file(DEMO / "ain_demo.gpkg", layer="zones")
    return zones.loc[zones["code"] == code].geometry.iloc[0].representative_point()


def villa_parcel() -> Any:
    """A 30 × 40 m parcel inside a villas zone (D1: R+1, 8.5 m, CES 0.3, reculs 5/4/4 m)."""
    centre = zone_point("D1")
    return box(centre.x - 15, centre.y - 20, centre.x + 15, centre.y + 20)


def villa(**changes: Any) -> dict[str, Any]:
    """A villa whose petitioner declares it is neither in an old fabric nor a listed building.

    The plan maps no médina or listed building there, but it cannot say there is none
    (Annexe 2 §8 is a fact the plan may add, never remove): the petitioner declares it.
    """
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
        "in_tissu_ancien": False,
        "patrimoine": False,
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


# --- Issue #11: declared facts and the plan, outside plans, art. 3-4, art. 26, fees, events --


def layer(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO / "ain_demo.gpkg", layer=name)


def clear_parcel(code: str, size: float = 12.0) -> Any:
    """A square parcel inside zone `code`, away from every sector, road and servitude."""
    zone = layer("zones").loc[lambda f: f["code"] == code].geometry.union_all().buffer(-1)
    roads = layer("roads")
    servitudes = layer("servitudes")
    obstacles = unary_union(
        [
            *layer("sectors").geometry,
            *[
                g.buffer((w if w == w else 0) / 2 + 5) if g.geom_type != "Polygon" else g
                for g, w in zip(roads.geometry, roads["width_m"], strict=True)
            ],
            *[
                g.buffer((b if b == b else 0) + 5)
                for g, b in zip(servitudes.geometry, servitudes["buffer_m"], strict=True)
            ],
        ]
    )
    x0, y0, x1, y1 = zone.bounds
    for x in range(int(x0), int(x1), 7):
        for y in range(int(y0), int(y1), 7):
            candidate = box(x, y, x + size, y + size)
            if zone.contains(candidate) and not candidate.intersects(obstacles):
                return candidate
    raise AssertionError(f"no clear parcel in zone {code}")


def classify_at(client: TestClient, parcel: Any, **project: Any) -> dict[str, Any]:
    body = {"kind": "construction", "use": "habitation", "owner": "prive", **project}
    body["coordinates"] = coordinates(parcel)
    response = client.post("/api/v1/classify", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_batiment_classe_declare_grand_projet_sur_le_plan(client: TestClient, demo: None) -> None:
    """Annexe 2 §8: « les bâtiments objet d'inscription ou de classement » are grands projets.

    The demo plan maps no patrimoine sector on this D1 parcel; that does not unlist the
    building the petitioner declares classé (before, the plan turned it into petits projets).
    """
    result = classify_at(
        client, clear_parcel("D1"), height_m=7.0, storeys=1, patrimoine=True, in_tissu_ancien=False
    )
    assert result["procedure"] == "grands_projets"
    assert any("Annexe 2 §8" in reason["rule"] for reason in result["reasons"])
    assert result["sector_flags"]["patrimoine"] is True
    assert result["sector_flags_source"]["patrimoine"] == "declared"
    assert result["sector_flags_source"]["affectation_definie"] == "plan"  # the zone D1


def test_maison_r4_declaree_en_lotissement_receptionne_petit_projet(
    client: TestClient, demo: None
) -> None:
    """Annexe 3 al. 2: « les projets de construction situés dans des lotissements dont les
    travaux d'équipement sont réceptionnés … dont la hauteur inférieure ou égale à 18.50m et
    dont les niveaux sont inférieurs ou égaux à (R+4) » are petits projets.

    17 m R+4, declared in a lotissement réceptionné on a B4 parcel the plan maps as none:
    before, the plan said « not in a lotissement » and made it a grand projet.
    """
    result = classify_at(
        client,
        clear_parcel("B4"),
        height_m=17.0,
        storeys=4,
        in_lotissement_receptionne=True,
        in_tissu_ancien=False,
        patrimoine=False,
    )
    assert result["procedure"] == "petits_projets"
    assert "Annexe 3 §1 al. 2" in result["reasons"][0]["rule"]
    assert result["sector_flags_source"]["in_lotissement_receptionne"] == "declared"
    assert result["sector_flags"]["in_lotissement_receptionne"] is True


def test_rien_sur_le_plan_rien_de_declare_procedure_inconnue(
    client: TestClient, demo: None
) -> None:
    """« No such sector on the plan » is not False: unknown facts are named, never guessed."""
    result = classify_at(client, clear_parcel("D1"), height_m=7.0, storeys=1)
    assert result["procedure"] is None
    assert {"in_tissu_ancien", "patrimoine"} <= set(result["missing"])
    assert result["sector_flags"]["in_tissu_ancien"] is None
    assert "in_tissu_ancien" not in result["sector_flags_source"]


def test_la_medina_du_plan_s_ajoute_a_une_declaration_contraire(
    client: TestClient, demo: None
) -> None:
    """Annexe 2 §8 (« tissus anciens (médinas intra-muros …) »): a parcel in the mapped médina
    is in the tissu ancien whatever was declared."""
    centre = zone_point("M")
    parcel = box(centre.x - 5, centre.y - 5, centre.x + 5, centre.y + 5)
    result = classify_at(client, parcel, height_m=7.0, storeys=1, in_tissu_ancien=False)
    assert result["procedure"] == "grands_projets"
    assert result["sector_flags"]["in_tissu_ancien"] is True
    assert result["sector_flags_source"]["in_tissu_ancien"] == "plan"
    assert "culture" in {member["code"] for member in result["commission"]}  # art. 26


OUTSIDE = box(300000, 300000, 300030, 300040)  # Lambert Nord, far from the demo plan


def test_hors_de_tout_plan_grand_projet(client: TestClient, demo: None) -> None:
    """Annexe 2 §7: outside every plan « l'affectation des terrains n'est pas définie par le
    plan d'aménagement ou le plan de zonage ou le plan de développement de l'agglomération
    rurale »: a grand projet with that reason, where classify and check used to refuse."""
    result = classify_at(client, OUTSIDE, height_m=7.0, storeys=1)
    assert result["procedure"] == "grands_projets"
    assert result["outside_plans"] is True and result["plan"] is None
    assert any("hors de tout" in reason["rule"] for reason in result["reasons"])
    assert result["sector_flags_source"] == {"affectation_definie": "plan"}
    project = {"kind": "construction", "use": "habitation", "height_m": 7.0, "storeys": 1}
    checked = client.post(
        "/api/v1/check", json={"coordinates": coordinates(OUTSIDE), "project": project}
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["verdict"] == "a_verifier" and checked.json()["zones"] == []
    assert checked.json()["procedure"]["procedure"] == "grands_projets"


def test_hors_de_tout_plan_la_note_reste_refusee(client: TestClient, demo: None) -> None:
    """Art. 6: the note tells the use « en application des documents d'urbanisme »: none here."""
    response = client.post("/api/v1/nru", json={"coordinates": coordinates(OUTSIDE)})
    assert response.status_code == 422
    assert "outside_plans" in {error["code"] for error in response.json()["errors"]}


def test_axes_inverses_toujours_refuses(client: TestClient, demo: None) -> None:
    """Only a parcel truly outside every plan is answered: swapped X and Y are still said."""
    swapped = shapely.transform(villa_parcel(), lambda xy: xy[:, ::-1])
    response = client.post(
        "/api/v1/classify",
        json={"kind": "construction", "coordinates": coordinates(swapped)},
    )
    assert response.status_code == 422
    assert "axes_swapped" in {error["code"] for error in response.json()["errors"]}


def insert_sector(conn: Connection, kind: str, area: Any) -> None:
    """A sector of the demo plan, inside the test's transaction."""
    conn.execute(
        text(
            "INSERT INTO sectors (plan_id, kind, label, geom) SELECT id, :kind, :label, "
            "ST_Multi(ST_GeomFromText(:wkt, 26191)) FROM plans WHERE name = 'PA Ain Demo'"
        ),
        {"kind": kind, "label": f"Secteur {kind}", "wkt": area.wkt},
    )


def test_art4_zone_militaire_cartographiee(
    client: TestClient, conn: Connection, demo: None
) -> None:
    """Art. 4: « Les dispositions du présent règlement ne s'appliquent pas aux demandes
    d'autorisation relatives aux bâtiments et installations militaires »: recognised from an
    area the plan maps, the answer says the RGC does not apply, with the article."""
    parcel = clear_parcel("D1")
    insert_sector(conn, "militaire", parcel.buffer(20))
    result = classify_at(client, parcel, height_m=7.0, storeys=1)
    assert result["rgc_applicable"] is False and result["procedure"] is None
    assert result["reasons"][0]["rule"] == "RGC art. 4"
    assert result["commission"] == [] and result["deadlines"]["steps"] == []
    assert result["sector_flags_source"]["exclusion"] == "plan"


def test_art3_bouregreg_declare(client: TestClient) -> None:
    """Art. 3: « la zone d'aménagement de la vallée du Bouregreg … » from a declared fact."""
    response = client.post(
        "/api/v1/classify", json={"kind": "construction", "exclusion": "bouregreg"}
    )
    result = response.json()
    assert result["rgc_applicable"] is False and result["reasons"][0]["rule"] == "RGC art. 3"
    assert result["sector_flags_source"] == {"exclusion": "declared"}


def member_codes(result: dict[str, Any]) -> list[str]:
    return [member["code"] for member in result["commission"] if not member["permanent"]]


def point_on(kind: str, fraction: float = 0.5) -> Any:
    """A point on the servitude line of this kind in the demo plan."""
    servitudes = layer("servitudes")
    line = servitudes.loc[servitudes["kind"] == kind].geometry.iloc[0]
    return line.interpolate(fraction, normalized=True)


def test_art26_servitude_haute_tension_electricite(client: TestClient, demo: None) -> None:
    """Art. 26: under the plan's high-voltage corridor, the electricity operator's avis."""
    point = point_on("ligne_ht", 0.3)
    parcel = box(point.x - 4, point.y - 4, point.x + 4, point.y + 4)
    result = classify_at(client, parcel, height_m=7.0, storeys=1)
    electricite = [m for m in result["commission"] if m["code"] == "electricite"]
    assert electricite and electricite[0]["rule"] == "RGC art. 26"
    assert any("ligne_ht" in reason for reason in electricite[0]["reasons"])


def test_art26_oued_agence_de_bassin(client: TestClient, demo: None) -> None:
    """Art. 26: in the oued's no-build strip (a servitude « non_aedificandi » labelled
    « Oued Ain Demo »), the basin agency's avis (loi 36-15)."""
    point = point_on("non_aedificandi", 0.5)
    parcel = box(point.x - 4, point.y - 4, point.x + 4, point.y + 4)
    assert "agence_bassin" in member_codes(classify_at(client, parcel, height_m=4.0, storeys=0))


def test_art26_le_long_d_une_route_nationale(
    client: TestClient, conn: Connection, demo: None
) -> None:
    """Art. 26: along a road that is not communal, the road authority (equipement); the
    plan's own avenues (V1-V9) call no one."""
    parcel = clear_parcel("D1")
    assert "equipement" not in member_codes(classify_at(client, parcel, height_m=7.0, storeys=1))
    x0, y0, x1, _ = parcel.bounds
    axis = LineString([(x0 - 50, y0 - 11), (x1 + 50, y0 - 11)])  # 20 m wide, along the south
    conn.execute(
        text(
            "INSERT INTO roads (plan_id, ref, name, width_m, centerline, geom) SELECT id, 'N1', "
            "'Route nationale n° 1', 20, ST_Multi(ST_GeomFromText(:axis, 26191)), "
            "ST_Multi(ST_GeomFromText(:area, 26191)) FROM plans WHERE name = 'PA Ain Demo'"
        ),
        {"axis": axis.wkt, "area": axis.buffer(10, cap_style="flat").wkt},
    )
    result = classify_at(client, parcel, height_m=7.0, storeys=1)
    equipement = [m for m in result["commission"] if m["code"] == "equipement"]
    assert equipement and "N1" in equipement[0]["reasons"][0]


def test_art26_usage_touristique(client: TestClient) -> None:
    """Art. 26: a tourist establishment (tourism administration), receiving the public (civil
    protection): both sit, beside the grands projets' members."""
    result = client.post(
        "/api/v1/classify", json={"kind": "construction", "use": "tourisme", "owner": "prive"}
    ).json()
    assert result["procedure"] == "grands_projets"
    assert member_codes(result) == ["protection_civile", "tourisme"]


def test_echeances_apres_la_delivrance_et_demolition(client: TestClient) -> None:
    """Annexe 7 (permis de démolition): caduc six months after delivery; notice fifteen
    working days before the works (from Mon 4 Aug 2025: Fri 11 July, Throne Day skipped)."""
    body = {
        "kind": "demolition",
        "parent_procedure": "petits_projets",
        "filed_on": "2025-05-05",
        "events": {"delivered_on": "2025-06-30", "demolition_starts_on": "2025-08-04"},
    }
    result = client.post("/api/v1/classify", json=body).json()
    steps = {step["step"]: step for step in result["deadlines"]["steps"]}
    assert steps["notification_demolition"]["due"] == "2025-07-11"
    assert steps["caducite"]["due"] == "2025-12-30"


def test_echeance_provisoire_sur_http(client: TestClient) -> None:
    """A deadline crossing Aïd al-Fitr 2026, not yet confirmed in the table, is provisional."""
    body = {"kind": "construction", "use": "industrie", "owner": "prive", "filed_on": "2026-03-18"}
    result = client.post("/api/v1/classify", json=body).json()
    steps = {step["step"]: step for step in result["deadlines"]["steps"]}
    assert steps["transmission_commission"]["due"] == "2026-03-23"
    assert steps["transmission_commission"]["provisional"] is True
    assert result["deadlines"]["provisional"] is True


def post_fee(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/fees", json=body)
    assert response.status_code == 200, response.text
    quote: dict[str, Any] = response.json()
    return quote


def test_fees_exoneration_du_paragraphe_3(client: TestClient) -> None:
    """Guide §3: « les projets de constructions à but non lucratifs déposés par les Communes »."""
    quote = post_fee(
        client,
        project={"kind": "construction", "floor_area_m2": 900},
        exoneration="communes_non_lucratif",
    )
    assert float(quote["montant_ht"]) == 0.0 and "§3" in quote["reasons"][0]["rule"]


def test_fees_exoneration_inconnue_422_et_enumeree_dans_openapi(client: TestClient) -> None:
    """An unknown code is refused on its field; OpenAPI lists the codes of the tariff file."""
    response = client.post(
        "/api/v1/fees", json={"project": {"kind": "construction"}, "exoneration": "ami_du_maire"}
    )
    assert response.status_code == 422 and "exoneration" in response.text
    schema = client.get("/openapi.json").json()["components"]["schemas"]["FeeBody"]
    enum = next(o["enum"] for o in schema["properties"]["exoneration"]["anyOf"] if "enum" in o)
    assert "communes_non_lucratif" in enum and "habitat_social_250000" in enum


def test_fees_autorise_avant_la_remuneration(client: TestClient) -> None:
    """Guide §5-2 (3): « la rémunération est perçue pour les parties du projet objet de
    modifications »: 120 m² modified × 3.00 = 360.00 DH HT."""
    quote = post_fee(
        client,
        project={"kind": "modification", "floor_area_m2": 800},
        autorise_avant_remuneration=True,
        surface_modifiee_m2=120,
    )
    assert float(quote["montant_ht"]) == 360.0


def test_fees_modificatif_surface_ajoutee(client: TestClient) -> None:
    """Guide §5-2 (2): the initial fee paid, only the added floor area: 50 m² → 150.00 HT."""
    quote = post_fee(
        client,
        project={"kind": "surelevation", "floor_area_m2": 400},
        remuneration_initiale_percue=True,
        surface_ajoutee_m2=50,
    )
    assert float(quote["montant_ht"]) == 150.0


def test_fees_regularisation_indeterminee(client: TestClient) -> None:
    """Guide §4 does not list régularisations; §6-8-6: the agency's commission decides."""
    quote = post_fee(client, project={"kind": "regularisation", "floor_area_m2": 200})
    assert quote["montant_ht"] is None
    assert any("§6-8-6" in reason["rule"] for reason in quote["reasons"])


def test_fees_pre_instruction(client: TestClient) -> None:
    """Guide §5-3: paid at the pre-instruction and not modified since, nothing more is due."""
    quote = post_fee(
        client,
        project={"kind": "construction", "floor_area_m2": 500},
        pre_instruction_percue=True,
        surface_ajoutee_m2=0,
    )
    assert float(quote["montant_ht"]) == 0.0
