"""The FastAPI application: built from explicit settings, engine opened in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from api.admission import DatabaseAdmission
from api.caching import DatasetCaching
from api.docs import add_docs
from api.errors import add_exception_handlers
from api.headers import SecurityHeaders
from api.limits import BodyBuffer
from api.ogc import (
    OGC_PREFIX,
    close_ogc,
    document_ogc_answers,
    ogc_endpoints,
    open_ogc,
    route_ogc,
)
from api.pages import page_response
from api.ratelimit import RateLimits
from api.reads import ReadRouting
from api.routes import accounts, dossiers, indicators, instruction, nru, plans, projects
from geoportal.db import make_engine, make_public_engine
from geoportal.nru.signing import check_signer
from geoportal.projects.feed import ProjectFeed
from geoportal.projects.instruction import load_calendar
from geoportal.replicas import make_router
from geoportal.settings import Settings
from geoportal.setup.provision import libpq_url
from zoning.schema import check_storage_srid

STATIC = Path(__file__).with_name("static")


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    public_engine: Engine | None = None,
) -> FastAPI:
    """The web service; tests pass their own settings (and engines) to use their database."""
    settings = (settings or Settings()).check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_signer(settings)  # a configured certificate that cannot be used: no start
        # the holidays package takes ~70 ms to build Morocco's calendar: once per process at
        # start, not on the first reader of the map's projects (load_calendar keeps it)
        load_calendar(settings.calendar_overrides)
        app.state.engine = engine or make_engine(settings)
        app.state.public_engine = public_engine or make_public_engine(settings)
        with app.state.engine.connect() as conn:
            check_storage_srid(conn, settings.storage_srid)
        app.state.reads = make_router(settings, app.state.engine, app.state.public_engine)
        app.state.reads.start()
        app.state.feed = ProjectFeed()
        # LISTEN on the primary itself (not a replica, not a transaction pooler): every
        # process hears the projects any other records
        direct = libpq_url(settings.direct_database())
        listener = asyncio.create_task(app.state.feed.listen(direct))
        public_dsn = libpq_url(settings.public_database())
        await open_ogc(app, public_dsn, settings.public_statement_timeout_ms)
        await route_ogc(app, settings)
        yield
        listener.cancel()
        await close_ogc(app)
        app.state.reads.close()
        if engine is None:
            app.state.engine.dispose()
        if public_engine is None:
            app.state.public_engine.dispose()

    app = FastAPI(
        title="Géoportail urbanisme Maroc",
        description="Plans d'aménagement, notes de renseignements urbanistiques (décret "
        "2-18-577), contrôle de conformité. Coordinates in Moroccan Lambert (EPSG:26191…).",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by api.docs from local files, under the CSP
        redoc_url=None,  # ReDoc loads from a CDN and runs workers from blob: (CSP)
    )
    app.state.settings = settings
    app.state.rate_limits = RateLimits(settings)
    # The last added runs first: a body is read whole (BodyBuffer) before its request takes
    # an admission slot, so slow bodies never hold the slots everyone needs (issue #10).
    app.add_middleware(DatabaseAdmission, slots=settings.db_pool_size)
    app.add_middleware(
        BodyBuffer,
        max_bytes=settings.max_upload_mb * 1024**2,
        timeout_s=settings.body_timeout_s,
        per_client=settings.uploads_per_client,
    )
    app.add_middleware(DatasetCaching, max_age_s=settings.cache_max_age_s)
    app.add_middleware(ReadRouting)  # a 404 read on a replica is served again on the primary
    app.add_middleware(SecurityHeaders)  # outermost: every answer gets them, refusals too
    add_docs(app)
    add_exception_handlers(app)
    app.include_router(accounts.router)
    app.include_router(plans.router)
    app.include_router(plans.pages)
    app.include_router(nru.router)
    app.include_router(nru.pages)
    app.include_router(nru.preview)
    app.include_router(instruction.router)
    app.include_router(projects.router)
    app.include_router(indicators.router)
    app.include_router(dossiers.router)
    app.include_router(dossiers.pages)
    app.include_router(indicators.pages)
    app.include_router(ogc_endpoints().router, prefix=OGC_PREFIX, tags=["OGC API"])
    document_ogc_answers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/", public_map, response_class=HTMLResponse, include_in_schema=False)
    app.add_api_route("/favicon.ico", favicon, response_class=FileResponse, include_in_schema=False)
    app.add_api_route("/nru", nru_form, response_class=HTMLResponse, include_in_schema=False)
    app.add_api_route("/projet", project_form, response_class=HTMLResponse, include_in_schema=False)
    app.add_api_route("/compte", account_page, response_class=HTMLResponse, include_in_schema=False)
    return app


def favicon() -> FileResponse:
    """The product's icon, served here: browsers ask every host for /favicon.ico (no 404)."""
    return FileResponse(
        STATIC / "favicon.ico",
        media_type="image/vnd.microsoft.icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def nru_form(request: Request) -> HTMLResponse:
    """The NRU request form: paste or drop coordinates, check them on the map, ask."""
    return page_response("nru.html", request)


def public_map(request: Request) -> HTMLResponse:
    """The public map of authorized projects, live (issue #5)."""
    return page_response("carte.html", request)


def project_form(request: Request) -> HTMLResponse:
    """The petitioner's page: a project on a parcel, its procedure, verdict and envelope."""
    return page_response("projet.html", request)


def account_page(request: Request) -> HTMLResponse:
    """The petitioner's space: sign in or up, their notes and checks."""
    return page_response("compte.html", request)
