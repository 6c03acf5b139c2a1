"""Moroccan working days, checked against calendars worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from checks.calendar import (
    CalendarOverrides,
    WorkingCalendar,
    add_working_days,
    is_working_day,
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
