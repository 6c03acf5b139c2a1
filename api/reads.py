"""Routing of the public reads (geoportal.replicas) inside a request, and retry on the primary.

Each request gets a ReadState: a GET or HEAD may read from a replica; any other method reads
on the primary (a write and what it reads in the same request). A GET that answers 404 after
reading on a replica is served again, pinned to the primary: a plan imported, a note issued
or a project recorded a moment ago is found whatever the replica's lag, by any client. A 503
after reading on a replica (it stopped under the request) is served again on the primary too.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geoportal.db import server_settings
from geoportal.replicas import READ_STATE, ReadRouter, ReadState

READ_METHODS = {"GET", "HEAD"}
#: answers of a replica's read served again on the primary: a miss (lag), or the replica
#: failing under the request (stopped mid-query: 503 from api.errors)
RETRIED = {404, 503}


class ReadRouting:
    """Pure ASGI middleware: a ReadState per request, a 404 from a replica retried."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = ReadState(pinned=scope["method"] not in READ_METHODS)
        token = READ_STATE.set(state)
        try:
            if state.pinned:
                await self.app(scope, receive, send)
                return
            missed = await self._first(scope, receive, send, state)
        finally:
            READ_STATE.reset(token)
        if missed:
            token = READ_STATE.set(ReadState(pinned=True))
            try:
                await self.app(scope, _replay(receive), send)
            finally:
                READ_STATE.reset(token)

    async def _first(self, scope: Scope, receive: Receive, send: Send, state: ReadState) -> bool:
        """Serve once; True (nothing sent) when a replica's read answered 404 or 503."""
        held = False

        async def guarded(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                held = message["status"] in RETRIED and state.replica_used
            if not held:
                await send(message)

        await self.app(scope, receive, guarded)
        return held


def _replay(receive: Receive) -> Receive:
    """A GET's (empty) body again, then the client's own messages (disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return again


class RoutedPool:
    """tipg's pool, routed as the other public reads: a healthy replica's, else the primary's."""

    def __init__(
        self, router: ReadRouter, primary: asyncpg.Pool, replicas: list[asyncpg.Pool]
    ) -> None:
        self.router = router
        self.primary = primary
        self.replicas = replicas

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        """A connection for one read; a replica that fails to give one leaves for the primary."""
        index = self.router.choose()
        conn = None
        if index is not None:
            try:
                conn = await self.replicas[index].acquire()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                self.router.replicas[index].mark_down(exc)
            else:
                state = READ_STATE.get()
                if state is not None:
                    state.replica_used = True
        pool = self.primary if conn is None else self.replicas[index]  # type: ignore[index]
        if conn is None:
            conn = await pool.acquire()
        try:
            yield conn
        finally:
            await pool.release(conn)

    async def close(self) -> None:
        """Close every pool."""
        for pool in (self.primary, *self.replicas):
            await pool.close()


async def replica_pool(dsn: str, statement_timeout_ms: int, timeout: float) -> asyncpg.Pool:
    """An asyncpg pool on a replica for tipg: connected lazily (a replica down at start is no
    failure), without tipg's catalogue functions (a standby cannot create them; its queries
    on the views need none)."""

    async def init(conn: asyncpg.Connection) -> None:
        import orjson

        for codec in ("json", "jsonb"):
            await conn.set_type_codec(
                codec, encoder=orjson.dumps, decoder=orjson.loads, schema="pg_catalog"
            )
        await conn.execute("SELECT set_config('search_path', 'opendata,public', false)")

    pool: asyncpg.Pool = await asyncpg.create_pool(
        dsn,
        min_size=0,
        max_size=10,
        init=init,
        timeout=timeout,
        server_settings=server_settings(statement_timeout_ms),
    )
    return pool
