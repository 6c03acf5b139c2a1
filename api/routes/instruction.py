"""Projects: procedure (Annexes 2-4), compliance with the plan, the agency's fee."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from annotated_types import MaxLen
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from api.answers import PROBLEM_RESPONSES, CheckAnswer, Classification, FeeAnswer
from api.deps import ConnectionDep, SettingsDep, TransactionDep
from api.security import PrincipalDep
from checks.deadlines import Events
from checks.fees import FeeFacts
from checks.project import MAX_VERTICES, CoordinatesInput, Project
from geoportal.history import save_check
from geoportal.parcels import ParcelRequest
from geoportal.projects.instruction import (
    check_project,
    classify_on_plan,
    exemption_codes,
    exemption_labels,
    load_calendar,
    quote_fee,
)

router = APIRouter(prefix="/api/v1", tags=["projects"], responses=PROBLEM_RESPONSES)


class ClassifyBody(Project):
    """A project (docs/http.md), with the filing date the deadlines count from."""

    filed_on: dt.date | None = Field(None, description="date of filing; default today")
    plan: str | None = Field(
        None, max_length=200, description="plan to read the sectors from (coordinates)"
    )
    events: Events | None = Field(
        None,
        description="dates of the later steps (meeting, minutes, modified documents, decision, "
        "delivery, start of a demolition): their deadlines get due dates",
    )


class CheckBody(BaseModel):
    """A project on a parcel (docs/http.md)."""

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
    events: Events | None = None


def _exemption_enum(schema: dict[str, Any]) -> None:
    """OpenAPI: the §3 codes of the agency's tariff file, read when the schema is built."""
    labels = exemption_labels()
    for option in schema.get("anyOf", []):
        if option.get("type") == "string":
            option["enum"] = list(labels)
    schema["x-enum-labels"] = labels


class FeeBody(FeeFacts):
    """A project and the facts the fee guide needs (guide §2, §3, §5)."""

    project: Project
    exoneration: str | None = Field(
        None,
        description="a §3 exemption code of data/tarif_remuneration.yaml",
        json_schema_extra=_exemption_enum,
    )

    @field_validator("exoneration")
    @classmethod
    def _known_exemption(cls, value: str | None) -> str | None:
        """Only the codes of the tariff file: an unknown one is named, with the known ones."""
        codes = exemption_codes()
        if value is not None and value not in codes:
            raise ValueError(f"code d'exonération inconnu {value!r} ; codes : {', '.join(codes)}")
        return value


@router.post(
    "/classify",
    response_model=Classification,
    summary="Procedure, commission and deadlines for a project",
)
async def classify(
    body: ClassifyBody, request: Request, conn: ConnectionDep, settings: SettingsDep
) -> dict[str, Any]:
    project = Project.model_validate(body.model_dump(exclude={"filed_on", "plan", "events"}))
    calendar = load_calendar(settings.calendar_overrides)
    return await run_in_threadpool(
        classify_on_plan,
        conn,
        project,
        calendar,
        storage_srid=settings.storage_srid,
        plan=body.plan,
        filed_on=body.filed_on,
        events=body.events,
    )


@router.post(
    "/check",
    response_model=CheckAnswer,
    summary="Compliance of a project on a parcel, and its envelope",
)
async def check(
    body: CheckBody, principal: PrincipalDep, conn: TransactionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Anyone may check; a signed-in account finds its checks again in /api/v1/me/checks."""
    request = ParcelRequest(coordinates=body.coordinates, srid=body.srid, plan=body.plan)
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
        events=body.events,
    )
    saved = await run_in_threadpool(save_check, conn, principal, result)
    return {**result, "saved_as": saved} if saved is not None else result


@router.post(
    "/fees",
    response_model=FeeAnswer,
    summary="The urban agency's fee (rémunération pour services rendus)",
)
def fees(body: FeeBody) -> dict[str, Any]:
    facts = FeeFacts.model_validate(body.model_dump(exclude={"project"}))
    return quote_fee(body.project, facts)
