"""RGC art. 26: the administrations whose avis the law requires, from the agency's table.

Art. 26: « les membres non permanents desdites commissions d'instruction sont limités aux seuls
représentants des administrations dont l'avis ou le visa est requis par la législation en
vigueur ».
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from checks.avis import (
    AdministrationsTable,
    RoadFact,
    ServitudeFact,
    SiteFacts,
    avis_requis,
    load_table,
    road_category,
)
from checks.project import Project


@pytest.fixture(scope="module")
def table() -> AdministrationsTable:
    return load_table()


def codes(project: Project, site: SiteFacts, table: AdministrationsTable) -> list[str]:
    return [avis.code for avis in avis_requis(project, site, table)]


HOUSE = Project(kind="construction", use="habitation")


def test_la_table_livree_a_les_codes_de_l_interface(table: AdministrationsTable) -> None:
    """docs/http.md: the member codes beside the permanent ones."""
    assert [line.code for line in table.administrations] == [
        "culture",
        "protection_civile",
        "equipement",
        "tourisme",
        "sante",
        "environnement",
        "agence_bassin",
        "electricite",
    ]
    assert all(line.base for line in table.administrations)


def test_une_maison_ordinaire_n_appelle_personne(table: AdministrationsTable) -> None:
    """Art. 26 (« limités aux seuls »): nothing in the project or on the site, no one."""
    assert codes(HOUSE, SiteFacts(), table) == []


@pytest.mark.parametrize(
    ("site", "project"),
    [
        (SiteFacts(sectors=frozenset({"medina"})), HOUSE),
        (SiteFacts(sectors=frozenset({"kasbah"})), HOUSE),
        (SiteFacts(servitudes=[ServitudeFact(kind="monument", label="Koubba")]), HOUSE),
        (SiteFacts(), Project(kind="construction", patrimoine=True)),
    ],
)
def test_culture_patrimoine_medina_zone_de_protection(
    site: SiteFacts, project: Project, table: AdministrationsTable
) -> None:
    """Art. 26 with loi 22-80 and décret 2-81-25 art. 32 (« zones entourant les monuments
    historiques, ne peut être entrepris qu'après autorisation de l'autorité gouvernementale
    chargée des affaires culturelles »)."""
    found = avis_requis(project, site, table)
    assert [avis.code for avis in found] == ["culture"]
    assert found[0].reasons and "22-80" in found[0].base


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        ("tourisme", ["protection_civile", "tourisme"]),
        ("sante", ["protection_civile", "sante"]),
        ("erp", ["protection_civile"]),
        ("commerce", []),
    ],
)
def test_usages(use: str, expected: list[str], table: AdministrationsTable) -> None:
    """Art. 26: tourism and health establishments, and establishments receiving the public."""
    assert codes(Project(kind="construction", use=use), SiteFacts(), table) == expected


def test_etablissement_classe(table: AdministrationsTable) -> None:
    """Art. 26: an établissement classé brings in the environment administration."""
    project = Project(kind="construction", use="industrie", etablissement_classe=True)
    assert codes(project, SiteFacts(), table) == ["environnement"]


def test_servitudes_oued_et_ligne_haute_tension(table: AdministrationsTable) -> None:
    """Art. 26: under an oued's no-build strip the basin agency, under a HT line the operator."""
    site = SiteFacts(
        servitudes=[
            ServitudeFact(kind="non_aedificandi", label="Oued Ain Demo : bande de 30 m"),
            ServitudeFact(kind="ligne_ht", label="Ligne électrique 225 kV"),
        ]
    )
    found = avis_requis(HOUSE, site, table)
    assert [avis.code for avis in found] == ["agence_bassin", "electricite"]
    assert "Oued Ain Demo" in found[0].reasons[0]


def test_une_bande_non_aedificandi_quelconque_n_appelle_pas_l_agence_de_bassin(
    table: AdministrationsTable,
) -> None:
    """Only a servitude of the oued: a cemetery's no-build strip is no water matter."""
    site = SiteFacts(servitudes=[ServitudeFact(kind="non_aedificandi", label="Cimetière")])
    assert codes(HOUSE, site, table) == []


def test_voie_non_communale(table: AdministrationsTable) -> None:
    """Art. 26: along a national, regional or provincial road, the road authority; a planned
    communal road (V12) calls no one."""
    national = SiteFacts(roads=[RoadFact(ref="N1", name=None, category=road_category("N1"))])
    assert codes(HOUSE, national, table) == ["equipement"]
    local = SiteFacts(roads=[RoadFact(ref="V12", name="Avenue des Villas", category=None)])
    assert codes(HOUSE, local, table) == []


@pytest.mark.parametrize(
    ("ref", "name", "category"),
    [
        ("N1", None, "nationale"),
        ("RN 11", None, "nationale"),
        ("R401", None, "regionale"),
        ("RP3010", None, "provinciale"),
        ("P4012", None, "provinciale"),
        ("A5", None, "autoroute"),
        ("V3", "Route nationale n° 1 (Rabat-Casablanca)", "nationale"),
        ("V12", "Avenue de la Koubba", None),
        ("V1", "Boulevard de Témara", None),
    ],
)
def test_categorie_des_voies(ref: str, name: str | None, category: str | None) -> None:
    """Moroccan numbering (N, R, P, A) or the category in the road's name."""
    assert road_category(ref, name) == category


def test_table_invalide_refusee() -> None:
    """A code outside the member-code form, or an unknown trigger, is refused with its path."""
    with pytest.raises(ValidationError, match="code"):
        AdministrationsTable.model_validate(
            {"administrations": [{"code": "Culture!", "label": "x", "base": "y", "quand": {}}]}
        )
    with pytest.raises(ValidationError, match="zones"):
        AdministrationsTable.model_validate(
            {
                "administrations": [
                    {"code": "culture", "label": "x", "base": "y", "quand": {"zones": ["M"]}}
                ]
            }
        )
