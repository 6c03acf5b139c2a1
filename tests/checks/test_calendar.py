"""Moroccan working days, checked against calendars worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from checks.calendar import (
    CalendarOverrides,
    WorkingCalendar,
    add_working_days,
    is_working_day,
    subtract_working_days,
    working_days_between,
)


def days(start: date, end: date) -> list[date]:
    """Every day from start to end, both included."""
    return [start + timedelta(offset) for offset in range((end - start).days + 1)]


# Summer 2025 by hand: weekends, Fête du Trône (Wed 30 July), Allégeance Oued Eddahab
# (Thu 14 Aug), Révolution du Roi et du Peuple (Wed 20 Aug), Fête de la Jeunesse (Thu 21 Aug).
# No Islamic holiday falls in these weeks (1 Muharram is in June, the Mawlid in September).
NON_OUVRABLES_ETE_2025 = {
    date(2025, 7, 26), date(2025, 7, 27),
    date(2025, 7, 30),
    date(2025, 8, 2), date(2025, 8, 3),
    date(2025, 8, 9), date(2025, 8, 10),
    date(2025, 8, 14),
    date(2025, 8, 16), date(2025, 8, 17),
    date(2025, 8, 20), date(2025, 8, 21),
    date(2025, 8, 23), date(2025, 8, 24),
    date(2025, 8, 30), date(2025, 8, 31),
}  # fmt: skip

# June 2025 as an agency would record it after the moon sightings: Aïd al-Adha on Sat 7 and
# Sun 8 June, 1 Muharram 1447 on Fri 27 June. The package estimates 6-7 June and 26 June.
JUIN_2025 = CalendarOverrides(
    add={
        date(2025, 6, 7): "Aïd al-Adha",
        date(2025, 6, 8): "Aïd al-Adha (2e jour)",
        date(2025, 6, 27): "Nouvel an de l'Hégire",
    },
    remove={date(2025, 6, 6), date(2025, 6, 26)},
)
NON_OUVRABLES_JUIN_2025 = {
    date(2025, 6, d) for d in (1, 7, 8, 14, 15, 21, 22, 27, 28, 29)
}  # weekends, plus Fri 27 June (1 Muharram)


def test_ete_2025_jour_par_jour() -> None:
    """Every day of 26 July - 31 August 2025 matches the calendar worked out by hand."""
    calendar = WorkingCalendar()
    for day in days(date(2025, 7, 26), date(2025, 8, 31)):
        assert is_working_day(day, calendar) == (day not in NON_OUVRABLES_ETE_2025), day


def test_juin_2025_avec_la_table_de_l_agence_jour_par_jour() -> None:
    """The override moves Aïd al-Adha and 1 Muharram: Fri 6 and Thu 26 June are worked."""
    calendar = WorkingCalendar(JUIN_2025)
    for day in days(date(2025, 6, 1), date(2025, 6, 30)):
        assert is_working_day(day, calendar) == (day not in NON_OUVRABLES_JUIN_2025), day


def test_la_table_de_l_agence_nomme_les_jours_ajoutes() -> None:
    """An added date carries the agency's name; a removed one has none."""
    calendar = WorkingCalendar(JUIN_2025)
    assert calendar.holiday_name(date(2025, 6, 27)) == "Nouvel an de l'Hégire"
    assert calendar.holiday_name(date(2025, 6, 26)) is None


def test_surcharge_d_un_jour_fixe() -> None:
    """Removing Throne Day 2025 and adding a bridge day on Thu 31 July swaps the two."""
    overrides = CalendarOverrides(add={date(2025, 7, 31): "Pont"}, remove={date(2025, 7, 30)})
    plain, patched = WorkingCalendar(), WorkingCalendar(overrides)
    assert not plain.is_working_day(date(2025, 7, 30))
    assert plain.is_working_day(date(2025, 7, 31))
    assert patched.is_working_day(date(2025, 7, 30))
    assert not patched.is_working_day(date(2025, 7, 31))


