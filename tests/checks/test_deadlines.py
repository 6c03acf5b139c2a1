"""Deadlines from a filing date, over months with public holidays, counted by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from checks.calendar import CalendarOverrides, WorkingCalendar
from checks.deadlines import Deadline, Events, deadlines_for, nru_deadline

# The agency's table for 2025 (see test_calendar): Aïd al-Fitr on Mon 31 March and Tue 1 April,
# Aïd al-Adha on 7-8 June, 1 Muharram on Fri 27 June.
TABLE_2025 = CalendarOverrides(
    add={
        date(2025, 3, 31): "Aïd al-Fitr",
        date(2025, 4, 1): "Aïd al-Fitr (2e jour)",
        date(2025, 6, 7): "Aïd al-Adha",
        date(2025, 6, 8): "Aïd al-Adha (2e jour)",
        date(2025, 6, 27): "Nouvel an de l'Hégire",
    },
    remove={date(2025, 3, 30), date(2025, 6, 6), date(2025, 6, 26)},
)


def by_step(deadlines: list[Deadline]) -> dict[str, Deadline]:
    """Deadlines indexed by step."""
    return {deadline.step: deadline for deadline in deadlines}


def test_art18_grands_projets_autour_de_la_fete_du_trone() -> None:
    """Art. 18: filed Mon 28 July 2025; 3 and 15 working days skip 30 July, 14, 20, 21 August.

    By hand: 29 Jul (1), 31 Jul (2), 1 Aug (3) → transmission Fri 1 August;
    4-8 Aug (4-8), 11-13 Aug (9-11), 15 Aug (12), 18-19 Aug (13-14), 22 Aug (15) → Fri 22 August.
    """
    steps = by_step(deadlines_for("grands_projets", date(2025, 7, 28), WorkingCalendar()))
    assert steps["transmission_commission"].due == date(2025, 8, 1)
    assert steps["transmission_commission"].rule == "RGC art. 18 al. 2"
    assert steps["avis_commission"].due == date(2025, 8, 22)
    assert steps["avis_commission"].rule == "RGC art. 18 al. 3"


def test_art18_grands_projets_autour_de_la_fete_de_l_independance() -> None:
    """Art. 18: filed Mon 3 Nov 2025; Green March (Thu 6) and Independence Day (Tue 18) skipped.

    By hand: 4 (1), 5 (2), 7 (3) → Fri 7 November; 10-14 (4-8), 17 (9), 19-21 (10-12),
    24-26 (13-15) → Wed 26 November.
    """
    steps = by_step(deadlines_for("grands_projets", date(2025, 11, 3), WorkingCalendar()))
    assert steps["transmission_commission"].due == date(2025, 11, 7)
    assert steps["avis_commission"].due == date(2025, 11, 26)


def test_art18_avec_la_table_de_l_agence_en_juin() -> None:
    """Art. 18 with the override: Fri 6 June is worked, Fri 27 June is Muharram.

    By hand from Wed 4 June: 5 (1), 6 (2), 9 (3) → Mon 9 June; 10-13 (4-7), 16-20 (8-12),
    23-25 (13-15) → Wed 25 June. The package alone would give 10 June and 26 June.
    """
    calendar = WorkingCalendar(TABLE_2025)
    steps = by_step(deadlines_for("grands_projets", date(2025, 6, 4), calendar))
    assert steps["transmission_commission"].due == date(2025, 6, 9)
    assert steps["avis_commission"].due == date(2025, 6, 25)


def test_art7_nru_deux_jours_ouvrables_avec_la_table() -> None:
    """Art. 7: NRU asked Wed 25 June 2025: Thu 26 (1), Fri 27 Muharram, Mon 30 June (2)."""
    deadline = nru_deadline(date(2025, 6, 25), WorkingCalendar(TABLE_2025))
    assert deadline.due == date(2025, 6, 30)
    assert deadline.rule == "RGC art. 7 al. 1"


def test_art19_petits_projets_seance_tenante() -> None:
    """Art. 19: submitted on filing, decided at the meeting the receipt announces."""
    events = Events(meeting_on=date(2025, 8, 12))
    steps = by_step(deadlines_for("petits_projets", date(2025, 8, 5), WorkingCalendar(), events))
    assert steps["transmission_commission"].due == date(2025, 8, 5)
    assert steps["avis_commission"].due == date(2025, 8, 12)
    assert steps["avis_commission"].unit == "seance"


def test_art19_sans_date_de_reunion_pas_d_echeance() -> None:
    """Art. 19: before the meeting is set, the commission's step has no date."""
    steps = by_step(deadlines_for("petits_projets", date(2025, 8, 5), WorkingCalendar()))
    assert steps["avis_commission"].due is None
    assert steps["avis_commission"].counted_from == "réunion de la commission"


