"""Which instruction procedure a project follows: RGC art. 17-20 and Annexes 2, 3 and 4.

Each paragraph of an annex is evaluated three-valued: it applies, it does not, or the inputs
do not tell. A project is a grand projet as soon as one paragraph of Annexe 2 applies, or when
it is shown not to be a petit projet (Annexe 2, last paragraph). It is a petit projet only when
Annexe 3 applies and no paragraph of Annexe 2 can still apply. Otherwise the answer is left
open and the missing inputs are named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel

from checks.project import Exclusion, Procedure, Project, ProjectUse
from checks.results import Reason

# Annexe 2 / Annexe 3: "toute superstructure confondue".
HAUTEUR_MAX_PETITS_M = 15.50
NIVEAUX_MAX_PETITS = 3  # R+3
HAUTEUR_MAX_PETITS_LOTISSEMENT_M = 18.50
NIVEAUX_MAX_PETITS_LOTISSEMENT = 4  # R+4

A2_LOTISSEMENT = "RGC Annexe 2 §1 (lotissements et groupes d'habitations)"
A2_MORCELLEMENT = "RGC Annexe 2 §2 (morcellements)"
A2_PUBLIC = "RGC Annexe 2 §3 (projets des administrations et organismes publics)"
A2_ERP = "RGC Annexe 2 §4 (établissements privés recevant du public)"
A2_ECONOMIQUE = "RGC Annexe 2 §5 (bâtiments d'activités économiques)"
A2_HAUTEUR = "RGC Annexe 2 §6 (hauteur > 15.50 m et niveaux > R+3)"
A2_HAUTEUR_LOTISSEMENT = "RGC Annexe 2 §6 al. 2 (lotissement réceptionné: > 18.50 m et > R+4)"
A2_AFFECTATION = "RGC Annexe 2 §7 (affectation non définie hors lotissement réceptionné)"
A2_HORS_PLAN = "RGC Annexe 2 §7 (terrain hors de tout document d'urbanisme)"
A2_TISSU_ANCIEN = "RGC Annexe 2 §8 (tissus anciens, bâtiments inscrits ou classés)"
A2_MODIFICATION = "RGC Annexe 2 §9 (modifications de grands projets)"
A2_REGULARISATION = "RGC Annexe 2 §10 (régularisation)"
A2_DEMOLITION = "RGC Annexe 2 §11 (démolition de grands projets)"
A2_RESIDUEL = "RGC Annexe 2 §12 (projets non soumis aux petits projets)"
A3_HABITATION = "RGC Annexe 3 §1 (habitation ≤ 15.50 m et ≤ R+3)"
A3_HABITATION_LOTISSEMENT = "RGC Annexe 3 §1 al. 2 (lotissement réceptionné: ≤ 18.50 m et ≤ R+4)"
A3_MODIFICATION = "RGC Annexe 3 §2 (modifications de petits projets)"
A3_DEMOLITION = "RGC Annexe 3 §3 (démolition de petits projets)"
A4_AFFECTATION = "RGC Annexe 4 §1 (menus travaux sans changement d'affectation)"
A4_ELEMENTS = "RGC Annexe 4 §2 (menus travaux sans modification des éléments réglementés)"
A4_SAISONNIER = "RGC Annexe 4 §3 (installations saisonnières ou occasionnelles)"
ART_20 = "RGC art. 20 (réfection: sans permis de construire ou de modification)"
# RGC art. 3 and 4: where and for what the règlement does not apply.
EXCLUSIONS: dict[Exclusion, Reason] = {
    "bouregreg": Reason(
        rule="RGC art. 3",
        text="Zone d'aménagement de la vallée du Bouregreg (loi n° 16-04) : les dispositions du "
        "règlement général de construction ne s'y appliquent pas.",
    ),
    "marchica": Reason(
        rule="RGC art. 3",
        text="Zone d'aménagement du site de la lagune de Marchica (loi n° 25-10) : les "
        "dispositions du règlement général de construction ne s'y appliquent pas.",
    ),
    "militaire": Reason(
        rule="RGC art. 4",
        text="Bâtiments et installations militaires, vu leur nature sécuritaire et militaire : "
        "le règlement général de construction ne s'applique pas à leurs demandes.",
    ),
    "culte_musulman": Reason(
        rule="RGC art. 4",
        text="Édifices affectés au culte musulman, régis par la loi n° 29-04 : le règlement "
        "général de construction ne s'applique pas à leurs demandes.",
    ),
}

# Annexe 2 §4: "établissements privés à usage du public ou recevant du public".
USAGES_RECEVANT_PUBLIC: frozenset[ProjectUse] = frozenset(
    {"erp", "tourisme", "equipement", "sport_loisirs", "enseignement", "sante", "social_culturel"}
)
# Annexe 2 §5: "activités économiques (commerciales, de services, industrielles, logistiques,…)";
# a mixed building is partly destined to such an activity.
USAGES_ECONOMIQUES: frozenset[ProjectUse] = frozenset(
    {"commerce", "bureaux", "services", "industrie", "logistique", "artisanat", "mixte"}
)
LOT_FLAGS = ("in_lotissement_receptionne", "in_lotissement_restructure")
# Works on an existing building, whose own procedure (parent_procedure) Annexes 2 and 3 cite.
SUR_EXISTANT = ("modification", "surelevation", "demolition")


class Classification(BaseModel):
    """The procedure (None when the inputs do not decide it), its reasons and the missing inputs.

    rgc_applicable is False for the projects art. 3 and 4 exclude: no procedure, no missing
    input, the reason cites the article.
    """

    procedure: Procedure | None
    reasons: list[Reason]
    missing: list[str]
    rgc_applicable: bool = True


@dataclass(frozen=True)
class Finding:
    """Whether one annex paragraph applies (True/False/None for unknown), and why."""

    applies: bool | None
    reason: Reason | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Seuil:
    """A height and storeys threshold of Annexes 2 and 3."""

    hauteur_m: float
    niveaux: int


SEUIL_ORDINAIRE = Seuil(HAUTEUR_MAX_PETITS_M, NIVEAUX_MAX_PETITS)
SEUIL_LOTISSEMENT = Seuil(HAUTEUR_MAX_PETITS_LOTISSEMENT_M, NIVEAUX_MAX_PETITS_LOTISSEMENT)


def classify(project: Project, *, hors_plan: bool = False) -> Classification:
    """Procedure of RGC art. 17 for a project: grands projets, petits projets or réfection.

    hors_plan: the parcel lies outside every document d'urbanisme (Annexe 2 §7).
    """
    if project.exclusion is not None:
        reason = EXCLUSIONS[project.exclusion]
        return Classification(procedure=None, reasons=[reason], missing=[], rgc_applicable=False)
    if project.kind in ("refection", "installation_saisonniere"):
        return _classify_refection(project, hors_plan)
    return _classify_autorisation(project, hors_plan)


def _all3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued AND."""
    values = list(values)
    if any(value is False for value in values):
        return False
    if any(value is None for value in values):
        return None
    return True


