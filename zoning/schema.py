"""Migrations run from code (Alembic), with the storage SRID passed explicitly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from zoning.roles import PUBLIC_ROLE, ensure_public_role

MIGRATIONS = Path(__file__).with_name("migrations")


class StorageSridMismatch(RuntimeError):
    """The database was migrated for another storage SRID than the settings say."""


def alembic_config(storage_srid: int, public_role: str = PUBLIC_ROLE) -> Config:
    """An Alembic configuration pointing at zoning/migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["storage_srid"] = storage_srid
    config.attributes["public_role"] = public_role
    return config


def upgrade(
    engine: Engine,
    storage_srid: int,
    revision: str = "head",
    public_role: str = PUBLIC_ROLE,
    public_password: str | None = None,
) -> None:
    """Bring the schema to `revision` (head by default) and the public role's grants, at once."""
    config = alembic_config(storage_srid, public_role)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        if revision == "head":  # the role of these settings, its password, today's views
            ensure_public_role(conn, public_role, public_password)
    with engine.connect() as conn:
        check_storage_srid(conn, storage_srid)


def stored_srid(conn: Connection) -> int | None:
    """The SRID of the zones' geometry column, or None before the first migration."""
    row = conn.execute(
        text(
            """SELECT srid FROM geometry_columns
               WHERE f_table_name = 'zones' AND f_geometry_column = 'geom'"""
        )
    ).first()
    return int(row[0]) if row else None


def check_storage_srid(conn: Connection, expected: int) -> None:
    """Refuse to run against a database migrated for another storage SRID."""
    found = stored_srid(conn)
    if found is not None and found != expected:
        raise StorageSridMismatch(
            f"the database stores geometries in EPSG:{found} but GEOPORTAL_STORAGE_SRID is "
            f"{expected}; one storage SRID per deployment (see README)"
        )
