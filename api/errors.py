"""Every refusal → one HTTP answer: the status from one table, the body in one shape.

Domain errors derive from `zoning.refusal.Refused`: their kind gives the default status
(`KIND_STATUS`), a code may set its own (`CODE_STATUS`). The few errors raised by libraries
(FastAPI's validation, Starlette's HTTPException, tipg, the database drivers) are first said as
a `Refused` (`as_refused`), so that `answer` builds every error body the service sends:

    {"detail": "<French sentence>", "code": "...", "errors": [{"code", "field"|"line"|"point",
     "message"}]}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from tipg import errors as tipg_errors

from api.validation import validation_refused
from geoportal.i18n import translate_body
from zoning.refusal import Invalid, Kind, NotFound, Refused, Unavailable

#: the default status of each kind of refusal
KIND_STATUS: dict[Kind, int] = {
    "invalid": 422,
    "not_found": 404,
    "forbidden": 403,
    "conflict": 409,
    "unavailable": 503,
}

#: the codes whose status is not their kind's: the one table of exceptions to KIND_STATUS
CODE_STATUS: dict[str, int] = {
    "account_required": 401,  # sign in, then ask again
    "nru_revoked": 410,  # the note existed and is gone for good
    "rate_limited": 429,
    "too_many_uploads": 429,
    "body_too_large": 413,
    "body_timeout": 408,
    "request_incomplete": 400,  # the client left while sending its body
    "invalid_credentials": 401,
    "token_invalid": 401,
    # the OGC API's query parameters (tipg, and the CQL2 filter we check before it)
    **dict.fromkeys(
        [
            "ogc_bbox",
            "ogc_datetime",
            "ogc_limit",
            "ogc_propriete",
            "ogc_geometrie",
            "ogc_colonne_date",
            "ogc_sans_date",
            "ogc_sans_geometrie",
            "ogc_parametre",
            "ogc_sans_cle",
            "ogc_requete_invalide",
            "cql_fonction_interdite",
            "cql_langage",
            "cql_propriete_inconnue",
            "cql_syntaxe",
            "cql_trop_complexe",
            "cql_trop_long",
            "cql_valeur_invalide",
        ],
        400,
    ),
}

RETRY_AFTER_S = 5
QUERY_CANCELED = "57014"  # SQLSTATE of a statement cancelled, e.g. by statement_timeout


def status_of(exc: Refused) -> int:
    """The HTTP status of a refusal: its code's own, else its kind's (an HTTPException's
    code `http_<status>` keeps its status)."""
    if exc.code.startswith("http_") and exc.code[5:].isdigit():
        return int(exc.code[5:])
    return CODE_STATUS.get(exc.code, KIND_STATUS[exc.kind])


def answer(request: Request | None, exc: Refused) -> JSONResponse:
    """The one place an error body is built and sent (a translation would hook in here)."""
    status = status_of(exc)
    headers = dict(getattr(exc, "headers", None) or {})
    if status == 503:
        headers.setdefault("Retry-After", str(RETRY_AFTER_S))  # a passing state: ask again
    # issue 16: French by default, Arabic for Accept-Language: ar (keyed by `code`)
    body = translate_body(exc.body(), request) if request is not None else exc.body()
    return JSONResponse(body, status_code=status, headers=headers or None)


def _database_unavailable(exc: Exception) -> Refused:
    # The server restarting or unreachable, or the pool exhausted: a passing state, the client
    # retries (Retry-After). A statement_timeout is the same error class for both drivers but
    # means something else: this request's query was too long.
    cause = getattr(exc, "orig", None) or exc
    if getattr(cause, "sqlstate", None) == QUERY_CANCELED:
        return Unavailable(
            "statement_timeout",
            "La requête a pris plus de temps que le service ne le permet (statement timeout) "
            "et a été annulée ; rien n'a été écrit.",
        )
    return Unavailable(
        "database_unavailable", "La base de données est indisponible ; réessayez dans un instant."
    )


def _data_error(exc: Exception) -> Refused:
    # SQLSTATE class 22 (data exception): a value the database cannot take, e.g. a NUL byte in
    # a text or a number out of range; the statement did nothing.
    return Invalid(
        "invalid_value",
        "Une valeur de la requête ne peut être ni enregistrée ni comparée (texte invalide ou "
        "nombre hors limites).",
    )


#: tipg's own refusals (OGC API routes under /ogc): what was wrong in the request, in French
TIPG_ERRORS: dict[type[Exception], tuple[str, str]] = {
    tipg_errors.NotFound: ("ogc_introuvable", "aucun objet ni collection de ce nom"),
    tipg_errors.InvalidBBox: ("ogc_bbox", "bbox : quatre nombres ouest,sud,est,nord"),
    tipg_errors.InvalidDatetime: (
        "ogc_datetime",
        "datetime : une date ou un intervalle ISO 8601 (2026-01-01 ou 2026-01-01/2026-06-30)",
    ),
    tipg_errors.InvalidLimit: ("ogc_limit", "limit : un entier dans la plage permise"),
    tipg_errors.InvalidPropertyName: ("ogc_propriete", "propriété inconnue de la collection"),
    tipg_errors.InvalidGeometryColumnName: ("ogc_geometrie", "colonne géométrique inconnue"),
    tipg_errors.InvalidDatetimeColumnName: ("ogc_colonne_date", "colonne de date inconnue"),
    tipg_errors.MissingDatetimeColumn: ("ogc_sans_date", "la collection n'a pas de date"),
    tipg_errors.MissingGeometryColumn: ("ogc_sans_geometrie", "pas de géométrie ici"),
    tipg_errors.MissingFunctionParameter: ("ogc_parametre", "paramètre manquant"),
    tipg_errors.NoPrimaryKey: ("ogc_sans_cle", "la collection n'a pas d'identifiant"),
}


def _tipg(code: str, message: str) -> Callable[[Exception], Refused]:
    def said(exc: Exception) -> Refused:
        # tipg's own text says which parameter, in English: kept beside ours, never as detail
        kind = NotFound if code == "ogc_introuvable" else Invalid
        detail = message[0].upper() + message[1:] + "."
        return kind(code, detail, [{"code": code, "message": message, "tipg": str(exc)[:300]}])

    return said


def _ogc_query(exc: Exception) -> Refused:
    # asyncpg raises these only on tipg's routes: an id, a sort key, a bound or a filter value
    # that PostgreSQL could not read or compare; the query ran nothing.
    code = "ogc_requete_invalide"
    detail = (
        "Paramètre de requête invalide pour cette collection (valeur, identifiant, tri ou "
        "filtre) ; rien n'a été lu."
    )
    return Invalid(code, detail, [{"code": code, "message": type(exc).__name__}])


#: tipg's own HTTPExceptions (an unknown or malformed collection id), said in French
OGC_HTTP = {
    404: ("ogc_introuvable", "Aucune collection de ce nom (GET /ogc/collections les liste)."),
    422: ("ogc_collection_invalide", "Identifiant de collection invalide (schéma.nom)."),
}

#: Starlette's own HTTPExceptions (no route, wrong method…), in French
HTTP_DETAIL = {
    400: "Requête mal formée.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Aucune ressource à cette adresse (GET /docs liste l'API).",
    405: "Méthode non permise pour cette adresse.",
    406: "Format de réponse non disponible.",
    409: "La requête contredit l'état enregistré.",
    415: "Type de contenu non accepté.",
    422: "Requête invalide.",
    500: "Erreur interne du service.",
    503: "Service momentanément indisponible.",
}

_KIND_OF_STATUS: dict[int, Kind] = {v: k for k, v in KIND_STATUS.items()}


def _http_refused(exc: StarletteHTTPException, path: str) -> Refused:
    """An HTTPException said as a refusal: tipg's on /ogc, else the status's sentence."""
    status = exc.status_code
    if path.startswith("/ogc") and status in OGC_HTTP:
        code, detail = OGC_HTTP[status]
    else:
        code = f"http_{status}"
        detail = exc.detail if _is_french(exc.detail) else HTTP_DETAIL.get(status, "Refusée.")
    refused = Refused(code, detail)
    refused.kind = _KIND_OF_STATUS.get(status, "invalid")  # type: ignore[misc]
    refused.headers = exc.headers  # type: ignore[attr-defined]
    return refused


def _is_french(detail: Any) -> bool:
    # our own routes raise HTTPException with French sentences; Starlette's are « Not Found »…
    return (
        isinstance(detail, str)
        and detail not in {"Not Found", "Method Not Allowed"}
        and any(c in detail for c in "éèàçêùô«")
    )


#: errors raised by libraries, each said as a refusal of the product
LIBRARY_ERRORS: dict[type[Exception], Callable[[Exception], Refused]] = {
    **{error: _tipg(*spec) for error, spec in TIPG_ERRORS.items()},
    asyncpg.DataError: _ogc_query,
    asyncpg.exceptions.SyntaxOrAccessError: _ogc_query,
    DataError: _data_error,
    OperationalError: _database_unavailable,  # connection lost or refused
    InterfaceError: _database_unavailable,
    PoolTimeout: _database_unavailable,  # every pooled connection busy
    # tipg's routes (asyncpg): connection lost, server shutting down or starting up
    asyncpg.PostgresConnectionError: _database_unavailable,
    asyncpg.exceptions.OperatorInterventionError: _database_unavailable,
    asyncpg.InterfaceError: _database_unavailable,
    asyncpg.InternalClientError: _database_unavailable,  # a connection cut in mid-operation
    # asyncpg connecting to a server that is down (refused) or silent (its connect timeout):
    # the database's are the only sockets the service opens
    ConnectionError: _database_unavailable,
    TimeoutError: _database_unavailable,
    # the client left while sending its body: nobody reads the answer, no traceback in the logs
    ClientDisconnect: lambda exc: Invalid(
        "request_incomplete", "Le corps de la requête n'a pas été reçu en entier."
    ),
}


def as_refused(request: Request, exc: Exception) -> Refused:
    """Any error the handlers receive, as the product's refusal."""
    if isinstance(exc, Refused):
        return exc
    if isinstance(exc, RequestValidationError):
        return validation_refused(exc.errors())
    if isinstance(exc, StarletteHTTPException):
        return _http_refused(exc, request.url.path)
    for error in type(exc).__mro__:
        if error in LIBRARY_ERRORS:
            return LIBRARY_ERRORS[error](exc)
    raise exc  # not a refusal: a bug, answered 500 by Starlette


async def handle(request: Request, exc: Exception) -> JSONResponse:
    """The exception handler of every refusal."""
    return answer(request, as_refused(request, exc))


def add_exception_handlers(app: FastAPI) -> None:
    """One handler, for refusals, FastAPI's validation, HTTPException and the libraries'."""
    for error in (Refused, RequestValidationError, StarletteHTTPException, *LIBRARY_ERRORS):
        app.add_exception_handler(error, handle)