def _any3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR."""
    values = list(values)
    if any(value is True for value in values):
        return True
    if any(value is None for value in values):
        return None
    return False


def _missing(project: Project, *fields: str) -> tuple[str, ...]:
    """The named fields the project leaves unknown."""
    return tuple(name for name in fields if getattr(project, name) is None)


def _depasse(project: Project, seuil: Seuil) -> bool | None:
    """Annexe 2 wording: the height is above AND the storeys are above the threshold."""
    hauteur = None if project.height_m is None else project.height_m > seuil.hauteur_m
    niveaux = None if project.storeys is None else project.storeys > seuil.niveaux
    return _all3((hauteur, niveaux))


def _dans_seuil(project: Project, seuil: Seuil) -> bool | None:
    """Annexe 3 wording: the height is at most AND the storeys are at most the threshold."""
    hauteur = None if project.height_m is None else project.height_m <= seuil.hauteur_m
    niveaux = None if project.storeys is None else project.storeys <= seuil.niveaux
    return _all3((hauteur, niveaux))


def _gabarit(project: Project) -> str:
    """The height and storeys as the petitioner gave them, for reasons."""
    hauteur = "?" if project.height_m is None else f"{project.height_m:.2f} m"
    niveaux = "?" if project.storeys is None else f"R+{project.storeys}"
    return f"{hauteur}, {niveaux}"


# --- Annexe 2 -------------------------------------------------------------------------------


def _annexe2_nature(project: Project) -> Finding:
    """Annexe 2 §1, §2, §10: lotissements, groupes d'habitations, morcellements, régularisations."""
    if project.kind in ("lotissement", "groupe_habitations"):
        return Finding(True, Reason(rule=A2_LOTISSEMENT, text=f"Projet de {project.kind}."))
    if project.kind == "morcellement":
        return Finding(True, Reason(rule=A2_MORCELLEMENT, text="Projet de morcellement."))
    if project.kind == "regularisation":
        text = "Régularisation d'un bâtiment non réglementaire, quelle que soit sa nature."
        return Finding(True, Reason(rule=A2_REGULARISATION, text=text))
    return Finding(False)


