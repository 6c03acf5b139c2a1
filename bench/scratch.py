"""A scratch database for a benchmark: created afresh beside the demo one, migrated, and
optionally loaded with the demo commune and its projects; dropped after when asked."""

from __future__ import annotations

from pathlib import Path

import psycopg
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from geoportal.settings import Settings
from geoportal.setup.demo import load_demo, load_demo_projects
from geoportal.setup.provision import libpq_url
from zoning.schema import upgrade

SRID = 26191


def _admin(url: str) -> str:
    target = make_url(url)
    return libpq_url(target.set(database="postgres").render_as_string(hide_password=False))


def scratch_database(base_url: str, suffix: str = "_bench") -> str:
    """Create `<db><suffix>` afresh (the migration adds PostGIS); return its URL."""
    url = make_url(base_url).set(database=f"{make_url(base_url).database}{suffix}")
    with psycopg.connect(_admin(base_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{url.database}"')
    return url.render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the scratch database (connections a service left are closed by FORCE)."""
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def scratch_engine(
    suffix: str, *, demo: bool = False, projects: bool = False, verbose: bool = False
) -> tuple[str, Engine]:
    """A migrated scratch database (with the demo commune, and its projects, when asked)."""
    url = scratch_database(Settings().database_url, suffix=suffix)
    engine = create_engine(url)
    upgrade(engine, SRID)
    for wanted, load in ((demo, load_demo), (projects, load_demo_projects)):
        if wanted:
            message = load(engine, Path("data"), SRID)
            if verbose:
                print(message)
    return url, engine
