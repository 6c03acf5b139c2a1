"""Migrations run from code (Alembic), with the storage SRID passed explicitly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).with_name("migrations")


class StorageSridMismatch(RuntimeError):
    """The database was migrated for another storage SRID than the settings say."""


def alembic_config(storage_srid: int) -> Config:
    """An Alembic configuration pointing at zoning/migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["storage_srid"] = storage_srid
    return config


def upgrade(engine: Engine, storage_srid: int, revision: str = "head") -> None:
    """Bring the schema to `revision` (head by default) in one transaction."""
    config = alembic_config(storage_srid)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
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
