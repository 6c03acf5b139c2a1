"""The OGC API's filters cannot reach the database (issue #10, item 1), and its errors are 4xx.

The attack as it was found: an anonymous filter calling `query_to_xml(…)` read a petitioner's
CIN out of `users`, one character at a time; others reached `password_hash`, `pg_read_file`,
`nextval` and held a connection with `pg_sleep`. Each variant is sent to a real server here.
"""

from __future__ import annotations

import json
import time

import httpx
import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from api.cql import checked_filter_expr
from geoportal.settings import Settings
from geoportal.setup.provision import libpq_url
from tests.api.test_opendata import tile_of
from zoning.roles import readable_outside_opendata

ITEMS = "/ogc/collections/opendata.projets_autorises/items"
CIN_PROBE = "strpos(query_to_xml('select cin from users', true, true, ''), 'AB') > 0"

ATTACKS = [
    CIN_PROBE,
    "query_to_xml('select password_hash from users', true, true, '') IS NULL",
    "QUERY_TO_XML('select token_sha256 from api_tokens', true, true, '') IS NULL",
    "length(pg_read_file('/etc/passwd')) > 0",
    "pg_read_file('/etc/passwd') = 'x'",
    "nextval('users_id_seq') > 0",
    "pg_sleep(2) IS NULL",
    "pg_sleep_for('2 seconds') IS NULL",
    "commune = 'Ain Demo' AND pg_sleep(2) IS NULL",
    "NOT (pg_sleep(2) IS NULL)",
    "current_setting('data_directory') = 'x'",
    "storeys IN (1, length(current_user))",
    "lower(commune) = 'x'",
    "table_to_xml('users', true, true, '') IS NULL",
    "version() LIKE '%'",
    "permit_number = 'x' OR dblink('host=x', 'select 1') IS NULL",
]
JSON_ATTACKS = [
    {"op": "isNull", "args": [{"op": "query_to_xml", "args": ["select cin from users", 1, 1, ""]}]},
    {"op": "=", "args": [{"property": "commune"}, {"op": "pg_sleep", "args": [2]}]},
    {"op": "=", "args": [{"property": "petitioner"}, "x"]},
    {"op": "=", "args": [{"property": 'commune") OR (select 1 from users) IS NOT NULL OR ("'}, 1]},
    {
        "op": "s_intersects",
        "args": [{"property": "geom"}, {"op": "st_geomfromtext", "args": ["x"]}],
    },
]


def _refused(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 400, response.text
    body: dict[str, object] = response.json()
    assert body["code"] in (
        "cql_fonction_interdite",
        "cql_propriete_inconnue",
        "cql_valeur_invalide",
        "cql_syntaxe",
    )
    assert str(body["detail"]).startswith("filtre : ")
    return body


@pytest.mark.parametrize("attack", ATTACKS)
def test_function_calls_in_a_text_filter_are_refused(server: str, attack: str) -> None:
    started = time.monotonic()
    _refused(httpx.get(f"{server}{ITEMS}", params={"filter": attack}, timeout=10))
    assert time.monotonic() - started < 1.5  # pg_sleep never ran


@pytest.mark.parametrize("attack", JSON_ATTACKS)
def test_function_calls_in_a_json_filter_are_refused(server: str, attack: object) -> None:
    params = {"filter": json.dumps(attack), "filter-lang": "cql2-json"}
    _refused(httpx.get(f"{server}{ITEMS}", params=params, timeout=10))


def test_the_cin_probe_gives_the_same_answer_whatever_the_guess(server: str) -> None:
    """The blind read of the issue: two guesses must not be told apart (both refused)."""
    answers = [
        httpx.get(f"{server}{ITEMS}", params={"filter": CIN_PROBE.replace("AB", g)}).json()
        for g in ("AB", "ZZ")
    ]
    assert answers[0]["code"] == answers[1]["code"] == "cql_fonction_interdite"
    assert "numberMatched" not in answers[0]


def test_tiles_refuse_the_same_filters(server: str) -> None:
    x, y = tile_of(-6.925, 33.89, 14)
    tile = f"/ogc/collections/opendata.projets_autorises/tiles/WebMercatorQuad/14/{x}/{y}"
    for attack in (CIN_PROBE, "pg_sleep(2) IS NULL"):
        _refused(httpx.get(f"{server}{tile}", params={"filter": attack}, timeout=10))
    assert httpx.get(f"{server}{tile}", params={"filter": "storeys >= 0"}).status_code == 200


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("procedure = 'grands_projets'", lambda f: f["procedure"] == "grands_projets"),
        ("storeys > 2 AND height_m <= 40", lambda f: f["storeys"] > 2),
        ("CASEI(commune) LIKE CASEI('ain%')", lambda f: f["commune"] == "Ain Demo"),
        ("permit_date >= DATE('2024-01-01')", lambda f: f["permit_date"] >= "2024-01-01"),
        ("storeys BETWEEN 1 AND 3", lambda f: 1 <= f["storeys"] <= 3),
        ("kind IN ('construction', 'lotissement')", lambda f: f["kind"] != "demolition"),
        ("NOT (storeys IS NULL)", lambda f: f["storeys"] is not None),
        (
            "S_INTERSECTS(geom, POLYGON((-7 33.8, -6.8 33.8, -6.8 34, -7 34, -7 33.8)))",
            lambda f: True,
        ),
    ],
)
def test_standard_filters_still_work(server: str, cql: str, expected: object) -> None:
    response = httpx.get(f"{server}{ITEMS}", params={"filter": cql, "limit": 500})
    assert response.status_code == 200, response.text
    features = response.json()["features"]
    assert features
    assert all(expected(f["properties"]) for f in features)  # type: ignore[operator]


