"""The agency's fee (guide of AU Skhirate-Témara v05) and its tariff file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from checks.fees import (
    DEFAULT_TARIF_PATH,
    FeeFacts,
    FeeInput,
    Tarif,
    compute_fee,
    fee_input_from_project,
    load_tarif,
)
from checks.project import Project


@pytest.fixture(scope="module")
def tarif() -> Tarif:
    """The tariff file shipped in data/."""
    return load_tarif()


def filled(tarif: Tarif, mode: str = "marginal") -> Tarif:
    """The tariff with rural bounds an agency might fill in (figures made up for the test)."""
    rural = tarif.rural.model_dump()
    rural["mode"] = mode
    for tranche, bound in zip(rural["tranches"], [1000.0, 5000.0, 10000.0, None], strict=True):
        tranche["jusqu_a_m2"] = bound
    return tarif.model_copy(update={"rural": type(tarif.rural).model_validate(rural)})


def test_fichier_tarif_du_guide(tarif: Tarif) -> None:
    """Guide §2: 3.00 DH HT per m²; the rural prices 0.30, 0.20, 0.15, 0.05 with unset bounds."""
    prix = tarif.prix_ht_m2
    assert prix.construction_m2_plancher == prix.lotissement_m2_loti == Decimal("3.00")
    assert prix.morcellement_urbain_m2 == Decimal("3.00")
    assert [t.prix_ht_m2 for t in tarif.rural.tranches] == [
        Decimal(p) for p in ("0.30", "0.20", "0.15", "0.05")
    ]
    assert not tarif.rural.complete()
    assert "à renseigner" in DEFAULT_TARIF_PATH.read_text(encoding="utf-8")


def test_construction_surface_de_planchers_et_tva(tarif: Tarif) -> None:
    """Guide §2, §6-6: 250 m² of floors x 3.00 = 750.00 HT, VAT 150.00, 900.00 TTC."""
    quote = compute_fee(FeeInput(nature="construction", surface_plancher_m2=250), tarif)
    assert (quote.montant_ht, quote.tva, quote.montant_ttc) == (
        Decimal("750.00"),
        Decimal("150.00"),
        Decimal("900.00"),
    )
    assert any("§6-6" in reason.rule for reason in quote.reasons)


def test_lotissement_surface_lotie(tarif: Tarif) -> None:
    """Guide §6-3-1: a lotissement pays on its surface lotie: 12 345.67 m² → 37 037.01 HT."""
    quote = compute_fee(FeeInput(nature="lotissement", surface_lotie_m2=12345.67), tarif)
    assert quote.montant_ht == Decimal("37037.01")


def test_ensemble_immobilier_a_plus_b(tarif: Tarif) -> None:
    """Guide §6-5-1: surface lotie (A) 2 000 m² + floors (B) 3 500 m² = 5 500 m² → 16 500 HT."""
    fee = FeeInput(nature="ensemble_immobilier", surface_lotie_m2=2000, surface_plancher_m2=3500)
    quote = compute_fee(fee, tarif)
    assert (quote.base_m2, quote.montant_ht) == (5500.0, Decimal("16500.00"))


def test_ensemble_immobilier_b_manquant(tarif: Tarif) -> None:
    """Guide §6-5-1: without (B) there is no amount, and (B) is named."""
    quote = compute_fee(FeeInput(nature="ensemble_immobilier", surface_lotie_m2=2000), tarif)
    assert quote.montant_ht is None
    assert quote.missing == ["surface_plancher_m2"]


def test_exoneration(tarif: Tarif) -> None:
    """Guide §3: an exempt project (INDH) pays nothing, and the paragraph is cited."""
    fee = FeeInput(nature="construction", surface_plancher_m2=500, exoneration="indh")
    quote = compute_fee(fee, tarif)
    assert (quote.montant_ht, quote.montant_ttc) == (Decimal("0.00"), Decimal("0.00"))
    assert "§3" in quote.reasons[0].rule


def test_exoneration_inconnue(tarif: Tarif) -> None:
    """An exemption code the tariff does not list is an error, not a free pass."""
    with pytest.raises(ValueError, match="unknown exemption"):
        compute_fee(FeeInput(nature="construction", exoneration="ami_du_maire"), tarif)


@pytest.mark.parametrize(("ajoutee", "montant"), [(40.0, "120.00"), (0.0, "0.00")])
def test_modificatif_sur_la_surface_ajoutee(tarif: Tarif, ajoutee: float, montant: str) -> None:
    """Guide §5-2 (1), (2): fee already paid: only the added floors count, nothing if none."""
    fee = FeeInput(
        nature="construction",
        surface_plancher_m2=400,
        modificatif=True,
        remuneration_initiale_percue=True,
        surface_ajoutee_m2=ajoutee,
    )
    assert compute_fee(fee, tarif).montant_ht == Decimal(montant)


def test_modificatif_remuneration_initiale_non_percue(tarif: Tarif) -> None:
    """Guide §5-2: if the initial fee was not paid, the whole floor area is charged."""
    fee = FeeInput(
        nature="construction",
        surface_plancher_m2=400,
        modificatif=True,
        remuneration_initiale_percue=False,
        surface_ajoutee_m2=40,
    )
    assert compute_fee(fee, tarif).montant_ht == Decimal("1200.00")


def test_modificatif_sans_savoir_si_la_remuneration_a_ete_percue(tarif: Tarif) -> None:
    """Guide §5-2: whether the initial fee was paid decides, so it is asked for."""
    fee = FeeInput(nature="construction", modificatif=True, surface_ajoutee_m2=40)
    quote = compute_fee(fee, tarif)
    assert (quote.montant_ht, quote.missing) == (None, ["remuneration_initiale_percue"])


def test_modificatif_autorise_avant_la_remuneration(tarif: Tarif) -> None:
    """Guide §5-2 (3): authorised before the fee existed: the modified parts are charged."""
    fee = FeeInput(
        nature="construction",
        modificatif=True,
        autorise_avant_remuneration=True,
        surface_modifiee_m2=75,
    )
    assert compute_fee(fee, tarif).montant_ht == Decimal("225.00")


def test_modificatif_de_morcellement_lots_modifies(tarif: Tarif) -> None:
    """Guide §6-1-2: a modified morcellement pays on the lots modified."""
    fee = FeeInput(
        nature="morcellement",
        modificatif=True,
        remuneration_initiale_percue=True,
        surface_modifiee_m2=300,
        surface_ajoutee_m2=0,
    )
    assert compute_fee(fee, tarif).montant_ht == Decimal("900.00")


def test_rural_tranches_non_renseignees(tarif: Tarif) -> None:
    """Guide §2: with the shipped file the rural bounds are unknown: no amount, said so."""
    fee = FeeInput(nature="lotissement", rural=True, surface_lotie_m2=8000)
    quote = compute_fee(fee, tarif)
    assert quote.montant_ht is None
    assert quote.missing == ["tarif.rural.tranches.jusqu_a_m2"]


def test_rural_degressif_marginal(tarif: Tarif) -> None:
    """Guide §2, marginal: 1 000 x 0.30 + 4 000 x 0.20 + 3 000 x 0.15 = 1 550.00 HT."""
    fee = FeeInput(nature="lotissement", rural=True, surface_lotie_m2=8000)
    assert compute_fee(fee, filled(tarif)).montant_ht == Decimal("1550.00")


def test_rural_degressif_marginal_derniere_tranche(tarif: Tarif) -> None:
    """Marginal, into the open tranche: 300 + 800 + 750 + 2 000 x 0.05 = 1 950.00 HT."""
    fee = FeeInput(nature="morcellement", rural=True, surface_m2=12000)
    assert compute_fee(fee, filled(tarif)).montant_ht == Decimal("1950.00")


def test_rural_degressif_global(tarif: Tarif) -> None:
    """Global mode: the whole 8 000 m² at the third tranche's 0.15 = 1 200.00 HT."""
    fee = FeeInput(nature="lotissement", rural=True, surface_lotie_m2=8000)
    assert compute_fee(fee, filled(tarif, "global")).montant_ht == Decimal("1200.00")


