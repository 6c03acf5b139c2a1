"""Deadlines of the instruction, counted from the filing and the later steps (RGC art. 7-47).

The RGC counts "à compter de" a date: the day of that date is not counted, and the deadline
falls on the n-th working day after it (see checks.calendar.add_working_days). A step whose
starting event has not happened yet gets no date, only its rule.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel

from checks.calendar import WorkingCalendar, add_working_days
from checks.project import Procedure

Unit = Literal["jours_ouvrables", "jours", "mois", "seance"]


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


class Events(BaseModel):
    """Dates of the steps after the filing, as far as they have happened."""

    meeting_on: date | None = None
    pv_received_on: date | None = None
    observations_notified_on: date | None = None
    decided_on: date | None = None
    delivered_on: date | None = None


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


def _step(
    calendar: WorkingCalendar,
    step: str,
    rule: str,
    text: str,
    delay: tuple[int, Unit],
    counted_from: tuple[str, date | None],
) -> Deadline:
    """A Deadline with its due date computed."""
    amount, unit = delay
    label, start = counted_from
    return Deadline(
        step=step,
        rule=rule,
        text=text,
        delay=amount,
        unit=unit,
        counted_from=label,
        start=start,
        due=_due(start, amount, unit, calendar),
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
) -> list[Deadline]:
    """The deadlines of a procedure, from the filing at the commune's bureau d'ordre."""
    events = events or Events()
    if procedure == "refection":
        return _refection(filed_on, calendar, events)
    if procedure == "grands_projets":
        instruction = _grands_projets(filed_on, calendar)
    else:
        instruction = _petits_projets(filed_on, calendar, events)
    return [*instruction, *_decision(calendar, events)]


def _grands_projets(filed_on: date, calendar: WorkingCalendar) -> list[Deadline]:
    """RGC art. 18: transmission in 3 working days, opinion in 15, both from the receipt."""
    depot = ("réception du dossier par la commune", filed_on)
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


def _petits_projets(filed_on: date, calendar: WorkingCalendar, events: Events) -> list[Deadline]:
    """RGC art. 19: submitted to the commission on filing, which deliberates at its meeting."""
    return [
        _step(
            calendar,
            "transmission_commission",
            "RGC art. 19 al. 2",
            "Le dossier est soumis à la commission d'instruction dès son dépôt.",
            (0, "jours_ouvrables"),
            ("dépôt au bureau d'ordre", filed_on),
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
