"""The test run's accounts, one per role, committed once with known tokens."""

from __future__ import annotations

from sqlalchemy import Connection

from geoportal.accounts import NewAccount, create_account, store_token

AGENCY = "Agence Urbaine de Skhirate-Temara"  # the demo's and the synthetic plans' agency
OTHER_AGENCY = "Agence Urbaine de Casablanca"
PETITIONER_NAME = "Salma Bennani"
PETITIONER_CIN = "BK654321"
PETITIONER_ADDRESS = "12 rue des Orangers, Témara"

ACCOUNTS = {
    "petitioner": NewAccount(
        login="test.petitioner",
        role="petitioner",
        full_name=PETITIONER_NAME,
        cin=PETITIONER_CIN,
        address=PETITIONER_ADDRESS,
    ),
    "agent": NewAccount(login="test.agent", role="agent", agency=AGENCY),
    "other_agent": NewAccount(login="test.other.agent", role="agent", agency=OTHER_AGENCY),
    "admin": NewAccount(login="test.admin", role="admin"),
}


def token(who: str) -> str:
    """The known token of a test account."""
    return f"test-{who.replace('_', '-')}-token"


def bearer(who: str) -> dict[str, str]:
    """The Authorization header of a test account."""
    return {"Authorization": f"Bearer {token(who)}"}


def create_test_accounts(conn: Connection) -> dict[str, int]:
    """Create the accounts and their tokens (no password: hashing is not what is tested)."""
    ids = {}
    for who, account in ACCOUNTS.items():
        ids[who] = create_account(conn, account)
        store_token(conn, ids[who], token(who), hours=None, label="test")
    return ids


AGENT = bearer("agent")
PETITIONER = bearer("petitioner")
OTHER_AGENT = bearer("other_agent")
ADMIN = bearer("admin")
