"""Compliance with the zones' rules, with shapely geometries in Lambert metres."""

from __future__ import annotations

from typing import Any

import pytest
from shapely import LineString, box
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from checks.compliance import ComplianceResult, check_compliance
from checks.habitat_economique import HabitatEconomique
from checks.project import Project
from checks.results import Check
from checks.site import Site, ZonePart, frontage_m, parcel_edges
from checks.zone_rules import ZoneRules

# Zone C of docs/formats.md §1: rear setback max(4 m, half the height).
ZONE_C = ZoneRules.model_validate(
    {
        "label": "Zone d'immeubles (R+4)",
        "affectation": "Habitat collectif; commerces et bureaux en rez-de-chaussée",
        "max_height_m": 17.5,
        "max_storeys": 4,
        "ces_max": 0.6,
        "cos_max": 3.0,
        "setbacks": {
            "road": {"distance_m": 0},
            "side": {"distance_m": 0},
            "rear": {"distance_m": 4, "height_ratio": 0.5},
        },
        "min_parcel_area_m2": 250,
        "min_frontage_m": 12,
    }
)
ZONE_D = ZoneRules.model_validate(
    {
        "label": "Zone de villas",
        "max_height_m": 10.0,
        "max_storeys": 2,
        "ces_max": 0.4,
        "cos_max": 0.8,
        "setbacks": {
            "road": {"distance_m": 5},
            "side": {"distance_m": 3},
            "rear": {"distance_m": 8},
        },
    }
)
ZONE_VERTE = ZoneRules(label="Zone verte", constructible=False)

PARCEL = box(0, 0, 20, 30)  # 600 m², its front along the road to the south
# The caller's reading of zone C's affectation, as explicit flags.
USAGES_C = frozenset({"habitation", "commerce", "bureaux"})
ROAD_SOUTH = box(-10, -20, 30, 0)  # planned road V12, 20 m right-of-way, adjacent


def same(a: BaseGeometry | None, b: BaseGeometry) -> bool:
    """Geometries equal within a square millimetre of difference."""
    return a is not None and float(a.symmetric_difference(b).area) < 1e-6


def by_rule(result: ComplianceResult, rule: str, zone: str | None = None) -> Check:
    """The one check of this rule (and zone)."""
    matches = [c for c in result.checks if c.rule == rule and (zone is None or c.zone == zone)]
    assert len(matches) == 1, (rule, zone, result.checks)
    return matches[0]


def project(**changes: Any) -> Project:
    """An R+2 dwelling of 12 m with 1080 m² of floors, changed as asked."""
    fields: dict[str, Any] = {
        "kind": "construction",
        "use": "habitation",
        "height_m": 12.0,
        "storeys": 2,
        "floor_area_m2": 1080.0,
    }
    return Project(**{**fields, **changes})


def zone_c_site(**changes: Any) -> Site:
    """The 20 x 30 m parcel entirely in zone C, on the southern road."""
    fields: dict[str, Any] = {
        "parcel": PARCEL,
        "parts": [ZonePart("C", ZONE_C, PARCEL, allowed_uses=USAGES_C)],
        "roads": [ROAD_SOUTH],
    }
    return Site(**{**fields, **changes})


def test_conforme_et_enveloppe() -> None:
    """A 20 x 18 m footprint on a zone C parcel: conforme, envelope stops 6 m from the rear."""
    result = check_compliance(project(), zone_c_site(), footprint=box(0, 0, 20, 18))
    assert result.verdict == "conforme", [c for c in result.checks if c.ok is not True]
    assert same(result.envelope, box(0, 0, 20, 24))
    assert by_rule(result, "ces_max").value == 0.6
    assert by_rule(result, "cos_max").value == 1.8
    assert result.frontage_m == 20.0


def test_emprise_geojson_du_projet() -> None:
    """The footprint may come with the project, as GeoJSON in Lambert metres."""
    geojson = mapping(box(0, 0, 20, 18))
    result = check_compliance(project(footprint=geojson), zone_c_site())
    assert result.verdict == "conforme"


@pytest.mark.parametrize(
    ("height_m", "setback_m", "envelope_top", "ok"),
    [
        (6.0, 4.0, 26.0, True),  # max(4, 0.5 x 6) = 4
        (12.0, 6.0, 24.0, True),  # 0.5 x 12 = 6: the footprint is 7 m from the rear
        (14.0, 7.0, 23.0, True),  # exactly at the setback
        (16.0, 8.0, 22.0, False),  # 0.5 x 16 = 8 > 7
    ],
)
def test_recul_de_fond_proportionnel_a_la_hauteur(
    height_m: float, setback_m: float, envelope_top: float, ok: bool
) -> None:
    """A height-ratio setback uses the project's height: max(distance, ratio x height)."""
    result = check_compliance(
        project(height_m=height_m), zone_c_site(), footprint=box(2, 0, 18, 23)
    )
    rear = by_rule(result, "setback_rear", "C")
    assert (rear.limit, rear.value, rear.ok) == (setback_m, 7.0, ok)
    assert same(result.envelope, box(0, 0, 20, envelope_top))
    assert by_rule(result, "buildable_envelope").ok is ok