def _annexe2_public(project: Project) -> Finding:
    """Annexe 2 §3: construction by or for an administration, collectivité or public body."""
    if project.owner is None:
        return Finding(None, missing=("owner",))
    if project.owner == "public":
        text = "Projet réalisé par ou pour une administration ou un organisme public."
        return Finding(True, Reason(rule=A2_PUBLIC, text=text))
    return Finding(False)


def _annexe2_usage(project: Project) -> Finding:
    """Annexe 2 §4 and §5: establishments receiving the public, economic activities."""
    if project.use is None:
        return Finding(None, missing=("use",))
    if project.use in USAGES_RECEVANT_PUBLIC:
        text = f"Établissement recevant du public (usage « {project.use} »)."
        return Finding(True, Reason(rule=A2_ERP, text=text))
    if project.use in USAGES_ECONOMIQUES:
        text = f"Bâtiment destiné à une activité économique (usage « {project.use} »)."
        return Finding(True, Reason(rule=A2_ECONOMIQUE, text=text))
    return Finding(False)


def _annexe2_hauteur(project: Project) -> Finding:
    """Annexe 2 §6: above 15.50 m and above R+3 (18.50 m and R+4 in a lotissement réceptionné)."""
    ordinaire = _depasse(project, SEUIL_ORDINAIRE)
    lotissement = _depasse(project, SEUIL_LOTISSEMENT)
    en_lotissement = project.in_lotissement_equipe()
    if en_lotissement is True:
        applies, rule = lotissement, A2_HAUTEUR_LOTISSEMENT
    elif en_lotissement is False:
        applies, rule = ordinaire, A2_HAUTEUR
    elif lotissement is True:  # above both thresholds: the lotissement status does not matter
        applies, rule = True, f"{A2_HAUTEUR}, {A2_HAUTEUR_LOTISSEMENT}"
    else:
        applies, rule = (False if ordinaire is False else None), A2_HAUTEUR
    if applies is None:
        missing = _missing(project, "height_m", "storeys")
        if en_lotissement is None:
            missing += _missing(project, *LOT_FLAGS)
        return Finding(None, missing=missing)
    if applies:
        text = f"Gabarit {_gabarit(project)} au-delà des deux seuils de hauteur et de niveaux."
        return Finding(True, Reason(rule=rule, text=text))
    return Finding(False)


def _annexe2_affectation(project: Project, hors_plan: bool = False) -> Finding:
    """Annexe 2 §7: land whose use the plan does not define, outside a lotissement réceptionné.

    Outside every document d'urbanisme no plan defines the use. The exception (a lotissement
    réceptionné or restructuré) is then the petitioner's to declare: no plan maps it there, and
    a lotissement's reception is shown by its procès-verbal, not by the parcel's coordinates.
    """
    en_lotissement = project.in_lotissement_equipe()
    if en_lotissement is True:
        return Finding(False)
    if hors_plan:
        text = "Terrain situé hors de tout plan d'aménagement, plan de zonage ou plan de "
        text += "développement de l'agglomération rurale : son affectation n'est définie par "
        text += "aucun document, et aucun lotissement réceptionné ou restructuré n'est déclaré."
        return Finding(True, Reason(rule=A2_HORS_PLAN, text=text))
    if project.affectation_definie is True:
        return Finding(False)
    if project.affectation_definie is None:
        return Finding(None, missing=("affectation_definie",))
    if en_lotissement is None:
        return Finding(None, missing=_missing(project, *LOT_FLAGS))
    text = "Affectation du terrain non définie par le document d'urbanisme, hors lotissement."
    return Finding(True, Reason(rule=A2_AFFECTATION, text=text))


