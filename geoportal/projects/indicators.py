"""Indicators of the register of authorized projects: counts, processing delays, rankings.

Counts are grouped in SQL. Delays are counted in working days (jours ouvrables: no weekend, no
public holiday, the agency's overrides applied) from filing to decision, so they are computed in
Python with `checks.calendar`, once per distinct (filed_on, decided_on) pair. The rankings follow
the Rokhas quarterly bulletin: the ten fastest communes for grands and petits projets, and the
ten biggest degradations of the median delay between two quarters. A dossier belongs to the
quarter of its decision (`decided_on`), the day its delay becomes known.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from statistics import fmean, median
from typing import Any

from sqlalchemy import Connection, text

from checks.calendar import WorkingCalendar, working_days_between
from geoportal.projects.register import Filters
from zoning.refusal import Invalid, Problem

GRANDS, PETITS = "grands_projets", "petits_projets"
RANKED_PROCEDURES = (GRANDS, PETITS)
TOP = 10
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[TQ]\s*([1-4])\s*$", re.IGNORECASE)


class QuarterError(Invalid, ValueError):
    """A quarter that cannot be read, or two quarters that cannot be compared."""

    def __init__(self, detail: str) -> None:
        super().__init__("quarter_invalid", detail, [Problem("quarter_invalid", detail, "quarter")])


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter (trimestre), written "2026-T3"."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4 or not 1 < self.year < 9999:
            raise QuarterError(f"l'année {self.year} n'a pas de trimestre {self.number}")

    @classmethod
    def parse(cls, value: str | tuple[int, int] | Quarter) -> Quarter:
        """A quarter from "2026-T3" (also "2026T3", "2026-Q3") or (2026, 3)."""
        if isinstance(value, Quarter):
            return value
        if isinstance(value, tuple):
            return cls(*value)
        found = _QUARTER.match(value)
        if found is None:
            raise QuarterError(
                f"{value!r} n'est pas un trimestre : AAAA-Tn attendu, par exemple 2026-T3"
            )
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter a day falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        """First day of the quarter."""
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the quarter."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Quarter:
        """The quarter after this one."""
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        """The quarter before this one."""
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return f"{self.year}-T{self.number}"


@dataclass(frozen=True)
class DelayStat:
    """Processing delays of one commune and procedure, in working days."""

    commune: str
    procedure: str | None
    count: int
    median: float
    mean: float


@dataclass(frozen=True)
class Degradation:
    """How much a commune's median delay grew from one quarter to the next (working days)."""

    commune: str
    median_before: float
    median_after: float
    increase: float
    count_before: int
    count_after: int


# ------------------------------------------------------------------------------ counts


def counts_by_commune(conn: Connection, filters: Filters) -> list[dict[str, Any]]:
    """Projects per commune, most first."""
    return _counts_by(conn, filters, "commune")


def counts_by_procedure(conn: Connection, filters: Filters) -> list[dict[str, Any]]:
    """Projects per procedure (None when the register does not say), most first."""
    return _counts_by(conn, filters, "procedure")


def _counts_by(conn: Connection, filters: Filters, column: str) -> list[dict[str, Any]]:
    """Projects per value of one column (a fixed name, never user text), most first."""
    assert column in ("commune", "procedure")
    where, params = filters.where()
    rows = conn.execute(
        text(
            f"SELECT {column}, count(*) AS n FROM opendata.projets_autorises WHERE {where} "
            f"GROUP BY {column} ORDER BY n DESC, {column} NULLS LAST"
        ),
        params,
    )
    return [{column: value, "count": int(n)} for value, n in rows]


def counts_by_month(conn: Connection, filters: Filters) -> list[dict[str, Any]]:
    """Projects per month of the permit ("YYYY-MM"), months without a permit counted as 0."""
    where, params = filters.where()
    rows = conn.execute(
        text(f"""
            WITH monthly AS (
              SELECT date_trunc('month', permit_date)::date AS month, count(*) AS n
              FROM opendata.projets_autorises WHERE {where} GROUP BY 1
            )
            SELECT to_char(m, 'YYYY-MM'), coalesce(monthly.n, 0)
            FROM generate_series((SELECT min(month) FROM monthly),
                                 (SELECT max(month) FROM monthly), interval '1 month') AS m
            LEFT JOIN monthly ON monthly.month = m::date
            ORDER BY m"""),
        params,
    )
    return [{"month": month, "count": int(n)} for month, n in rows]


