"""ETag and Cache-Control on open data, tiles, plan zones and static files; 304 on a match.

The ETag is not a hash of the body: it is the version of the data sets the answer is made
of (table opendata.dataset_versions, bumped by triggers in the transaction that imports or
replaces a plan, or records a project; migration 0011), mixed with the URL and the Accept
header (tipg answers HTML or JSON by it). A revalidation costs one primary-key read and no
body at all; an answer stays the same until its data set changes. The versions are read on
the same routed pool as the data (a replica's versions come with that replica's rows).
"""

from __future__ import annotations

import hashlib
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PLANS = ("plans",)
PROJECTS = ("projects",)
BOTH = ("plans", "projects")
STATIC_CACHE = "public, max-age=300"  # the app's own files change with a deployment only


def datasets(path: str) -> tuple[str, ...] | None:
    """The data sets an answer at `path` is made of; None for an answer never cached."""
    if path.startswith("/ogc/collections/opendata.projets") or path.startswith(
        "/ogc/collections/opendata.evenements_projets"
    ):
        return PROJECTS
    if path.startswith("/ogc/collections/"):
        return PLANS
    if path.startswith("/ogc"):
        return BOTH
    if path in ("/api/v1/projects", "/api/v1/projects.csv"):
        return PROJECTS
    if path.startswith("/api/v1/plans"):
        return PLANS
    return None


def matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison of If-None-Match with our ETag (RFC 9110 §13.1.2)."""
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in if_none_match.split(","))


class DatasetCaching:
    """Pure ASGI middleware: conditional GETs of the cacheable public reads."""

    def __init__(self, app: ASGIApp, max_age_s: int) -> None:
        self.app = app
        self.cache_control = f"public, max-age={max_age_s}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith("/static/"):
            await self.app(scope, receive, _with_headers(send, STATIC_CACHE, None))
            return
        names = datasets(path)
        if names is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            versions = await read_versions(scope["app"], names)
        except (
            OSError,
            asyncpg.PostgresError,
            asyncpg.InterfaceError,
            asyncpg.InternalClientError,
        ):
            # the database unreachable: no ETag, and the answer says so itself (503)
            await self.app(scope, receive, send)
            return
        etag = make_etag(scope, headers.get("accept", ""), versions)
        if matches(headers.get("if-none-match", ""), etag):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [
                        (b"etag", etag.encode()),
                        (b"cache-control", self.cache_control.encode()),
                        (b"vary", b"Accept"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, _with_headers(send, self.cache_control, etag))


def make_etag(scope: Scope, accept: str, versions: dict[str, int]) -> str:
    """A weak ETag from the data sets' versions, the URL and the negotiated media type."""
    key = "|".join(
        [scope["path"], scope.get("query_string", b"").decode("latin-1"), accept]
        + [f"{n}={v}" for n, v in sorted(versions.items())]
    )
    digest = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
    version = ".".join(str(versions[n]) for n in sorted(versions))
    return f'W/"{version}-{digest}"'


async def read_versions(app: Any, names: tuple[str, ...]) -> dict[str, int]:
    """The data sets' versions, on the public reads' pool (routed to a replica if any)."""
    async with app.state.pool.acquire() as conn:
        try:
            rows = await conn.fetch(
                "SELECT name, version FROM opendata.dataset_versions WHERE name = ANY($1::text[])",
                list(names),
            )
        except asyncpg.InternalClientError:
            # a connection the server cut in mid-operation (a restart) is left in a state no
            # query can use (« another operation is in progress »): closed, the pool replaces it
            conn.terminate()
            raise
    found = {r["name"]: int(r["version"]) for r in rows}
    return {n: found.get(n, 0) for n in names}


def _with_headers(send: Send, cache_control: str, etag: str | None) -> Send:
    """`send`, adding Cache-Control (and our ETag) to a 200 answer other than HTML."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            headers = MutableHeaders(scope=message)
            # an HTML page carries its response's CSP nonce (api.headers): never shared,
            # never revalidated into another response's headers
            if headers.get("content-type", "").startswith("text/html"):
                await send(message)
                return
            headers["cache-control"] = cache_control
            if etag is not None:
                headers["etag"] = etag
                headers.append("vary", "Accept")
        await send(message)

    return wrapped
