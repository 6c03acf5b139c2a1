"""Engines and connections to the PostGIS store."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine

from geoportal.settings import Settings


def make_engine(settings: Settings, **options: object) -> Engine:
    """An engine on the configured database: pool_pre_ping so a restarted server is survived,
    and a statement_timeout so that no query holds a connection forever."""
    connect_args = {"options": f"-c statement_timeout={settings.statement_timeout_ms}"}
    return create_engine(
        settings.database_url, pool_pre_ping=True, connect_args=connect_args, **options
    )
