"""Projects: procedure (Annexes 2-4), compliance with the plan, the agency's fee."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from annotated_types import MaxLen
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import ConnectionDep, SettingsDep, TransactionDep
from api.security import PrincipalDep
from checks.project import MAX_VERTICES, CoordinatesInput, Project
from geoportal.history import save_check
from geoportal.instruction import check_project, classify_on_plan, load_calendar, quote_fee
from geoportal.nru import NruRequest

router = APIRouter(prefix="/api/v1", tags=["projects"])


class ClassifyBody(Project):
    """A project (interfaces.md §4), with the filing date the deadlines count from."""

    filed_on: dt.date | None = Field(None, description="date of filing; default today")
    plan: str | None = Field(
        None, max_length=200, description="plan to read the sectors from (coordinates)"
    )


class CheckBody(BaseModel):
    """A project on a parcel (interfaces.md §4)."""

    coordinates: CoordinatesInput
    srid: int | None = None
    plan: str | None = Field(None, max_length=200)
    project: Project
    filed_on: dt.date | None = None
    front_bornes: list[Annotated[str, MaxLen(64)]] | None = Field(
        None,
        max_length=MAX_VERTICES,
        description='bornes along the street, in order (e.g. ["B1", "B2"])',
    )


class FeeBody(BaseModel):
    """A project and the facts the fee guide needs."""

    project: Project
    rural: bool = Field(False, description="commune rurale: degressive tranches (guide §6-8)")
    remuneration_initiale_percue: bool | None = Field(None, description="guide §5-2")


@router.post("/classify", summary="Procedure, commission and deadlines for a project")
async def classify(
    body: ClassifyBody, request: Request, conn: ConnectionDep, settings: SettingsDep
) -> dict[str, Any]:
    project = Project.model_validate(body.model_dump(exclude={"filed_on", "plan"}))
    calendar = load_calendar(settings.calendar_overrides)
    return await run_in_threadpool(
        classify_on_plan,
        conn,
        project,
        calendar,
        storage_srid=settings.storage_srid,
        plan=body.plan,
        filed_on=body.filed_on,
    )


@router.post("/check", summary="Compliance of a project on a parcel, and its envelope")
async def check(
    body: CheckBody, principal: PrincipalDep, conn: TransactionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Anyone may check; a signed-in account finds its checks again in /api/v1/me/checks."""
    request = NruRequest(coordinates=body.coordinates, srid=body.srid, plan=body.plan)
    calendar = load_calendar(settings.calendar_overrides)
    result = await run_in_threadpool(
        check_project,
        conn,
        request,
        body.project,
        calendar,
        storage_srid=settings.storage_srid,
        filed_on=body.filed_on,
        front_bornes=body.front_bornes,
    )
    saved = await run_in_threadpool(save_check, conn, principal, result)
    return {**result, "saved_as": saved} if saved is not None else result


@router.post("/fees", summary="The urban agency's fee (rémunération pour services rendus)")
def fees(body: FeeBody) -> dict[str, Any]:
    return quote_fee(
        body.project,
        rural=body.rural,
        remuneration_initiale_percue=body.remuneration_initiale_percue,
    )
