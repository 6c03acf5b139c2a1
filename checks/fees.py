"""The urban agency's fee (rémunération pour services rendus), from its tariff file.

Rules from the guide of the Agence Urbaine de Skhirate-Témara (version 05, 21/03/2019): the
figures live in data/tarif_remuneration.yaml, which the agency maintains, and are validated
here. Amounts are in dirhams, computed in Decimal and rounded to the centime.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from checks.project import Project
from checks.results import Reason

DEFAULT_TARIF_PATH = Path(__file__).resolve().parents[1] / "data" / "tarif_remuneration.yaml"
CENTIME = Decimal("0.01")
GUIDE = "Guide de rémunération AU Skhirate-Témara v05"

FeeNature = Literal[
    "construction",
    "lotissement",
    "ensemble_immobilier",
    "morcellement",
    "morcellement_fusion",
    "distraction",
    "amenagement",
    "divers",
    "regularisation",
]
# Guide §2: the rural degressive tranches apply to these three natures only.
NATURES_RURALES: frozenset[FeeNature] = frozenset(
    {"morcellement", "morcellement_fusion", "lotissement"}
)


class Tranche(BaseModel):
    """A rural tranche: up to jusqu_a_m2 (inclusive) at prix_ht_m2; None bound: open or unset."""

    model_config = ConfigDict(extra="forbid")

    jusqu_a_m2: float | None = Field(None, gt=0)
    prix_ht_m2: Decimal = Field(ge=0)


class TarifRural(BaseModel):
    """Guide §2: degressive unit prices per m² cessible in rural zones."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["marginal", "global"]
    tranches: list[Tranche] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> TarifRural:
        """Bounds increase, prices decrease, and the last tranche is open-ended."""
        bounds = [t.jusqu_a_m2 for t in self.tranches if t.jusqu_a_m2 is not None]
        if bounds != sorted(set(bounds)):
            raise ValueError("tranche bounds must be strictly increasing")
        prices = [t.prix_ht_m2 for t in self.tranches]
        if prices != sorted(prices, reverse=True):
            raise ValueError("tranche prices must decrease (degressive tariff)")
        if self.tranches[-1].jusqu_a_m2 is not None:
            raise ValueError("the last tranche is open-ended: jusqu_a_m2 must be null")
        return self

    def complete(self) -> bool:
        """Whether every bound but the last has been filled in."""
        return all(t.jusqu_a_m2 is not None for t in self.tranches[:-1])


class PrixUnitaires(BaseModel):
    """Guide §2: DH HT per m² of floor area, of subdivided land, of urban morcellement."""

    model_config = ConfigDict(extra="forbid")

    construction_m2_plancher: Decimal = Field(ge=0)
    lotissement_m2_loti: Decimal = Field(ge=0)
    morcellement_urbain_m2: Decimal = Field(ge=0)
    regularisation_m2_plancher: Decimal | None = Field(
        None,
        ge=0,
        description="not in the guide (§4); null until the agency's commission prices it (§6-8-6)",
    )


class Exoneration(BaseModel):
    """A project not subject to the fee (guide §3 and the paragraphs cited)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1)
    label: str
    ref: str


class Tarif(BaseModel):
    """The agency's tariff file."""

    model_config = ConfigDict(extra="forbid")

    agence: str
    source: str
    devise: str = "MAD"
    taux_tva: Decimal = Field(ge=0, le=1)
    prix_ht_m2: PrixUnitaires
    rural: TarifRural
    exonerations: list[Exoneration]

    def exoneration(self, code: str) -> Exoneration:
        """The exemption of this code; ValueError for an unknown code."""
        for exoneration in self.exonerations:
            if exoneration.code == code:
                return exoneration
        raise ValueError(f"unknown exemption code: {code}")


def load_tarif(path: Path = DEFAULT_TARIF_PATH) -> Tarif:
    """Read and validate the tariff file (read on call, never at import)."""
    with path.open(encoding="utf-8") as handle:
        return Tarif.model_validate(yaml.safe_load(handle))


