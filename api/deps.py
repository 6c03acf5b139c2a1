"""Dependencies shared by the routes: settings, connections, the agent's token."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine

from geoportal.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The engine created in the app's lifespan."""
    engine: Engine = request.app.state.engine
    return engine


def get_connection(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A read connection for the request."""
    with engine.connect() as conn:
        yield conn


def get_transaction(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A connection in a transaction, committed if the request succeeds, else rolled back."""
    with engine.begin() as conn:
        yield conn


_bearer = HTTPBearer(auto_error=False)


def require_agent(
    settings: Annotated[Settings, Depends(get_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Write endpoints need the agency's bearer token (full roles come with access control)."""
    expected = settings.agent_token.get_secret_value() if settings.agent_token else None
    if expected is None:
        raise HTTPException(403, "plan import is disabled: no GEOPORTAL_AGENT_TOKEN configured")
    if credentials is None or not secrets.compare_digest(credentials.credentials, expected):
        raise HTTPException(
            401,
            "an agent token is required (Authorization: Bearer …)",
            headers={"WWW-Authenticate": "Bearer"},
        )


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
ConnectionDep = Annotated[Connection, Depends(get_connection)]
TransactionDep = Annotated[Connection, Depends(get_transaction)]
AgentDep = Annotated[None, Depends(require_agent)]


def query_date(name: str, value: str | None) -> dt.date | None:
    """A date query parameter (blank: none), with a 422 that names it."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name}: {value!r} is not a date as YYYY-MM-DD") from None