def test_rural_construction_au_tarif_plein(tarif: Tarif) -> None:
    """Guide §2: the rural tranches are for morcellements and lotissements, not buildings."""
    fee = FeeInput(nature="construction", rural=True, surface_plancher_m2=100)
    assert compute_fee(fee, tarif).montant_ht == Decimal("300.00")


def test_distraction_rurale_non_prevue(tarif: Tarif) -> None:
    """Guide §6-8-6: a case the guide does not provide goes to the agency's commission."""
    fee = FeeInput(nature="distraction", rural=True, surface_m2=500)
    quote = compute_fee(fee, tarif)
    assert quote.montant_ht is None
    assert "§6-8-6" in quote.reasons[-1].rule


@pytest.mark.parametrize(
    ("tranches", "message"),
    [
        (
            [
                {"jusqu_a_m2": 5000, "prix_ht_m2": 0.3},
                {"jusqu_a_m2": 1000, "prix_ht_m2": 0.2},
                {"jusqu_a_m2": None, "prix_ht_m2": 0.1},
            ],
            "increasing",
        ),
        (
            [{"jusqu_a_m2": 1000, "prix_ht_m2": 0.2}, {"jusqu_a_m2": None, "prix_ht_m2": 0.3}],
            "decrease",
        ),
        ([{"jusqu_a_m2": 1000, "prix_ht_m2": 0.3}], "open-ended"),
    ],
)
def test_validation_du_fichier(tarif: Tarif, tranches: list[dict[str, Any]], message: str) -> None:
    """The tariff file is validated: increasing bounds, degressive prices, open last tranche."""
    data = tarif.model_dump()
    data["rural"]["tranches"] = tranches
    with pytest.raises(ValidationError, match=message):
        Tarif.model_validate(data)