class FeeInput(BaseModel):
    """The surfaces the guide charges, by nature of project (guide §5, §6)."""

    model_config = ConfigDict(extra="forbid")

    nature: FeeNature
    rural: bool = False
    surface_plancher_m2: float | None = Field(None, ge=0, description="(B), tables 01-05")
    surface_lotie_m2: float | None = Field(None, ge=0, description="(A), §6-3-1")
    surface_m2: float | None = Field(
        None, ge=0, description="lots morcelés, fusionnés, distraits; surfaces aménagées (§6)"
    )
    modificatif: bool = False
    remuneration_initiale_percue: bool | None = Field(None, description="§5-2 (1), (2)")
    autorise_avant_remuneration: bool = Field(False, description="§5-2 (3)")
    surface_ajoutee_m2: float | None = Field(None, ge=0, description="§5-2 (2), §6-3-2")
    surface_modifiee_m2: float | None = Field(None, ge=0, description="§5-2 (3), §6-1-2")
    pre_instruction_percue: bool = Field(False, description="§5-3")
    exoneration: str | None = None


class FeeQuote(BaseModel):
    """The fee: surface charged, amount before tax, VAT and total; None when undetermined."""

    base_m2: float | None
    montant_ht: Decimal | None
    tva: Decimal | None
    montant_ttc: Decimal | None
    devise: str
    reasons: list[Reason]
    missing: list[str]


def _money(amount: Decimal) -> Decimal:
    """Rounded to the centime."""
    return amount.quantize(CENTIME, rounding=ROUND_HALF_UP)


def _decimal(surface: float) -> Decimal:
    """A surface in m² as a Decimal, to the cm²."""
    return Decimal(str(round(surface, 4)))


def compute_fee(fee: FeeInput, tarif: Tarif) -> FeeQuote:
    """The agency's fee for a project, with the paragraph of the guide behind each step."""
    if fee.exoneration is not None:
        exoneration = tarif.exoneration(fee.exoneration)
        reason = Reason(rule=f"{GUIDE}, {exoneration.ref}", text=exoneration.label)
        return _quote(tarif, Decimal(0), 0.0, [reason])
    if fee.nature == "regularisation" and tarif.prix_ht_m2.regularisation_m2_plancher is None:
        return _undetermined(tarif, [REGULARISATION_NON_PREVUE], [])
    if fee.pre_instruction_percue:
        base, reasons, missing = _surface_pre_instruction(fee)
    else:
        base, reasons, missing = _surface(fee)
    if base is None:
        return _undetermined(tarif, reasons, missing)
    return _priced(fee, tarif, base, reasons)


def _quote(tarif: Tarif, montant_ht: Decimal, base: float, reasons: list[Reason]) -> FeeQuote:
    """A quote with VAT at the tariff's rate."""
    montant_ht = _money(montant_ht)
    tva = _money(montant_ht * tarif.taux_tva)
    tva_reason = Reason(rule="Tarif: taux de TVA", text=f"TVA à {tarif.taux_tva * 100:.0f} %.")
    return FeeQuote(
        base_m2=base,
        montant_ht=montant_ht,
        tva=tva,
        montant_ttc=montant_ht + tva,
        devise=tarif.devise,
        reasons=[*reasons, tva_reason],
        missing=[],
    )


def _undetermined(tarif: Tarif, reasons: list[Reason], missing: list[str]) -> FeeQuote:
    """No amount: the inputs or the tariff lack what decides it."""
    return FeeQuote(
        base_m2=None,
        montant_ht=None,
        tva=None,
        montant_ttc=None,
        devise=tarif.devise,
        reasons=reasons,
        missing=missing,
    )


