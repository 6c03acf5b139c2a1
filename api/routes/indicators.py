"""Indicators of the authorized projects: counts, processing delays, the bulletin's rankings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.answers import PROBLEM_RESPONSES, Indicators
from api.deps import PublicConnectionDep, SettingsDep, query_date
from api.pages import page_response
from geoportal.projects.indicators import QuarterError, choose_quarters, indicators
from geoportal.projects.instruction import load_calendar
from geoportal.projects.register import Filters
from zoning.refusal import Invalid, Problem

router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"], responses=PROBLEM_RESPONSES)
pages = APIRouter(tags=["pages"])
PAGE = Path(__file__).parents[1] / "static" / "app" / "indicateurs.html"


@router.get(
    "",
    response_model=Indicators,
    summary="Counts, delays in working days, and the quarterly rankings",
)
def get_indicators(
    conn: PublicConnectionDep,
    settings: SettingsDep,
    date_from: Annotated[
        str | None, Query(alias="from", description="permits from this date (YYYY-MM-DD)")
    ] = None,
    date_to: Annotated[
        str | None, Query(alias="to", description="permits up to this date (YYYY-MM-DD)")
    ] = None,
    commune: Annotated[str | None, Query(description="one commune (counts and delays)")] = None,
    quarter: Annotated[
        str | None,
        Query(description="quarter ranked, e.g. 2026-T3 (default: last complete one with data)"),
    ] = None,
    previous: Annotated[
        str | None,
        Query(description="quarter compared for degradations (default: the one before)"),
    ] = None,
) -> dict[str, Any]:
    filters = Filters(
        commune=commune or None,
        date_from=query_date("from", date_from),
        date_to=query_date("to", date_to),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        message = "la date de début vient après la date de fin (to)"
        raise Invalid("date_range", f"from : {message}.", [Problem("date_range", message, "from")])
    try:
        quarters = choose_quarters(conn, dt.date.today(), quarter or None, previous or None)
    except QuarterError as exc:
        raise Invalid(exc.code, f"Trimestre : {exc.detail}", exc.errors) from None
    calendar = load_calendar(settings.calendar_overrides)
    return {
        "filters": {"from": date_from or None, "to": date_to or None, "commune": commune or None},
        **indicators(conn, calendar, filters, quarters),
    }


@pages.get("/indicateurs", response_class=HTMLResponse, include_in_schema=False)
def indicators_page(request: Request) -> HTMLResponse:
    """The page of indicators: charts and the bulletin's rankings (French or Arabic)."""
    return page_response(PAGE.name, request)
