"""Indicators of the register: counts, delays in working days, the Rokhas-style rankings."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box, mapping
from sqlalchemy import Connection, Engine

from checks.calendar import WorkingCalendar, working_days_between
from geoportal.projects.indicators import (
    GRANDS,
    PETITS,
    DelayStat,
    Quarter,
    QuarterError,
    choose_quarters,
    counts_by_commune,
    counts_by_month,
    counts_by_procedure,
    default_quarters,
    degradations,
    fastest,
    processing_delays,
    quarter_delays,
)
from geoportal.projects.instruction import load_calendar
from geoportal.projects.register import Filters, ProjectRecord, record_project
from geoportal.settings import Settings
from tests.browser import OUTPUT, chromium_page
from tests.conftest import STORAGE_SRID, app_client

SQUARE = mapping(box(358700, 366600, 358720, 366620))
YEAR_2027 = Filters(date_from=dt.date(2027, 1, 1), date_to=dt.date(2027, 12, 31))
# Decision days of the two quarters compared. April and September 2027 have no public holiday,
# so there a delay of n working days is n weekdays (checked in `test_the_windows_have_no_holiday`).
DECIDED_T2 = dt.date(2027, 4, 23)  # Friday
DECIDED_T3 = dt.date(2027, 9, 24)  # Friday

# (commune, procedure) → working-day delays of the dossiers decided in 2027-T2, then in 2027-T3.
REGISTER: dict[tuple[str, str], tuple[list[int], list[int]]] = {
    ("Agadir", GRANDS): ([10, 12], [14, 16, 18]),  # median 11 → 16: +5
    ("Inezgane", GRANDS): ([8], [8, 9]),  # 8 → 8.5: +0.5
    ("Tiznit", GRANDS): ([15, 15], [6]),  # 15 → 6: better, not a degradation
    ("Taroudant", GRANDS): ([5], [12, 13]),  # 5 → 12.5: +7.5
    ("Aït Melloul", GRANDS): ([3], [4]),  # 3 → 4: +1
    ("Biougra", GRANDS): ([6], [6, 6]),  # unchanged: not a degradation; ties Tiznit at 6
    ("Tata", GRANDS): ([], [2]),  # only in T3: fastest, but no degradation
    ("Agadir", PETITS): ([3], [2]),
    ("Inezgane", PETITS): ([2], [6]),  # +4
    ("Tiznit", PETITS): ([4, 6], [5, 7, 9]),  # 5 → 7: +2
    ("Agadir", "refection"): ([], [7]),
}


def filed_before(decided: dt.date, working_days: int) -> dt.date:
    """The filing day `working_days` weekdays before the decision (numpy, not our calendar)."""
    return dt.date.fromisoformat(str(np.busday_offset(decided, -working_days)))


def record(
    conn: Connection,
    number: str,
    commune: str,
    procedure: str | None,
    filed: dt.date | None,
    decided: dt.date | None,
    permit: dt.date | None = None,
) -> None:
    """Record one authorized project in the test transaction."""
    permit_date = permit or (decided or dt.date(2027, 9, 24)) + dt.timedelta(days=3)
    project = ProjectRecord.model_validate(
        {
            "permit_number": number,
            "permit_date": permit_date,
            "commune": commune,
            "kind": "construction",
            "procedure": procedure,
            "filed_on": filed,
            "decided_on": decided,
            "footprint": SQUARE,
            "petitioner": {"name": "Mme Confidentielle", "cin": "ZZ999999"},
        }
    )
    record_project(conn, project, STORAGE_SRID)


@pytest.fixture
def register(conn: Connection) -> Connection:
    """The small register above, plus a project without procedure and one without dates."""
    number = 0
    for (commune, procedure), quarters in REGISTER.items():
        for decided, delays in zip((DECIDED_T2, DECIDED_T3), quarters, strict=True):
            for delay in delays:
                number += 1
                filed = filed_before(decided, delay)
                record(conn, f"T/{number}", commune, procedure, filed, decided)
    record(conn, "T/no-procedure", "Tata", None, None, None)
    record(conn, "T/no-dates", "Agadir", GRANDS, None, None)
    return conn


# --------------------------------------------------------------------------- working days


def test_delays_are_working_days_around_moroccan_holidays(conn: Connection) -> None:
    """Three dossiers of one commune, counted by hand (days after filing, up to the decision)."""
    # Fri 27 July 2018 → Tue 31 July: Sat, Sun, Mon 30 (Fête du Trône) off, Tue counts: 1.
    record(conn, "H/1", "Témara", GRANDS, dt.date(2018, 7, 27), dt.date(2018, 7, 31))
    # Wed 29 July 2026 → Mon 3 Aug: Thu 30 (Trône) off, Fri 31, Sat, Sun off, Mon 3: 2.
    record(conn, "H/2", "Témara", GRANDS, dt.date(2026, 7, 29), dt.date(2026, 8, 3))
    # Thu 13 Aug 2026 → Mon 24 Aug: Fri 14 (Oued Eddahab) off; 17, 18, 19; Thu 20 (Révolution
    # du Roi et du Peuple) and Fri 21 (Jeunesse) off; Mon 24: 4 (11 calendar days).
    record(conn, "H/3", "Témara", GRANDS, dt.date(2026, 8, 13), dt.date(2026, 8, 24))
    [stat] = processing_delays(conn, WorkingCalendar(), Filters(commune="Témara"))
    assert (stat.commune, stat.procedure, stat.count, stat.median) == ("Témara", GRANDS, 3, 2.0)
    assert stat.mean == pytest.approx(7 / 3)  # calendar days would give (4 + 5 + 11) / 3


def test_the_windows_have_no_holiday() -> None:
    """The premise of the register: its filing-to-decision windows hold no public holiday."""
    calendar = WorkingCalendar()
    for decided, longest in ((DECIDED_T2, 15), (DECIDED_T3, 18)):
        start = filed_before(decided, longest)
        window = [start + dt.timedelta(d) for d in range((decided - start).days + 1)]
        assert [d for d in window if calendar.holiday_name(d)] == []
        assert working_days_between(start, decided, calendar) == longest


def test_agency_overrides_change_the_delay_through_the_api(
    settings: Settings, engine: Engine, conn: Connection, tmp_path: Path
) -> None:
    """Aïd al-Adha 2026 observed on 28-29 May instead of the package's 27-28 May."""
    record(conn, "O/1", "Essaouira", PETITS, dt.date(2026, 5, 22), dt.date(2026, 5, 27))
    overrides = tmp_path / "jours_feries.yaml"
    overrides.write_text("add:\n  2026-05-29: Aïd al-Adha\nremove:\n  - 2026-05-27\n")
    query = "/api/v1/indicators?commune=Essaouira"
    with api_client(settings, engine, conn) as client:  # package: Mon 25, Tue 26; Wed 27 off
        [package] = client.get(query).json()["delays"]["by_commune_procedure"]
    observed = settings.model_copy(update={"calendar_overrides": overrides})
    with api_client(observed, engine, conn) as client:  # as observed: 25, 26 and 27
        [agency] = client.get(query).json()["delays"]["by_commune_procedure"]
    assert (package["median"], agency["median"]) == (2, 3)


