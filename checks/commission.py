"""Members of the commission d'instruction for a case (RGC art. 20-27, 46)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from checks.avis import AvisRequis
from checks.project import Procedure, Project
from checks.results import Reason


class Member(BaseModel):
    """A body sitting on the commission, and the article that seats it."""

    code: str
    label: str
    rule: str
    permanent: bool = True
    base: str | None = None  # art. 26: the text that requires this administration's avis
    reasons: list[str] = []  # art. 26: what in the project or on the site brings it in


class Commission(BaseModel):
    """Who examines the case; empty members when no commission sits (réfection)."""

    members: list[Member]
    reasons: list[Reason]


ART_22 = "RGC art. 22 al. 1"
PREFECTURE = Member(code="prefecture_province", label="La préfecture ou la province", rule=ART_22)
COMMUNE = Member(code="commune", label="La commune", rule=ART_22)
AGENCE_URBAINE = Member(code="agence_urbaine", label="L'agence urbaine", rule=ART_22)
TELECOMS = Member(
    code="reseaux_telecommunications",
    label="Les services compétents en matière de réseaux de télécommunications",
    rule="RGC art. 22 al. 2",
)
RESEAUX_DIVERS = Member(
    code="reseaux_divers",
    label="Les organismes chargés de la gestion des réseaux divers",
    rule="RGC art. 22 al. 2",
)
CONSERVATION_FONCIERE = Member(
    code="ancfcc",
    label="L'Agence nationale de la conservation foncière, du cadastre et de la cartographie",
    rule="RGC art. 23",
)

NON_PERMANENTS = Reason(
    rule="RGC art. 22 al. 3, art. 26, art. 27",
    text="S'y ajoutent les seules administrations dont l'avis ou le visa est requis par la "
    "législation (art. 26) et, à titre consultatif, les personnes invitées par le président "
    "du conseil de la commune (art. 27); les membres dont le domaine est régi par des textes "
    "réglementaires ne siègent qu'à la demande expresse du président (art. 22 al. 3).",
)


def commission_members(
    project: Project,
    procedure: Procedure | None,
    avis_requis: Sequence[AvisRequis | str] | None = None,
) -> Commission:
    """The commission for this project; avis_requis names the art. 26 administrations.

    Each is an AvisRequis (checks.avis) or, for a caller without the table, a bare label.
    """
    if procedure == "refection":
        return _refection()
    if project.kind == "demolition":
        members, reasons = _demolition()
    elif project.kind == "morcellement":
        members, reasons = _morcellement()
    else:
        members, reasons = _ordinaire(project, procedure)
    members += [_non_permanent(avis) for avis in avis_requis or []]
    return Commission(members=members, reasons=[*reasons, NON_PERMANENTS])


def _non_permanent(avis: AvisRequis | str) -> Member:
    """RGC art. 26: an administration whose avis or visa the law requires."""
    if isinstance(avis, str):
        return Member(code=avis, label=avis, rule="RGC art. 26", permanent=False)
    return Member(
        code=avis.code,
        label=avis.label,
        rule="RGC art. 26",
        permanent=False,
        base=avis.base,
        reasons=avis.reasons,
    )


def _refection() -> Commission:
    """RGC art. 20 al. 2, art. 46: no commission, the communal urban service decides."""
    reason = Reason(
        rule="RGC art. 20 al. 2, art. 46 al. 1",
        text="Pas de commission d'instruction: le service communal chargé de l'urbanisme "
        "instruit et décide, sans avis ni visas (art. 46 al. 2).",
    )
    return Commission(members=[], reasons=[reason])


def _demolition() -> tuple[list[Member], list[Reason]]:
    """RGC art. 24: for demolition permits, only the préfecture or province and the commune."""
    rule = "RGC art. 24"
    members = [
        PREFECTURE.model_copy(update={"rule": rule}),
        COMMUNE.model_copy(update={"rule": rule}),
    ]
    reason = Reason(rule=rule, text="Permis de démolir: préfecture ou province, et commune.")
    return members, [reason]


def _morcellement() -> tuple[list[Member], list[Reason]]:
    """RGC art. 23: the land registry agency joins the three permanent members."""
    rule = "RGC art. 23"
    members = [
        PREFECTURE.model_copy(update={"rule": rule}),
        COMMUNE.model_copy(update={"rule": rule}),
        AGENCE_URBAINE.model_copy(update={"rule": rule}),
        CONSERVATION_FONCIERE,
    ]
    reason = Reason(
        rule=rule,
        text="Morcellement: membres permanents de l'art. 23, qui s'appliquent nonobstant "
        "l'art. 22.",
    )
    return members, [reason]


def _ordinaire(project: Project, procedure: Procedure | None) -> tuple[list[Member], list[Reason]]:
    """RGC art. 22: the three permanent members, plus the networks for grands projets."""
    members = [PREFECTURE, COMMUNE, AGENCE_URBAINE]
    reasons = [
        Reason(
            rule=ART_22, text="Membres permanents: préfecture ou province, commune, agence urbaine."
        )
    ]
    if procedure is None:
        text = "Procédure indéterminée: en grands projets, les services des télécommunications "
        text += "et les organismes des réseaux divers s'y adjoignent (art. 22 al. 2)."
        return members, [*reasons, Reason(rule="RGC art. 22 al. 2", text=text)]
    if procedure != "grands_projets":
        return members, reasons
    if project.in_lotissement_receptionne:
        # Art. 25 al. 1: no recourse to the network operators in a lotissement réceptionné.
        text = "Lotissement réceptionné: la commission ne peut recourir aux établissements "
        text += "publics et organismes chargés des réseaux divers."
        members = [*members, TELECOMS]
        reasons.append(Reason(rule="RGC art. 25 al. 1", text=text))
    else:
        text = "Grands projets: s'adjoignent les réseaux de télécommunications et les réseaux "
        text += "divers."
        members = [*members, TELECOMS, RESEAUX_DIVERS]
        reasons.append(Reason(rule="RGC art. 22 al. 2", text=text))
    if project.kind in ("lotissement", "groupe_habitations"):
        reasons.append(_visa_vrd(project))
    return members, reasons


def _visa_vrd(project: Project) -> Reason:
    """RGC art. 25 al. 2: the VRD documents of a lotissement or groupe carry the networks' visa.

    « Cependant, et avant la délivrance des autorisations, les documents techniques afférents à
    la réalisation de la voirie et des réseaux divers relatifs aux demandes d'autorisation
    concernant les projets de lotissements et de groupes d'habitations doivent porter le visa
    des administrations, des établissements publics et des organismes chargés de la gestion des
    réseaux divers. » « Cependant » answers al. 1: even inside a lotissement réceptionné, where
    the commission may not call the operators, a lotissement's or groupe's VRD documents still
    need their visa (given outside the commission, or by accredited engineers, al. 3).
    """
    text = "Les documents techniques de voirie et réseaux divers portent, avant la délivrance, "
    text += "le visa des administrations, établissements publics et organismes chargés des "
    text += "réseaux divers (ou d'ingénieurs spécialisés qu'ils accréditent, al. 3)"
    if project.in_lotissement_receptionne:
        text += ", même en lotissement réceptionné où la commission ne les appelle pas (al. 1)"
    return Reason(rule="RGC art. 25 al. 2", text=text + ".")