def test_jours_feries_nommes_en_francais() -> None:
    """The package's names, in French, for fixed holidays."""
    calendar = WorkingCalendar()
    assert calendar.holiday_name(date(2025, 11, 18)) == "Fête de l'indépendance"
    assert calendar.holiday_name(date(2025, 11, 19)) is None


def test_add_working_days_saute_les_feries() -> None:
    """From Mon 28 July 2025, 3 working days skip Throne Day: Fri 1 August."""
    assert add_working_days(date(2025, 7, 28), 3, WorkingCalendar()) == date(2025, 8, 1)


def test_add_working_days_depuis_un_samedi() -> None:
    """From a Saturday the first working day is the Monday."""
    assert add_working_days(date(2025, 8, 2), 1, WorkingCalendar()) == date(2025, 8, 4)


def test_add_working_days_zero_rend_la_date() -> None:
    """n = 0 is the start date itself, even a holiday."""
    assert add_working_days(date(2025, 7, 30), 0, WorkingCalendar()) == date(2025, 7, 30)


def test_add_working_days_refuse_un_nombre_negatif() -> None:
    """A negative count is a programming error."""
    with pytest.raises(ValueError, match="at least 0"):
        add_working_days(date(2025, 7, 30), -1, WorkingCalendar())


def test_working_days_between() -> None:
    """Mon 18 Aug to Fri 22 Aug 2025: Tue 19 and Fri 22 are worked (20, 21 are holidays)."""
    calendar = WorkingCalendar()
    assert working_days_between(date(2025, 8, 18), date(2025, 8, 22), calendar) == 2
    assert working_days_between(date(2025, 8, 22), date(2025, 8, 18), calendar) == -2
    assert working_days_between(date(2025, 8, 18), date(2025, 8, 18), calendar) == 0


def test_working_days_between_inverse_de_add_working_days() -> None:
    """Counting the days back gives the n that was added."""
    calendar = WorkingCalendar(JUIN_2025)
    start = date(2025, 6, 4)
    for n in range(25):
        assert working_days_between(start, add_working_days(start, n, calendar), calendar) == n


# --- The agency's table as shipped (data/jours_feries.yaml), issue #11 §9 -----------------


def shipped() -> WorkingCalendar:
    """The calendar with the table the project ships."""
    data = yaml.safe_load(Path("data/jours_feries.yaml").read_text(encoding="utf-8"))
    return WorkingCalendar(CalendarOverrides.model_validate(data))


# The days the ministère des Habous announced for 2025 (sources in the table), and the days
# the package estimates instead, which were worked.
FETES_2025 = {
    date(2025, 3, 31): "Aïd al-Fitr",  # 1er chaoual 1446, communiqué du 30 mars
    date(2025, 4, 1): "Aïd al-Fitr",
    date(2025, 6, 7): "Aïd al-Adha",  # 10 dou al-hijja 1446
    date(2025, 6, 8): "Aïd al-Adha",
    date(2025, 6, 27): "Nouvel an de l'Hégire (1er moharram 1447)",
    date(2025, 9, 5): "Aïd al-Mawlid",  # 12 rabia I 1447
    date(2025, 9, 6): "Aïd al-Mawlid",
}
ESTIMATIONS_FAUSSES_2025 = [
    date(2025, 3, 30),
    date(2025, 6, 6),
    date(2025, 6, 26),
    date(2025, 9, 4),
]


def test_table_livree_fetes_religieuses_2025_annoncees() -> None:
    """2025 as announced: each feast on its day, confirmed; the package's estimates worked."""
    calendar = shipped()
    for day, name in FETES_2025.items():
        holiday = calendar.holiday(day)
        assert holiday is not None and holiday.name == name, day
        assert holiday.provisional is False and holiday.source, day
    for day in ESTIMATIONS_FAUSSES_2025:
        assert calendar.holiday(day) is None, day
    assert not calendar.is_working_day(date(2025, 4, 1))  # a Tuesday
    assert calendar.is_working_day(date(2025, 6, 6))  # the package's Friday