# --------------------------------------------------------------------------- counts


def test_counts_by_procedure_commune_and_month(register: Connection) -> None:
    by_procedure = counts_by_procedure(register, YEAR_2027)
    assert by_procedure == [
        {"procedure": GRANDS, "count": 21},
        {"procedure": PETITS, "count": 9},
        {"procedure": "refection", "count": 1},
        {"procedure": None, "count": 1},
    ]
    by_commune = {c["commune"]: c["count"] for c in counts_by_commune(register, YEAR_2027)}
    assert by_commune == {
        "Agadir": 9,
        "Tiznit": 8,
        "Inezgane": 5,
        "Biougra": 3,
        "Taroudant": 3,
        "Tata": 2,
        "Aït Melloul": 2,
    }
    assert counts_by_month(register, YEAR_2027) == [
        {"month": "2027-04", "count": 12},  # permits on Mon 26 April
        *({"month": f"2027-0{m}", "count": 0} for m in (5, 6, 7, 8)),  # the gap is kept
        {"month": "2027-09", "count": 20},
    ]


def test_counts_follow_the_commune_and_date_filters(register: Connection) -> None:
    tiznit = counts_by_procedure(register, Filters(commune="Tiznit"))
    assert tiznit == [{"procedure": PETITS, "count": 5}, {"procedure": GRANDS, "count": 3}]
    spring = Filters(date_from=dt.date(2027, 4, 1), date_to=dt.date(2027, 4, 30))
    assert counts_by_month(register, spring) == [{"month": "2027-04", "count": 12}]
    assert counts_by_month(register, Filters(commune="Nowhere")) == []


