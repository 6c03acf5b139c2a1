"""Benchmark: permit dossiers through every act of the workflow (issue #13).

In a scratch database `<database>_bench_dossiers` with the demo commune, N dossiers (10,000 by
default) go step by step through filing, the principal pieces, recevabilité, the agenda of a
session, each service's avis, the session's closure and the decision (one in ten refused);
each act in its own transaction, as over HTTP. For each step: total time, per-act median and
p95, and SQL statements per act. Then the guichet's desk at that size (the open dossiers of a
commune, first page) and the rendering of the PDFs (receipt, PV, decision) on a sample of 50:
they are rendered on first GET, so 30,000 of them are never rendered in one go.
Run: `.venv/bin/python -m bench.bench_dossiers [--dossiers 10000] [--sample 50]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event, text

from bench.scratch import drop_database, scratch_engine
from checks.project import Project
from geoportal.accounts import NewAccount, Principal, create_account
from geoportal.dossiers import acts, store
from geoportal.dossiers.pdf import decision_pdf, pv_pdf, receipt_pdf
from geoportal.dossiers.pieces import Upload
from geoportal.dossiers.view import OPEN_STATES, desk
from geoportal.projects.instruction import load_calendar
from geoportal.settings import Settings

SRID = 26191
COMMUNE = "Ain Demo"
AGENCY = "Agence Urbaine de Skhirate-Temara"
PARCEL = "B1;358700;366600\nB2;358760;366600\nB3;358760;366660\nB4;358700;366660\n"
PROJECT = Project(
    kind="construction",
    use="commerce",
    owner="prive",
    storeys=2,
    height_m=9.5,
    floor_area_m2=1800.0,
)
PIECES = (
    "demande",
    "justificatif_propriete",
    "plan_cadastral",
    "plans_architecturaux",
    "plan_masse",
    "contrat_architecte",
)
PDF = b"%PDF-1.4\n" + b"0" * 4_000  # a 4 kB piece: 60,000 of them stay small on disk
SERVICES = ("prefecture_province", "commune", "reseaux_telecommunications", "reseaux_divers")
PER_SESSION = 100


class Counter:
    """SQL statements sent on the engine."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_: Any) -> None:
        self.count += 1


def principals(engine: Engine) -> dict[str, Principal]:
    """The workflow's accounts, as the acts see them."""
    made = {
        "petitioner": NewAccount(login="bench.petitioner", role="petitioner"),
        "guichet": NewAccount(login="bench.guichet", role="guichet", commune=COMMUNE),
        "president": NewAccount(login="bench.president", role="president", commune=COMMUNE),
        "agent": NewAccount(login="bench.agent", role="agent", agency=AGENCY),
        **{s: NewAccount(login=f"bench.{s}", role="membre", service=s) for s in SERVICES},
    }
    found = {}
    with engine.begin() as conn:
        for name, account in made.items():
            user_id = create_account(conn, account)
            found[name] = Principal(
                role=account.role,
                user_id=user_id,
                agency=account.agency,
                commune=account.commune,
                service=account.service,
            )
    return found


def step(
    name: str, engine: Engine, counter: Counter, items: list[Any], act: Callable[[Any, Any], Any]
) -> dict[str, Any]:
    """Run the act on every item, each in its transaction; times and statements."""
    times = []
    before = counter.count
    started = time.perf_counter()
    for item in items:
        t0 = time.perf_counter()
        with engine.begin() as conn:
            act(conn, item)
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    result = {
        "step": name,
        "acts": len(items),
        "total_s": round(total, 1),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(sorted(times)[int(len(times) * 0.95) - 1] * 1000, 1),
        "queries_per_act": round((counter.count - before) / max(1, len(items)), 1),
    }
    print(result, flush=True)
    return result


def desk_cost(conn: Any, counter: Counter, dossiers: int) -> dict[str, Any]:
    """The guichet's desk (its first page of open dossiers), median of 20 reads, and its plan."""
    conn.execute(text("ANALYZE dossiers"))  # as autovacuum would have by then
    times = []
    q0 = counter.count
    for _ in range(20):
        t0 = time.perf_counter()
        page = desk(conn, COMMUNE, None, 100)
        times.append(time.perf_counter() - t0)
    plan = conn.execute(
        text(
            f"EXPLAIN SELECT id FROM dossiers WHERE commune = :c AND state IN {OPEN_STATES} "
            "ORDER BY filed_on, id LIMIT 100"
        ),
        {"c": COMMUNE},
    ).scalars()
    return {
        "step": f"bureau du guichet (100 premiers de {dossiers} ouverts)",
        "median_ms": round(statistics.median(times) * 1000, 2),
        "queries": (counter.count - q0) // 20,
        "rows": len(page),
        "plan": " / ".join(line.strip() for line in plan),
    }


