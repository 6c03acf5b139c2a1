"""Rate limits per client (the `limits` library): NRU issuance, logins and account creation."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from api.security import PrincipalDep
from geoportal.accounts import Principal
from geoportal.settings import Settings
from zoning.refusal import Unavailable


class RateLimits:
    """The service's limits, counted in the configured storage (memory, or redis:// shared)."""

    def __init__(self, settings: Settings) -> None:
        # the asynchronous storage: counting never holds a worker thread nor blocks the loop
        uri = settings.rate_limit_storage
        uri = uri if uri.startswith("async+") else f"async+{uri}"
        # redis-py's asyncio client (limits' default for Redis, coredis, needs a pool opened
        # in a context manager since its version 5): one count for every process
        options = {"implementation": "redispy"} if uri.startswith("async+redis") else {}
        storage = storage_from_string(uri, **options)
        self.limiter = MovingWindowRateLimiter(storage)
        self.items = {
            "nru": parse(settings.nru_rate_limit),
            "login": parse(settings.login_rate_limit),
        }

    async def hit(self, name: str, client: str) -> None:
        """Count one act of `client`; 429 with Retry-After once over the limit."""
        item = self.items[name]
        if await self.limiter.hit(item, name, client):
            return
        reset = (await self.limiter.get_window_stats(item, name, client)).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        refused = Unavailable(
            "rate_limited",
            f"Trop de requêtes : {_describe(item)} par client ; réessayez dans {wait} s.",
        )
        refused.headers = {"Retry-After": str(wait)}  # type: ignore[attr-defined]
        raise refused


#: the limits' units, in French
UNITS = {"second": "seconde", "minute": "minute", "hour": "heure", "day": "jour"}


def _describe(item: RateLimitItem) -> str:
    unit = UNITS.get(item.GRANULARITY.name, item.GRANULARITY.name)
    per = unit if item.multiples == 1 else f"{item.multiples} {unit}s"
    return f"{item.amount} par {per}"


def client_key(request: Request, principal: Principal) -> str:
    """The client counted: the account when signed in, else the address."""
    if principal.user_id is not None:
        return f"user#{principal.user_id}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


def limited(name: str) -> Callable[[Request, Principal], Awaitable[None]]:
    """A dependency counting one `name` act for the calling client."""

    async def count(request: Request, principal: PrincipalDep) -> None:
        limits: RateLimits = request.app.state.rate_limits
        await limits.hit(name, client_key(request, principal))

    return count


NruLimitDep = Annotated[None, Depends(limited("nru"))]
LoginLimitDep = Annotated[None, Depends(limited("login"))]