def multi_zone_site() -> Site:
    """A 40 x 30 m parcel: the west half in zone C, the east half in zone D (villas)."""
    parcel = box(0, 0, 40, 30)
    return Site(
        parcel=parcel,
        parts=[ZonePart("C", ZONE_C, box(0, 0, 20, 30)), ZonePart("D", ZONE_D, box(20, 0, 40, 30))],
        roads=[box(-10, -20, 50, 0)],
    )


def test_parcelle_sur_deux_zones_enveloppe_par_zone() -> None:
    """Each part follows its zone: C rear max(4, 4.5); D road 5, side 3, rear 8."""
    result = check_compliance(project(height_m=9.0, storeys=2), multi_zone_site())
    expected = box(0, 0, 20, 25.5).union(box(20, 5, 37, 22))
    assert same(result.envelope, expected)


def test_parcelle_sur_deux_zones_gabarit_par_zone() -> None:
    """A 12 m R+3 building across both zones fits zone C but not zone D (10 m, R+2)."""
    result = check_compliance(
        project(height_m=12.0, storeys=3, floor_area_m2=840.0),
        multi_zone_site(),
        footprint=box(10, 6, 30, 20),
    )
    assert result.verdict == "non_conforme"
    assert by_rule(result, "max_height_m", "C").ok is True
    assert by_rule(result, "max_height_m", "D").ok is False
    assert by_rule(result, "max_storeys", "D").ok is False
    assert by_rule(result, "ces_max", "D").value == round(140 / 600, 4)
    cos_d = by_rule(result, "cos_max", "D")
    assert (cos_d.value, cos_d.ok) == (0.7, True)
    assert cos_d.note is not None and "prorata" in cos_d.note


def test_parcelle_sur_deux_zones_seule_la_zone_touchee_compte() -> None:
    """A building standing only in zone C is not held to zone D's height."""
    result = check_compliance(
        project(height_m=12.0, storeys=3), multi_zone_site(), footprint=box(2, 0, 18, 20)
    )
    assert [c.zone for c in result.checks if c.rule == "max_height_m"] == ["C"]


def test_emprise_de_voie_qui_entame_la_parcelle() -> None:
    """A planned road cutting 3 m into the parcel: the alignement moves, building on it fails."""
    site = zone_c_site(roads=[box(-10, -20, 30, 3)])
    result = check_compliance(project(), site, footprint=box(0, 0, 20, 18))
    assert same(result.envelope, box(0, 3, 20, 24))
    assert by_rule(result, "alignement").value == 60.0
    assert result.verdict == "non_conforme"
    assert result.frontage_m == 20.0


def test_recul_sur_voie_depuis_les_limites_de_facade_donnees() -> None:
    """Without road polygons, given front edges place the 5 m road setback of zone D."""
    site = Site(
        parcel=PARCEL,
        parts=[ZonePart("D", ZONE_D, PARCEL)],
        front_edges=[LineString([(0, 0), (20, 0)])],
    )
    result = check_compliance(project(height_m=7.0), site, footprint=box(3, 4, 17, 18))
    assert same(result.envelope, box(3, 5, 17, 22))
    road = by_rule(result, "setback_road", "D")
    assert (road.limit, road.value, road.ok) == (5.0, 4.0, False)


def test_servitude_non_aedificandi() -> None:
    """A footprint reaching into a no-build strip fails, and the envelope leaves it out."""
    site = zone_c_site(no_build=[box(15, -5, 25, 35)])
    result = check_compliance(project(), site, footprint=box(0, 0, 20, 18))
    assert same(result.envelope, box(0, 0, 15, 24))
    servitude = by_rule(result, "servitude_non_aedificandi")
    assert (servitude.value, servitude.ok) == (90.0, False)
    assert result.verdict == "non_conforme"


def test_zone_non_constructible() -> None:
    """Building on the green-zone part of a parcel fails; the envelope stops at the zone."""
    site = zone_c_site(
        parts=[
            ZonePart("C", ZONE_C, box(0, 0, 20, 20)),
            ZonePart("ZV", ZONE_VERTE, box(0, 20, 20, 30)),
        ]
    )
    result = check_compliance(project(), site, footprint=box(0, 10, 20, 25))
    zv = by_rule(result, "constructible", "ZV")
    assert (zv.value, zv.ok) == (100.0, False)
    assert same(result.envelope, box(0, 0, 20, 20))


def test_parcelle_entierement_en_zone_verte_sans_emprise() -> None:
    """With no constructible part at all, the project fails even without its footprint."""
    site = zone_c_site(parts=[ZonePart("ZV", ZONE_VERTE, PARCEL)])
    result = check_compliance(project(), site)
    assert result.verdict == "non_conforme"
    assert by_rule(result, "constructible", "ZV").ok is False


def test_emprise_manquante_a_verifier() -> None:
    """Without a footprint nothing geometric can fail: à vérifier, not conforme."""
    result = check_compliance(project(), zone_c_site())
    assert result.verdict == "a_verifier"
    assert by_rule(result, "buildable_envelope").ok is None
    assert by_rule(result, "setback_rear", "C").ok is None
    assert by_rule(result, "ces_max", "C").ok is None