def _required(fee: FeeInput, *names: str) -> tuple[float | None, list[str]]:
    """The sum of the named surfaces, or None and the ones missing."""
    values = [getattr(fee, name) for name in names]
    missing = [name for name, value in zip(names, values, strict=True) if value is None]
    return (None, missing) if missing else (float(sum(values)), [])


def _surface(fee: FeeInput) -> tuple[float | None, list[Reason], list[str]]:
    """The surface charged (guide §5-2, §6), or the inputs missing to know it."""
    if fee.modificatif:
        return _surface_modificatif(fee)
    names, rule, text = _SURFACES[fee.nature]
    base, missing = _required(fee, *names)
    return base, [Reason(rule=f"{GUIDE}, {rule}", text=text)], missing


_SURFACES: dict[FeeNature, tuple[tuple[str, ...], str, str]] = {
    "construction": (("surface_plancher_m2",), "§6-6", "Surface de planchers (tableaux 02-05)."),
    "lotissement": (("surface_lotie_m2",), "§6-3-1", "Surface lotie (lots cessibles)."),
    "ensemble_immobilier": (
        ("surface_lotie_m2", "surface_plancher_m2"),
        "§6-5-1",
        "Surface lotie (A) + surface de planchers (B).",
    ),
    "morcellement": (("surface_m2",), "§6-1-1", "Surface des lots objet du morcellement."),
    "morcellement_fusion": (("surface_m2",), "§6-2-1", "Surface totale après fusion."),
    "distraction": (("surface_m2",), "§6-4-1", "Surface des lots distraits."),
    "amenagement": (("surface_m2",), "§6-7", "Surfaces aménagées."),
    "divers": (("surface_m2",), "§6-8", "Surface de planchers ou couverte de l'ouvrage."),
    "regularisation": (
        ("surface_plancher_m2",),
        "§6-8-6",
        "Régularisation : surface de planchers, au prix fixé par l'agence.",
    ),
}


REGULARISATION_NON_PREVUE = Reason(
    rule=f"{GUIDE}, §4, §6-8-6",
    text="La régularisation ne figure pas parmi les projets assujettis (§4) : pour les projets "
    "que le guide ne prévoit pas, le mode de calcul est déterminé par une commission présidée "
    "par le Chef du Département de la Gestion Urbaine et des Affaires Juridiques (§6-8-6). "
    "Montant indéterminé tant que le tarif ne le fixe pas (prix_ht_m2."
    "regularisation_m2_plancher).",
)


def _surface_pre_instruction(fee: FeeInput) -> tuple[float | None, list[Reason], list[str]]:
    """Guide §5-3: paid at the pre-instruction, nothing is due unless the project changed.

    « il n'est pas dû de rémunération lors de l'instruction de ces projets après leur
    versement dans la procédure d'autorisation, sauf si ces projets portent des modifications
    par rapport aux versions déjà soumises à la pré-instruction ». The guide does not say on
    what a changed project is charged; we read it as §5-4 charges a project changed during the
    instruction: « un supplément équivalent à la différence entre les deux surfaces ».
    """
    base, missing = _required(fee, "surface_ajoutee_m2")
    text = "Rémunération perçue lors de la pré-instruction : seule la surface ajoutée depuis "
    text += "est due (0 si le projet n'a pas été modifié)."
    return base, [Reason(rule=f"{GUIDE}, §5-3, §5-4", text=text)], missing


