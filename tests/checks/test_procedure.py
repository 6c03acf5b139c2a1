"""Procedure classification: one test (at least) per paragraph of RGC Annexes 2, 3 and 4."""

from __future__ import annotations

from typing import Any

import pytest

from checks.procedure import Classification, classify
from checks.project import Project

# A private dwelling outside lotissements, old fabrics and listed buildings, on land whose use
# the plan defines: every fact Annexe 2 asks about is settled.
ORDINARY: dict[str, Any] = {
    "owner": "prive",
    "in_lotissement_receptionne": False,
    "in_lotissement_restructure": False,
    "in_tissu_ancien": False,
    "patrimoine": False,
    "affectation_definie": True,
}


def dwelling(**changes: Any) -> Project:
    """An ordinary R+2 dwelling of 9.50 m, changed as asked."""
    fields: dict[str, Any] = {
        "kind": "construction",
        "use": "habitation",
        "height_m": 9.5,
        "storeys": 2,
        **ORDINARY,
    }
    return Project(**{**fields, **changes})


def rules(result: Classification) -> str:
    """All the rules cited, joined, for assertions."""
    return " | ".join(reason.rule for reason in result.reasons)


# --- Annexe 2 ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["lotissement", "groupe_habitations"])
def test_annexe2_par1_lotissements_et_groupes_habitations(kind: str) -> None:
    """Annexe 2 §1: lotissements and groupes d'habitations are grands projets, whatever else."""
    result = classify(Project(kind=kind))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §1" in rules(result)
    assert result.missing == []


def test_annexe2_par2_morcellements() -> None:
    """Annexe 2 §2: morcellements are grands projets."""
    result = classify(Project(kind="morcellement"))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §2" in rules(result)


def test_annexe2_par3_projet_public_meme_petit_logement() -> None:
    """Annexe 2 §3: a small dwelling built by or for a public body is a grand projet."""
    result = classify(dwelling(owner="public"))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §3" in rules(result)


@pytest.mark.parametrize(
    "use", ["erp", "tourisme", "equipement", "sport_loisirs", "enseignement", "sante"]
)
def test_annexe2_par4_etablissements_prives_recevant_du_public(use: str) -> None:
    """Annexe 2 §4: private establishments receiving the public (tourism, sport, schools...)."""
    result = classify(dwelling(use=use))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §4" in rules(result)


@pytest.mark.parametrize(
    "use", ["commerce", "bureaux", "services", "industrie", "logistique", "artisanat", "mixte"]
)
def test_annexe2_par5_activites_economiques(use: str) -> None:
    """Annexe 2 §5: buildings for economic activities, mixed buildings included."""
    result = classify(dwelling(use=use))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §5" in rules(result)


def test_annexe2_par5_suffit_sans_autres_renseignements() -> None:
    """Annexe 2 §5 decides alone: no other input is reported missing."""
    result = classify(Project(kind="construction", use="commerce"))
    assert (result.procedure, result.missing) == ("grands_projets", [])


