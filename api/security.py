"""Who is calling: the bearer token (OAuth2 password flow) read into a Principal, role gates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep
from geoportal.accounts import PUBLIC, Principal, Role, principal_for_token

TOKEN_URL = "/api/v1/token"
bearer_token = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
TokenReader = Callable[[str], Principal | None]


async def token_reader(engine: EngineDep) -> TokenReader:
    """Looks a token up on a connection of its own, returned to the pool at once."""

    def read(token: str) -> Principal | None:
        with engine.connect() as conn:
            return principal_for_token(conn, token)

    return read


# async: the public's requests (no token) cost no worker thread here
async def current_principal(
    read: Annotated[TokenReader, Depends(token_reader)],
    token: Annotated[str | None, Depends(bearer_token)],
) -> Principal:
    """The account behind the bearer token, or the public when there is none."""
    if token is None:
        return PUBLIC
    principal = await run_in_threadpool(read, token)
    if principal is None:
        raise HTTPException(
            401, "the token is unknown, expired or revoked", {"WWW-Authenticate": "Bearer"}
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency letting only these roles through: 401 for the public, 403 for the others."""

    async def gate(principal: PrincipalDep) -> Principal:
        if principal.role in roles:
            return principal
        if not principal.signed_in:
            raise HTTPException(
                401, "sign in first (POST /api/v1/token)", {"WWW-Authenticate": "Bearer"}
            )
        raise HTTPException(403, f"{' or '.join(roles)} only; your account is {principal.role}")

    return gate


SignedInDep = Annotated[Principal, Depends(require("petitioner", "agent", "admin"))]
AgentDep = Annotated[Principal, Depends(require("agent", "admin"))]
AdminDep = Annotated[Principal, Depends(require("admin"))]