def _surface_modificatif(fee: FeeInput) -> tuple[float | None, list[Reason], list[str]]:
    """Guide §5-2, §6-1-2, §6-2-2: a modified project is charged on what it adds or changes."""
    if fee.autorise_avant_remuneration:
        base, missing = _required(fee, "surface_modifiee_m2")
        text = "Projet autorisé avant l'instauration de la rémunération: parties modifiées."
        return base, [Reason(rule=f"{GUIDE}, §5-2 (3)", text=text)], missing
    if fee.remuneration_initiale_percue is None:
        text = "Préciser si la rémunération du projet initial a été perçue."
        return None, [Reason(rule=f"{GUIDE}, §5-2", text=text)], ["remuneration_initiale_percue"]
    if not fee.remuneration_initiale_percue:
        return _surface(fee.model_copy(update={"modificatif": False}))
    if fee.nature in ("morcellement", "morcellement_fusion"):
        base, missing = _required(fee, "surface_modifiee_m2")
        text = "Modificatif: superficie des lots modifiés."
        return base, [Reason(rule=f"{GUIDE}, §6-1-2, §6-2-2", text=text)], missing
    base, missing = _required(fee, "surface_ajoutee_m2")
    text = "Modificatif: calculée sur les seules superficies ajoutées; rien si aucune."
    return base, [Reason(rule=f"{GUIDE}, §5-2 (1), (2), §6-3-2", text=text)], missing


def _priced(fee: FeeInput, tarif: Tarif, base: float, reasons: list[Reason]) -> FeeQuote:
    """Price the surface: flat 3.00 DH HT per m², or the rural degressive tranches."""
    if fee.rural and fee.nature in NATURES_RURALES:
        return _priced_rural(tarif, base, reasons)
    if fee.rural and fee.nature == "distraction":
        text = "Distraction en zone rurale: non prévue par le guide, commission de l'agence."
        return _undetermined(tarif, [*reasons, Reason(rule=f"{GUIDE}, §6-8-6", text=text)], [])
    prix = tarif.prix_ht_m2
    if fee.nature == "ensemble_immobilier" and not fee.modificatif:
        lotie, plancher = fee.surface_lotie_m2 or 0.0, fee.surface_plancher_m2 or 0.0
        amount = _decimal(lotie) * prix.lotissement_m2_loti
        amount += _decimal(plancher) * prix.construction_m2_plancher
    else:
        amount = _decimal(base) * _unit_price(fee.nature, tarif)
    text = f"{base:.2f} m² au prix unitaire du tarif (DH HT/m²)."
    return _quote(tarif, amount, base, [*reasons, Reason(rule=f"{GUIDE}, §2", text=text)])


def _unit_price(nature: FeeNature, tarif: Tarif) -> Decimal:
    """Guide §2: per m² loti (lotissements), per m² (urban morcellements), else per m² plancher."""
    prix = tarif.prix_ht_m2
    if nature == "regularisation" and prix.regularisation_m2_plancher is not None:
        return prix.regularisation_m2_plancher  # the agency's own price (§6-8-6)
    if nature == "lotissement":
        return prix.lotissement_m2_loti
    if nature in ("morcellement", "morcellement_fusion", "distraction"):
        return prix.morcellement_urbain_m2
    return prix.construction_m2_plancher


def _priced_rural(tarif: Tarif, base: float, reasons: list[Reason]) -> FeeQuote:
    """Guide §2 table: degressive price per m² cessible in rural zones."""
    rural = tarif.rural
    if not rural.complete():
        text = "Bornes des tranches rurales à renseigner dans data/tarif_remuneration.yaml."
        reason = Reason(rule=f"{GUIDE}, §2 (tranches rurales)", text=text)
        return _undetermined(tarif, [*reasons, reason], ["tarif.rural.tranches.jusqu_a_m2"])
    amount = _rural_amount(rural, _decimal(base))
    text = f"{base:.2f} m² aux tranches dégressives rurales (mode {rural.mode})."
    return _quote(tarif, amount, base, [*reasons, Reason(rule=f"{GUIDE}, §2", text=text)])


def _rural_amount(rural: TarifRural, base: Decimal) -> Decimal:
    """Marginal: each tranche's slice at its price; global: the whole at the base's tranche."""
    lower, amount = Decimal(0), Decimal(0)
    for tranche in rural.tranches:
        upper = None if tranche.jusqu_a_m2 is None else Decimal(str(tranche.jusqu_a_m2))
        if rural.mode == "global" and (upper is None or base <= upper):
            return base * tranche.prix_ht_m2
        top = base if upper is None else min(base, upper)
        if top > lower:
            amount += (top - lower) * tranche.prix_ht_m2
        if upper is None or base <= upper:
            break
        lower = upper
    return amount