def test_delays_per_commune_and_procedure(register: Connection) -> None:
    stats = {
        (s.commune, s.procedure): s
        for s in processing_delays(register, WorkingCalendar(), YEAR_2027)
    }
    # The dossier without dates is counted in the register but has no delay.
    assert stats[("Agadir", GRANDS)] == DelayStat("Agadir", GRANDS, 5, 14.0, 14.0)
    assert stats[("Tiznit", PETITS)] == DelayStat("Tiznit", PETITS, 5, 6.0, 6.2)
    inezgane = stats[("Inezgane", GRANDS)]
    assert (inezgane.count, inezgane.median) == (3, 8.0)
    assert inezgane.mean == pytest.approx(25 / 3)
    assert ("Tata", None) not in stats
    assert len(stats) == len(REGISTER)


# --------------------------------------------------------------------------- rankings


def test_fastest_communes_of_the_quarter(register: Connection) -> None:
    after = quarter_delays(register, WorkingCalendar(), Quarter(2027, 3))
    ranked = [(s.commune, s.median, s.count) for s in fastest(after, GRANDS)]
    assert ranked == [
        ("Tata", 2.0, 1),
        ("Aït Melloul", 4.0, 1),
        ("Biougra", 6.0, 2),  # tie at 6 with Tiznit: more dossiers first
        ("Tiznit", 6.0, 1),
        ("Inezgane", 8.5, 2),
        ("Taroudant", 12.5, 2),
        ("Agadir", 16.0, 3),
    ]
    assert [s.commune for s in fastest(after, PETITS)] == ["Agadir", "Inezgane", "Tiznit"]
    assert [s.commune for s in fastest(after, GRANDS, limit=3)] == [
        "Tata",
        "Aït Melloul",
        "Biougra",
    ]


def test_degradations_between_two_quarters(register: Connection) -> None:
    before = quarter_delays(register, WorkingCalendar(), Quarter(2027, 2))
    after = quarter_delays(register, WorkingCalendar(), Quarter(2027, 3))
    grands = [(d.commune, d.median_before, d.median_after, d.increase) for d in
              degradations(before, after, GRANDS)]  # fmt: skip
    # Tiznit improved, Biougra did not change, Tata has no T2: none of them is listed.
    assert grands == [
        ("Taroudant", 5.0, 12.5, 7.5),
        ("Agadir", 11.0, 16.0, 5.0),
        ("Aït Melloul", 3.0, 4.0, 1.0),
        ("Inezgane", 8.0, 8.5, 0.5),
    ]
    petits = degradations(before, after, PETITS)
    assert [(d.commune, d.increase, d.count_before, d.count_after) for d in petits] == [
        ("Inezgane", 4.0, 1, 1),
        ("Tiznit", 2.0, 2, 3),
    ]