def run(dossiers: int, sample: int, keep: bool, desk_only: bool = False) -> list[dict[str, Any]]:
    url, engine = scratch_engine("_bench_dossiers", demo=True)
    settings = Settings(database_url=url)
    calendar = load_calendar(settings.calendar_overrides)
    who = principals(engine)
    counter = Counter(engine)
    results = []
    ids: list[int] = []

    def file(conn: Any, i: int) -> None:
        filing = acts.Filing(project=PROJECT, coordinates=PARCEL, land_reference=f"TF {i}/R")
        row = acts.file_dossier(
            conn, filing, who["petitioner"], storage_srid=SRID, calendar=calendar
        )
        ids.append(row["id"])

    results.append(step("depot", engine, counter, list(range(dossiers)), file))
    with engine.connect() as conn:
        results.append(desk_cost(conn, counter, dossiers))
        print(results[-1], flush=True)

    if desk_only:
        engine.dispose()
        if not keep:
            drop_database(url)
        return results

    def pieces(conn: Any, dossier: int) -> None:
        for kind in PIECES:
            acts.add_piece(
                conn, dossier, kind, Upload(PDF, "p.pdf"), who["petitioner"], max_bytes=8 * 1024**2
            )

    results.append(step("pieces (6 par dossier)", engine, counter, ids, pieces))
    results.append(
        step(
            "recevabilite",
            engine,
            counter,
            ids,
            lambda c, d: acts.recevabilite(c, d, True, [], who["guichet"]),
        )
    )
    sessions: list[int] = []
    day = dt.date.today() + dt.timedelta(days=3)

    def schedule(conn: Any, _: int) -> None:
        sessions.append(acts.create_session(conn, day, COMMUNE, PER_SESSION, who["guichet"])["id"])

    results.append(
        step("seance", engine, counter, list(range(-(-dossiers // PER_SESSION))), schedule)
    )
    session_of = {d: sessions[i // PER_SESSION] for i, d in enumerate(ids)}
    results.append(
        step(
            "ordre du jour",
            engine,
            counter,
            ids,
            lambda c, d: acts.put_on_agenda(c, session_of[d], d, who["guichet"]),
        )
    )
    for service in (*SERVICES, "agent"):
        by = who[service]
        results.append(
            step(
                f"avis {by.service or 'agence_urbaine'}",
                engine,
                counter,
                ids,
                functools.partial(_favourable, by=by),
            )
        )
    results.append(
        step(
            f"cloture ({PER_SESSION} dossiers par seance)",
            engine,
            counter,
            sessions,
            lambda c, s: acts.close_session(c, s, who["guichet"]),
        )
    )
    results.append(
        step(
            "decision (1 sur 10 refusee)",
            engine,
            counter,
            ids,
            lambda c, d: acts.decide(
                c,
                d,
                "refus" if d % 10 == 0 else "autorisation",
                "Motif" if d % 10 == 0 else None,
                who["president"],
                storage_srid=SRID,
            ),
        )
    )
    for name, render in (
        ("receipt", receipt_pdf),
        ("pv", pv_pdf),
        ("decision", lambda c, r, s: decision_pdf(c, r, s, [])),
    ):
        results.append(
            step(
                f"PDF {name} (echantillon)",
                engine,
                counter,
                ids[:sample],
                functools.partial(_render, render=render, settings=settings),
            )
        )
    engine.dispose()
    if not keep:
        drop_database(url)
    return results


def _favourable(conn: Any, dossier: int, *, by: Principal) -> None:
    acts.give_avis(conn, dossier, "favorable", None, by)


def _render(conn: Any, dossier: int, *, render: Any, settings: Settings) -> None:
    render(conn, store.load(conn, dossier), settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--desk-only", action="store_true", help="file, then time the desk")
    args = parser.parse_args()
    run(args.dossiers, args.sample, args.keep, args.desk_only)


if __name__ == "__main__":
    main()
