"""Domain errors → HTTP statuses, in one table, with bodies that say what and where."""

from __future__ import annotations

from typing import Any

import asyncpg  # type: ignore[import-untyped]
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from tipg import errors as tipg_errors

from api.cql import FilterRefused
from api.security import CsrfRefused
from geoportal.accounts import (
    AccountConflict,
    AccountNotFound,
    AccountRequired,
    AgencyForbidden,
    InvalidAccount,
    WeakPassword,
)
from geoportal.nru.issue import OwnershipRequired, ScanNeedsReview
from geoportal.nru.register import NruAlreadyRevoked, NruRevoked
from geoportal.nru.signing import SigningError
from geoportal.nru.store import NruNotFound
from geoportal.parcels import UnknownPlan
from geoportal.projects.instruction import FrontBornesError
from geoportal.projects.register import (
    OtherAgencyTerritory,
    PermitAlreadyRecorded,
    ProjectNotFound,
    RegisterImportError,
)
from zoning.intake import ParcelInputError
from zoning.overlay import ParcelOutsidePlans
from zoning.package.read import PackageError
from zoning.package.reglement import ReglementError
from zoning.package.report import ImportRefused
from zoning.refusal import Refused
from zoning.store import PlanNotFound


def _plan_not_found(exc: Exception) -> dict[str, Any]:
    return {"detail": f"no plan named {exc.args[0]!r}"}


def _unknown_plan(exc: Exception) -> dict[str, Any]:
    assert isinstance(exc, UnknownPlan)
    message = f"no plan named {exc.plan!r} (GET /api/v1/plans lists them)"
    return {
        "detail": f"plan: {message}",
        "errors": [{"code": "unknown_plan", "field": "plan", "message": message}],
    }


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
        "errors": [
            {"code": p.code, "path": p.path, "line": p.line, "message": p.message}
            for p in exc.problems
        ],
    }


def _message(exc: Exception) -> dict[str, Any]:
    return {"detail": str(exc)}


def _nru_revoked(exc: Exception) -> dict[str, Any]:
    assert isinstance(exc, NruRevoked)
    state = exc.state
    return {
        "detail": str(exc),
        "code": exc.code,
        "revoked_at": state.revoked_at.isoformat() if state.revoked_at else None,
        "reason": state.reason,
    }


def _coded(exc: Exception) -> dict[str, Any]:
    return {"detail": str(exc), "code": getattr(exc, "code", None)}


def _weak_password(exc: Exception) -> dict[str, Any]:
    assert isinstance(exc, WeakPassword)
    return {
        "detail": str(exc),
        "code": exc.code,
        "errors": [{"code": exc.code, "field": "password", "message": str(exc)}],
    }


def _parcel_input(exc: Exception) -> dict[str, Any]:
    assert isinstance(exc, ParcelInputError)
    return {
        "detail": "the coordinates cannot be used; nothing was issued",
        "errors": [d.model_dump(mode="json") for d in exc.errors],
        "warnings": [d.model_dump(mode="json") for d in exc.warnings],
    }


def _needs_review(exc: Exception) -> dict[str, Any]:
    # issue 17: a note is never issued from an OCR reading nobody has checked
    assert isinstance(exc, ScanNeedsReview)
    return {
        "detail": str(exc),
        "code": "needs_review",
        "errors": [{"code": "needs_review", "field": "file", "message": str(exc)}],
    }


def _register_import(exc: Exception) -> dict[str, Any]:
    assert isinstance(exc, RegisterImportError)
    return {"detail": str(exc), "errors": exc.problems}


