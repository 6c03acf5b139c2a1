"""The live feed of authorized projects: PostgreSQL LISTEN → every connected browser (SSE).

One listening connection per process receives the NOTIFY sent by the transaction that recorded
a project, and hands the event to every subscriber's queue. A subscriber that reconnects with
Last-Event-ID first gets what it missed from the project_events table.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import psycopg

from geoportal.projects.register import CHANNEL

log = logging.getLogger(__name__)
QUEUE_SIZE = 1000
RECONNECT_S = 1.0


class ProjectFeed:
    """Fan-out of project events to the subscribers of this process."""

    def __init__(self) -> None:
        self.subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self.listening = asyncio.Event()

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        """A new subscriber's queue."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Forget a subscriber (its browser went away)."""
        self.subscribers.discard(queue)

    def publish(self, event: dict[str, Any]) -> None:
        """Give an event to every subscriber; a subscriber too slow to keep up loses it
        (it will catch up with Last-Event-ID when it reconnects)."""
        for queue in list(self.subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(event)

    async def listen(self, dsn: str) -> None:
        """LISTEN forever, reconnecting after a database restart."""
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    async for notice in conn.notifies():
                        self.publish(json.loads(notice.payload))
            except (psycopg.OperationalError, OSError) as exc:
                self.listening.clear()
                log.warning("project feed: %s; reconnecting in %.0f s", exc, RECONNECT_S)
                await asyncio.sleep(RECONNECT_S)
