"""Deadlines of the instruction, counted from the filing and the later steps (RGC art. 7-47).

The RGC counts "à compter de" a date: the day of that date is not counted, and the deadline
falls on the n-th working day after it (see checks.calendar.add_working_days). A step whose
starting event has not happened yet gets no date, only its rule.

After the decision come the lapse (caducité) clauses of the Annexe 7 decisions and the notice
before a demolition; art. 41 al. 2 restarts the instruction's clock when the petitioner files
the modified documents. A count in working days that crosses an Islamic holiday whose date
is not announced yet (checks.calendar) is ``provisional``, with the reason.

Our reading of Annexe 7 (permis de démolir), art. 7: « Le présent permis devient caduc, après
expiration de six (6) mois à compter de la date de sa délivrance, et ce en cas de commencement
des travaux de démolition ou en cas de non achèvement desdits travaux dans le délai fixé ». A
permit cannot lapse because the works began; we read « non commencement », as in the same
clause of the permis de réfection (art. 5: « en cas de non commencement des travaux »).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from checks.calendar import WorkingCalendar, add_working_days, subtract_working_days
from checks.project import Procedure, ProjectKind

Unit = Literal["jours_ouvrables", "jours", "mois", "ans", "seance"]


class Deadline(BaseModel):
    """One step of the instruction with its legal delay and, when its start is known, its date."""

    step: str
    rule: str
    text: str
    delay: int
    unit: Unit
    counted_from: str
    start: date | None
    due: date | None
    before: bool = Field(
        False, description="the due date lies that many days BEFORE the start (a notice)"
    )
    provisional: bool = Field(
        False, description="the count crosses an Islamic holiday not yet announced"
    )
    provisional_reason: str | None = None


class Events(BaseModel):
    """Dates of the steps after the filing, as far as they have happened."""

    model_config = ConfigDict(extra="forbid")

    meeting_on: date | None = Field(None, description="réunion de la commission (art. 19, 38)")
    pv_received_on: date | None = Field(None, description="procès-verbal reçu (art. 41, 46)")
    observations_notified_on: date | None = Field(None, description="art. 42")
    modified_documents_filed_on: date | None = Field(
        None, description="pièces modificatives ou complémentaires déposées (art. 41 al. 2)"
    )
    decided_on: date | None = Field(None, description="décision du président (art. 44, 47)")
    delivered_on: date | None = Field(None, description="délivrance de l'autorisation")
    demolition_starts_on: date | None = Field(
        None, description="date fixée pour le commencement des travaux de démolition (Annexe 7)"
    )


def _due(start: date | None, delay: int, unit: Unit, calendar: WorkingCalendar) -> date | None:
    """The date a delay counted from start ends on."""
    if start is None:
        return None
    if unit == "jours_ouvrables":
        return add_working_days(start, delay, calendar)
    if unit == "jours":
        return start + timedelta(days=delay)
    if unit == "mois":
        return _add_months(start, delay)
    if unit == "ans":
        return _add_months(start, 12 * delay)
    return start  # "séance tenante": the same day


def _add_months(start: date, months: int) -> date:
    """Same day so many months later, or the month's last day when it has fewer days."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in range(start.day, 0, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a first day")


def _provisional(
    start: date, due: date, unit: Unit, calendar: WorkingCalendar
) -> tuple[bool, str | None]:
    """Whether a count in working days crosses a holiday whose date is not announced yet.

    The sighting may move such a holiday by a day either way, so a holiday on the day before
    the count's first day or after its last one counts too.
    """
    if unit != "jours_ouvrables":
        return False, None
    first, last = sorted((start, due))
    found = calendar.provisional_holidays(first, last + timedelta(days=1))
    if not found:
        return False, None
    days = ", ".join(f"{holiday.name} ({day.isoformat()})" for day, holiday in found)
    reason = (
        f"Échéance provisoire : le décompte traverse {days}, fête religieuse dont la date "
        "dépend de l'observation du croissant et n'est pas encore annoncée."
    )
    return True, reason


