"""Alembic environment: the URL and the storage SRID come from the caller's settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine


def run_migrations_online() -> None:
    """Run migrations on the connection handed over by `zoning.schema.upgrade`, or the URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)


def _run(connection: Connection) -> None:
    # The migrations are written by hand (raw DDL, PostGIS types with the deployment's SRID):
    # no model metadata to compare against, no autogenerate.
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