def test_only_ten_are_ranked() -> None:
    stats = [DelayStat(f"Commune {i:02}", GRANDS, 1, float(i), float(i)) for i in range(12)]
    earlier = [DelayStat(s.commune, GRANDS, 1, 0.0, 0.0) for s in stats]
    assert [s.commune for s in fastest(stats, GRANDS)] == [f"Commune {i:02}" for i in range(10)]
    worst = degradations(earlier, stats, GRANDS)
    assert [d.increase for d in worst] == [float(i) for i in range(11, 1, -1)]


def test_quarters_parse_and_defaults(register: Connection) -> None:
    assert Quarter.parse("2026-T3") == Quarter.parse((2026, 3)) == Quarter.parse("2026t3")
    assert (str(Quarter(2027, 1).previous()), Quarter(2027, 4).end) == (
        "2026-T4",
        dt.date(2027, 12, 31),
    )
    for bad in ("2026-T5", "T3-2026", "2026", ""):
        with pytest.raises(QuarterError):
            Quarter.parse(bad)
    # Mid-November 2027: T4 is not over, T3 is the last complete quarter with data.
    assert default_quarters(register, dt.date(2027, 11, 15)) == (Quarter(2027, 2), Quarter(2027, 3))
    # On 30 September T3 is not complete yet: the last complete one with data is T2.
    assert default_quarters(register, dt.date(2027, 9, 30)) == (Quarter(2027, 1), Quarter(2027, 2))
    chosen = choose_quarters(register, dt.date(2027, 11, 15), "2027-T3", (2026, 4))
    assert chosen == (Quarter(2026, 4), Quarter(2027, 3))
    with pytest.raises(QuarterError, match="doit précéder"):
        choose_quarters(register, dt.date(2027, 11, 15), "2027-T2", "2027-T3")


# --------------------------------------------------------------------------- API


@contextmanager
def api_client(settings: Settings, engine: Engine, conn: Connection) -> Iterator[TestClient]:
    """The app on the test database, its reads inside the test's transaction."""
    with app_client(settings, engine, conn) as client:
        yield client


def test_api_returns_counts_delays_and_rankings(
    settings: Settings, engine: Engine, register: Connection
) -> None:
    with api_client(settings, engine, register) as client:
        response = client.get(
            "/api/v1/indicators",
            params={"from": "2027-01-01", "to": "2027-12-31", "quarter": "2027-T3"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["filters"] == {"from": "2027-01-01", "to": "2027-12-31", "commune": None}
    assert body["counts"]["total"] == 32
    assert [c["count"] for c in body["counts"]["by_month"]] == [12, 0, 0, 0, 0, 20]
    assert body["counts"]["by_procedure"][0] == {"procedure": GRANDS, "count": 21}
    assert body["delays"]["unit"] == "jours ouvrables"
    assert len(body["delays"]["by_commune_procedure"]) == len(REGISTER)
    rankings = body["rankings"]
    assert (rankings["quarter"], rankings["previous"]) == ("2027-T3", "2027-T2")
    assert rankings["available_quarters"][:2] == ["2027-T3", "2027-T2"]
    assert [r["commune"] for r in rankings["fastest"][GRANDS]][:3] == [
        "Tata",
        "Aït Melloul",
        "Biougra",
    ]
    assert [r["commune"] for r in rankings["fastest"][PETITS]] == ["Agadir", "Inezgane", "Tiznit"]
    assert rankings["degradations"][GRANDS][0] == {
        "commune": "Taroudant",
        "median_before": 5.0,
        "median_after": 12.5,
        "increase": 7.5,
        "count_before": 1,
        "count_after": 2,
    }
    assert [d["increase"] for d in rankings["degradations"][PETITS]] == [4.0, 2.0]
    assert "Confidentielle" not in response.text and "ZZ999999" not in response.text


def test_api_filters_by_commune(settings: Settings, engine: Engine, register: Connection) -> None:
    with api_client(settings, engine, register) as client:
        body = client.get("/api/v1/indicators", params={"commune": "Inezgane"}).json()
    assert body["counts"]["by_commune"] == [{"commune": "Inezgane", "count": 5}]
    delays = {d["procedure"]: d["median"] for d in body["delays"]["by_commune_procedure"]}
    assert delays == {GRANDS: 8.0, PETITS: 4.0}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2027-13-01"}, "from : '2027-13-01' n'est pas une date AAAA-MM-JJ"),
        ({"to": "31/12/2027"}, "to : '31/12/2027' n'est pas une date AAAA-MM-JJ"),
        ({"from": "2027-06-01", "to": "2027-01-01"}, "from : la date de début vient après"),
        ({"quarter": "2027-T5"}, "Trimestre : '2027-T5' n'est pas un trimestre : AAAA-Tn attendu"),
        (
            {"quarter": "2027-T3", "previous": "troisième"},
            "Trimestre : 'troisième' n'est pas un trimestre",
        ),
        ({"quarter": "2027-T2", "previous": "2027-T3"}, "(2027-T3) doit précéder 2027-T2"),
    ],
)
def test_api_refuses_bad_dates_and_quarters(
    settings: Settings, engine: Engine, conn: Connection, params: dict[str, str], message: str
) -> None:
    with api_client(settings, engine, conn) as client:
        response = client.get("/api/v1/indicators", params=params)
    assert response.status_code == 422
    assert message in response.json()["detail"]


