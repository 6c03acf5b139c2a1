"""The letter of the note, filled from Annexe 1 of décret 2-18-577 (French, as issued)."""

from __future__ import annotations

from geoportal.nru.model import Nru, PlanRef
from zoning.wording import date_long, date_short

#: Annexe 1: the texts every project must respect, quoted as the model letter lists them.
LEGAL_TEXTS = (
    "les dispositions de la loi n° 12-90 relative à l'urbanisme, promulguée par le dahir "
    "n° 1-92-31 du 15 hija 1412 (17 juin 1992), telle qu'elle a été modifiée et complétée, "
    "et son décret d'application ;",
    "les dispositions de la loi n° 25-90 relative aux lotissements, groupes d'habitations et "
    "morcellements, promulguée par le dahir n° 1-92-7 du 15 hija 1412 (17 juin 1992), telle "
    "qu'elle a été modifiée et complétée et son décret d'application ;",
    "les dispositions du dahir n° 1-60-063 du 30 hija 1379 (25 juin 1960) relatif au "
    "développement des agglomérations rurales, tel qu'il a été modifié et complété ;",
    "les arrêtés d'alignements communaux ;",
    "les lotissements et les groupes d'habitations approuvés et leurs cahiers des charges ;",
    "et de manière générale, satisfaire aux lois et règlements en vigueur.",
)
PLAN_KINDS = {
    "plan_amenagement": "plan d'aménagement",
    "pdar": "plan de développement de l'agglomération rurale",
}


def metres(value: float) -> str:
    """1 234,56 m² style numbers: French decimal comma, thin-space thousands."""
    text = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return text.removesuffix(",00")


def plan_clause(plan: PlanRef) -> str:
    """« du plan d'aménagement de X approuvé par … (BO n° …) » or the en-cours mention."""
    kind = PLAN_KINDS.get(plan.kind, plan.kind)
    if plan.status != "homologue":
        # Annexe 1: a plan under approval is cited with « la période de douze (12) mois prévue
        # à l'article 27 de la loi n° 12-90 »; it starts with the public inquiry.
        return (
            f"du {kind} de {plan.commune}, en cours d'approbation (la période de douze "
            "(12) mois prévue à l'article 27 de la loi n° 12-90 relative à l'urbanisme"
            f"{_period(plan)})"
        )
    approval = plan.approval
    act = approval.act or "acte d'approbation"
    published = f" (BO n° {approval.bo} du {date_short(approval.bo_date)})" if approval.bo else ""
    return (
        f"du {kind} de {plan.commune} approuvé par {act} du {date_short(approval.date)}" + published
    )


def _period(plan: PlanRef) -> str:
    """« , ouverte le … » from the règlement's enquete_publique; said so when it is absent."""
    if plan.enquete_publique is None:
        return ", dont le règlement du plan n'indique pas la date d'ouverture de l'enquête publique"
    return f", ouverte le {date_long(plan.enquete_publique)} avec l'enquête publique"


def letter_paragraphs(nru: Nru) -> list[str]:
    """The body of the Annexe 1 letter, paragraph by paragraph, filled from the overlay."""
    paragraphs = [
        "En réponse à votre demande citée en référence, j'ai l'honneur de vous faire connaître "
        f"que d'après les dispositions {plan_clause(nru.plan)}, le terrain en question est "
        "affecté comme suit :",
        *_situation_lines(nru),
        *_alignment_lines(nru),
        *_outside_lines(nru),
        "De même, vous trouverez ci-joint une copie de la réglementation urbanistique applicable "
        "aux zones susvisées ainsi qu'un extrait du document d'urbanisme "
        f"({PLAN_KINDS.get(nru.plan.kind, nru.plan.kind)}).",
        _disclaimer(nru),
        *(f"• {text}" for text in LEGAL_TEXTS),
        "Veuillez agréer, M./Mme, l'expression de mes salutations distinguées.",
    ]
    return paragraphs


def _situation_lines(nru: Nru) -> list[str]:
    """« – situé en zone … », « – grevé par … », reservations and sectors."""
    lines = [
        f"– situé en zone {z.code} ({z.label}) sur {metres(z.area_m2)} m², soit "
        f"{z.share * 100:.0f} % du terrain ;"
        for z in nru.zones
    ]
    lines += [
        f"– grevé par {s.label or s.kind} sur {metres(s.area_m2)} m²"
        + (f" : {s.text}" if s.text else "")
        + " ;"
        for s in nru.servitudes
    ]
    lines += [
        f"– frappé d'une réservation pour {r.label or r.code} ({r.code}) sur "
        f"{metres(r.area_m2)} m² ;"
        for r in nru.reservations
    ]
    lines += [f"– situé dans le secteur « {s.label or s.kind} » ;" for s in nru.sectors]
    return lines


def _alignment_lines(nru: Nru) -> list[str]:
    """Annexe 1: a new alignment along each planned road whose right-of-way takes land."""
    lines = []
    for road in nru.roads:
        width = f"de {metres(road.width_m)} m d'emprise" if road.width_m else "(emprise au plan)"
        lines.append(
            "Par ailleurs, il convient de signaler qu'un nouvel alignement est à respecter le "
            f"long de la voie d'aménagement n° {road.ref} {width} ; {metres(road.area_m2)} m² "
            "du terrain sont compris dans cette emprise."
        )
    return lines


def _outside_lines(nru: Nru) -> list[str]:
    if nru.outside_plan_m2 <= 0:
        return []
    others = ", ".join(f"{p.name} ({metres(p.area_m2)} m²)" for p in nru.other_plans)
    where = f" ; elle relève de : {others}" if others else ""
    return [
        f"Une partie du terrain de {metres(nru.outside_plan_m2)} m² est située hors du "
        f"périmètre de ce document d'urbanisme{where}."
    ]


def validity_phrase(nru: Nru) -> str:
    """« valable jusqu'au 1er avril 2031 », or why no end date can be given (art. 9, Annexe 1).

    Annexe 1 writes « ayant une validité de … mois »; a count of months is ambiguous (31 May to
    1 June is « 1 mois »), so the letter gives the last day instead.
    """
    if nru.valid_until is not None:
        return f"valable jusqu'au {date_long(nru.valid_until)}"
    if nru.plan.status != "homologue":
        return (
            "valable pendant la période de douze (12) mois prévue à l'article 27 de la loi "
            "n° 12-90, dont la fin ne peut être précisée : le règlement du plan n'indique pas la "
            "date d'ouverture de l'enquête publique"
        )
    # Art. 9: « correspond à la durée des effets juridiques découlant de la déclaration
    # d'utilité publique », a date the plan does not give here
    return (
        "valable pour la durée des effets juridiques découlant de la déclaration d'utilité "
        "publique du document d'urbanisme (article 9 du décret n° 2-18-577), dont la fin n'est "
        "pas précisée par le plan"
    )


def _disclaimer(nru: Nru) -> str:
    """Art. 7 (no proof of the petitioner's data, no agreement in principle) and art. 9."""
    return (
        f"Par ailleurs, il est à préciser que la présente note, {validity_phrase(nru)}, "
        "est délivrée sur la base des données fournies par le demandeur et ne peut, donc, "
        "attester de leur véracité et n'équivaut, en aucun cas, à un accord de principe pour la "
        "réalisation d'un quelconque projet, lequel doit respecter :"
    )
