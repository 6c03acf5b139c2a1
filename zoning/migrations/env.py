"""Alembic environment: the URL and the storage SRID come from the caller's settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from zoning.models import Base


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
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