def test_a_filter_too_long_or_too_deep_is_refused() -> None:
    with pytest.raises(Exception, match="4000 caractères"):
        checked_filter_expr("storeys = 1 OR " * 400 + "storeys = 2", {"storeys"})
    deep = " OR ".join(f"a = {i}" for i in range(300))
    with pytest.raises(Exception, match="éléments"):
        checked_filter_expr(deep, {"a"})


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        (ITEMS, {"sortby": "password_hash"}, 400, "ogc_propriete"),
        (ITEMS, {"bbox": "1,2,x"}, 400, "ogc_bbox"),
        (ITEMS, {"bbox": "10,20,5,3"}, 400, "ogc_bbox"),
        (ITEMS, {"datetime": "yesterday"}, 400, "ogc_datetime"),
        (ITEMS, {"ids": "'1'"}, 404, "ogc_introuvable"),
        (ITEMS, {"bbox": "1,2,3,inf"}, 400, "ogc_bbox"),
        (ITEMS, {"datetime": "2026-01-01/2025-13-01"}, 400, "ogc_datetime"),
        (ITEMS, {"filter": "storeys >"}, 400, "cql_syntaxe"),
        (ITEMS, {"filter": "storeys = 'trois'"}, 400, "ogc_requete_invalide"),
        (ITEMS + "/999999999", {}, 404, "ogc_introuvable"),
        (ITEMS + "/'1'", {}, 404, "ogc_introuvable"),
        ("/ogc/collections/opendata.nothing/items", {}, 404, "ogc_introuvable"),
    ],
)
def test_tipg_errors_are_4xx_in_the_project_shape(
    server: str, path: str, params: dict[str, str], status: int, code: str
) -> None:
    with httpx.Client(base_url=server) as client:
        response = client.get(path, params=params)
        assert response.status_code == status, response.text
        body = response.json()
        assert body["code"] == code
        assert body["detail"] and body["errors"]
        # the connection stays open for the next request (no reset after the error)
        assert client.get("/ogc/collections").status_code == 200


# --------------------------------------------------------------- the role, in depth


@pytest.fixture
def public_conn(settings: Settings, engine: Engine) -> psycopg.Connection[tuple[object, ...]]:
    """A connection as the public role, as tipg and the public reads open theirs."""
    url = make_url(settings.public_database()).render_as_string(hide_password=False)
    return psycopg.connect(libpq_url(url), autocommit=True)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT cin FROM public.users",
        "SELECT password_hash FROM users",
        "SELECT petitioner FROM public.nrus",
        "SELECT petitioner FROM public.projects",
        "SELECT token_sha256 FROM public.api_tokens",
        "SELECT * FROM public.audit_log",
        "SELECT query_to_xml('select 1', true, true, '')",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT pg_sleep(0.1)",
        "SELECT nextval('users_id_seq')",
        "CREATE TABLE opendata.x (id int)",
        "CREATE TABLE public.x (id int)",
    ],
)
def test_the_public_role_reads_nothing_else(
    public_conn: psycopg.Connection[tuple[object, ...]], statement: str
) -> None:
    with public_conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        public_conn.execute(statement)


def test_the_public_role_reads_the_open_data_under_a_short_timeout(
    public_conn: psycopg.Connection[tuple[object, ...]], settings: Settings, engine: Engine
) -> None:
    with public_conn:
        assert public_conn.execute("SELECT count(*) FROM opendata.zones").fetchone() is not None
        timeout = public_conn.execute("SHOW statement_timeout").fetchone()
        assert timeout is not None and timeout[0] == "5s"
        with pytest.raises(psycopg.errors.QueryCanceled):
            public_conn.execute("SELECT count(*) FROM generate_series(1, 10000000000)")
    with engine.connect() as conn:
        role = settings.public_role()
        flags = conn.execute(
            text("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = :r"),
            {"r": role},
        ).one()
        assert tuple(flags) == (False, False, False)
        # outside opendata, only PostGIS's own catalogue, which PostGIS grants to everyone
        assert set(readable_outside_opendata(conn, role)) <= {
            "public.spatial_ref_sys",
            "public.geometry_columns",
            "public.geography_columns",
        }


def test_the_service_reads_the_map_as_the_public_role(server: str, engine: Engine) -> None:
    """The map's and the open data's queries are seen running as geoportal_public."""
    httpx.get(f"{server}/api/v1/projects", params={"limit": 1})
    with engine.connect() as conn:
        users = conn.execute(
            text("""SELECT DISTINCT usename FROM pg_stat_activity
                    WHERE datname = current_database() AND backend_type = 'client backend'""")
        ).scalars()
        assert "geoportal_public" in set(users)
