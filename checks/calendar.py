"""Moroccan working days (jours ouvrables), for the deadlines of the RGC (art. 7, 18, 38-47).

Weekends are Saturday and Sunday. Public holidays come from the ``holidays`` package (country
MA), corrected by a table the agency keeps (data/jours_feries.yaml). The package only
estimates the Islamic holidays, and Morocco, which follows its own moon sighting (the
ministère des Habous et des Affaires islamiques announces each month's first day the evening
before), often observes them a day later. So:

- for a year the agency's table lists (``fetes_religieuses``), its dates replace every
  Islamic holiday the package estimates for that year; an entry stays ``provisional`` until the
  agency records the ministry's announcement;
- for a year the table does not list, the package's estimates are used, all provisional;
- ``add`` and ``remove`` correct any other day (a fixed holiday moved, an exceptional one).

A holiday is provisional when its date depends on a moon sighting not yet announced: a
deadline whose count crosses one is provisional too (checks.deadlines).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import holidays
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SAMEDI, DIMANCHE = 5, 6
PACKAGE_ESTIMATE = (
    "date estimée par le paquet holidays : l'agence n'a pas inscrit l'annonce du ministère "
    "des Habous pour cette année"
)


class Holiday(BaseModel):
    """A public holiday: its name, and whether its date still awaits the moon sighting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    provisional: bool = False
    source: str | None = None


class IslamicFeast(BaseModel):
    """One Islamic feast of a year as the agency records it: its day(s) and their status."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    dates: list[date] = Field(min_length=1, max_length=3)
    provisional: bool = Field(
        False, description="true until the ministry's announcement is recorded"
    )
    source: str | None = Field(None, description="the announcement (or « estimation »)")


class CalendarOverrides(BaseModel):
    """The agency's table: Islamic feasts per year, and other days to add or remove."""

    model_config = ConfigDict(extra="forbid")

    fetes_religieuses: dict[int, list[IslamicFeast]] = Field(default_factory=dict)
    add: dict[date, Holiday] = Field(default_factory=dict)
    remove: set[date] = Field(default_factory=set)

    @field_validator("add", mode="before")
    @classmethod
    def _names_as_holidays(cls, value: Any) -> Any:
        """`add: {2025-07-31: Pont}` (a bare name) is a confirmed holiday of that name."""
        if not isinstance(value, dict):
            return value
        return {
            day: {"name": entry} if isinstance(entry, str) else entry
            for day, entry in value.items()
        }

    @model_validator(mode="after")
    def _feasts_in_their_year(self) -> CalendarOverrides:
        """A feast listed under a year falls in that year (a typo would silently move it)."""
        for year, feasts in self.fetes_religieuses.items():
            for feast in feasts:
                for day in feast.dates:
                    if day.year != year:
                        raise ValueError(
                            f"fetes_religieuses.{year}: {feast.name} le {day} hors de {year}"
                        )
        return self


class WorkingCalendar:
    """Weekends, Moroccan public holidays and the agency's table."""

    def __init__(self, overrides: CalendarOverrides | None = None) -> None:
        """Build the calendar; holidays of each year are loaded on first use."""
        self.overrides = overrides or CalendarOverrides()
        self._package: Any = holidays.country_holidays("MA", language="fr")
        # The same holidays without the « (estimé) » mark: a name that differs was estimated.
        self._plain: Any = holidays.country_holidays(
            "MA", language="fr", islamic_show_estimated=False
        )
        self._feasts: dict[date, Holiday] = {
            day: Holiday(name=feast.name, provisional=feast.provisional, source=feast.source)
            for feasts in self.overrides.fetes_religieuses.values()
            for feast in feasts
            for day in feast.dates
        }
        # the holidays package costs ~10 µs a day asked: a page of projects spanning years asks
        # a thousand days, again on every request (issue 15, item 8); the answers never change
        self._working: dict[date, bool] = {}

    def holiday(self, day: date) -> Holiday | None:
        """The public holiday on this day, None if it is not one."""
        if day in self.overrides.add:
            return self.overrides.add[day]
        if day in self.overrides.remove:
            return None
        if day in self._feasts:
            return self._feasts[day]
        return self._package_holiday(day)

    def _package_holiday(self, day: date) -> Holiday | None:
        """The package's holiday, its estimated Islamic ones dropped for a year the table lists."""
        names = [str(name) for name in self._package.get_list(day)]
        plain = [str(name) for name in self._plain.get_list(day)]
        if not names:
            return None
        estimated = [name != bare for name, bare in zip(names, plain, strict=True)]
        fixed = [name for name, guess in zip(names, estimated, strict=True) if not guess]
        if day.year in self.overrides.fetes_religieuses:
            return Holiday(name="; ".join(fixed)) if fixed else None
        if fixed:  # a fixed holiday the same day: the day is off whatever the moon says
            return Holiday(name="; ".join(names))
        return Holiday(name="; ".join(names), provisional=True, source=PACKAGE_ESTIMATE)

    def holiday_name(self, day: date) -> str | None:
        """Name of the public holiday on this day, None if it is not one."""
        found = self.holiday(day)
        return None if found is None else found.name

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a public holiday."""
        known = self._working.get(day)
        if known is None:
            known = day.weekday() not in (SAMEDI, DIMANCHE) and self.holiday(day) is None
            self._working[day] = known
        return known

    def provisional_holidays(self, first: date, last: date) -> list[tuple[date, Holiday]]:
        """The provisional holidays from first to last, both included."""
        found = []
        for offset in range((last - first).days + 1):
            day = first + timedelta(offset)
            holiday = self.holiday(day)
            if holiday is not None and holiday.provisional:
                found.append((day, holiday))
        return found


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


def subtract_working_days(end: date, n: int, calendar: WorkingCalendar) -> date:
    """The n-th working day before end; end itself is not counted (n=0 gives end)."""
    if n < 0:
        raise ValueError("n must be at least 0")
    day = end
    remaining = n
    while remaining:
        day -= timedelta(days=1)
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
