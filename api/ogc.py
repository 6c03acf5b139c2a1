"""OGC API Features and vector tiles (MVT) for QGIS and GDAL, served by tipg.

tipg (a well-kept implementation of the standard on PostGIS) is mounted under /ogc over the
`opendata` schema, whose views hold only public columns (migrations 0004, 0008): plans, zones,
planned roads, servitudes, reservations, sectors and the authorized projects. Its pool connects
as the public role (zoning.roles), under the public reads' short statement_timeout, and its
CQL2 filters are checked first (api.cql).
"""

from __future__ import annotations

from fastapi import FastAPI
from tipg.collections import register_collection_catalog
from tipg.database import close_db_connection, connect_to_db
from tipg.dependencies import bbox_query, datetime_query, filter_query
from tipg.factory import Endpoints
from tipg.settings import DatabaseSettings, PostgresSettings

from api.cql import checked_bbox, checked_datetime, checked_filter
from api.ogc_pages import ogc_templates
from api.reads import RoutedPool, replica_pool
from geoportal.db import CONNECT_TIMEOUT_S
from geoportal.replicas import REPLICA_CONNECT_TIMEOUT_S
from geoportal.settings import Settings
from geoportal.setup.provision import libpq_url

OGC_PREFIX = "/ogc"
SCHEMAS = ["opendata"]


def ogc_endpoints() -> Endpoints:
    """The OGC API Features and Tiles routes, to include under OGC_PREFIX."""
    return Endpoints(
        title="Géoportail urbanisme Maroc — données ouvertes",
        router_prefix=OGC_PREFIX,
        with_tiles_viewer=False,
        templates=ogc_templates(),  # escaped, local assets, nonced scripts (api.ogc_pages)
    )


def check_ogc_filters(app: FastAPI) -> None:
    """tipg's routes (items, tiles) get the checked filter, bbox and datetime instead."""
    # tipg's routes depend on these by reference and offer no other hook.
    app.dependency_overrides[filter_query] = checked_filter
    app.dependency_overrides[bbox_query] = checked_bbox
    app.dependency_overrides[datetime_query] = checked_datetime


async def open_ogc(app: FastAPI, libpq_url: str, statement_timeout_ms: int) -> None:
    """tipg's asyncpg pool (as the public role) and its catalogue of the open data views."""
    # The pool replaces connections a server restart cut, on its own (asyncpg): only the
    # connect timeout needs setting, asyncpg's 60 s would hold a request while the server is
    # unreachable. Its queries get the same statement_timeout as the service's own.
    settings = PostgresSettings(database_url=libpq_url)
    await connect_to_db(
        app,
        schemas=SCHEMAS,
        settings=settings,
        timeout=CONNECT_TIMEOUT_S,
        server_settings={"statement_timeout": str(statement_timeout_ms)},
    )
    await register_collection_catalog(app, db_settings=DatabaseSettings(schemas=SCHEMAS))


async def route_ogc(app: FastAPI, settings: Settings) -> None:
    """With replicas configured, tipg's reads go through the same routing as the others."""
    replicas = settings.read_replicas()
    if not replicas:
        return
    pools = [
        await replica_pool(
            libpq_url(url), settings.public_statement_timeout_ms, REPLICA_CONNECT_TIMEOUT_S
        )
        for url in replicas
    ]
    app.state.pool = RoutedPool(app.state.reads, app.state.pool, pools)


async def close_ogc(app: FastAPI) -> None:
    """Close tipg's pool (and the replicas' ones)."""
    if isinstance(app.state.pool, RoutedPool):
        await app.state.pool.close()
        return
    await close_db_connection(app)