def _step(
    calendar: WorkingCalendar,
    step: str,
    rule: str,
    text: str,
    delay: tuple[int, Unit],
    counted_from: tuple[str, date | None],
    *,
    before: bool = False,
) -> Deadline:
    """A Deadline with its due date computed (before the start for a notice)."""
    amount, unit = delay
    label, start = counted_from
    if before and start is not None:
        due: date | None = subtract_working_days(start, amount, calendar)
    else:
        due = _due(start, amount, unit, calendar)
    provisional, reason = (
        _provisional(start, due, unit, calendar)
        if start is not None and due is not None
        else (False, None)
    )
    return Deadline(
        step=step,
        rule=rule,
        text=text,
        delay=amount,
        unit=unit,
        counted_from=label,
        start=start,
        due=due,
        before=before,
        provisional=provisional,
        provisional_reason=reason,
    )


def nru_deadline(requested_on: date, calendar: WorkingCalendar) -> Deadline:
    """RGC art. 7: the NRU is issued within two working days following the request."""
    return _step(
        calendar,
        "delivrance_nru",
        "RGC art. 7 al. 1",
        "L'agence urbaine délivre la note de renseignements urbanistiques.",
        (2, "jours_ouvrables"),
        ("demande (art. 6)", requested_on),
    )


def deadlines_for(
    procedure: Procedure,
    filed_on: date,
    calendar: WorkingCalendar,
    events: Events | None = None,
    kind: ProjectKind | None = None,
) -> list[Deadline]:
    """The deadlines of a procedure, from the filing at the commune's bureau d'ordre.

    With the project's kind, the lapse of the authorisation it leads to (Annexe 7) and, for a
    demolition, the notice before the works.
    """
    events = events or Events()
    if procedure == "refection":
        return [*_refection(filed_on, calendar, events), *_caducite(kind, calendar, events)]
    restarted = events.modified_documents_filed_on
    if restarted is not None:
        # Art. 41 al. 2: the delays run again only from the filing of the modified documents.
        start, label = restarted, "dépôt des pièces modificatives (art. 41 al. 2)"
    elif procedure == "grands_projets":
        start, label = filed_on, "réception du dossier par la commune"
    else:
        start, label = filed_on, "dépôt au bureau d'ordre"
    if procedure == "grands_projets":
        instruction = _grands_projets(start, label, calendar)
    else:
        instruction = _petits_projets(start, label, calendar, events)
    if restarted is not None:
        instruction = [_restarted(step) for step in instruction]
    return [
        *instruction,
        *_decision(calendar, events),
        *_caducite(kind, calendar, events),
        *_demolition(kind, calendar, events),
    ]


def _restarted(step: Deadline) -> Deadline:
    """The step counted again from the modified documents, citing art. 41 al. 2."""
    return step.model_copy(update={"rule": f"{step.rule}, RGC art. 41 al. 2"})


def _grands_projets(start: date, label: str, calendar: WorkingCalendar) -> list[Deadline]:
    """RGC art. 18: transmission in 3 working days, opinion in 15, both from the receipt."""
    depot = (label, start)
    return [
        _step(
            calendar,
            "transmission_commission",
            "RGC art. 18 al. 2",
            "La commune transmet le dossier à la commission d'instruction.",
            (3, "jours_ouvrables"),
            depot,
        ),
        _step(
            calendar,
            "avis_commission",
            "RGC art. 18 al. 3",
            "Les membres de la commission statuent sur le dossier.",
            (15, "jours_ouvrables"),
            depot,
        ),
    ]


