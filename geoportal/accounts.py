"""Accounts, roles and tokens: who may do what, and for which urban agency.

Four roles (issue #6): the public (no account: the map, open data, verification, a note for an
approved plan), the petitioner (an account: their own notes and checks), the agent (issues and
revokes notes, records projects, imports plans, for their own agency only) and the admin
(accounts, audit trail, every agency). Passwords are hashed with argon2id (argon2-cffi); tokens
are random and only their SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from zoning.audit import record_act
from zoning.refusal import Conflict, Forbidden, Invalid, NotFound, Problem

Role = Literal[
    "public", "petitioner", "agent", "admin", "guichet", "architecte", "membre", "president"
]
AccountRole = Literal[
    "petitioner", "agent", "admin", "guichet", "architecte", "membre", "president"
]
#: Roles of the dossier workflow (RGC art. 21-44): the secretariat of a guichet unique or of a
#: comité préfectoral (guichet), the architect who files for an owner (art. 34 al. 3), a
#: member service of the commission (membre), the president of the communal council.
DOSSIER_ROLES = ("guichet", "architecte", "membre", "president")
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
MIN_PASSWORD = 10
#: A password of fewer distinct characters is no secret, however long (aaaaaaaaab, 1212121212).
MIN_DISTINCT_CHARACTERS = 4
COMMON_PASSWORDS = "mots_de_passe_courants.txt"
TOKEN_PREFIX = "gp_"


class AccountRequired(Forbidden, PermissionError):
    """The act needs a signed-in account (401)."""

    def __init__(self, detail: str) -> None:
        super().__init__("account_required", detail)


class AgencyForbidden(Forbidden, PermissionError):
    """The account acts for another agency, or its role may not do this (403)."""

    def __init__(self, detail: str, code: str = "agency_forbidden") -> None:
        super().__init__(code, detail)


class AccountConflict(Conflict, ValueError):
    """The login is taken (409)."""

    def __init__(self, detail: str) -> None:
        super().__init__("account_conflict", detail, [Problem("account_conflict", detail, "login")])


class InvalidAccount(Invalid, ValueError):
    """An account's fields are inconsistent (422)."""

    def __init__(
        self, detail: str, code: str = "invalid_account", field: str | None = None
    ) -> None:
        super().__init__(code, detail, [Problem(code, detail, field)])


class AccountNotFound(NotFound, LookupError):
    """No account has that login (404)."""

    def __init__(self, detail: str) -> None:
        super().__init__("account_not_found", detail)


class WeakPassword(InvalidAccount):
    """A password too short, among the most common, or trivially repeated (422)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, "mot_de_passe_faible", "password")


@dataclass(frozen=True)
class Principal:
    """Who is acting: a role, their account (none for the public) and an agent's agency."""

    role: Role
    user_id: int | None = None
    agency: str | None = None
    commune: str | None = None
    prefecture: str | None = None
    service: str | None = None

    @property
    def actor(self) -> str:
        """How the audit trail names them: role and account number, never a person's name.

        An admin without an account is the operator on the server itself (CLI, demo loader).
        """
        if self.user_id is not None:
            return f"{self.role}#{self.user_id}"
        return "public" if self.role == "public" else "system"

    @property
    def signed_in(self) -> bool:
        """Whether an account is behind the request."""
        return self.user_id is not None

    def acts_for(self, agency: str | None) -> bool:
        """Whether they may act in the name of `agency` (an admin, or that agency's agent)."""
        return self.role == "admin" or (self.role == "agent" and self.agency == agency)

    def require_agency(self, agency: str | None, what: str) -> None:
        """AgencyForbidden unless they act for `agency`."""
        if not self.acts_for(agency):
            raise AgencyForbidden(
                f"{what} relève de {agency or 'aucune agence'} ; votre compte agit pour "
                f"{self.agency or 'aucune agence'}"
            )


PUBLIC = Principal("public")
#: the operator on the server (CLI, demo loading): database access already grants everything.
SYSTEM = Principal("admin")


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's RFC 9106 defaults


@cache
def _dummy_hash() -> str:
    """Verified against when the login is unknown, so timing does not reveal which exist."""
    return _hasher().hash(secrets.token_hex(16))


def hash_password(password: str, login: str | None = None) -> str:
    """An argon2id hash of a password that check_password accepts."""
    check_password(password, login)
    return _hasher().hash(password)


