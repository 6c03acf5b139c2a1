"""Request bodies: read whole before the request goes further, within a size, a time and a
number of bodies per client.

A route reading its body holds an admission slot (api.admission) and, once past it, a
database connection. Were a body read there, ten connections declaring 100 kB and sending a
byte a second would hold the ten slots and stop every page (issue #10). So the body is read
here, in the event loop, holding nothing but its buffer (at most the size limit), and the
request is admitted only once it has arrived.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import status_of
from zoning.refusal import Refused

#: seconds a client refused for too many bodies at once is told to wait (Retry-After)
UPLOADS_RETRY_AFTER_S = 5
#: a body still arriving after this long is slow: only slow bodies count against the limit per
#: client (a browser's or a script's bodies arrive in milliseconds, however many at once)
SLOW_AFTER_S = 1.0


class BodyBuffer:
    """Reads each request body whole, then passes the request on with its body replayed.

    - 413 for a declared Content-Length over `max_bytes`, and for a body that passes it;
    - 408 when the body has not arrived whole within `timeout_s` (from the first byte asked);
    - 429 for a body still arriving after SLOW_AFTER_S when its client's address already has
      `per_client` such slow bodies being read.
    Requests without a body (GET, HEAD…) go straight on.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float, per_client: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.per_client = per_client
        self.slow: Counter[str] = Counter()  # address → its slow bodies being read now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not has_body(scope):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        try:
            body = await self._read(receive, client)
        except TooManySlowBodies:
            await refuse(
                send,
                "too_many_uploads",
                f"Cette adresse envoie déjà {self.per_client} corps de requête lents à la fois ; "
                f"réessayez dans {UPLOADS_RETRY_AFTER_S} s.",
                [(b"retry-after", str(UPLOADS_RETRY_AFTER_S).encode())],
            )
            return
        except TimeoutError:
            await refuse(
                send,
                "body_timeout",
                "Le corps de la requête n'est pas arrivé en entier dans les "
                f"{self.timeout_s:g} s permises ; renvoyez la requête.",
            )
            return
        except BodyTooLarge:
            await self._too_large(send)
            return
        except ClientGone:
            return  # nobody is left to read an answer
        await self.app(scope, replay(body, receive), send)

    async def _read(self, receive: Receive, client: str) -> bytes:
        """The whole body; one still arriving after SLOW_AFTER_S counts as one of its
        client's slow bodies until it is whole. TimeoutError past `timeout_s`."""
        body = _Body(self.max_bytes)
        quick = min(SLOW_AFTER_S, self.timeout_s)
        try:
            async with asyncio.timeout(quick):
                return await body.read(receive)
        except TimeoutError:
            if quick >= self.timeout_s:
                raise
        # Cancelling receive() loses nothing: the server keeps what came until asked again.
        if self.slow[client] >= self.per_client:
            raise TooManySlowBodies
        self.slow[client] += 1
        try:
            async with asyncio.timeout(self.timeout_s - quick):
                return await body.read(receive)
        finally:
            self.slow[client] -= 1
            if not self.slow[client]:
                del self.slow[client]

    async def _too_large(self, send: Send) -> None:
        megabytes = self.max_bytes // 1024**2
        await refuse(
            send,
            "body_too_large",
            f"Le corps de la requête dépasse {megabytes} Mo, la taille maximale acceptée.",
        )


class _Body:
    """A body being read, chunk by chunk, up to a size."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.chunks: list[bytes] = []
        self.size = 0

    async def read(self, receive: Receive) -> bytes:
        """Reads on until the body is whole (a read cut short keeps what it had)."""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk = message.get("body", b"")
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise BodyTooLarge
            self.chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(self.chunks)


def has_body(scope: Scope) -> bool:
    """Whether the request announces a body (a length other than 0, or chunks)."""
    headers = dict(scope["headers"])
    if b"transfer-encoding" in headers:
        return True
    return headers.get(b"content-length", b"0").strip() not in (b"0", b"")


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the buffered body once, then the connection's own messages
    (the disconnect a streaming response waits for)."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def refuse(
    send: Send,
    code: str,
    detail: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """A JSON refusal in the one body (zoning.refusal), closing the connection: what is left
    of the body would otherwise be read as the next request."""
    refused = Refused(code, detail)
    status = status_of(refused)  # the one table (api.errors)
    body = json.dumps(refused.body(), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    """Raised while reading a body past the limit."""


class TooManySlowBodies(Exception):
    """The client already sends as many slow bodies as it may."""


class ClientGone(Exception):
    """The client disconnected before its body was whole."""
