"""Authorized projects: the agents' register, open data (GeoJSON, CSV), the live feed (SSE)."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    Header,
    Query,
    Request,
    UploadFile,
)
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from api.answers import PROBLEM_RESPONSES, Feature, ProjectEvent, ProjectPage, RegisterImported
from api.deps import (
    PublicConnectionDep,
    PublicEngineDep,
    SettingsDep,
    TransactionDep,
    query_date,
)
from api.security import AgentDep
from checks.calendar import WorkingCalendar
from geoportal.projects.feed import ProjectFeed
from geoportal.projects.indicators import with_working_days
from geoportal.projects.instruction import load_calendar
from geoportal.projects.register import (
    EXCEL_FR_CSV,
    STANDARD_CSV,
    Filters,
    ProjectRecord,
    Status,
    events_after,
    list_projects,
    projects_csv,
    read_register_file,
    record_project,
    update_project_status,
)
from zoning.refusal import Invalid, Problem

router = APIRouter(
    prefix="/api/v1/projects", tags=["projects register"], responses=PROBLEM_RESPONSES
)
IMPORT_SUFFIXES = (".csv", ".geojson", ".json", ".gpkg")
KEEPALIVE_S = 15


async def filters(
    bbox: Annotated[
        str | None, Query(max_length=200, description="minlon,minlat,maxlon,maxlat (WGS 84)")
    ] = None,
    commune: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    procedure: Annotated[str | None, Query(max_length=64)] = None,
    date_from: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="YYYY-MM-DD")] = None,
) -> Filters:
    """The public filters of the map and the open data, with a 422 naming a bad one."""
    box = None
    if bbox:
        try:
            west, south, east, north = (float(v) for v in bbox.split(","))
        except ValueError:
            message = "quatre nombres minlon,minlat,maxlon,maxlat"
            raise Invalid(
                "bbox_invalid", f"bbox : {message}.", [Problem("bbox_invalid", message, "bbox")]
            ) from None
        box = (west, south, east, north)
    return Filters(
        box, commune, kind, procedure, query_date("from", date_from), query_date("to", date_to)
    )


FiltersDep = Annotated[Filters, Depends(filters)]


@router.get(
    "", response_model=ProjectPage, summary="Authorized projects as GeoJSON (bbox, filters, paging)"
)
def projects(
    conn: PublicConnectionDep,
    request: Request,
    chosen: FiltersDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
) -> dict[str, Any]:
    page = list_projects(conn, chosen, limit, offset)
    with_working_days(page["features"], load_calendar(settings.calendar_overrides))
    if page["numberReturned"] == limit:
        query = request.query_params.multi_items()
        rest = [(k, v) for k, v in query if k != "offset"] + [("offset", str(offset + limit))]
        page["links"] = [
            {"rel": "next", "href": str(request.url.replace_query_params(**dict(rest)))}
        ]
    return page


@router.get(
    ".csv",
    summary="Authorized projects as CSV (longitude, latitude and Lambert X/Y)",
    response_class=StreamingResponse,
)
def projects_as_csv(
    conn: PublicConnectionDep,
    chosen: FiltersDep,
    settings: SettingsDep,
    csv_format: Annotated[
        Literal["csv", "excel"],
        Query(
            alias="format",
            description="`csv` (default): `,` and decimal points; `excel`: French Excel's "
            "format, `;` between cells, decimal comma, UTF-8 with a byte-order mark",
        ),
    ] = "csv",
) -> StreamingResponse:
    style = EXCEL_FR_CSV if csv_format == "excel" else STANDARD_CSV
    rows = list(projects_csv(conn, chosen, settings.storage_srid, style))
    return StreamingResponse(
        iter(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="projets.csv"'},
    )


@router.post(
    "",
    response_model=ProjectEvent,
    status_code=201,
    summary="Record an authorized project (agents)",
)
def record(
    body: ProjectRecord, principal: AgentDep, conn: TransactionDep, settings: SettingsDep
) -> dict[str, Any]:
    return record_project(conn, body, settings.storage_srid, by=principal)


class StatusChange(BaseModel):
    """The works' progress."""

    status: Status


@router.patch(
    "/{project_id}",
    response_model=Feature,
    summary="Mark a project en chantier or achevé (agents, own agency)",
)
def change_status(
    project_id: Annotated[int, PathParam(ge=1, le=2**62)],
    body: StatusChange,
    principal: AgentDep,
    conn: TransactionDep,
) -> dict[str, Any]:
    return update_project_status(conn, project_id, body.status, principal)


@router.post(
    "/import",
    response_model=RegisterImported,
    status_code=201,
    summary="Record a batch from CSV/GeoJSON/GeoPackage",
)
async def import_register(
    principal: AgentDep,
    conn: TransactionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="projects with a footprint geometry")],
    srid: Annotated[int, Form(description="Lambert SRID of the footprints")] = 26191,
) -> dict[str, Any]:
    suffix = PurePath(file.filename or "").suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        message = f"attendu : {', '.join(IMPORT_SUFFIXES)}"
        raise Invalid(
            "file_format", f"file : {message}.", [Problem("file_format", message, "file")]
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"projets{suffix}"
        path.write_bytes(await file.read())
        records = await run_in_threadpool(read_register_file, path, srid)
    recorded = [
        await run_in_threadpool(record_project, conn, r, settings.storage_srid, principal)
        for r in records
    ]
    return {"recorded": len(recorded), "first_event": recorded[0]["event"] if recorded else None}


@router.get(
    "/events",
    response_class=EventSourceResponse,
    summary="Server-Sent Events: one per newly authorized project",
)
async def events(
    request: Request,
    engine: PublicEngineDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    feed: ProjectFeed = request.app.state.feed
    queue = feed.subscribe()
    since = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    calendar = load_calendar(request.app.state.settings.calendar_overrides)
    stream = _stream(request, engine, feed, queue, since, calendar)
    return EventSourceResponse(stream, ping=KEEPALIVE_S)


async def _stream(
    request: Request,
    engine: Any,
    feed: ProjectFeed,
    queue: asyncio.Queue[dict[str, Any]],
    since: int | None,
    calendar: WorkingCalendar,
) -> AsyncIterator[dict[str, str]]:
    """Missed events first (Last-Event-ID), then live ones, never one twice."""
    last = since or 0
    try:
        if since is not None:
            for event in await run_in_threadpool(_missed, engine, since):
                last = event["event"]
                yield _sse(event, calendar)
        while not await request.is_disconnected():
            try:
                event = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_S)
            except TimeoutError:
                continue
            if event["event"] > last:
                last = event["event"]
                yield _sse(event, calendar)
    finally:
        feed.unsubscribe(queue)


def _missed(engine: Any, since: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return events_after(conn, since)


def _sse(event: dict[str, Any], calendar: WorkingCalendar) -> dict[str, str]:
    with_working_days([event["feature"]], calendar)
    return {
        "id": str(event["event"]),
        "event": "project",
        "data": json.dumps(event["feature"], default=str, ensure_ascii=False),
    }