def check_password(password: str, login: str | None = None) -> None:
    """WeakPassword unless the password is long, uncommon and not a repetition or a run."""
    folded = password.strip().casefold()
    if len(password) < MIN_PASSWORD:
        reason = f"il faut au moins {MIN_PASSWORD} caractères"
    elif folded in common_passwords():
        reason = "il figure parmi les mots de passe les plus courants"
    elif len(set(folded)) < MIN_DISTINCT_CHARACTERS or re.fullmatch(r"(.+?)\1+", folded):
        reason = "c'est une répétition (aaaaaaaaaa, azertyazerty)"
    elif _is_run(folded):
        reason = "c'est une suite (0123456789, abcdefghij)"
    elif login is not None and folded.startswith(login.strip().casefold()):
        reason = "il commence par l'identifiant du compte"
    else:
        return
    raise WeakPassword(
        f"mot de passe trop faible : {reason} ; choisissez par exemple trois ou quatre mots "
        "sans rapport entre eux"
    )


def _is_run(text: str) -> bool:
    """Consecutive characters going up or down by one: 0123456789, abcdefghij, 9876543210."""
    steps = {ord(b) - ord(a) for a, b in pairwise(text)}
    return steps in ({1}, {-1})


@cache
def common_passwords() -> frozenset[str]:
    """The list shipped in data/ (lower case); its header says where it comes from."""
    for folder in (Path(__file__).resolve().parents[1] / "data", Path("data")):
        path = folder / COMMON_PASSWORDS
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            return frozenset(line for line in lines if line and not line.startswith("#"))
    raise FileNotFoundError(f"data/{COMMON_PASSWORDS}: the list of common passwords is missing")


def normalise_login(login: str) -> str:
    """Lower case; letters, digits and . _ @ - only (3 to 64 characters)."""
    cleaned = login.strip().lower()
    if not LOGIN_PATTERN.match(cleaned):
        raise InvalidAccount(
            f"identifiant {login!r} : de 3 à 64 caractères, lettres, chiffres et . _ @ - seulement"
        )
    return cleaned


@dataclass(frozen=True)
class NewAccount:
    """An account to create; the personal fields never leave the users table publicly."""

    login: str
    role: AccountRole
    agency: str | None = None
    password: str | None = None
    full_name: str | None = None
    cin: str | None = None
    email: str | None = None
    address: str | None = None
    commune: str | None = None
    prefecture: str | None = None
    service: str | None = None


def service_codes() -> frozenset[str]:
    """The commission member codes a `membre` may speak for (checks.commission, art. 22-26)."""
    from checks.avis import load_table
    from checks.commission import (
        AGENCE_URBAINE,
        COMMUNE,
        CONSERVATION_FONCIERE,
        PREFECTURE,
        RESEAUX_DIVERS,
        TELECOMS,
    )

    permanent = (PREFECTURE, COMMUNE, AGENCE_URBAINE, TELECOMS, RESEAUX_DIVERS)
    codes = {m.code for m in (*permanent, CONSERVATION_FONCIERE)}
    return frozenset(codes | {a.code for a in load_table().administrations})


def check_scope(account: NewAccount) -> None:
    """InvalidAccount unless the account's commune, prefecture and service fit its role."""
    if (account.role == "agent") != bool(account.agency):
        raise InvalidAccount("agence : obligatoire pour un agent, et pour un agent seulement")
    if account.role == "guichet" and bool(account.commune) == bool(account.prefecture):
        raise InvalidAccount(
            "guichet : une commune ou une préfecture (comité préfectoral ou provincial, art. 35)"
        )
    if account.role == "president" and not account.commune:
        raise InvalidAccount("président : la commune est obligatoire")
    if account.role == "membre":
        if account.service not in service_codes():
            raise InvalidAccount(
                f"service : {account.service!r} n'est pas un code de membre de la commission "
                f"({', '.join(sorted(service_codes()))})"
            )
    elif account.service:
        raise InvalidAccount("service : seulement pour un membre de la commission")
    if account.role not in ("guichet", "membre", "president") and (
        account.commune or account.prefecture
    ):
        raise InvalidAccount(
            "commune, préfecture : seulement pour un guichet, un membre ou un président"
        )