# ------------------------------------------------------------------------------ delays

_DELAY_SQL = """
SELECT commune, procedure, filed_on, decided_on, count(*) FROM opendata.projets_autorises
WHERE {where} AND filed_on IS NOT NULL AND decided_on IS NOT NULL
GROUP BY commune, procedure, filed_on, decided_on
"""


def processing_delays(
    conn: Connection, calendar: WorkingCalendar, filters: Filters
) -> list[DelayStat]:
    """Median and mean delay (working days, filing to decision) per commune and procedure."""
    where, params = filters.where()
    return _delay_stats(conn, calendar, where, params)


def quarter_delays(
    conn: Connection, calendar: WorkingCalendar, quarter: Quarter
) -> list[DelayStat]:
    """Delays of the dossiers decided during the quarter, per commune and procedure."""
    where = "decided_on BETWEEN :quarter_start AND :quarter_end"
    params = {"quarter_start": quarter.start, "quarter_end": quarter.end}
    return _delay_stats(conn, calendar, where, params)


def _delay_stats(
    conn: Connection, calendar: WorkingCalendar, where: str, params: dict[str, Any]
) -> list[DelayStat]:
    rows = conn.execute(text(_DELAY_SQL.format(where=where)), params)
    delays: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    known: dict[tuple[dt.date, dt.date], int] = {}
    for commune, procedure, filed_on, decided_on, n in rows:
        pair = (filed_on, decided_on)
        if pair not in known:
            known[pair] = working_days_between(filed_on, decided_on, calendar)
        delays[(commune, procedure)].extend([known[pair]] * int(n))
    return [
        DelayStat(commune, procedure, len(days), float(median(days)), fmean(days))
        for (commune, procedure), days in sorted(delays.items(), key=_commune_procedure)
    ]


def _commune_procedure(item: tuple[tuple[str, str | None], list[int]]) -> tuple[str, str]:
    (commune, procedure), _ = item
    return commune, procedure or "~"


# ------------------------------------------------------------------------------ rankings


def fastest(stats: Iterable[DelayStat], procedure: str, limit: int = TOP) -> list[DelayStat]:
    """The communes with the shortest median delay for a procedure; ties: more dossiers first."""
    chosen = [s for s in stats if s.procedure == procedure]
    return sorted(chosen, key=lambda s: (s.median, -s.count, s.commune))[:limit]


def degradations(
    before: Iterable[DelayStat], after: Iterable[DelayStat], procedure: str, limit: int = TOP
) -> list[Degradation]:
    """Communes whose median delay grew between two quarters, largest increase first."""
    earlier = {s.commune: s for s in before if s.procedure == procedure}
    grown = [
        Degradation(
            commune=s.commune,
            median_before=earlier[s.commune].median,
            median_after=s.median,
            increase=s.median - earlier[s.commune].median,
            count_before=earlier[s.commune].count,
            count_after=s.count,
        )
        for s in after
        if s.procedure == procedure
        and s.commune in earlier
        and s.median > earlier[s.commune].median
    ]
    return sorted(grown, key=lambda d: (-d.increase, d.commune))[:limit]


def quarters_with_data(conn: Connection) -> list[Quarter]:
    """Quarters in which grands or petits projets dossiers were decided, latest first."""
    rows = conn.execute(
        text("""
            SELECT DISTINCT extract(year FROM decided_on)::int AS y,
                            extract(quarter FROM decided_on)::int AS q
            FROM opendata.projets_autorises
            WHERE filed_on IS NOT NULL AND decided_on IS NOT NULL
              AND procedure IN (:grands, :petits)
            ORDER BY y DESC, q DESC"""),
        {"grands": GRANDS, "petits": PETITS},
    )
    return [Quarter(year, number) for year, number in rows]


