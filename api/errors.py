"""Domain errors → HTTP statuses, in one table, with bodies that say what and where."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from geoportal.instruction import FrontBornesError
from geoportal.nru import NruNotFound, OwnershipRequired
from geoportal.register import RegisterImportError
from zoning.overlay import ParcelOutsidePlans
from zoning.package import PackageError
from zoning.parcel_intake import ParcelInputError
from zoning.reglement import ReglementError
from zoning.report import ImportRefused
from zoning.store import PlanNotFound


def _plan_not_found(exc: Exception) -> dict[str, Any]:
    return {"detail": f"no plan named {exc.args[0]!r}"}


def _import_refused(exc: Exception) -> dict[str, Any]:
    assert isinstance(exc, ImportRefused)
    return {
        "detail": "the plan package has errors; nothing was written",
        "report": exc.report.to_dict(),
    }


def _reglement(exc: Exception) -> dict[str, Any]:
    assert isinstance(exc, ReglementError)
    return {
        "detail": "invalid règlement",
        "errors": [{"path": p.path, "line": p.line, "message": p.message} for p in exc.problems],
    }


def _message(exc: Exception) -> dict[str, Any]:
    return {"detail": str(exc)}


def _parcel_input(exc: Exception) -> dict[str, Any]:
    assert isinstance(exc, ParcelInputError)
    return {
        "detail": "the coordinates cannot be used; nothing was issued",
        "errors": [d.model_dump(mode="json") for d in exc.errors],
        "warnings": [d.model_dump(mode="json") for d in exc.warnings],
    }


def _register_import(exc: Exception) -> dict[str, Any]:
    assert isinstance(exc, RegisterImportError)
    return {"detail": str(exc), "errors": exc.problems}


def _data_error(exc: Exception) -> dict[str, Any]:
    # SQLSTATE class 22 (data exception): a value the database cannot take, e.g. a NUL byte in
    # a text or a number out of range; the statement did nothing.
    return {
        "detail": "a value of the request cannot be stored or compared (invalid text or "
        "number out of range)"
    }


ERRORS: dict[type[Exception], tuple[int, Any]] = {
    DataError: (422, _data_error),
    RegisterImportError: (422, _register_import),
    ParcelInputError: (422, _parcel_input),
    ParcelOutsidePlans: (422, _message),
    OwnershipRequired: (403, _message),
    NruNotFound: (404, lambda exc: {"detail": f"no note with id {exc.args[0]!r}"}),
    PlanNotFound: (404, _plan_not_found),
    ImportRefused: (422, _import_refused),
    ReglementError: (422, _reglement),
    PackageError: (422, _message),
    FrontBornesError: (422, _message),
}


def add_exception_handlers(app: FastAPI) -> None:
    """Register one handler per domain error of the table."""
    for error, (status, body) in ERRORS.items():
        app.add_exception_handler(error, _handler(status, body))


def _handler(status: int, body: Any) -> Any:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(body(exc), status_code=status)

    return handle
