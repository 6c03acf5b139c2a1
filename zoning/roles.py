"""The database role of the public reads: it can read the `opendata` views and nothing else.

tipg turns CQL2 filters into SQL, and the map, the open data and the indicators answer anyone:
those reads connect as this role, so that even a filter that slipped past the checks
(api.cql) could read no other table. The role has CONNECT and TEMPORARY on the database
(tipg creates its catalogue functions in pg_temp), USAGE on schema `opendata` and SELECT on
its views; no other table, sequence or schema is granted to it. PostGIS's functions and
types live in schema `public`, whose USAGE every role has by default: the role owns nothing
there and reads none of its tables.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

PUBLIC_ROLE = "geoportal_public"
PUBLIC_SCHEMA = "opendata"
PUBLIC_TIMEOUT = "5s"  # the role's own ceiling, whatever its connections ask for
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: built-in functions that run a query of the caller's text or hold a connection: taken from
#: PUBLIC in this database (the service's own role never needs them).
REVOKED_FUNCTIONS = (
    "query_to_xml(text, boolean, boolean, text)",
    "query_to_xmlschema(text, boolean, boolean, text)",
    "query_to_xml_and_xmlschema(text, boolean, boolean, text)",
    "table_to_xml(regclass, boolean, boolean, text)",
    "table_to_xml_and_xmlschema(regclass, boolean, boolean, text)",
    "cursor_to_xml(refcursor, integer, boolean, boolean, text)",
    "schema_to_xml(name, boolean, boolean, text)",
    "database_to_xml(boolean, boolean, text)",
    "pg_sleep(double precision)",
    "pg_sleep_for(interval)",
    "pg_sleep_until(timestamp with time zone)",
)
#: predefined roles that would open files or every table to a member
FORBIDDEN_MEMBERSHIPS = (
    "pg_read_server_files",
    "pg_write_server_files",
    "pg_execute_server_program",
    "pg_read_all_data",
    "pg_write_all_data",
)


class PublicRoleError(RuntimeError):
    """The public role is misconfigured (a superuser, or a member of a powerful role)."""


def quoted_role(conn: Connection, role: str) -> str:
    """The role's name quoted as an identifier, after checking it is a plain name."""
    if not _ROLE_NAME.match(role):
        raise PublicRoleError(f"rôle public {role!r} : un nom en minuscules, chiffres et _")
    return conn.dialect.identifier_preparer.quote(role)


def ensure_public_role(
    conn: Connection, role: str = PUBLIC_ROLE, password: str | None = None
) -> None:
    """Create the role if it is missing, set its password if given, and grant it its reads."""
    name = quoted_role(conn, role)
    # CREATE ROLE has no IF NOT EXISTS; two databases migrated at once may race for it.
    conn.execute(
        text(f"""DO $$ BEGIN
                   IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                     CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT
                       NOREPLICATION NOBYPASSRLS;
                   END IF;
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                 END $$""")
    )
    if password:
        conn.execute(text(f"ALTER ROLE {name} PASSWORD :password"), {"password": password})
    _refuse_powerful(conn, role)
    grant_public_reads(conn, name)


def _refuse_powerful(conn: Connection, role: str) -> None:
    """A public role that is a superuser, or may read files or every table, is refused."""
    row = conn.execute(
        text("""SELECT r.rolsuper OR r.rolbypassrls,
                       ARRAY(SELECT g.rolname FROM pg_auth_members m
                             JOIN pg_roles g ON g.oid = m.roleid
                             WHERE m.member = r.oid AND g.rolname = ANY(:forbidden))
                FROM pg_roles r WHERE r.rolname = :role"""),
        {"role": role, "forbidden": list(FORBIDDEN_MEMBERSHIPS)},
    ).one()
    if row[0] or row[1]:
        powers = "superuser" if row[0] else ", ".join(row[1])
        raise PublicRoleError(f"le rôle public {role} ne doit pas avoir ces droits : {powers}")


def grant_public_reads(conn: Connection, name: str) -> None:
    """CONNECT, TEMPORARY, the opendata views (now and later), a short statement timeout."""
    database = conn.dialect.identifier_preparer.quote(
        str(conn.execute(text("SELECT current_database()")).scalar_one())
    )
    for statement in (
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {name}",
        f"CREATE SCHEMA IF NOT EXISTS {PUBLIC_SCHEMA}",
        f"GRANT USAGE ON SCHEMA {PUBLIC_SCHEMA} TO {name}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {PUBLIC_SCHEMA} TO {name}",
        # views created later by the migrating role are granted as they are created
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {PUBLIC_SCHEMA} GRANT SELECT ON TABLES TO {name}",
        f"ALTER ROLE {name} IN DATABASE {database} SET statement_timeout = '{PUBLIC_TIMEOUT}'",
        f"ALTER ROLE {name} IN DATABASE {database} SET search_path = {PUBLIC_SCHEMA}, public",
        # as geoportal.db.SESSION_SETTINGS, for sessions that cannot set it (PgBouncer)
        f"ALTER ROLE {name} IN DATABASE {database} SET jit = off",
    ):
        conn.execute(text(statement))
    for function in REVOKED_FUNCTIONS:
        conn.execute(text(f"REVOKE EXECUTE ON FUNCTION pg_catalog.{function} FROM PUBLIC"))


def readable_outside_opendata(conn: Connection, role: str) -> list[str]:
    """The tables and views outside `opendata` the role may SELECT (PostGIS's catalogue only)."""
    tables = conn.execute(
        text("""SELECT table_schema || '.' || table_name FROM information_schema.tables
                WHERE table_schema NOT IN ('pg_catalog', 'information_schema', :schema)
                  AND has_table_privilege(:role, quote_ident(table_schema) || '.'
                                          || quote_ident(table_name), 'SELECT')
                ORDER BY 1"""),
        {"role": role, "schema": PUBLIC_SCHEMA},
    ).scalars()
    return list(tables)