class FeeFacts(BaseModel):
    """What the fee guide asks beyond the project itself (POST /api/v1/fees)."""

    model_config = ConfigDict(extra="forbid")

    rural: bool = Field(False, description="commune rurale: degressive tranches (guide §2)")
    remuneration_initiale_percue: bool | None = Field(None, description="guide §5-2 (1), (2)")
    autorise_avant_remuneration: bool = Field(
        False,
        description="building authorised before the agency's fee existed: only the modified "
        "parts are charged (guide §5-2 (3))",
    )
    surface_modifiee_m2: float | None = Field(
        None, ge=0, description="modified parts (§5-2 (3)) or modified lots (§6-1-2, §6-2-2)"
    )
    surface_ajoutee_m2: float | None = Field(
        None, ge=0, description="area added by the modification (§5-2 (2), §6-3-2)"
    )
    pre_instruction_percue: bool = Field(
        False, description="the fee was paid at the pre-instruction (guide §5-3)"
    )
    exoneration: str | None = Field(None, description="a §3 code of the tariff file")


def fee_input_from_project(
    project: Project,
    *,
    rural: bool = False,
    remuneration_initiale_percue: bool | None = None,
    facts: FeeFacts | None = None,
) -> FeeInput | None:
    """The fee input of a project; None for kinds the agency does not charge.

    Demolitions and réfections are not in the guide's list (§4), and the agency does not sit
    on their commissions (RGC art. 24, art. 46). A régularisation is not in the list either,
    but the agency's avis is required (art. 39): §6-8-6 applies, its amount is the agency's.
    """
    facts = facts or FeeFacts(
        rural=rural, remuneration_initiale_percue=remuneration_initiale_percue
    )
    base = _fee_nature(project, facts.rural)
    if base is None:
        return None
    modificatif = base.modificatif or facts.autorise_avant_remuneration
    ajoutee = facts.surface_ajoutee_m2
    if ajoutee is None:
        ajoutee = base.surface_ajoutee_m2
    return base.model_copy(
        update={
            "modificatif": modificatif,
            "remuneration_initiale_percue": facts.remuneration_initiale_percue,
            "autorise_avant_remuneration": facts.autorise_avant_remuneration,
            "surface_ajoutee_m2": ajoutee,
            "surface_modifiee_m2": facts.surface_modifiee_m2,
            "pre_instruction_percue": facts.pre_instruction_percue,
            "exoneration": facts.exoneration,
        }
    )


def _fee_nature(project: Project, rural: bool) -> FeeInput | None:
    """The guide's nature and surfaces for the project's kind."""
    kind = project.kind
    if kind in ("demolition", "refection", "installation_saisonniere"):
        return None
    if kind in ("modification", "surelevation"):
        return FeeInput(
            nature="construction",
            rural=rural,
            surface_plancher_m2=project.floor_area_m2,
            modificatif=True,
            surface_ajoutee_m2=project.added_floor_area_m2,
        )
    if kind == "lotissement":
        return FeeInput(
            nature="lotissement", rural=rural, surface_lotie_m2=project.subdivided_area_m2
        )
    if kind == "morcellement":
        return FeeInput(nature="morcellement", rural=rural, surface_m2=project.subdivided_area_m2)
    if kind == "groupe_habitations":
        return FeeInput(
            nature="ensemble_immobilier",
            rural=rural,
            surface_lotie_m2=project.subdivided_area_m2,
            surface_plancher_m2=project.floor_area_m2,
        )
    if kind == "regularisation":
        return FeeInput(
            nature="regularisation", rural=rural, surface_plancher_m2=project.floor_area_m2
        )
    return FeeInput(nature="construction", rural=rural, surface_plancher_m2=project.floor_area_m2)