def default_quarters(conn: Connection, today: dt.date) -> tuple[Quarter, Quarter] | None:
    """The last complete quarter with decided dossiers and the one before; None without data."""
    current = Quarter.containing(today)
    complete = [q for q in quarters_with_data(conn) if q < current]
    if not complete:
        return None
    return complete[0].previous(), complete[0]


def choose_quarters(
    conn: Connection,
    today: dt.date,
    quarter: str | tuple[int, int] | Quarter | None = None,
    previous: str | tuple[int, int] | Quarter | None = None,
) -> tuple[Quarter, Quarter] | None:
    """(previous, quarter): the chosen ones, or the defaults; the previous must come first."""
    chosen_before = None if previous is None else Quarter.parse(previous)
    if quarter is not None:
        after = Quarter.parse(quarter)
    else:
        defaults = default_quarters(conn, today)
        if defaults is None:
            return None
        after = defaults[1]
    before = chosen_before or after.previous()
    if before >= after:
        raise QuarterError(f"le trimestre comparé ({before}) doit précéder {after}")
    return before, after


def rankings(
    conn: Connection, calendar: WorkingCalendar, before: Quarter, after: Quarter
) -> dict[str, Any]:
    """The bulletin's tables: fastest communes in `after`, degradations from `before`."""
    stats_before = quarter_delays(conn, calendar, before)
    stats_after = quarter_delays(conn, calendar, after)
    return {
        "quarter": str(after),
        "previous": str(before),
        "fastest": {p: _dicts(fastest(stats_after, p)) for p in RANKED_PROCEDURES},
        "degradations": {
            p: _dicts(degradations(stats_before, stats_after, p)) for p in RANKED_PROCEDURES
        },
    }


# ------------------------------------------------------------------------------ all of them


def indicators(
    conn: Connection,
    calendar: WorkingCalendar,
    filters: Filters,
    quarters: tuple[Quarter, Quarter] | None,
) -> dict[str, Any]:
    """Counts and delays under the filters; rankings of the two quarters (previous, quarter)."""
    by_procedure = counts_by_procedure(conn, filters)
    return {
        "counts": {
            "total": sum(c["count"] for c in by_procedure),
            "by_commune": counts_by_commune(conn, filters),
            "by_procedure": by_procedure,
            "by_month": counts_by_month(conn, filters),
        },
        "delays": {
            "unit": "jours ouvrables",
            "by_commune_procedure": _dicts(processing_delays(conn, calendar, filters)),
        },
        "rankings": {
            **(rankings(conn, calendar, *quarters) if quarters else _no_rankings()),
            "available_quarters": [str(q) for q in quarters_with_data(conn)],
        },
    }


def _no_rankings() -> dict[str, Any]:
    empty: dict[str, list[Any]] = {p: [] for p in RANKED_PROCEDURES}
    return {"quarter": None, "previous": None, "fastest": empty, "degradations": dict(empty)}


def _dicts(items: Sequence[DelayStat | Degradation]) -> list[dict[str, Any]]:
    return [asdict(item) for item in items]


def with_working_days(features: Iterable[dict[str, Any]], calendar: WorkingCalendar) -> None:
    """Add each project's instruction delay, in working days as the indicators count it.

    `instruction_working_days`: working days after filing up to the decision (no weekend, no
    public holiday, the agency's overrides; checks.calendar.working_days_between), None while
    either date is unknown; the public map's popup prints it, so that it and /indicateurs speak
    of the same days. A page holds up to 10 000 projects: the days are counted once over the
    page's span (a running count), not once per project.
    """
    spans = []
    for feature in features:
        properties = feature.get("properties") or {}
        filed, decided = properties.get("filed_on"), properties.get("decided_on")
        properties["instruction_working_days"] = None
        if filed and decided:
            start = dt.date.fromisoformat(str(filed)[:10])
            end = dt.date.fromisoformat(str(decided)[:10])
            spans.append((properties, start, end))
    if not spans:
        return
    first = min(min(start, end) for _, start, end in spans)
    last = max(max(start, end) for _, start, end in spans)
    running = [0]  # running[i]: working days in (first, first + i]
    for offset in range(1, (last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        running.append(running[-1] + calendar.is_working_day(day))
    for properties, start, end in spans:
        count = running[(end - first).days] - running[(start - first).days]
        properties["instruction_working_days"] = count
