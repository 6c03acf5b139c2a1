"""The workflow's roles from the command line: `geoportal user add LOGIN --role guichet
--commune "Ain Demo"`, and likewise membre (--service), president, architecte (issue #13)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from geoportal.accounts import principal_for_token
from geoportal.cli import app


@pytest.fixture
def env(test_database_url: str, engine: Engine) -> Iterator[dict[str, str]]:
    yield {"GEOPORTAL_DATABASE_URL": test_database_url, "GEOPORTAL_STORAGE_SRID": "26191"}
    # Cleanup only (the run's database is dropped at its end): never wait on a row another
    # test's connection still holds a key lock on.
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '3s'"))
            conn.execute(text("DELETE FROM users WHERE login LIKE 'cli.%'"))
    except OperationalError:
        pass


def add(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["user", "add", *args], env=env)
    return result.exit_code, result.output


def test_guichet_membre_president_from_the_cli(env: dict[str, str], engine: Engine) -> None:
    code, out = add(env, "cli.guichet", "--role", "guichet", "--commune", "Ain Demo")
    assert code == 0, out
    token = out.strip().splitlines()[-1]
    with engine.connect() as conn:
        principal = principal_for_token(conn, token)
    assert principal is not None
    assert (principal.role, principal.commune) == ("guichet", "Ain Demo")
    code, out = add(env, "cli.membre", "--role", "membre", "--service", "protection_civile")
    assert code == 0, out
    assert add(env, "cli.president", "--role", "president", "--commune", "Ain Demo")[0] == 0
    assert add(env, "cli.archi", "--role", "architecte")[0] == 0


def test_a_member_needs_a_service_of_the_commission(env: dict[str, str]) -> None:
    code, out = add(env, "cli.membre2", "--role", "membre", "--service", "police")
    assert code == 1 and "service" in out
    code, out = add(env, "cli.guichet2", "--role", "guichet")
    assert code == 1 and "commune" in out
    code, out = add(env, "cli.president2", "--role", "president")
    assert code == 1