# --------------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def indicators_server(server: str) -> str:
    """The app serving the demo commune and its projects (the conftest `server`)."""
    return server


def french(value: float) -> str:
    """A number as the page writes it (decimal comma)."""
    return f"{value:g}".replace(".", ",")


def demo_expectations() -> dict[str, Any]:
    """What the charts of the demo commune must show, worked out from its source file."""
    frame = gpd.read_file("data/demo/projets_autorises.gpkg")
    months = frame.permit_date.dt.to_period("M")
    # The holidays as the server counts them: the agency's table the settings point to.
    calendar = load_calendar(Settings.model_fields["calendar_overrides"].default)
    frame["delay"] = [
        working_days_between(f.date(), d.date(), calendar)
        for f, d in zip(frame.filed_on, frame.decided_on, strict=True)
    ]
    frame["quarter"] = [str(Quarter.containing(d.date())) for d in frame.decided_on]
    medians = frame.groupby(["quarter", "procedure"]).delay.agg(statistics.median)
    return {
        "projects": len(frame),
        "procedures": frame.procedure.nunique(dropna=False),
        "months": (months.max() - months.min()).n + 1,
        "delay_bars": len(frame.groupby("procedure", dropna=False)),
        "grands_t1_2026": (medians[("2025-T4", GRANDS)], medians[("2026-T1", GRANDS)]),
    }