def test_art38_41_42_43_44_apres_la_commission() -> None:
    """Art. 38 (minutes: 3 wd), 41 (letter: 2 wd), 42 (5 wd), 44 (notify: 2 wd), 43 (copy: 2 wd).

    Meeting Tue 12 Aug 2025 → minutes by Mon 18 Aug (13, 15, 18; 14 Aug is a holiday).
    Minutes received Mon 18 Aug → letter by Fri 22 Aug (19, 22; 20-21 Aug are holidays).
    Observations notified Fri 22 Aug → complements by Fri 29 Aug (25-29).
    Decided Wed 27 Aug → notified by Fri 29 Aug. Delivered Fri 29 Aug → copies by Tue 2 Sept.
    """
    events = Events(
        meeting_on=date(2025, 8, 12),
        pv_received_on=date(2025, 8, 18),
        observations_notified_on=date(2025, 8, 22),
        decided_on=date(2025, 8, 27),
        delivered_on=date(2025, 8, 29),
    )
    steps = by_step(deadlines_for("grands_projets", date(2025, 7, 28), WorkingCalendar(), events))
    assert steps["transmission_pv"].due == date(2025, 8, 18)
    assert steps["transmission_pv"].rule == "RGC art. 38 al. 3"
    assert steps["lettre_modifications"].due == date(2025, 8, 22)
    assert steps["pieces_complementaires"].due == date(2025, 8, 29)
    assert steps["notification_decision"].due == date(2025, 8, 29)
    assert steps["notification_decision"].rule == "RGC art. 44 al. 1"
    assert steps["copie_autorite_locale"].due == date(2025, 9, 2)


def test_art46_47_refection_autour_de_l_aid_al_fitr() -> None:
    """Art. 46-47: filed Fri 28 March 2025, Aïd al-Fitr on Mon 31 March and Tue 1 April.

    By hand: "cinq jours" (calendar) → Wed 2 April; 10 working days: 2-4 Apr (1-3),
    7-11 Apr (4-8), 14-15 Apr (9-10) → Tue 15 April. Delivered 15 April → copy within 3 wd
    (16-18) → Fri 18 April; valid six months → 15 October.
    """
    events = Events(decided_on=date(2025, 4, 11), delivered_on=date(2025, 4, 15))
    calendar = WorkingCalendar(TABLE_2025)
    steps = by_step(deadlines_for("refection", date(2025, 3, 28), calendar, events))
    assert steps["decision_service"].due == date(2025, 4, 2)
    assert steps["decision_service"].unit == "jours"
    assert steps["delivrance_permis"].due == date(2025, 4, 15)
    assert steps["delivrance_permis"].rule == "RGC art. 46 al. 2"
    assert steps["notification_decision"].due == date(2025, 4, 15)
    assert steps["copie_autorite_locale"].due == date(2025, 4, 18)
    assert steps["fin_validite"].due == date(2025, 10, 15)


def test_art47_validite_six_mois_fin_de_mois() -> None:
    """Art. 47 al. 4: delivered 31 August, valid until the last day of February."""
    events = Events(delivered_on=date(2025, 8, 31))
    steps = by_step(deadlines_for("refection", date(2025, 8, 1), WorkingCalendar(), events))
    assert steps["fin_validite"].due == date(2026, 2, 28)


def test_chaque_echeance_cite_un_article() -> None:
    """Every deadline of every procedure names the RGC article it comes from."""
    for procedure in ("grands_projets", "petits_projets", "refection"):
        for deadline in deadlines_for(procedure, date(2025, 7, 28), WorkingCalendar()):
            assert deadline.rule.startswith("RGC art. "), deadline


# --- Provisional holidays, lapse, demolition notice, art. 41 al. 2 (issue #11 §9, §13) -----


def shipped() -> WorkingCalendar:
    """The calendar with the table the project ships (2026-2027: provisional estimates)."""
    data = yaml.safe_load(Path("data/jours_feries.yaml").read_text(encoding="utf-8"))
    return WorkingCalendar(CalendarOverrides.model_validate(data))


def test_echeance_provisoire_a_travers_une_fete_non_annoncee() -> None:
    """Art. 18: filed Wed 18 March 2026; Aïd al-Fitr is estimated on Sat 21-Sun 22 March but
    the moon may set it on Fri 20: the 3 working days (19, 20, 23 → Mon 23) are provisional."""
    steps = by_step(deadlines_for("grands_projets", date(2026, 3, 18), shipped()))
    transmission = steps["transmission_commission"]
    assert transmission.due == date(2026, 3, 23)
    assert transmission.provisional is True
    assert transmission.provisional_reason and "Aïd al-Fitr" in transmission.provisional_reason


def test_echeance_ferme_a_travers_une_fete_annoncee() -> None:
    """Art. 18 over Aïd al-Fitr 2025 as announced (Mon 31 March, Tue 1 April): filed Fri 28
    March, transmission by Fri 4 April (2, 3, 4), and nothing provisional about it."""
    steps = by_step(deadlines_for("grands_projets", date(2025, 3, 28), shipped()))
    assert steps["transmission_commission"].due == date(2025, 4, 4)
    assert steps["transmission_commission"].provisional is False