def _petits_projets(
    start: date, label: str, calendar: WorkingCalendar, events: Events
) -> list[Deadline]:
    """RGC art. 19: submitted to the commission on filing, which deliberates at its meeting."""
    return [
        _step(
            calendar,
            "transmission_commission",
            "RGC art. 19 al. 2",
            "Le dossier est soumis à la commission d'instruction dès son dépôt.",
            (0, "jours_ouvrables"),
            (label, start),
        ),
        _step(
            calendar,
            "avis_commission",
            "RGC art. 19 al. 2, art. 34 al. 4",
            "La commission délibère séance tenante, à la réunion indiquée sur l'accusé de "
            "réception.",
            (0, "seance"),
            ("réunion de la commission", events.meeting_on),
        ),
    ]


def _decision(calendar: WorkingCalendar, events: Events) -> list[Deadline]:
    """RGC art. 38, 41-44: minutes, request for changes, decision, copies, notification."""
    return [
        _step(
            calendar,
            "transmission_pv",
            "RGC art. 38 al. 3",
            "Le procès-verbal de la commission, avec les pièces, est transmis au président du "
            "conseil de la commune pour décision.",
            (3, "jours_ouvrables"),
            ("réunion de la commission", events.meeting_on),
        ),
        _step(
            calendar,
            "lettre_modifications",
            "RGC art. 41 al. 1",
            "Si des modifications sont requises, lettre recommandée au pétitionnaire; les délais "
            "recommencent au dépôt des pièces modificatives (art. 41 al. 2).",
            (2, "jours_ouvrables"),
            ("réception du procès-verbal", events.pv_received_on),
        ),
        _step(
            calendar,
            "pieces_complementaires",
            "RGC art. 42",
            "Pièces complémentaires ou levée de réserves sans incidence sur les avis: délai "
            "supplémentaire accordé au concepteur du projet.",
            (5, "jours_ouvrables"),
            ("notification des observations", events.observations_notified_on),
        ),
        _step(
            calendar,
            "notification_decision",
            "RGC art. 44 al. 1",
            "La décision est notifiée au pétitionnaire par lettre recommandée avec accusé de "
            "réception.",
            (2, "jours_ouvrables"),
            ("prise de la décision", events.decided_on),
        ),
        _step(
            calendar,
            "copie_autorite_locale",
            "RGC art. 43 al. 2",
            "Copie de l'autorisation à l'autorité administrative locale et aux membres de la "
            "commission.",
            (2, "jours_ouvrables"),
            ("délivrance de l'autorisation", events.delivered_on),
        ),
    ]


def _refection(filed_on: date, calendar: WorkingCalendar, events: Events) -> list[Deadline]:
    """RGC art. 46, 47: the communal service decides, the president issues and notifies."""
    depot = ("dépôt de la demande", filed_on)
    return [
        _step(
            calendar,
            "decision_service",
            "RGC art. 46 al. 1",
            "Le service communal chargé de l'urbanisme instruit la demande et prend une décision "
            "(le texte dit « cinq jours », sans « ouvrables »).",
            (5, "jours"),
            depot,
        ),
        _step(
            calendar,
            "delivrance_permis",
            "RGC art. 46 al. 2",
            "Le président délivre le permis de réfection, sans autres avis ni visas.",
            (10, "jours_ouvrables"),
            depot,
        ),
        _step(
            calendar,
            "lettre_petitionnaire",
            "RGC art. 46 al. 3",
            "Lettre recommandée au pétitionnaire après le procès-verbal d'instruction.",
            (2, "jours_ouvrables"),
            ("réception du procès-verbal d'instruction", events.pv_received_on),
        ),
        _step(
            calendar,
            "notification_decision",
            "RGC art. 47 al. 3",
            "La décision est notifiée par lettre recommandée avec accusé de réception.",
            (2, "jours_ouvrables"),
            ("prise de la décision", events.decided_on),
        ),
        _step(
            calendar,
            "copie_autorite_locale",
            "RGC art. 47 al. 2",
            "Copie du permis à l'autorité administrative locale.",
            (3, "jours_ouvrables"),
            ("délivrance du permis", events.delivered_on),
        ),
        _step(
            calendar,
            "fin_validite",
            "RGC art. 47 al. 4",
            "Le permis de réfection est valable six mois, non renouvelable.",
            (6, "mois"),
            ("délivrance du permis", events.delivered_on),
        ),
    ]