def create_account(conn: Connection, account: NewAccount, by: Principal = SYSTEM) -> int:
    """Insert an account; return its id (409 when the login is taken)."""
    login = normalise_login(account.login)
    check_scope(account)
    password_hash = None if account.password is None else hash_password(account.password, login)
    try:
        with conn.begin_nested():
            user_id = conn.execute(
                text("""INSERT INTO users (login, role, agency, password_hash, full_name, cin,
                                           email, address, commune, prefecture, service)
                        VALUES (:login, :role, :agency, :hash, :full_name, :cin, :email,
                                :address, :commune, :prefecture, :service) RETURNING id"""),
                {
                    "login": login,
                    "role": account.role,
                    "agency": account.agency,
                    "hash": password_hash,
                    "full_name": account.full_name,
                    "cin": account.cin,
                    "email": account.email,
                    "address": account.address,
                    "commune": account.commune,
                    "prefecture": account.prefecture,
                    "service": account.service,
                },
            ).scalar_one()
    except IntegrityError:
        raise AccountConflict(f"l'identifiant {login!r} est déjà pris") from None
    details = {
        "role": account.role,
        "agency": account.agency,
        "commune": account.commune,
        "prefecture": account.prefecture,
        "service": account.service,
    }
    record_act(conn, "account.create", f"user#{user_id}", details, actor=by.actor)
    return int(user_id)


def issue_token(
    conn: Connection, user_id: int, *, hours: float | None, label: str = "login"
) -> str:
    """A new bearer token for the account (valid `hours`, or until revoked when None)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    store_token(conn, user_id, token, hours=hours, label=label)
    return token


def store_token(
    conn: Connection, user_id: int, token: str, *, hours: float | None, label: str
) -> None:
    """Keep a token's SHA-256 for the account."""
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours) if hours else None
    conn.execute(
        text("""INSERT INTO api_tokens (user_id, token_sha256, label, expires_at)
                VALUES (:user_id, :sha, :label, :expires)"""),
        {"user_id": user_id, "sha": token_digest(token), "label": label, "expires": expires},
    )


def token_digest(token: str) -> str:
    """What is kept of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(conn: Connection, login: str, password: str) -> int | None:
    """The active account's id when the password matches, else None."""
    row = conn.execute(
        text("SELECT id, password_hash FROM users WHERE login = :login AND active"),
        {"login": login.strip().lower()},
    ).first()
    stored = row[1] if row is not None and row[1] else _dummy_hash()
    try:
        _hasher().verify(stored, password)
    except VerificationError:
        return None
    return int(row[0]) if row is not None and row[1] else None


_TOKEN_SQL = text("""
SELECT u.id, u.role, u.agency, u.commune, u.prefecture, u.service
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_sha256 = :sha AND t.revoked_at IS NULL AND u.active
  AND (t.expires_at IS NULL OR t.expires_at > now())
""")


def principal_for_token(conn: Connection, token: str) -> Principal | None:
    """Who holds this bearer token, or None when it is unknown, expired or revoked."""
    row = conn.execute(_TOKEN_SQL, {"sha": token_digest(token)}).first()
    if row is None:
        return None
    return Principal(
        role=row[1],
        user_id=int(row[0]),
        agency=row[2],
        commune=row[3],
        prefecture=row[4],
        service=row[5],
    )


def revoke_token(conn: Connection, token: str) -> None:
    """Log out: the token stops working at once."""
    conn.execute(
        text("UPDATE api_tokens SET revoked_at = now() WHERE token_sha256 = :sha"),
        {"sha": token_digest(token)},
    )


def account_id(conn: Connection, login: str) -> int:
    """The id of an account by login."""
    found = conn.execute(
        text("SELECT id FROM users WHERE login = :login"), {"login": login.strip().lower()}
    ).scalar()
    if found is None:
        raise AccountNotFound(f"aucun compte n'a l'identifiant {login!r}")
    return int(found)


def deactivate_account(conn: Connection, login: str, by: Principal = SYSTEM) -> None:
    """Close an account: its tokens stop working; its history stays."""
    user_id = account_id(conn, login)
    conn.execute(text("UPDATE users SET active = false WHERE id = :id"), {"id": user_id})
    record_act(conn, "account.deactivate", f"user#{user_id}", actor=by.actor)


def list_accounts(conn: Connection) -> list[dict[str, Any]]:
    """Accounts for the admin: login, role, agency, state; no personal data."""
    rows = conn.execute(
        text(
            "SELECT id, login, role, agency, commune, prefecture, service, active, created_at "
            "FROM users ORDER BY id"
        )
    )
    return [dict(row._mapping) for row in rows]


def profile(conn: Connection, user_id: int) -> dict[str, Any]:
    """An account's own data, personal fields included: only ever shown to its holder."""
    row = conn.execute(
        text("""SELECT id, login, role, agency, commune, prefecture, service, full_name, cin,
                       email, address, created_at
                FROM users WHERE id = :id"""),
        {"id": user_id},
    ).one()
    return dict(row._mapping)
