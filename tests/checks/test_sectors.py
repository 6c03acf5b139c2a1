"""The plan adds facts to the declared ones, never removes one (Annexes 2 and 3, issue #11 §1)."""

from __future__ import annotations

from checks.procedure import classify
from checks.project import Project
from checks.sectors import PlanFacts, merge_sector_facts

# A plan that maps nothing at the parcel but its zones (the common case: plans rarely map
# listed buildings or accepted lotissements).
ZONED_ONLY = PlanFacts(zoned=True)


def house(**changes: object) -> Project:
    """A private dwelling, the facts of Annexe 2 §8 declared as asked."""
    fields: dict[str, object] = {"kind": "construction", "use": "habitation", "owner": "prive"}
    return Project.model_validate({**fields, **changes})


def test_un_batiment_classe_declare_reste_classe() -> None:
    """Annexe 2 §8: « les bâtiments objet d'inscription ou de classement » are grands projets.

    The plan has no patrimoine sector there: that does not make the building unlisted.
    """
    project = house(height_m=7.0, storeys=1, patrimoine=True, in_tissu_ancien=False)
    facts = merge_sector_facts(project, ZONED_ONLY)
    assert facts.project.patrimoine is True
    assert facts.source["patrimoine"] == "declared"
    result = classify(facts.project)
    assert result.procedure == "grands_projets"
    assert any("Annexe 2 §8" in reason.rule for reason in result.reasons)


def test_lotissement_receptionne_declare_17m_r4_petit_projet() -> None:
    """Annexe 3 al. 2: « situés dans des lotissements dont les travaux d'équipement sont
    réceptionnés … dont la hauteur inférieure ou égale à 18.50m et dont les niveaux sont
    inférieurs ou égaux à (R+4) »: a 17 m R+4 house declared there is a petit projet."""
    project = house(
        height_m=17.0,
        storeys=4,
        in_lotissement_receptionne=True,
        in_tissu_ancien=False,
        patrimoine=False,
    )
    facts = merge_sector_facts(project, ZONED_ONLY)
    assert facts.project.in_lotissement_receptionne is True
    assert facts.source["in_lotissement_receptionne"] == "declared"
    result = classify(facts.project)
    assert result.procedure == "petits_projets"
    assert "Annexe 3 §1 al. 2" in result.reasons[0].rule


def test_la_medina_du_plan_l_emporte_sur_la_declaration() -> None:
    """Annexe 2 §8 « tissus anciens (médinas intra-muros, ksour et kasbahs) »: a mapped médina
    adds the fact whatever was declared."""
    project = house(height_m=7.0, storeys=1, in_tissu_ancien=False, patrimoine=False)
    facts = merge_sector_facts(project, PlanFacts(sector_kinds=frozenset({"medina"}), zoned=True))
    assert facts.project.in_tissu_ancien is True
    assert facts.source["in_tissu_ancien"] == "plan"
    assert classify(facts.project).procedure == "grands_projets"


def test_rien_sur_le_plan_rien_de_declare_reste_inconnu() -> None:
    """No sector and no declaration: the facts stay unknown, the procedure is not guessed."""
    facts = merge_sector_facts(house(height_m=7.0, storeys=1), ZONED_ONLY)
    assert facts.flags["patrimoine"] is None and facts.flags["in_tissu_ancien"] is None
    assert "patrimoine" not in facts.source
    result = classify(facts.project)
    assert result.procedure is None
    assert {"in_tissu_ancien", "patrimoine"} <= set(result.missing)


def test_l_affectation_definie_par_les_zones_du_plan() -> None:
    """Annexe 2 §7 « lorsque l'affectation des terrains n'est pas définie par le plan
    d'aménagement »: a parcel within the plan's zones has its use defined by the plan."""
    facts = merge_sector_facts(house(), ZONED_ONLY)
    assert facts.flags["affectation_definie"] is True
    assert facts.source["affectation_definie"] == "plan"


def test_un_secteur_d_affectation_non_definie_s_ajoute() -> None:
    """Annexe 2 §7: the plan's « affectation non définie » sector adds the fact over a
    declared « définie »; a declared « non définie » is never removed by the zones."""
    mapped = PlanFacts(sector_kinds=frozenset({"affectation_non_definie"}), zoned=True)
    added = merge_sector_facts(house(affectation_definie=True), mapped)
    assert added.flags["affectation_definie"] is False
    assert added.source["affectation_definie"] == "plan"
    kept = merge_sector_facts(house(affectation_definie=False), ZONED_ONLY)
    assert kept.flags["affectation_definie"] is False
    assert kept.source["affectation_definie"] == "declared"


def test_sans_plan_seules_les_declarations() -> None:
    """Without coordinates the answer is the declaration, each fact marked as declared."""
    facts = merge_sector_facts(house(patrimoine=False), None)
    assert facts.source == {"patrimoine": "declared"}
    assert facts.flags["in_tissu_ancien"] is None


def test_zone_d_exclusion_cartographiee() -> None:
    """RGC art. 3: « Les dispositions du présent règlement ne s'appliquent pas à : la zone
    d'aménagement de la vallée du Bouregreg »: a mapped Bouregreg area adds the exclusion."""
    facts = merge_sector_facts(house(), PlanFacts(sector_kinds=frozenset({"bouregreg"})))
    assert facts.project.exclusion == "bouregreg"
    assert facts.source["exclusion"] == "plan"
    result = classify(facts.project)
    assert result.rgc_applicable is False and result.procedure is None
    assert result.reasons[0].rule == "RGC art. 3"
