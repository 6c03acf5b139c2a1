"""Admission: no more requests at once than the database pool can serve without waiting.

Route dependencies take their connection in a worker thread and keep it while the endpoint
waits for another thread. Were more requests admitted than the pool holds, threads blocked on
an empty pool while the connections' holders waited for a thread: every request stalled until
the pool's timeout (seen under load). Requests beyond the limit wait here instead, in the event
loop, holding neither a thread nor a connection.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

#: routes that use no pooled connection for long: static files, tipg's own asyncpg pool, and
#: the live feed, whose streams last as long as a browser stays on the map.
EXEMPT_PREFIXES = ("/static/", "/ogc", "/api/v1/projects/events")


class DatabaseAdmission:
    """At most `slots` HTTP requests at once past this point; the others queue, in order."""

    def __init__(self, app: ASGIApp, slots: int) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(slots)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        async with self.slots:
            await self.app(scope, receive, send)
