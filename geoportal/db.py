"""Engines and connections to the PostGIS store."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from geoportal.settings import Settings
from zoning.refusal import Unavailable

CONNECT_TIMEOUT_S = 5  # an unreachable server fails a request (503) instead of hanging it


def make_engine(settings: Settings) -> Engine:
    """An engine on the configured database, surviving a server restart (see below)."""
    connect_args: dict[str, object] = {
        "options": f"-c statement_timeout={settings.statement_timeout_ms}",
        "connect_timeout": CONNECT_TIMEOUT_S,
    }
    if settings.pooled():
        # Through PgBouncer in transaction mode (docs/scale.md): consecutive transactions
        # may land on different server connections, so no named prepared statement (psycopg
        # prepares after 5 runs) and no startup option (PgBouncer refuses `options`); the
        # statement_timeout is the role's own (ALTER ROLE … SET statement_timeout).
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_S, "prepare_threshold": None}
    # pool_pre_ping: a pooled connection cut by a restart is found dead at checkout and the
    # pool's older ones are discarded with it, so the first request after a restart succeeds.
    # hide_parameters: statements' parameters (petitioners' names, land references) never
    # reach logs or error messages.
    # pool_size + max_overflow connections at most: twice the requests the service admits at
    # once (api.admission), since a request holds at most two (its token's, its own).
    return create_engine(
        settings.database_url,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args=connect_args,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
    )


def make_public_engine(settings: Settings) -> Engine:
    """An engine for the public reads, as the read-only role, under a short statement_timeout."""
    connect_args = {
        "options": f"-c statement_timeout={settings.public_statement_timeout_ms}",
        "connect_timeout": CONNECT_TIMEOUT_S,
    }
    return create_engine(
        settings.public_database(),
        pool_pre_ping=True,
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