def _annexe2_tissu_ancien(project: Project) -> Finding:
    """Annexe 2 §8: médinas intra-muros, ksour, kasbahs, buildings listed or classified."""
    applies = _any3((project.in_tissu_ancien, project.patrimoine))
    if applies is None:
        return Finding(None, missing=_missing(project, "in_tissu_ancien", "patrimoine"))
    if applies:
        text = "Tissu ancien (médina, ksar, kasbah) ou bâtiment inscrit ou classé."
        return Finding(True, Reason(rule=A2_TISSU_ANCIEN, text=text))
    return Finding(False)


def _annexe2_existant(project: Project) -> Finding:
    """Annexe 2 §9, §11: modification or demolition of a building instructed as a grand projet."""
    if project.parent_procedure != "grands_projets" or project.kind not in SUR_EXISTANT:
        return Finding(False)
    if project.kind == "demolition":
        text = "Démolition d'un bâtiment relevant des grands projets."
        return Finding(True, Reason(rule=A2_DEMOLITION, text=text))
    text = "Modification d'une construction existante relevant des grands projets."
    return Finding(True, Reason(rule=A2_MODIFICATION, text=text))


def _annexe2_batiment(project: Project, hors_plan: bool = False) -> list[Finding]:
    """Annexe 2 paragraphs that bear on the building itself."""
    return [
        _annexe2_existant(project),
        _annexe2_public(project),
        _annexe2_usage(project),
        _annexe2_hauteur(project),
        _annexe2_affectation(project, hors_plan),
        _annexe2_tissu_ancien(project),
    ]


def _sur_existant(project: Project, finding: Finding) -> Finding:
    """A modification or demolition of such a building is itself a grand projet (§9, §11)."""
    if finding.reason is None or project.kind not in ("modification", "demolition"):
        return finding  # a surélévation is named by Annexe 2 §6 itself
    rule = A2_DEMOLITION if project.kind == "demolition" else A2_MODIFICATION
    if finding.reason.rule in (A2_DEMOLITION, A2_MODIFICATION):
        return finding
    reason = Reason(rule=f"{rule}, {finding.reason.rule}", text=finding.reason.text)
    return Finding(True, reason)


# --- Annexe 3 -------------------------------------------------------------------------------


def _annexe3(project: Project) -> Finding:
    """Annexe 3: dwellings within the thresholds, their modifications and demolitions."""
    habitation = None if project.use is None else project.use == "habitation"
    ordinaire = _dans_seuil(project, SEUIL_ORDINAIRE)
    lotissement = _dans_seuil(project, SEUIL_LOTISSEMENT)
    en_lotissement = project.in_lotissement_equipe()
    dans_seuil = lotissement if en_lotissement else ordinaire
    if en_lotissement is None and ordinaire is not True:
        dans_seuil = False if lotissement is False else None
    applies = _all3((habitation, dans_seuil))
    if applies is None and _existant_petit_projet(project):
        applies = True  # Annexe 3 §2, §3: the existing building was instructed as a petit projet
    if applies is None:
        missing = _missing(project, "use", "height_m", "storeys")
        if en_lotissement is None and ordinaire is not True:
            missing += _missing(project, *LOT_FLAGS)
        return Finding(None, missing=missing)
    if not applies:
        return Finding(False, _raison_hors_annexe3(project, habitation))
    return Finding(True, _raison_annexe3(project, bool(en_lotissement and not ordinaire)))


def _existant_petit_projet(project: Project) -> bool:
    """A modification or demolition of a building instructed as a petit projet.

    Not a surélévation: its resulting height is what Annexe 3 §1 asks about.
    """
    kind_ok = project.kind in ("modification", "demolition")
    return kind_ok and project.parent_procedure == "petits_projets"


def _raison_hors_annexe3(project: Project, habitation: bool | None) -> Reason:
    """Why Annexe 3 does not apply, hence the residual paragraph of Annexe 2."""
    if habitation is False:
        text = f"Usage « {project.use} »: Annexe 3 ne vise que les bâtiments d'habitation."
    else:
        text = f"Gabarit {_gabarit(project)} au-delà du seuil de l'Annexe 3 (15.50 m et R+3; "
        text += "18.50 m et R+4 en lotissement réceptionné ou restructuré)."
    return Reason(rule=A2_RESIDUEL, text=text)


