"""The public map's instruction delay: working days, counted as /indicateurs counts them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from checks.calendar import WorkingCalendar, working_days_between
from geoportal.projects.indicators import with_working_days


def feature(filed: str | None, decided: str | None) -> dict[str, Any]:
    return {"properties": {"filed_on": filed, "decided_on": decided}}


def test_working_days_of_a_page_match_the_indicators() -> None:
    """Mon 4 May to Mon 15 June 2026: 42 calendar days, 30 weekdays; less the holidays."""
    calendar = WorkingCalendar()
    features = [
        feature("2026-05-04", "2026-06-15"),
        feature("2026-05-08", "2026-05-11"),  # Friday to Monday: one working day
        feature("2025-12-29", "2026-01-12"),  # across a year end and 11 January
        feature("2026-05-04", None),
    ]
    with_working_days(features, calendar)
    days = [f["properties"]["instruction_working_days"] for f in features]
    assert days[1] == 1 and days[3] is None
    for f, count in zip(features[:3], days[:3], strict=True):
        p = f["properties"]
        filed = dt.date.fromisoformat(p["filed_on"])
        decided = dt.date.fromisoformat(p["decided_on"])
        assert count == working_days_between(filed, decided, calendar)
    assert days[0] <= 30 < (dt.date(2026, 6, 15) - dt.date(2026, 5, 4)).days