def test_annexe7_caducite_du_permis_de_construire() -> None:
    """Annexe 7, permis de construire, article quatorze: « Le permis de construire est réputé
    caduc si les travaux relatifs aux fondations du bâtiment prévus aux plans autorisés n'ont
    pas débuté à l'expiration d'un délai d'un an qui court à partir de la date de la
    délivrance du permis. »"""
    events = Events(delivered_on=date(2025, 9, 15))
    for kind in ("construction", "modification", "surelevation"):
        steps = by_step(
            deadlines_for("petits_projets", date(2025, 7, 1), WorkingCalendar(), events, kind)
        )
        assert steps["caducite"].due == date(2026, 9, 15), kind
        assert "article quatorze" in steps["caducite"].rule


def test_annexe7_caducite_lotissement_et_groupe_d_habitations() -> None:
    """Annexe 7, autorisation de lotir ou de créer un groupe d'habitations, article treize:
    « réputée caduque à l'expiration d'un délai de trois ans qui courent à partir de la date de
    la délivrance de l'autorisation si les travaux d'équipement … ne sont pas réalisés »."""
    events = Events(delivered_on=date(2025, 2, 28))
    for kind in ("lotissement", "groupe_habitations"):
        steps = by_step(
            deadlines_for("grands_projets", date(2024, 11, 4), WorkingCalendar(), events, kind)
        )
        assert steps["caducite"].due == date(2028, 2, 28), kind


def test_annexe7_caducite_refection_six_mois() -> None:
    """Annexe 7, permis de réfection, article cinq: « le permis de réfection devient caduc,
    après expiration de six mois à compter de sa date de délivrance, en cas de non
    commencement des travaux »."""
    events = Events(delivered_on=date(2025, 4, 15))
    steps = by_step(deadlines_for("refection", date(2025, 3, 28), shipped(), events, "refection"))
    assert steps["caducite"].due == date(2025, 10, 15)
    assert steps["caducite"].rule.endswith("article cinq")


def test_annexe7_demolition_caducite_et_preavis_de_quinze_jours_ouvrables() -> None:
    """Annexe 7, permis de démolition. Article cinq: « une notification signée par l'ingénieur
    spécialisé, et ce quinze (15) jours ouvrables, au moins, avant la date fixée pour le
    commencement des travaux de démolition ». Article sept: « Le présent permis devient caduc,
    après expiration de six (6) mois à compter de la date de sa délivrance ».

    Works fixed for Mon 4 Aug 2025: counting back 1 Aug (1), 31 Jul (2), [30 Jul Throne Day],
    29-28 Jul (3-4), 25-21 Jul (5-9), 18-14 Jul (10-14), 11 Jul (15) → Fri 11 July at the latest.
    """
    events = Events(delivered_on=date(2025, 6, 30), demolition_starts_on=date(2025, 8, 4))
    steps = by_step(
        deadlines_for("petits_projets", date(2025, 5, 5), WorkingCalendar(), events, "demolition")
    )
    notice = steps["notification_demolition"]
    assert notice.due == date(2025, 7, 11) and notice.before is True
    assert notice.delay == 15 and notice.unit == "jours_ouvrables"
    assert steps["caducite"].due == date(2025, 12, 30)
    assert "article sept" in steps["caducite"].rule


def test_annexe7_morcellement_et_regularisation_sans_caducite() -> None:
    """The Annexe 7 decisions for a morcellement and a régularisation have no lapse clause."""
    events = Events(delivered_on=date(2025, 9, 15))
    for kind in ("morcellement", "regularisation"):
        steps = by_step(
            deadlines_for("grands_projets", date(2025, 7, 1), WorkingCalendar(), events, kind)
        )
        assert "caducite" not in steps, kind


def test_caducite_sans_delivrance_pas_d_echeance() -> None:
    """Before the authorisation is delivered, the lapse has its rule but no date."""
    steps = by_step(
        deadlines_for("petits_projets", date(2025, 7, 1), WorkingCalendar(), None, "construction")
    )
    assert steps["caducite"].due is None and steps["caducite"].start is None


def test_art41_al2_les_delais_recommencent_au_depot_des_pieces_modificatives() -> None:
    """Art. 41 al. 2: « les délais … ne commencent, à courir de nouveau, qu'à compter de la date
    du dépôt par le pétitionnaire, des plans ou autres documents modificatifs ou
    complémentaires ».

    Filed 1 July 2025; modified documents filed Mon 28 July: transmission by Fri 1 August and
    the commission's avis by Fri 22 August, as for a filing on 28 July (counted above).
    """
    events = Events(modified_documents_filed_on=date(2025, 7, 28))
    steps = by_step(deadlines_for("grands_projets", date(2025, 7, 1), WorkingCalendar(), events))
    assert steps["transmission_commission"].start == date(2025, 7, 28)
    assert steps["transmission_commission"].due == date(2025, 8, 1)
    assert steps["avis_commission"].due == date(2025, 8, 22)
    assert "art. 41 al. 2" in steps["avis_commission"].rule
    assert "pièces modificatives" in steps["avis_commission"].counted_from
