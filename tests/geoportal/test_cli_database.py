"""The CLI on a database not migrated, or not reachable (issue #12 item 9): one French line
saying what to run, exit 1, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from geoportal.setup.provision import libpq_url

COMMANDS = [
    ["user", "add", "agent.temara", "--role", "agent", "--agency", "Agence Urbaine"],
    ["user", "list"],
    ["user", "token", "agent.temara"],
    ["plan", "list"],
]


@pytest.fixture
def empty_database(test_database_url: str) -> Iterator[str]:
    """A database of its own, created for the test and dropped after: no migration ran."""
    url = make_url(test_database_url)
    empty = url.set(database=f"{url.database}_vide")
    admin = libpq_url(url.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{empty.database}"')
        conn.execute(f'CREATE DATABASE "{empty.database}"')
    yield empty.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{empty.database}" WITH (FORCE)')


def closed_port() -> int:
    """A local port nobody listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def geoportal(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it."""
    env = {**os.environ, "GEOPORTAL_DATABASE_URL": database_url, "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-m", "geoportal.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line of stderr, asserting there is no other (nor any traceback)."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    return line


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_a_database_not_migrated_says_to_run_db_upgrade(
    empty_database: str, command: list[str]
) -> None:
    line = one_line(geoportal(empty_database, *command))
    assert "n'a pas encore son schéma" in line and "geoportal db upgrade" in line
    assert "make setup" in line


@pytest.mark.parametrize("command", COMMANDS[:2], ids=[" ".join(c[:2]) for c in COMMANDS[:2]])
def test_a_database_out_of_reach_says_to_run_make_setup(
    test_database_url: str, command: list[str]
) -> None:
    url = make_url(test_database_url).set(host="127.0.0.1", port=closed_port())
    line = one_line(geoportal(url.render_as_string(hide_password=False), *command))
    assert "injoignable" in line and "make setup" in line
    assert "GEOPORTAL_DATABASE_URL" in line


def test_db_upgrade_then_the_command_works(empty_database: str) -> None:
    upgraded = geoportal(empty_database, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    listed = geoportal(empty_database, "user", "list")
    assert listed.returncode == 0, listed.stderr