def test_table_livree_2026_2027_provisoires() -> None:
    """The astronomical estimates for 2026-2027 are provisional until the agency confirms."""
    calendar = shipped()
    for year in (2026, 2027):
        feasts = calendar.overrides.fetes_religieuses[year]
        assert {feast.name.split(" (")[0] for feast in feasts} == {
            "Aïd al-Fitr",
            "Aïd al-Adha",
            "Nouvel an de l'Hégire",
            "Aïd al-Mawlid",
        }
        assert all(feast.provisional for feast in feasts)
    assert calendar.holiday(date(2026, 3, 21)) == calendar.holiday(date(2026, 3, 22))
    assert calendar.holiday(date(2026, 3, 20)) is None  # the package's estimate is replaced


def test_fetes_fixes_gardees_une_annee_de_la_table() -> None:
    """A listed year drops the package's Islamic estimates, never its fixed holidays: 14 Aug
    2027 is Allégeance Oued Eddahab, whatever the Mawlid estimate on that day."""
    calendar = shipped()
    holiday = calendar.holiday(date(2027, 8, 14))
    assert holiday is not None and holiday.name == "Allégeance Oued Eddahab"
    assert not holiday.provisional
    assert calendar.holiday(date(2026, 7, 30)) is not None  # Fête du Trône


def test_annee_absente_de_la_table_estimations_provisoires() -> None:
    """A year the table does not list: the package's estimates, all provisional."""
    found = shipped().provisional_holidays(date(2028, 1, 1), date(2028, 12, 31))
    assert found and all(holiday.provisional for _, holiday in found)
    assert all("(estimé)" in holiday.name for _, holiday in found)


def test_une_fete_hors_de_son_annee_est_refusee() -> None:
    """A date typed under the wrong year would move a holiday silently: refused."""
    with pytest.raises(ValueError, match="hors de 2026"):
        CalendarOverrides.model_validate(
            {"fetes_religieuses": {2026: [{"name": "Aïd al-Fitr", "dates": ["2025-03-31"]}]}}
        )


@pytest.mark.parametrize(
    ("start", "n", "due", "package_due"),
    [
        # Fri 28 Mar: Mon 31 and Tue 1 Apr are Aïd al-Fitr → 2, 3, 4 April (package: 1, 2, 3).
        (date(2025, 3, 28), 3, date(2025, 4, 4), date(2025, 4, 3)),
        # Thu 5 Jun: Fri 6 June is worked (package: Aïd on 6-7 June → Mon 9).
        (date(2025, 6, 5), 1, date(2025, 6, 6), date(2025, 6, 9)),
        # Thu 26 Jun: Fri 27 is 1 Muharram → Mon 30 (1), Tue 1 July (2) (package: 27, 30).
        (date(2025, 6, 26), 2, date(2025, 7, 1), date(2025, 6, 30)),
        # Wed 3 Sep: Thu 4 worked, Fri 5 Mawlid → 4 (1), 8 (2) (package: Mawlid 4-5 → 8, 9).
        (date(2025, 9, 3), 2, date(2025, 9, 8), date(2025, 9, 9)),
    ],
)
def test_jours_ouvrables_autour_des_fetes_2025(
    start: date, n: int, due: date, package_due: date
) -> None:
    """Working days counted by hand over the 2025 feasts as announced."""
    assert add_working_days(start, n, shipped()) == due
    assert add_working_days(start, n, WorkingCalendar()) == package_due


def test_subtract_working_days_avant_la_fete_du_trone() -> None:
    """Back from Mon 4 Aug 2025, 15 working days skip Throne Day (Wed 30 July): Fri 11 July."""
    assert subtract_working_days(date(2025, 8, 4), 15, WorkingCalendar()) == date(2025, 7, 11)
    assert subtract_working_days(date(2025, 8, 4), 0, WorkingCalendar()) == date(2025, 8, 4)