A7_CONSTRUIRE = "RGC Annexe 7 (décision portant permis de construire), article quatorze"
A7_LOTIR = (
    "RGC Annexe 7 (décision portant autorisation de lotir ou de créer un groupe "
    "d'habitations), article treize"
)
A7_REFECTION = "RGC Annexe 7 (décision portant permis de réfection), article cinq"
A7_DEMOLIR = "RGC Annexe 7 (décision portant permis de démolition), article sept"
A7_PREAVIS = "RGC Annexe 7 (décision portant permis de démolition), article cinq"
# Annexe 7: the lapse of each decision, by the kind of project it authorises.
CADUCITE: dict[str, tuple[str, str, tuple[int, Unit]]] = {
    "construction": (
        A7_CONSTRUIRE,
        "Le permis de construire est réputé caduc si les travaux relatifs aux fondations du "
        "bâtiment n'ont pas débuté à l'expiration d'un délai d'un an à partir de sa délivrance.",
        (1, "ans"),
    ),
    "lotissement": (
        A7_LOTIR,
        "L'autorisation est réputée caduque à l'expiration d'un délai de trois ans à partir de "
        "sa délivrance si les travaux d'équipement prévus ne sont pas réalisés.",
        (3, "ans"),
    ),
    "refection": (
        A7_REFECTION,
        "Le permis de réfection devient caduc après six mois à compter de sa délivrance en cas "
        "de non commencement des travaux.",
        (6, "mois"),
    ),
    "demolition": (
        A7_DEMOLIR,
        "Le permis de démolir devient caduc après six mois à compter de sa délivrance si les "
        "travaux n'ont pas commencé (le texte dit « en cas de commencement », lu « non "
        "commencement » comme pour la réfection) ou ne sont pas achevés dans le délai fixé.",
        (6, "mois"),
    ),
}
# The permis de construire covers modifications and surélévations (loi 12-90 art. 40); the
# autorisation de lotir model serves the groupes d'habitations; réfection covers seasonal
# installations (Annexe 4 §3). Morcellements and régularisations have no lapse clause.
CADUCITE_PAR_NATURE: dict[str, str] = {
    "construction": "construction",
    "modification": "construction",
    "surelevation": "construction",
    "lotissement": "lotissement",
    "groupe_habitations": "lotissement",
    "refection": "refection",
    "installation_saisonniere": "refection",
    "demolition": "demolition",
}


def _caducite(
    kind: ProjectKind | None, calendar: WorkingCalendar, events: Events
) -> list[Deadline]:
    """Annexe 7: the lapse of the authorisation not acted on, from its delivery."""
    model = CADUCITE_PAR_NATURE.get(kind) if kind is not None else None
    if model is None:
        return []
    rule, text, delay = CADUCITE[model]
    return [
        _step(
            calendar,
            "caducite",
            rule,
            text,
            delay,
            ("délivrance de l'autorisation", events.delivered_on),
        )
    ]


def _demolition(
    kind: ProjectKind | None, calendar: WorkingCalendar, events: Events
) -> list[Deadline]:
    """Annexe 7 (permis de démolition), article cinq: notice 15 working days before the works."""
    if kind != "demolition":
        return []
    text = (
        "Notification au président du conseil de la commune, signée par l'ingénieur "
        "spécialisé, contre accusé de réception, quinze jours ouvrables au moins avant le "
        "commencement des travaux de démolition."
    )
    return [
        _step(
            calendar,
            "notification_demolition",
            A7_PREAVIS,
            text,
            (15, "jours_ouvrables"),
            (
                "date fixée pour le commencement des travaux de démolition",
                events.demolition_starts_on,
            ),
            before=True,
        )
    ]
