"""Moroccan working days (jours ouvrables), for the deadlines of the RGC (art. 7, 18, 38-47).

Weekends are Saturday and Sunday. Public holidays come from the ``holidays`` package (country
MA), corrected by a table the agency keeps: the package only estimates the Islamic holidays,
and Morocco, which follows its own moon sighting, often observes them a day later.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import holidays
from pydantic import BaseModel, ConfigDict, Field

SAMEDI, DIMANCHE = 5, 6


class CalendarOverrides(BaseModel):
    """The agency's corrections to the package: holidays to add (date → name) and to remove."""

    model_config = ConfigDict(extra="forbid")

    add: dict[date, str] = Field(default_factory=dict)
    remove: set[date] = Field(default_factory=set)


class WorkingCalendar:
    """Weekends, Moroccan public holidays and the agency's overrides."""

    def __init__(self, overrides: CalendarOverrides | None = None) -> None:
        """Build the calendar; holidays of each year are loaded on first use."""
        self.overrides = overrides or CalendarOverrides()
        self._package: Any = holidays.country_holidays("MA", language="fr")

    def holiday_name(self, day: date) -> str | None:
        """Name of the public holiday on this day, None if it is not one."""
        if day in self.overrides.add:
            return self.overrides.add[day]
        if day in self.overrides.remove:
            return None
        name = self._package.get(day)
        return None if name is None else str(name)

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a public holiday."""
        return day.weekday() not in (SAMEDI, DIMANCHE) and self.holiday_name(day) is None


def is_working_day(day: date, calendar: WorkingCalendar) -> bool:
    """Whether the administration works on this day."""
    return calendar.is_working_day(day)


def add_working_days(start: date, n: int, calendar: WorkingCalendar) -> date:
    """The n-th working day after start; the start day itself is not counted (n=0 gives start)."""
    if n < 0:
        raise ValueError("n must be at least 0")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, calendar: WorkingCalendar) -> int:
    """Working days after start up to and including end; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start, calendar)
    days = (end - start).days
    return sum(
        1 for offset in range(1, days + 1) if calendar.is_working_day(start + timedelta(offset))
    )