def test_projet_vers_entree_de_tarif() -> None:
    """Each kind of project maps to the surface the guide charges."""
    groupe = fee_input_from_project(
        Project(kind="groupe_habitations", subdivided_area_m2=2000, floor_area_m2=3500)
    )
    assert groupe is not None
    assert (groupe.nature, groupe.surface_lotie_m2, groupe.surface_plancher_m2) == (
        "ensemble_immobilier",
        2000,
        3500,
    )
    surelevation = fee_input_from_project(
        Project(kind="surelevation", added_floor_area_m2=90), remuneration_initiale_percue=True
    )
    assert surelevation is not None
    assert (surelevation.modificatif, surelevation.surface_ajoutee_m2) == (True, 90)


def test_demolition_et_refection_sans_remuneration() -> None:
    """Guide §4 lists neither, and the agency sits on neither commission (RGC art. 24, 46)."""
    assert fee_input_from_project(Project(kind="demolition")) is None
    assert fee_input_from_project(Project(kind="refection")) is None


# --- Régularisation, §3, §5-2 (3), §5-3 from the project's facts (issue #11 §7) ------------


def test_regularisation_hors_du_guide_montant_indetermine(tarif: Tarif) -> None:
    """Guide §4 lists morcellements, lotissements, distractions, constructions, modificatifs,
    aménagement and divers, not régularisations; §6-8-6: « Pour tous les projets de demandes
    d'autorisations qui ne figurent pas dans ce guide, le mode de calcul de surfaces à appliquer
    pour les prestations sera déterminé par une commission »."""
    fee = fee_input_from_project(Project(kind="regularisation", floor_area_m2=200))
    assert fee is not None and fee.nature == "regularisation"
    quote = compute_fee(fee, tarif)
    assert quote.montant_ht is None and quote.montant_ttc is None
    assert any("§6-8-6" in reason.rule for reason in quote.reasons)


