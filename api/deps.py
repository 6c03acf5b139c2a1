"""Dependencies shared by the routes: settings, engine, connections, query dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine

from geoportal.replicas import ReadRouter
from geoportal.settings import Settings
from zoning.refusal import bad_field


# The two below are async for their cost: FastAPI runs a plain `def` dependency in a worker
# thread, a hop per request for reading an attribute.
async def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    """The engine created in the app's lifespan."""
    engine: Engine = request.app.state.engine
    return engine


def get_connection(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A read connection for the request."""
    with engine.connect() as conn:
        yield conn


async def get_public_engine(request: Request) -> Engine:
    """The engine of the public reads, as the read-only role (zoning.roles)."""
    engine: Engine = request.app.state.public_engine
    return engine


def get_public_connection(request: Request) -> Iterator[Connection]:
    """A connection of the public reads: the `opendata` views and nothing else, on a healthy
    replica when GEOPORTAL_READ_DATABASE_URL names some, else on the primary."""
    router: ReadRouter = request.app.state.reads
    with router.connect() as conn:
        yield conn


def get_transaction(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A connection in a transaction, committed if the request succeeds, else rolled back."""
    with engine.begin() as conn:
        yield conn


#: Opens a transaction, committed on leaving the block (engine.begin).
Transactions = Callable[[], AbstractContextManager[Connection]]


async def get_transactions(engine: Annotated[Engine, Depends(get_engine)]) -> Transactions:
    """How a route that works in one worker-thread call opens its transaction: the opening,
    the work and the commit in a single hop, where a TransactionDep's entry and exit are two
    more (issue 15, item 8: the note's route)."""
    return engine.begin


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
# scope="function": the connection goes back to the pool, and the transaction commits, when the
# endpoint returns and before the response leaves: a client told 201 finds what was written.
ConnectionDep = Annotated[Connection, Depends(get_connection, scope="function")]
TransactionDep = Annotated[Connection, Depends(get_transaction, scope="function")]
TransactionsDep = Annotated[Transactions, Depends(get_transactions)]
PublicEngineDep = Annotated[Engine, Depends(get_public_engine)]
PublicConnectionDep = Annotated[Connection, Depends(get_public_connection, scope="function")]


def query_date(name: str, value: str | None) -> dt.date | None:
    """A date query parameter (blank: none), with a 422 that names it."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = f"{value!r} n'est pas une date AAAA-MM-JJ"
        raise bad_field("date_invalid", name, message) from None