def _request_validation(exc: Exception) -> dict[str, Any]:
    # FastAPI's own handler echoes each bad input back: a NaN or an infinity there cannot be
    # written as JSON (a 500 instead of the 422), and a body may hold personal data.
    assert isinstance(exc, RequestValidationError)
    return {
        "detail": [
            {"type": e["type"], "loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()
        ]
    }


def _data_error(exc: Exception) -> dict[str, Any]:
    # SQLSTATE class 22 (data exception): a value the database cannot take, e.g. a NUL byte in
    # a text or a number out of range; the statement did nothing.
    return {
        "detail": "a value of the request cannot be stored or compared (invalid text or "
        "number out of range)"
    }


QUERY_CANCELED = "57014"  # SQLSTATE of a statement cancelled, e.g. by statement_timeout
RETRY_AFTER_S = 5


def _database_unavailable(exc: Exception) -> dict[str, Any]:
    # The server restarting or unreachable, or the pool exhausted: a passing state, the client
    # retries (Retry-After). A statement_timeout is the same error class for both drivers but
    # means something else: this request's query was too long.
    cause = getattr(exc, "orig", None) or exc
    if getattr(cause, "sqlstate", None) == QUERY_CANCELED:
        return {
            "detail": "the query took longer than the service allows (statement timeout) and "
            "was cancelled; nothing was written"
        }
    return {"detail": "the database is unavailable; retry in a moment"}


def _filter_refused(exc: Exception) -> dict[str, Any]:
    assert isinstance(exc, FilterRefused)
    return {
        "detail": exc.message,
        "code": exc.code,
        "errors": [{"code": exc.code, "field": "filter", "message": exc.message}],
    }


#: tipg's own refusals (OGC API routes under /ogc): what was wrong in the request, in French
TIPG_ERRORS: dict[type[Exception], tuple[int, str, str]] = {
    tipg_errors.NotFound: (404, "ogc_introuvable", "aucun objet ni collection de ce nom"),
    tipg_errors.InvalidBBox: (400, "ogc_bbox", "bbox : quatre nombres ouest,sud,est,nord"),
    tipg_errors.InvalidDatetime: (
        400,
        "ogc_datetime",
        "datetime : une date ou un intervalle ISO 8601 (2026-01-01 ou 2026-01-01/2026-06-30)",
    ),
    tipg_errors.InvalidLimit: (400, "ogc_limit", "limit : un entier dans la plage permise"),
    tipg_errors.InvalidPropertyName: (400, "ogc_propriete", "propriété inconnue de la collection"),
    tipg_errors.InvalidGeometryColumnName: (400, "ogc_geometrie", "colonne géométrique inconnue"),
    tipg_errors.InvalidDatetimeColumnName: (400, "ogc_colonne_date", "colonne de date inconnue"),
    tipg_errors.MissingDatetimeColumn: (400, "ogc_sans_date", "la collection n'a pas de date"),
    tipg_errors.MissingGeometryColumn: (400, "ogc_sans_geometrie", "pas de géométrie ici"),
    tipg_errors.MissingFunctionParameter: (400, "ogc_parametre", "paramètre manquant"),
    tipg_errors.NoPrimaryKey: (400, "ogc_sans_cle", "la collection n'a pas d'identifiant"),
}


def _tipg(status: int, code: str, message: str) -> tuple[int, Any]:
    def body(exc: Exception) -> dict[str, Any]:
        # tipg's own text says which parameter, in English: kept beside ours, never as detail
        return {
            "detail": message[0].upper() + message[1:] + ".",
            "code": code,
            "errors": [{"code": code, "message": message, "tipg": str(exc)[:300]}],
        }

    return status, body


def _ogc_query(exc: Exception) -> dict[str, Any]:
    # asyncpg raises these only on tipg's routes: an id, a sort key, a bound or a filter value
    # that PostgreSQL could not read or compare; the query ran nothing.
    return {
        "detail": "Paramètre de requête invalide pour cette collection (valeur, identifiant, "
        "tri ou filtre) ; rien n'a été lu.",
        "code": "ogc_requete_invalide",
        "errors": [{"code": "ogc_requete_invalide", "message": type(exc).__name__}],
    }


ERRORS: dict[type[Exception], tuple[int, Any]] = {
    FilterRefused: (400, _filter_refused),
    **{error: _tipg(*spec) for error, spec in TIPG_ERRORS.items()},
    asyncpg.DataError: (400, _ogc_query),
    asyncpg.exceptions.SyntaxOrAccessError: (400, _ogc_query),
    RequestValidationError: (422, _request_validation),
    DataError: (422, _data_error),
    OperationalError: (503, _database_unavailable),  # connection lost or refused
    InterfaceError: (503, _database_unavailable),
    PoolTimeout: (503, _database_unavailable),  # every pooled connection busy
    # tipg's routes (asyncpg): connection lost, server shutting down or starting up
    asyncpg.PostgresConnectionError: (503, _database_unavailable),
    asyncpg.exceptions.OperatorInterventionError: (503, _database_unavailable),
    asyncpg.InterfaceError: (503, _database_unavailable),
    # asyncpg connecting to a server that is down (refused) or silent (its connect timeout):
    # the database's are the only sockets the service opens
    ConnectionError: (503, _database_unavailable),
    TimeoutError: (503, _database_unavailable),
    RegisterImportError: (422, _register_import),
    ParcelInputError: (422, _parcel_input),
    ScanNeedsReview: (422, _needs_review),
    ParcelOutsidePlans: (422, _message),
    OwnershipRequired: (403, _message),
    NruNotFound: (404, lambda exc: {"detail": f"no note with id {exc.args[0]!r}"}),
    PlanNotFound: (404, _plan_not_found),
    UnknownPlan: (422, _unknown_plan),
    ImportRefused: (422, _import_refused),
    ReglementError: (422, _reglement),
    PackageError: (422, _message),
    FrontBornesError: (422, _message),
    AccountRequired: (401, _message),
    OtherAgencyTerritory: (403, _coded),
    CsrfRefused: (403, lambda exc: {"detail": str(exc), "code": exc.code}),
    AgencyForbidden: (403, _message),
    AccountConflict: (409, _message),
    WeakPassword: (422, _weak_password),
    InvalidAccount: (422, _message),
    AccountNotFound: (404, _message),
    NruAlreadyRevoked: (409, _message),
    NruRevoked: (410, _nru_revoked),
    PermitAlreadyRecorded: (409, _message),
    ProjectNotFound: (404, lambda exc: {"detail": f"no project with id {exc.args[0]!r}"}),
    # the client left while sending its body: nobody reads the answer, no traceback in the logs
    ClientDisconnect: (400, lambda exc: {"detail": "the request body was not received whole"}),
    # the agency's certificate gone or unusable since start-up: the service cannot sign now
    SigningError: (503, _message),
}


#: tipg's own HTTPExceptions (an unknown or malformed collection id), said in French
OGC_HTTP = {
    404: ("ogc_introuvable", "Aucune collection de ce nom (GET /ogc/collections les liste)."),
    422: ("ogc_collection_invalide", "Identifiant de collection invalide (schéma.nom)."),
}


def add_exception_handlers(app: FastAPI) -> None:
    """Register one handler per domain error of the table."""
    for error, (status, body) in ERRORS.items():
        app.add_exception_handler(error, _handler(status, body))
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Refused, _refused)


#: the status of a Refused by its kind (zoning.refusal)
KIND_STATUS = {
    "invalid": 422,
    "not_found": 404,
    "forbidden": 403,
    "conflict": 409,
    "unavailable": 503,
}


async def _refused(request: Request, exc: Exception) -> Response:
    """A Refused in its one shape, the status by its kind."""
    assert isinstance(exc, Refused)
    return JSONResponse(exc.body(), status_code=KIND_STATUS[exc.kind])


async def _http_exception(request: Request, exc: Exception) -> Response:
    """HTTPExceptions as FastAPI answers them, but tipg's in the project's shape and French."""
    assert isinstance(exc, StarletteHTTPException)
    if request.url.path.startswith("/ogc") and exc.status_code in OGC_HTTP:
        code, detail = OGC_HTTP[exc.status_code]
        body = {"detail": detail, "code": code, "errors": [{"code": code, "message": detail}]}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
    return await http_exception_handler(request, exc)


def _handler(status: int, body: Any) -> Any:
    # A 503 is a passing state (the database restarting): say when to ask again.
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(body(exc), status_code=status, headers=headers)

    return handle