def test_regularisation_au_prix_que_l_agence_fixe(tarif: Tarif) -> None:
    """§6-8-6: once the agency's commission prices it in the tariff file, it is computed."""
    prix = tarif.prix_ht_m2.model_copy(update={"regularisation_m2_plancher": Decimal("4.50")})
    priced = tarif.model_copy(update={"prix_ht_m2": prix})
    fee = fee_input_from_project(Project(kind="regularisation", floor_area_m2=200))
    assert fee is not None
    assert compute_fee(fee, priced).montant_ht == Decimal("900.00")


def test_exoneration_depuis_les_faits(tarif: Tarif) -> None:
    """Guide §3: « les projets de constructions à but non lucratifs déposés par les Communes »."""
    facts = FeeFacts(exoneration="communes_non_lucratif")
    fee = fee_input_from_project(Project(kind="construction", floor_area_m2=900), facts=facts)
    assert fee is not None
    quote = compute_fee(fee, tarif)
    assert quote.montant_ht == Decimal("0.00") and "§3" in quote.reasons[0].rule


def test_autorise_avant_la_remuneration_depuis_les_faits(tarif: Tarif) -> None:
    """Guide §5-2 (3): « Si le projet a été autorisé avant l'instauration de la rémunération …
    la rémunération est perçue pour les parties du projet objet de modifications »: 120 m²
    modified of an 800 m² building, 360.00 DH HT."""
    facts = FeeFacts(autorise_avant_remuneration=True, surface_modifiee_m2=120)
    project = Project(kind="modification", floor_area_m2=800)
    fee = fee_input_from_project(project, facts=facts)
    assert fee is not None
    quote = compute_fee(fee, tarif)
    assert quote.montant_ht == Decimal("360.00") and quote.base_m2 == 120
    assert any("§5-2 (3)" in reason.rule for reason in quote.reasons)


def test_surface_ajoutee_des_faits_prime(tarif: Tarif) -> None:
    """Guide §5-2 (2): « la rémunération est calculée sur la base des superficies ajoutées »."""
    facts = FeeFacts(remuneration_initiale_percue=True, surface_ajoutee_m2=50)
    fee = fee_input_from_project(Project(kind="surelevation", floor_area_m2=400), facts=facts)
    assert fee is not None and compute_fee(fee, tarif).montant_ht == Decimal("150.00")


@pytest.mark.parametrize(("ajoutee", "montant"), [(0.0, "0.00"), (30.0, "90.00")])
def test_pre_instruction_percue(tarif: Tarif, ajoutee: float, montant: str) -> None:
    """Guide §5-3: « il n'est pas dû de rémunération lors de l'instruction de ces projets après
    leur versement dans la procédure d'autorisation, sauf si ces projets portent des
    modifications par rapport aux versions déjà soumises à la pré-instruction » (the change
    charged on the added area, as §5-4 does)."""
    facts = FeeFacts(pre_instruction_percue=True, surface_ajoutee_m2=ajoutee)
    fee = fee_input_from_project(Project(kind="construction", floor_area_m2=500), facts=facts)
    assert fee is not None
    quote = compute_fee(fee, tarif)
    assert quote.montant_ht == Decimal(montant)
    assert any("§5-3" in reason.rule for reason in quote.reasons)


def test_pre_instruction_sans_la_surface_ajoutee(tarif: Tarif) -> None:
    """§5-3: whether the project changed since decides; the added area is asked for."""
    facts = FeeFacts(pre_instruction_percue=True)
    fee = fee_input_from_project(Project(kind="construction", floor_area_m2=500), facts=facts)
    assert fee is not None
    assert compute_fee(fee, tarif).missing == ["surface_ajoutee_m2"]
