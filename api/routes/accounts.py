"""Accounts: tokens (OAuth2 password flow), petitioners' sign-up, their history, the admin's."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from api.answers import (
    PROBLEM_RESPONSES,
    AccountCreated,
    AccountRow,
    AuditEntry,
    MyCheck,
    MyNote,
    Profile,
)
from api.deps import ConnectionDep, SettingsDep, TransactionDep
from api.ratelimit import LoginLimitDep
from api.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AdminDep,
    SignedInDep,
    bearer_token,
    check_same_origin,
    csrf_proof,
    sign_in,
)
from geoportal.accounts import (
    NewAccount,
    authenticate,
    create_account,
    deactivate_account,
    issue_token,
    list_accounts,
    normalise_login,
    principal_for_token,
    profile,
    revoke_token,
)
from geoportal.history import my_checks, my_nrus
from zoning.audit import audit_trail
from zoning.refusal import Forbidden

WRONG_CREDENTIALS = "Identifiant ou mot de passe incorrect."

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=PROBLEM_RESPONSES)


class Token(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds")


@router.post("/token", summary="Sign in (OAuth2 password flow): a bearer token")
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    _: LoginLimitDep,
    conn: TransactionDep,
    settings: SettingsDep,
) -> Token:
    user_id = authenticate(conn, form.username, form.password)
    if user_id is None:
        raise sign_in("invalid_credentials", WRONG_CREDENTIALS)
    token = issue_token(conn, user_id, hours=settings.token_hours)
    return Token(access_token=token, expires_in=settings.token_hours * 3600)


@router.delete("/token", status_code=204, summary="Sign out: the token stops working")
def logout(
    _: SignedInDep, conn: TransactionDep, token: Annotated[str | None, Depends(bearer_token)]
) -> Response:
    if token:
        revoke_token(conn, token)
    return Response(status_code=204)


class Session(BaseModel):
    """The pages' session: its token is in the HttpOnly cookie, never in this answer."""

    login: str
    role: str
    expires_in: int = Field(description="seconds")


@router.post(
    "/session", summary="Sign in from the pages: an HttpOnly, SameSite=Strict session cookie"
)
def open_session(
    request: Request,
    response: Response,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    _: LoginLimitDep,
    conn: TransactionDep,
    settings: SettingsDep,
) -> Session:
    check_same_origin(request)  # another site must not sign a visitor in (login CSRF)
    user_id = authenticate(conn, form.username, form.password)
    if user_id is None:
        raise Forbidden("invalid_credentials", WRONG_CREDENTIALS)
    token = issue_token(conn, user_id, hours=settings.token_hours, label="session")
    principal = principal_for_token(conn, token)
    assert principal is not None
    seconds = settings.token_hours * 3600
    secure = request.url.scheme == "https"
    for name, value, http_only in (
        (SESSION_COOKIE, token, True),
        (CSRF_COOKIE, csrf_proof(token), False),
    ):
        response.set_cookie(
            name,
            value,
            max_age=seconds,
            path="/",
            secure=secure,
            httponly=http_only,
            samesite="strict",
        )
    return Session(login=normalise_login(form.username), role=principal.role, expires_in=seconds)


@router.delete("/session", status_code=204, summary="Sign out from the pages: cookie revoked")
def close_session(request: Request, conn: TransactionDep) -> Response:
    # No CSRF proof asked: signing out must work whatever cookies the browser kept; the
    # Origin check keeps other sites from signing a visitor out.
    check_same_origin(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        revoke_token(conn, token)
    response = Response(status_code=204)
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/", samesite="strict")
    return response


class SignUp(BaseModel):
    """A petitioner's account (personal data: never public, never logged)."""

    login: str = Field(min_length=3, max_length=64, examples=["salma.bennani"])
    password: str = Field(min_length=10, max_length=200)
    full_name: str = Field(min_length=1, max_length=200, description="printed on the notes")
    cin: str | None = Field(None, max_length=16, description="carte d'identité nationale")
    email: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=500, description="printed on the notes")


@router.post(
    "/accounts",
    response_model=AccountCreated,
    status_code=201,
    summary="Create a petitioner's account",
)
def sign_up(body: SignUp, _: LoginLimitDep, conn: TransactionDep) -> dict[str, Any]:
    account = NewAccount(role="petitioner", **body.model_dump())
    user_id = create_account(conn, account)
    return {"id": user_id, "login": normalise_login(account.login), "role": "petitioner"}


@router.get("/me", response_model=Profile, summary="Your account")
def me(principal: SignedInDep, conn: ConnectionDep) -> dict[str, Any]:
    assert principal.user_id is not None
    return profile(conn, principal.user_id)


@router.get("/me/nrus", response_model=list[MyNote], summary="The notes you asked for")
def own_nrus(principal: SignedInDep, conn: ConnectionDep) -> list[dict[str, Any]]:
    return my_nrus(conn, principal)


@router.get("/me/checks", response_model=list[MyCheck], summary="The compliance checks you ran")
def own_checks(principal: SignedInDep, conn: ConnectionDep) -> list[dict[str, Any]]:
    return my_checks(conn, principal)


class AccountBody(BaseModel):
    """An account the admin creates (agents, admins, petitioners)."""

    login: str = Field(min_length=3, max_length=64)
    role: Literal["petitioner", "agent", "admin", "guichet", "architecte", "membre", "president"]
    agency: str | None = Field(None, max_length=200, description="required for an agent")
    commune: str | None = Field(
        None, max_length=200, description="guichet, president (and optionally membre)"
    )
    prefecture: str | None = Field(
        None, max_length=200, description="guichet of a comité préfectoral (art. 35)"
    )
    service: str | None = Field(
        None, max_length=64, description="membre: a commission member code (checks.commission)"
    )
    password: str | None = Field(None, min_length=10, max_length=200)
    full_name: str | None = Field(None, max_length=200)


@router.get(
    "/users",
    response_model=list[AccountRow],
    summary="Accounts (admin): login, role, agency, state",
)
def users(_: AdminDep, conn: ConnectionDep) -> list[dict[str, Any]]:
    return list_accounts(conn)


@router.post(
    "/users", response_model=AccountCreated, status_code=201, summary="Create an account (admin)"
)
def add_user(body: AccountBody, admin: AdminDep, conn: TransactionDep) -> dict[str, Any]:
    user_id = create_account(conn, NewAccount(**body.model_dump()), by=admin)
    return {"id": user_id, "login": normalise_login(body.login), "role": body.role}


@router.delete("/users/{login}", status_code=204, summary="Close an account (admin)")
def close_user(login: str, admin: AdminDep, conn: TransactionDep) -> Response:
    deactivate_account(conn, login, by=admin)
    return Response(status_code=204)


@router.get(
    "/audit",
    response_model=list[AuditEntry],
    summary="The audit trail (admin): who did what and when, newest first",
)
def audit(
    _: AdminDep,
    conn: ConnectionDep,
    action: Annotated[
        str | None, Query(max_length=64, description="e.g. nru. or plan.import")
    ] = None,
    actor: Annotated[str | None, Query(max_length=64, description="e.g. agent#12")] = None,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="acts before this id")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    return audit_trail(conn, limit, action=action, actor=actor, before_id=before)