def _raison_annexe3(project: Project, seuil_lotissement: bool) -> Reason:
    """The Annexe 3 paragraph that makes the project a petit projet."""
    rule = A3_HABITATION_LOTISSEMENT if seuil_lotissement else A3_HABITATION
    if project.kind == "modification":
        rule = f"{A3_MODIFICATION}, {rule}"
    elif project.kind == "demolition":
        rule = f"{A3_DEMOLITION}, {rule}"
    if _existant_petit_projet(project) and project.height_m is None:
        text = "Construction existante instruite selon la procédure des petits projets."
    else:
        text = f"Bâtiment d'habitation, gabarit {_gabarit(project)}, dans le seuil."
    return Reason(rule=rule, text=text)


# --- Assembling the answer ------------------------------------------------------------------


def _classify_autorisation(project: Project, hors_plan: bool = False) -> Classification:
    """Grands or petits projets for a project that needs an authorisation (art. 18, 19)."""
    nature = _annexe2_nature(project)
    if nature.reason is not None:
        return Classification(procedure="grands_projets", reasons=[nature.reason], missing=[])
    batiment = _annexe2_batiment(project, hors_plan)
    findings = [_sur_existant(project, finding) for finding in batiment]
    grands = [finding.reason for finding in findings if finding.reason and finding.applies]
    if grands:
        return Classification(procedure="grands_projets", reasons=grands, missing=[])
    annexe3 = _annexe3(project)
    if annexe3.applies is False and annexe3.reason is not None:
        return Classification(procedure="grands_projets", reasons=[annexe3.reason], missing=[])
    if _existant_petit_projet(project) and annexe3.applies and annexe3.reason is not None:
        # The existing building's classification settles the facts a modification leaves as is.
        return Classification(procedure="petits_projets", reasons=[annexe3.reason], missing=[])
    missing = _dedupe(name for finding in [*findings, annexe3] for name in finding.missing)
    if annexe3.applies and not missing and annexe3.reason is not None:
        return Classification(procedure="petits_projets", reasons=[annexe3.reason], missing=[])
    return _undecided(missing)


def _undecided(missing: list[str], rule: str = "RGC art. 17, Annexes 2 et 3") -> Classification:
    """No procedure yet: the inputs that would decide it are named."""
    text = "Procédure indéterminée: préciser " + ", ".join(missing) + "."
    reason = Reason(rule=rule, text=text)
    return Classification(procedure=None, reasons=[reason], missing=missing)


def _dedupe(names: Iterable[str]) -> list[str]:
    """The names in first-seen order, once each."""
    return list(dict.fromkeys(names))


def _classify_refection(project: Project, hors_plan: bool = False) -> Classification:
    """Annexe 4: menus travaux on existing buildings and seasonal installations (art. 20)."""
    if project.kind == "installation_saisonniere":
        text = "Installation saisonnière ou occasionnelle."
        return Classification(
            procedure="refection", reasons=[Reason(rule=A4_SAISONNIER, text=text)], missing=[]
        )
    affectation = project.changement_affectation
    elements = project.modifie_elements_reglementes
    if affectation is True or elements is True:
        return _refection_requalifiee(project, hors_plan)
    if affectation is None or elements is None:
        fields = ("changement_affectation", "modifie_elements_reglementes")
        return _undecided(list(_missing(project, *fields)), "RGC art. 20, Annexe 4")
    reasons = [
        Reason(rule=A4_AFFECTATION, text="Menus travaux sans changement d'affectation."),
        Reason(
            rule=A4_ELEMENTS,
            text="Aucune modification des parties indivises, structures porteuses, façades "
            "ni distribution intérieure.",
        ),
    ]
    return Classification(procedure="refection", reasons=reasons, missing=[])


def _refection_requalifiee(project: Project, hors_plan: bool = False) -> Classification:
    """Works beyond Annexe 4 need a permis de modification (art. 20): classified as such."""
    if project.changement_affectation:
        text = "Les travaux changent l'affectation du bâtiment"
    else:
        text = "Les travaux touchent parties indivises, structure, façades ou distribution"
    text += ": hors Annexe 4, ils relèvent du permis de modification."
    result = _classify_autorisation(project.model_copy(update={"kind": "modification"}), hors_plan)
    reasons = [Reason(rule=ART_20, text=text), *result.reasons]
    return Classification(procedure=result.procedure, reasons=reasons, missing=result.missing)