def test_hauteur_manquante_a_verifier() -> None:
    """A height-ratio setback without the height: no envelope, setback à vérifier."""
    result = check_compliance(project(height_m=None), zone_c_site(), footprint=box(0, 0, 20, 18))
    assert result.verdict == "a_verifier"
    assert result.envelope is None
    rear = by_rule(result, "setback_rear", "C")
    assert (rear.limit, rear.ok) == (None, None)
    assert by_rule(result, "max_height_m", "C").ok is None


def test_voie_et_facade_inconnues_a_verifier() -> None:
    """Neither road nor front edge: the rear cannot be told from the sides, à vérifier."""
    result = check_compliance(project(), zone_c_site(roads=[]), footprint=box(0, 0, 20, 18))
    assert result.verdict == "a_verifier"
    assert result.envelope is None
    assert by_rule(result, "min_frontage_m", "C").ok is None


def test_limites_laterales_et_de_fond_explicites() -> None:
    """Given side and rear edges override the derivation from the front."""
    site = zone_c_site(
        rear_edges=[LineString([(20, 0), (20, 30)])],
        side_edges=[LineString([(0, 30), (20, 30)])],
    )
    result = check_compliance(project(), site, footprint=box(0, 0, 10, 18))
    assert same(result.envelope, box(0, 0, 14, 30))


def test_usage_interdit_explicitement() -> None:
    """An explicit forbidden-use flag fails the project."""
    part = ZonePart("C", ZONE_C, PARCEL, forbidden_uses=frozenset({"industrie"}))
    result = check_compliance(
        project(use="industrie"), zone_c_site(parts=[part]), footprint=box(0, 0, 20, 18)
    )
    assert by_rule(result, "use", "C").ok is False
    assert result.verdict == "non_conforme"


def test_usage_autorise_explicitement() -> None:
    """An explicit allowed-use flag passes the project."""
    part = ZonePart("C", ZONE_C, PARCEL, allowed_uses=frozenset({"habitation", "commerce"}))
    result = check_compliance(project(), zone_c_site(parts=[part]), footprint=box(0, 0, 20, 18))
    assert by_rule(result, "use", "C").ok is True


def test_usage_au_regard_du_seul_texte_a_verifier() -> None:
    """Without flags the affectation text is not matched: à vérifier."""
    site = zone_c_site(parts=[ZonePart("C", ZONE_C, PARCEL)])
    result = check_compliance(project(use="industrie"), site, footprint=box(0, 0, 20, 18))
    use = by_rule(result, "use", "C")
    assert use.ok is None
    assert isinstance(use.limit, str) and use.limit.startswith("Habitat collectif")
    assert result.verdict == "a_verifier"


def test_superficie_et_facade_minimales() -> None:
    """A 10 x 20 m parcel: 200 m² < 250 m² and 10 m of frontage < 12 m."""
    parcel = box(0, 0, 10, 20)
    site = zone_c_site(parcel=parcel, parts=[ZonePart("C", ZONE_C, parcel, allowed_uses=USAGES_C)])
    result = check_compliance(project(), site, footprint=box(0, 0, 10, 10))
    area, frontage = by_rule(result, "min_parcel_area_m2"), by_rule(result, "min_frontage_m")
    assert (area.value, area.ok) == (200.0, False)
    assert (frontage.value, frontage.ok) == (10.0, False)


def test_parcelle_d_angle_facade_la_plus_longue() -> None:
    """A corner parcel on two roads: the frontage is its longest continuous front."""
    site = zone_c_site(roads=[ROAD_SOUTH, box(-20, -20, 0, 50)])
    assert frontage_m(parcel_edges(site)) == 30.0


def test_emprise_hors_parcelle() -> None:
    """A footprint overflowing the parcel fails."""
    result = check_compliance(project(), zone_c_site(), footprint=box(0, 0, 22, 18))
    assert by_rule(result, "footprint_in_parcel").value == 36.0
    assert result.verdict == "non_conforme"


def test_zone_d_habitat_economique_sans_donnees() -> None:
    """In a zone d'habitat économique the 1964 regulation is also to check: à vérifier."""
    rules = ZONE_C.model_copy(update={"habitat_economique": True})
    site = zone_c_site(parts=[ZonePart("E", rules, PARCEL)])
    result = check_compliance(project(), site, footprint=box(0, 0, 20, 18))
    assert by_rule(result, "habitat_economique", "E").ok is None


def test_zone_d_habitat_economique_avec_donnees() -> None:
    """The 1964 checks join the zone's: a 9 m house in a band fails art. 32 (8 m)."""
    rules = ZONE_C.model_copy(update={"habitat_economique": True})
    site = zone_c_site(parts=[ZonePart("E", rules, PARCEL)])
    he = HabitatEconomique(type_habitat="bande_deux_niveaux", hauteur_m=9.0)
    result = check_compliance(project(), site, footprint=box(0, 0, 20, 18), habitat_economique=he)
    height = by_rule(result, "hauteur_max_m", "E")
    assert (height.limit, height.ok) == (8.0, False)
    assert "art. 32" in height.source
