"""Who is calling, read into a Principal, and the role gates.

Two ways to say it, one token behind both (geoportal.accounts):
- API clients send `Authorization: Bearer <token>` (OAuth2 password flow, POST /api/v1/token);
- the pages sign in with POST /api/v1/session, which puts the token in an HttpOnly,
  SameSite=Strict cookie that no page script can read (a script injected into a page could
  otherwise send it away). A cookie goes with every request to the site, so a state-changing
  request it authenticates must also carry the session's CSRF proof in `X-CSRF-Token`
  (a signed double submit, OWASP's stateless pattern): the proof is derived from the token,
  the pages read it from a second, readable cookie, and another site can neither read it nor
  set the header on a request to this one. Signing in checks the Origin (login CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep
from geoportal.accounts import PUBLIC, Principal, Role, principal_for_token
from zoning.refusal import Forbidden

TOKEN_URL = "/api/v1/token"
bearer_token = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
TokenReader = Callable[[str], Principal | None]
SESSION_COOKIE = "geoportal_session"  # HttpOnly: the token
CSRF_COOKIE = "geoportal_csrf"  # readable by the pages: the proof they send back
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: the roles as the refusals name them
ROLE_NAMES = {"admin": "administrateur", "agent": "agent", "petitioner": "pétitionnaire"}


class CsrfRefused(Forbidden, PermissionError):
    """A request the session cookie would authenticate, without the proof it comes from the
    pages (403)."""


def csrf_proof(session_token: str) -> str:
    """The session's CSRF proof: made from its token, so only its holder can know it."""
    return hashlib.sha256(b"geoportal-csrf:" + session_token.encode()).hexdigest()


def session_token(request: Request) -> str | None:
    """The token of the session cookie, once a state-changing request has proved it comes
    from the pages; None without a cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    if request.method in SAFE_METHODS:
        return token
    proof = request.headers.get(CSRF_HEADER)
    if not proof:
        raise CsrfRefused(
            "csrf_missing",
            f"Requête refusée : la session ouverte par cookie exige l'en-tête {CSRF_HEADER} "
            "(preuve que la requête vient des pages du géoportail).",
        )
    if not hmac.compare_digest(proof, csrf_proof(token)):
        raise CsrfRefused(
            "csrf_invalid",
            f"Requête refusée : l'en-tête {CSRF_HEADER} ne correspond pas à la session.",
        )
    return token


def check_same_origin(request: Request) -> None:
    """Refuse a request a page of another site sent (its Origin names that site)."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != own:
        raise CsrfRefused(
            "csrf_origin",
            f"Requête refusée : elle vient d'un autre site ({origin}) que le géoportail.",
        )


async def token_reader(engine: EngineDep) -> TokenReader:
    """Looks a token up on a connection of its own, returned to the pool at once."""

    def read(token: str) -> Principal | None:
        with engine.connect() as conn:
            return principal_for_token(conn, token)

    return read


# async: the public's requests (no token) cost no worker thread here
async def current_principal(
    request: Request,
    read: Annotated[TokenReader, Depends(token_reader)],
    token: Annotated[str | None, Depends(bearer_token)],
) -> Principal:
    """The account behind the bearer token, else behind the session cookie, else the public.

    A bearer token is the caller's explicit word: unknown, it is refused (401). A session
    cookie is what the browser kept: expired or revoked, the visitor is simply signed out.
    """
    if token is None:
        cookie = session_token(request)
        if cookie is None:
            return PUBLIC
        return await run_in_threadpool(read, cookie) or PUBLIC
    principal = await run_in_threadpool(read, token)
    if principal is None:
        raise sign_in("token_invalid", "Le jeton est inconnu, expiré ou révoqué.")
    return principal


def sign_in(code: str, detail: str) -> Forbidden:
    """A 401: the caller must (again) show who they are (RFC 6750 names the scheme)."""
    refused = Forbidden(code, detail)
    refused.headers = {"WWW-Authenticate": "Bearer"}  # type: ignore[attr-defined]
    return refused


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency letting only these roles through: 401 for the public, 403 for the others."""

    async def gate(principal: PrincipalDep) -> Principal:
        if principal.role in roles:
            return principal
        if not principal.signed_in:
            raise sign_in("account_required", "Connectez-vous d'abord (POST /api/v1/token).")
        allowed = " ou ".join(ROLE_NAMES.get(r, r) for r in roles)
        yours = ROLE_NAMES.get(principal.role, principal.role)
        raise Forbidden("role_forbidden", f"Réservé aux comptes {allowed} ; le vôtre est {yours}.")

    return gate


SignedInDep = Annotated[
    Principal,
    Depends(
        require("petitioner", "agent", "admin", "guichet", "architecte", "membre", "president")
    ),
]
AgentDep = Annotated[Principal, Depends(require("agent", "admin"))]
AdminDep = Annotated[Principal, Depends(require("admin"))]