def test_indicators_page_draws_charts_and_rankings(indicators_server: str) -> None:
    expected = demo_expectations()
    with chromium_page(viewport={"width": 1280, "height": 1000}, locale="fr-FR") as (page, errors):
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on(
            "response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        page.goto(f"{indicators_server}/indicateurs")
        page.wait_for_selector("body[data-loaded='1']")
        assert page.title() == "Indicateurs des autorisations"
        # Only the demo commune: the charts must match its source file.
        page.select_option("#commune", "Ain Demo")
        page.wait_for_selector("body[data-loaded='2']")
        assert page.inner_text("#total") == f"{expected['projects']} autorisations"
        assert page.locator("#chart-procedure svg rect.bar").count() == expected["procedures"]
        assert page.locator("#chart-month svg rect.bar").count() == expected["months"]
        assert page.locator("#chart-delay svg rect.bar").count() == expected["delay_bars"]
        labels = page.locator("#chart-procedure svg text").all_text_contents()
        assert {"Grands projets", "Petits projets", "Réfection"} <= set(labels)

        # The default quarters, as the API chose them, and the tables it ranked.
        api = httpx.get(f"{indicators_server}/api/v1/indicators").json()["rankings"]
        assert page.input_value("#quarter") == api["quarter"]
        assert page.input_value("#previous") == api["previous"]
        for table in ("fastest", "degradations"):
            for procedure in (GRANDS, PETITS):
                rows = page.locator(f"#{table}-{procedure} tbody tr").all_inner_texts()
                assert [r.split("\t")[1] for r in rows] == [
                    e["commune"] for e in api[table][procedure]
                ]
        assert page.locator(f"#fastest-{GRANDS} tbody tr").count() >= 1

        # Another quarter: 2026-T1, compared with 2025-T4 by default.
        page.select_option("#quarter", "2026-T1")
        page.wait_for_selector("body[data-loaded='3']")
        assert page.input_value("#previous") == "2025-T4"
        before, after = expected["grands_t1_2026"]
        row = page.locator(f"#degradations-{GRANDS} tbody tr", has_text="Ain Demo")
        cells = row.locator("td").all_inner_texts()
        assert cells[2:] == [
            f"{french(before)} j",
            f"{french(after)} j",
            f"+{french(after - before)} j",
        ]
        assert "2025-T4 → 2026-T1" in page.inner_text("#title-degradations-grands")

        # A comparison quarter after the ranked one is refused, in French.
        page.select_option("#previous", "2026-T2")
        page.wait_for_selector("#error:not(:empty)")
        assert "doit précéder" in page.inner_text("#error")
        page.select_option("#quarter", "2026-T3")
        page.wait_for_selector("body[data-loaded='4']")
        assert page.inner_text("#error") == ""
        page.screenshot(path=str(OUTPUT / "indicateurs.png"), full_page=True)
    assert errors == []


def test_page_route_serves_the_page(settings: Settings, engine: Engine, conn: Connection) -> None:
    with api_client(settings, engine, conn) as client:
        response = client.get("/indicateurs")
    assert response.status_code == 200
    assert "<title>Indicateurs des autorisations</title>" in response.text
    assert "/static/app/indicateurs.js" in response.text


EVIL = '<img src=x onerror="window.pwned = 1">Tétouan'


def crafted_indicators() -> dict[str, Any]:
    """An API answer whose names are markup: the page must show them as text."""
    stat = {"commune": EVIL, "procedure": GRANDS, "count": 1, "median": 3.0, "mean": 3.0}
    worse = {
        "commune": EVIL,
        "median_before": 1.0,
        "median_after": 3.0,
        "increase": 2.0,
        "count_before": 1,
        "count_after": 1,
    }
    return {
        "filters": {"from": None, "to": None, "commune": None},
        "counts": {
            "total": 1,
            "by_commune": [{"commune": EVIL, "count": 1}],
            "by_procedure": [{"procedure": "<b>autre</b>", "count": 1}],
            "by_month": [{"month": "2027-04", "count": 1}],
        },
        "delays": {"unit": "jours ouvrables", "by_commune_procedure": [stat]},
        "rankings": {
            "quarter": "2027-T3",
            "previous": "2027-T2",
            "available_quarters": ["2027-T3"],
            "fastest": {GRANDS: [stat], PETITS: []},
            "degradations": {GRANDS: [worse], PETITS: []},
        },
    }


def test_indicators_page_inserts_names_as_text(indicators_server: str) -> None:
    with chromium_page() as (page, errors):
        page.route(
            "**/api/v1/indicators*",
            lambda route: route.fulfill(json=crafted_indicators()),
        )
        page.goto(f"{indicators_server}/indicateurs")
        page.wait_for_selector("body[data-loaded='1']")
        assert page.locator("img, b").count() == 0
        assert page.evaluate("window.pwned") is None
        assert page.inner_text(f"#fastest-{GRANDS} tbody td:nth-child(2)") == EVIL
        assert page.inner_text(f"#degradations-{GRANDS} tbody td:nth-child(2)") == EVIL
        assert EVIL in page.locator("#chart-delay svg text").all_text_contents()
        assert "<b>autre</b>" in page.locator("#chart-procedure svg text").all_text_contents()
        assert EVIL in page.locator("#commune option").all_text_contents()
    assert errors == []
