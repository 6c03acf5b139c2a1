"""OGC API Features and vector tiles (MVT) for QGIS and GDAL, served by tipg.

tipg (a well-kept implementation of the standard on PostGIS) is mounted under /ogc over the
`opendata` schema, whose views hold only public columns (migrations 0004, 0008): plans, zones,
planned roads, servitudes, reservations, sectors and the authorized projects. Its pool connects
as the public role (zoning.roles), under the public reads' short statement_timeout, and its
CQL2 filters are checked first (api.cql).
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from morecantile import TileMatrixSet, tms
from morecantile.defaults import TileMatrixSets
from pydantic.json_schema import models_json_schema
from tipg.collections import CollectionList, register_collection_catalog
from tipg.database import close_db_connection, connect_to_db
from tipg.dependencies import (
    CollectionsParams,
    OutputType,
    bbox_query,
    datetime_query,
    filter_query,
)
from tipg.factory import Endpoints
from tipg.resources.enums import MediaType
from tipg.settings import DatabaseSettings, PostgresSettings

from api.answers import PROBLEM_RESPONSES, Feature, FeatureCollection, ProblemBody
from api.cql import checked_bbox, checked_datetime, checked_filter
from api.ogc_pages import ogc_templates
from api.reads import RoutedPool, replica_pool
from api.substitution import substitute_in_router
from geoportal.db import CONNECT_TIMEOUT_S, server_settings
from geoportal.replicas import REPLICA_CONNECT_TIMEOUT_S
from geoportal.settings import Settings
from geoportal.setup.provision import libpq_url

OGC_PREFIX = "/ogc"
SCHEMAS = ["opendata"]
CollectionsDep = Annotated[CollectionList, Depends(CollectionsParams)]
OutputTypeDep = Annotated[MediaType | None, Depends(OutputType)]


class SharedTileMatrixSets(TileMatrixSets):
    """morecantile's tile matrix sets, each parsed once and then shared.

    morecantile's registry hands out a deep copy of the set at every call, that is at every
    tile (a tenth of a millisecond of a tile's few, issue 15 item 8); tipg only reads it.
    """

    def get(self, identifier: str) -> TileMatrixSet:
        return _shared_tms(identifier)


@functools.cache
def _shared_tms(identifier: str) -> TileMatrixSet:
    return tms.get(identifier)  # an unknown identifier raises, and is not cached


def ogc_endpoints() -> Endpoints:
    """The OGC API Features and Tiles routes, to include under OGC_PREFIX."""
    endpoints = Endpoints(
        title="Géoportail urbanisme Maroc — données ouvertes",
        router_prefix=OGC_PREFIX,
        with_tiles_viewer=False,
        supported_tms=SharedTileMatrixSets(tms.tilematrixsets),
        templates=ogc_templates(),  # escaped, local assets, nonced scripts (api.ogc_pages)
    )
    titled_collections_route(endpoints)
    # tipg's routes depend on these by reference and offer no other hook
    substitute_in_router(
        endpoints.router,
        {filter_query: checked_filter, bbox_query: checked_bbox, datetime_query: checked_datetime},
    )
    return endpoints


def titled_collections_route(endpoints: Endpoints) -> None:
    """`/collections` with each collection's title: tipg's list writes its id as the title."""
    # tipg 1.x builds the list with `title=collection.id` and offers no hook: its answer is
    # taken as JSON, given the catalogue's titles, then rendered as tipg would.
    features = endpoints.ogc_features
    router = features.router  # Endpoints includes it: a route changed here is served there
    index, route = next(
        (i, r)
        for i, r in enumerate(router.routes)
        if isinstance(r, APIRoute) and r.name == "collections"
    )
    untitled = route.endpoint

    def collections(
        request: Request,
        collection_list: CollectionsDep,
        output_type: OutputTypeDep = None,
    ) -> Any:
        answer = untitled(request=request, collection_list=collection_list, output_type=None)
        data = with_titles(orjson.loads(answer.body), collection_list)
        if output_type == MediaType.html:
            return features._create_html_response(
                request, data, template_name="collections", title="Collections"
            )
        return JSONResponse(data)

    router.routes.pop(index)
    router.add_api_route(
        route.path,
        collections,
        name=route.name,
        response_model=route.response_model,
        response_model_exclude_none=True,
        response_class=JSONResponse,
        responses=route.responses,
        tags=route.tags,
        summary=route.summary,
        description=route.description,
    )
    router.routes.insert(index, router.routes.pop())  # first, as tipg had it


def with_titles(data: dict[str, Any], collection_list: CollectionList) -> dict[str, Any]:
    """The collections list with the catalogue's titles and descriptions."""
    known = {c.id: c for c in collection_list["collections"]}
    for entry in data["collections"]:
        if collection := known.get(entry["id"]):
            entry["title"] = collection.title or collection.id
            if collection.description:
                entry["description"] = collection.description
    return data


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
        server_settings=server_settings(statement_timeout_ms),
    )
    await register_collection_catalog(app, db_settings=DatabaseSettings(schemas=SCHEMAS))
    await title_collections(app)


#: each view's comment (migration 0012): its title on the first line, its description after
_COMMENTS_SQL = """
    SELECT n.nspname || '.' || c.relname, obj_description(c.oid, 'pg_class')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY($1::text[])"""


async def title_collections(app: FastAPI) -> None:
    """Give the catalogue's collections the French title and description of their view."""
    # tipg reads the columns' comments but not the view's: its collections have no title.
    async with app.state.pool.acquire() as conn:
        comments = dict(await conn.fetch(_COMMENTS_SQL, SCHEMAS))
    for collection_id, collection in app.state.collection_catalog["collections"].items():
        title, _, description = (comments.get(collection_id) or "").partition("\n")
        collection.title = title.strip() or None
        collection.description = description.strip() or None


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


def document_ogc_answers(app: FastAPI) -> None:
    """tipg's items answer GeoJSON without declaring it: /openapi.json says so, with the one
    error body on tipg's routes too."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        for path, operations in spec["paths"].items():
            if not path.startswith(OGC_PREFIX):
                continue
            for operation in operations.values():
                _declare(path, operation["responses"])
        spec.setdefault("components", {}).setdefault("schemas", {}).update(_schemas())
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _declare(path: str, responses: dict[str, Any]) -> None:
    """An empty application/json answer of tipg gets its GeoJSON schema; errors the problem."""
    answer = "Feature" if path.endswith("{itemId}") else "FeatureCollection"
    for status, response in responses.items():
        json = response.get("content", {}).get("application/json")
        if status.startswith("2") and json is not None and not json.get("schema"):
            json["schema"] = {"$ref": f"#/components/schemas/{answer}"}
    for code, declared in PROBLEM_RESPONSES.items():
        responses.setdefault(
            str(code),
            {
                "description": declared["description"],
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ProblemBody"}}
                },
            },
        )


def _schemas() -> dict[str, Any]:
    """The components the declarations above refer to."""
    models = (Feature, FeatureCollection, ProblemBody)
    _, definitions = models_json_schema(
        [(m, "serialization") for m in models], ref_template="#/components/schemas/{model}"
    )
    return dict(definitions.get("$defs", {}))
