"""Engines and connections to the PostGIS store."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InvalidatePoolError, OperationalError

from geoportal.settings import Settings
from zoning.refusal import Unavailable

CONNECT_TIMEOUT_S = 5  # an unreachable server fails a request (503) instead of hanging it
#: A pooled connection idle longer than this is pinged before it is lent (see pooled_engine).
IDLE_PING_S = 1.0
#: Settings of every session the service opens, beside its statement_timeout. PostgreSQL
#: compiles with JIT any query whose estimated cost passes jit_above_cost, and PostGIS gives
#: its functions high costs: a plan's zones for the map (122 features) were compiled for
#: 0.5 s on every read of a store holding 200,000 zones (issue 15, item 8). The service's
#: queries are short ones: JIT off.
SESSION_SETTINGS = {"jit": "off"}


def server_settings(statement_timeout_ms: int) -> dict[str, str]:
    """The settings of a session (asyncpg's server_settings): timeout and SESSION_SETTINGS."""
    return {"statement_timeout": str(statement_timeout_ms), **SESSION_SETTINGS}


def session_options(statement_timeout_ms: int) -> str:
    """The same settings as libpq's `options` (psycopg's connect_args)."""
    settings = server_settings(statement_timeout_ms)
    return " ".join(f"-c {name}={value}" for name, value in settings.items())


def pooled_engine(url: str, **options: Any) -> Engine:
    """An engine whose pool survives a server restart, without a ping per request.

    SQLAlchemy's pool_pre_ping costs a round trip at every checkout, that is one per request
    (issue 15, item 8). A restart, though, takes seconds: a connection lent again within
    IDLE_PING_S of its return is used as is, an older one is pinged first. A failed ping
    invalidates the whole pool (the server restarted: the older connections are dead too) and
    the checkout is retried on a new connection; a connection cut while in use is found by
    its error, which invalidates the pool the same way.
    """
    engine = create_engine(url, **options)
    ping = engine.dialect.do_ping  # SQLAlchemy's own ping, as pool_pre_ping would send it

    def ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < IDLE_PING_S:
            return  # new, or back a moment ago
        try:
            ping(dbapi_connection)
        except Exception as exc:  # any failure: the connection is not to be lent
            raise InvalidatePoolError("pooled connection found dead after idling") from exc

    event.listen(engine, "checkin", _returned)
    event.listen(engine, "checkout", ping_if_idle)
    return engine


def _returned(dbapi_connection: Any, record: Any) -> None:
    record.info["returned_at"] = time.monotonic()


def make_engine(settings: Settings) -> Engine:
    """An engine on the configured database, surviving a server restart (see below)."""
    connect_args: dict[str, object] = {
        "options": session_options(settings.statement_timeout_ms),
        "connect_timeout": CONNECT_TIMEOUT_S,
    }
    if settings.pooled():
        # Through PgBouncer in transaction mode (docs/scale.md): consecutive transactions
        # may land on different server connections, so no named prepared statement (psycopg
        # prepares after 5 runs) and no startup option (PgBouncer refuses `options`); the
        # statement_timeout and jit are the role's own (ALTER ROLE … SET statement_timeout,
        # SET jit = off).
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_S, "prepare_threshold": None}
    # pooled_engine: a pooled connection cut by a restart is found dead at checkout and the
    # pool's older ones are discarded with it, so the first request after a restart succeeds.
    # hide_parameters: statements' parameters (petitioners' names, land references) never
    # reach logs or error messages.
    # pool_size + max_overflow connections at most: twice the requests the service admits at
    # once (api.admission), since a request holds at most two (its token's, its own).
    return pooled_engine(
        settings.database_url,
        hide_parameters=True,
        connect_args=connect_args,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
    )


def make_public_engine(settings: Settings) -> Engine:
    """An engine for the public reads, as the read-only role, under a short statement_timeout."""
    connect_args = {
        "options": session_options(settings.public_statement_timeout_ms),
        "connect_timeout": CONNECT_TIMEOUT_S,
    }
    return pooled_engine(
        settings.public_database(),
        hide_parameters=True,
        connect_args=connect_args,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
    )


def migrate(engine: Engine, settings: Settings) -> None:
    """Migrations to head, and the public role of these settings granted its reads."""
    from zoning.schema import upgrade

    password = make_url(settings.public_database()).password
    # DDL and its locks on a direct session, never through a transaction pooler
    direct = create_engine(settings.direct_database()) if settings.pooled() else engine
    try:
        upgrade(
            direct,
            settings.storage_srid,
            public_role=settings.public_role(),
            public_password=str(password) if password else None,
        )
    finally:
        if direct is not engine:
            direct.dispose()


#: SQLSTATEs of a schema not (yet) migrated: a table or a column the migrations create
SCHEMA_MISSING = {"42P01", "42703", "3F000"}


def database_refusal(exc: DBAPIError) -> Unavailable | None:
    """A database out of reach, or one whose schema is not migrated, said as what to run;
    None for any other database error (a bug, not a state)."""
    cause = exc.orig
    if getattr(cause, "sqlstate", None) in SCHEMA_MISSING:
        return Unavailable(
            "schema_missing",
            "La base de données n'a pas encore son schéma (ou pas le dernier) : lancez "
            "`geoportal db upgrade` (ou `make setup`).",
        )
    if isinstance(exc, OperationalError) and getattr(cause, "sqlstate", None) is None:
        return Unavailable(
            "database_unreachable",
            "La base de données est injoignable : lancez `make setup` (ou démarrez "
            "PostgreSQL et vérifiez GEOPORTAL_DATABASE_URL).",
        )
    return None