def test_annexe2_par6_hauteur_et_niveaux_au_dela() -> None:
    """Annexe 2 §6: above 15.50 m and above R+3 outside a lotissement."""
    result = classify(dwelling(height_m=15.51, storeys=4))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §6 (hauteur > 15.50 m" in rules(result)


def test_annexe2_par6_surelevation_atteignant_le_seuil() -> None:
    """Annexe 2 §6: a surélévation reaching more than 15.50 m and R+4 is a grand projet."""
    result = classify(dwelling(kind="surelevation", height_m=16.8, storeys=4))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §6" in rules(result)


def test_annexe2_par6_al2_lotissement_receptionne() -> None:
    """Annexe 2 §6 al. 2: in a lotissement réceptionné, above 18.50 m and R+4."""
    result = classify(dwelling(height_m=18.51, storeys=5, in_lotissement_receptionne=True))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §6 al. 2" in rules(result)


def test_annexe2_par6_al2_lotissement_restructure() -> None:
    """Annexe 2 §6 al. 2: a restructured non-regulatory lotissement has the same thresholds."""
    result = classify(dwelling(height_m=19.0, storeys=5, in_lotissement_restructure=True))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §6 al. 2" in rules(result)


def test_annexe2_par6_au_dela_des_deux_seuils_sans_statut_du_lotissement() -> None:
    """Annexe 2 §6: above 18.50 m and R+4 the lotissement status does not matter."""
    project = dwelling(height_m=21.0, storeys=6)
    project = project.model_copy(
        update={"in_lotissement_receptionne": None, "in_lotissement_restructure": None}
    )
    result = classify(project)
    assert (result.procedure, result.missing) == ("grands_projets", [])


def test_annexe2_par7_affectation_non_definie_hors_lotissement() -> None:
    """Annexe 2 §7: land whose use the plan does not define, outside a lotissement."""
    result = classify(dwelling(affectation_definie=False))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §7" in rules(result)


def test_annexe2_par7_ne_joue_pas_en_lotissement_receptionne() -> None:
    """Annexe 2 §7 excludes lotissements réceptionnés: the dwelling stays a petit projet."""
    result = classify(dwelling(affectation_definie=False, in_lotissement_receptionne=True))
    assert result.procedure == "petits_projets"


def test_annexe2_par8_tissu_ancien() -> None:
    """Annexe 2 §8: constructions in a médina, ksar or kasbah."""
    result = classify(dwelling(in_tissu_ancien=True))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §8" in rules(result)


def test_annexe2_par8_batiment_inscrit_ou_classe() -> None:
    """Annexe 2 §8: buildings listed or classified."""
    result = classify(dwelling(patrimoine=True))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §8" in rules(result)


def test_annexe2_par9_modification_d_un_grand_projet() -> None:
    """Annexe 2 §9: modifying an existing building instructed as a grand projet."""
    result = classify(Project(kind="modification", parent_procedure="grands_projets"))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §9" in rules(result)


def test_annexe2_par9_modification_d_un_immeuble_de_bureaux() -> None:
    """Annexe 2 §9 with §5: the existing building is itself in a grands projets category."""
    result = classify(dwelling(kind="modification", use="bureaux"))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §9" in rules(result) and "Annexe 2 §5" in rules(result)


def test_annexe2_par10_regularisation_meme_petite() -> None:
    """Annexe 2 §10: every régularisation, whatever its nature, is a grand projet."""
    result = classify(dwelling(kind="regularisation", height_m=4.0, storeys=0))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §10" in rules(result)


def test_annexe2_par11_demolition_d_un_grand_projet() -> None:
    """Annexe 2 §11: demolishing a building that fell under the grands projets."""
    result = classify(Project(kind="demolition", parent_procedure="grands_projets"))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §11" in rules(result)


def test_annexe2_par11_demolition_d_un_immeuble_haut() -> None:
    """Annexe 2 §11 with §6: demolishing a R+5 building of 20 m."""
    result = classify(dwelling(kind="demolition", height_m=20.0, storeys=5))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §11" in rules(result) and "Annexe 2 §6" in rules(result)


def test_annexe2_par12_residuel_entre_les_deux_annexes() -> None:
    """Annexe 2 §12: 16 m at R+3 is in neither list's height clause, so it is a grand projet."""
    result = classify(dwelling(height_m=16.0, storeys=3))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §12" in rules(result)


def test_annexe2_par12_usage_autre_que_l_habitation() -> None:
    """Annexe 2 §12: Annexe 3 only lists dwellings, so a farm building is a grand projet."""
    result = classify(dwelling(use="agricole"))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §12" in rules(result)


# --- Annexe 3 and its thresholds, on both sides ----------------------------------------------


@pytest.mark.parametrize(
    ("height_m", "storeys", "expected"),
    [
        (15.50, 3, "petits_projets"),
        (15.51, 3, "grands_projets"),
        (15.50, 4, "grands_projets"),
        (15.51, 4, "grands_projets"),
        (12.00, 2, "petits_projets"),
    ],
)
def test_annexe3_par1_seuil_15m50_r3(height_m: float, storeys: int, expected: str) -> None:
    """Annexe 3 §1: a dwelling is a petit projet only at ≤ 15.50 m AND ≤ R+3."""
    assert classify(dwelling(height_m=height_m, storeys=storeys)).procedure == expected


@pytest.mark.parametrize(
    ("height_m", "storeys", "expected"),
    [
        (18.50, 4, "petits_projets"),
        (18.51, 4, "grands_projets"),
        (18.50, 5, "grands_projets"),
        (18.51, 5, "grands_projets"),
        (15.60, 4, "petits_projets"),
    ],
)
def test_annexe3_par1_al2_seuil_18m50_r4_en_lotissement(
    height_m: float, storeys: int, expected: str
) -> None:
    """Annexe 3 §1 al. 2: in a lotissement réceptionné, ≤ 18.50 m AND ≤ R+4."""
    project = dwelling(height_m=height_m, storeys=storeys, in_lotissement_receptionne=True)
    assert classify(project).procedure == expected


def test_annexe3_par1_al2_cite_le_seuil_du_lotissement() -> None:
    """Annexe 3 §1 al. 2 is the cited paragraph when only the lotissement threshold admits it."""
    project = dwelling(height_m=17.0, storeys=4, in_lotissement_restructure=True)
    result = classify(project)
    assert result.procedure == "petits_projets"
    assert "Annexe 3 §1 al. 2" in rules(result)


def test_annexe3_par1_surelevation_dans_le_seuil() -> None:
    """Annexe 3 §1: a surélévation that reaches 15.50 m at R+3 remains a petit projet."""
    result = classify(dwelling(kind="surelevation", height_m=15.5, storeys=3))
    assert result.procedure == "petits_projets"
    assert "Annexe 3 §1" in rules(result)


def test_annexe3_par2_modification_d_un_petit_projet() -> None:
    """Annexe 3 §2: modifying an existing building instructed as a petit projet."""
    result = classify(Project(kind="modification", parent_procedure="petits_projets"))
    assert result.procedure == "petits_projets"
    assert "Annexe 3 §2" in rules(result)


def test_annexe3_par2_modification_d_une_maison_decrite() -> None:
    """Annexe 3 §2: the modified building is described and fits Annexe 3 §1."""
    result = classify(dwelling(kind="modification"))
    assert result.procedure == "petits_projets"
    assert "Annexe 3 §2" in rules(result)


def test_annexe3_par2_ne_couvre_pas_un_changement_vers_le_commerce() -> None:
    """Annexe 3 is "sous réserve" of Annexe 2: a modification into shops is a grand projet."""
    project = Project(kind="modification", parent_procedure="petits_projets", use="commerce")
    assert classify(project).procedure == "grands_projets"


def test_annexe3_par3_demolition_d_un_petit_projet() -> None:
    """Annexe 3 §3: demolishing a dwelling within the §1 thresholds."""
    result = classify(dwelling(kind="demolition", height_m=7.0, storeys=1))
    assert result.procedure == "petits_projets"
    assert "Annexe 3 §3" in rules(result)


# --- Missing inputs: said, never guessed --------------------------------------------------


def test_entrees_manquantes_nommees() -> None:
    """A dwelling within the thresholds, but the owner and sectors unknown: left open."""
    result = classify(Project(kind="construction", use="habitation", height_m=9, storeys=2))
    assert result.procedure is None
    assert set(result.missing) == {"owner", "affectation_definie", "in_tissu_ancien", "patrimoine"}
    assert "owner" in result.reasons[0].text


def test_statut_du_lotissement_demande_seulement_s_il_decide() -> None:
    """At 17 m and R+4 only the lotissement status decides between the annexes."""
    project = dwelling(height_m=17.0, storeys=4)
    project = project.model_copy(
        update={"in_lotissement_receptionne": None, "in_lotissement_restructure": None}
    )
    result = classify(project)
    assert result.procedure is None
    assert result.missing == ["in_lotissement_receptionne", "in_lotissement_restructure"]


def test_statut_du_lotissement_inutile_sous_le_seuil_ordinaire() -> None:
    """At 9.50 m and R+2 the lotissement status changes nothing and is not asked."""
    project = dwelling().model_copy(
        update={"in_lotissement_receptionne": None, "in_lotissement_restructure": None}
    )
    assert classify(project) == Classification(
        procedure="petits_projets", reasons=classify(dwelling()).reasons, missing=[]
    )


def test_hauteur_inconnue() -> None:
    """Without the height, Annexe 3 cannot be applied."""
    result = classify(dwelling(height_m=None))
    assert (result.procedure, result.missing) == (None, ["height_m"])


# --- Annexe 4 ------------------------------------------------------------------------------


def test_annexe4_par1_et_par2_menus_travaux() -> None:
    """Annexe 4 §1 and §2: small works without change of use nor of regulated elements."""
    project = Project(
        kind="refection", changement_affectation=False, modifie_elements_reglementes=False
    )
    result = classify(project)
    assert result.procedure == "refection"
    assert "Annexe 4 §1" in rules(result) and "Annexe 4 §2" in rules(result)


def test_annexe4_par1_changement_d_affectation_sort_de_la_refection() -> None:
    """Annexe 4 §1: works changing the use need a permit (art. 20), here a petit projet."""
    project = dwelling(
        kind="refection", changement_affectation=True, modifie_elements_reglementes=False
    )
    result = classify(project)
    assert result.procedure == "petits_projets"
    assert "art. 20" in rules(result) and "Annexe 3 §2" in rules(result)


def test_annexe4_par2_facades_ou_structure_sortent_de_la_refection() -> None:
    """Annexe 4 §2: works on façades or structure of a shop building are a grand projet."""
    project = dwelling(
        kind="refection",
        use="commerce",
        changement_affectation=False,
        modifie_elements_reglementes=True,
    )
    result = classify(project)
    assert result.procedure == "grands_projets"
    assert "art. 20" in rules(result)


def test_annexe4_par3_installation_saisonniere() -> None:
    """Annexe 4 §3: seasonal or occasional installations."""
    result = classify(Project(kind="installation_saisonniere"))
    assert result.procedure == "refection"
    assert "Annexe 4 §3" in rules(result)


def test_annexe4_conditions_inconnues() -> None:
    """Annexe 4: whether the works change the use or regulated elements must be said."""
    result = classify(Project(kind="refection", changement_affectation=False))
    assert result.procedure is None
    assert result.missing == ["modifie_elements_reglementes"]
    assert "Annexe 4" in rules(result)


def test_annexe3_par1_surelevation_demande_la_hauteur_atteinte() -> None:
    """Annexe 3 §1: for a surélévation the height reached decides, even on a petit projet."""
    project = dwelling(kind="surelevation", height_m=None, parent_procedure="petits_projets")
    result = classify(project)
    assert (result.procedure, result.missing) == (None, ["height_m"])


def test_annexe2_par9_surelevation_d_un_grand_projet() -> None:
    """Annexe 2 §9: raising a building instructed as a grand projet modifies a grand projet."""
    result = classify(Project(kind="surelevation", parent_procedure="grands_projets"))
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §9" in rules(result)


def test_procedure_parente_ignoree_pour_une_construction_neuve() -> None:
    """parent_procedure only qualifies works on an existing building."""
    result = classify(dwelling(parent_procedure="grands_projets"))
    assert result.procedure == "petits_projets"


# --- Annexe 2 §7 outside every plan, RGC art. 3 and 4 (issue #11 §12) --------------------


def test_annexe2_par7_hors_de_tout_document_d_urbanisme() -> None:
    """Annexe 2 §7: « Les projets de construction situés en dehors d'un lotissement dont les
    travaux d'équipement sont réceptionnés … lorsque l'affectation des terrains n'est pas
    définie par le plan d'aménagement ou le plan de zonage ou le plan de développement de
    l'agglomération rurale »: outside every plan, no document defines it."""
    project = Project(kind="construction", use="habitation", height_m=7.0, storeys=1)
    result = classify(project, hors_plan=True)
    assert result.procedure == "grands_projets"
    assert "Annexe 2 §7" in rules(result) and "hors de tout" in rules(result)
    assert result.missing == []


def test_annexe2_par7_hors_plan_mais_en_lotissement_receptionne_declare() -> None:
    """Annexe 2 §7 excepts the lotissement réceptionné: declared, the Annexe 3 al. 2 threshold
    decides (« inférieure ou égale à 18.50m … inférieurs ou égaux à (R+4) »)."""
    project = dwelling(height_m=17.0, storeys=4, in_lotissement_receptionne=True)
    result = classify(project, hors_plan=True)
    assert result.procedure == "petits_projets"
    assert "Annexe 3 §1 al. 2" in rules(result)


@pytest.mark.parametrize(
    ("exclusion", "article", "words"),
    [
        ("bouregreg", "RGC art. 3", "Bouregreg"),
        ("marchica", "RGC art. 3", "Marchica"),
        ("militaire", "RGC art. 4", "militaires"),
        ("culte_musulman", "RGC art. 4", "culte musulman"),
    ],
)
def test_art3_art4_le_reglement_ne_s_applique_pas(exclusion: str, article: str, words: str) -> None:
    """Art. 3: « Les dispositions du présent règlement ne s'appliquent pas à : la zone
    d'aménagement de la vallée du Bouregreg … la zone d'aménagement du site de la lagune de
    Marchica »; art. 4: « ne s'appliquent pas aux demandes d'autorisation relatives aux
    bâtiments et installations militaires … et aux édifices affectés au culte musulman »."""
    result = classify(dwelling(exclusion=exclusion))
    assert result.rgc_applicable is False
    assert result.procedure is None and result.missing == []
    assert result.reasons[0].rule == article and words in result.reasons[0].text
