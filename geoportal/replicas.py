"""Reads that tolerate a little lag on streaming replicas, everything else on the primary.

A checker thread asks each replica, every CHECK_S, how far its replay is behind the primary;
a replica that does not answer, or lags beyond GEOPORTAL_MAX_REPLICA_LAG_S, serves nothing
until a later check finds it back. A read that fails to connect to a replica is served by
the primary at once (and the replica marked down): a stopped replica costs no request.

Read-your-writes is by retry on the primary (api.reads): a read by id that misses on a replica
(404) is served again on the primary. It needs nothing from the client (no cookie, no
header), so a verifier scanning a QR code, or a client of another process, finds a note
issued a millisecond ago; see docs/scale.md for why not LSN tokens.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from geoportal.db import pooled_engine, session_options
from geoportal.settings import Settings

log = logging.getLogger(__name__)
CHECK_S = 1.0
REPLICA_CONNECT_TIMEOUT_S = 2  # a replica gone is left quickly for the primary


@dataclass
class ReadState:
    """Where the reads of one request went: pinned to the primary, or served by a replica."""

    pinned: bool = False
    replica_used: bool = False


#: the current request's ReadState (set by api.reads; a plain call outside a request: none)
READ_STATE: contextvars.ContextVar[ReadState | None] = contextvars.ContextVar(
    "read_state", default=None
)


@dataclass
class Replica:
    """One replica: its engine (public role) and what the last check found."""

    name: str
    engine: Engine
    healthy: bool = False
    lag_s: float = math.inf
    errors: int = field(default=0)

    def mark_down(self, reason: object) -> None:
        """Serve nothing from it until the checker finds it back."""
        if self.healthy:
            log.warning("replica %s left for the primary: %s", self.name, reason)
        self.healthy = False


class ReadRouter:
    """Chooses, per read, a healthy replica in turn, else the primary's public engine."""

    def __init__(
        self, primary: Engine, public_primary: Engine, replicas: list[Replica], max_lag_s: float
    ) -> None:
        self.primary = primary  # the service's role: the checker reads the primary's LSN
        self.public_primary = public_primary
        self.replicas = replicas
        self.max_lag_s = max_lag_s
        self._turn = itertools.count()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def healthy(self) -> list[int]:
        """Indexes of the replicas that may serve now."""
        return [i for i, r in enumerate(self.replicas) if r.healthy]

    def choose(self) -> int | None:
        """The replica index for the next read (round robin), None for the primary."""
        state = READ_STATE.get()
        if state is not None and state.pinned:
            return None
        healthy = self.healthy()
        if not healthy:
            return None
        return healthy[next(self._turn) % len(healthy)]

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for a lag-tolerant public read: a replica's, else the primary's."""
        index = self.choose()
        conn = None
        if index is not None:
            replica = self.replicas[index]
            try:
                conn = replica.engine.connect()
            except DBAPIError as exc:  # down since the last check: the primary serves
                replica.mark_down(exc.orig)
            else:
                state = READ_STATE.get()
                if state is not None:
                    state.replica_used = True
        with conn or self.public_primary.connect() as c:
            yield c

    # -- the checker --------------------------------------------------------------------

    def check(self) -> None:
        """Measure every replica's lag behind the primary; mark each usable or not."""
        try:
            with self.primary.connect() as conn:
                lsn = conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
        except DBAPIError:
            lsn = None  # primary unreachable: replicas keep serving reads on their last state
        for replica in self.replicas:
            self._check_one(replica, lsn)

    def _check_one(self, replica: Replica, primary_lsn: str | None) -> None:
        try:
            with replica.engine.connect() as conn:
                row = conn.execute(
                    text("""SELECT pg_is_in_recovery(),
                                   coalesce(pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn),
                                            false),
                                   extract(epoch FROM now() - pg_last_xact_replay_timestamp())"""),
                    {"lsn": primary_lsn or "0/0"},
                ).one()
        except DBAPIError as exc:
            replica.lag_s = math.inf
            replica.mark_down(exc.orig)
            return
        in_recovery, caught_up, age = row
        if not in_recovery:  # promoted, or the primary named as a replica: not a replica
            replica.lag_s = math.inf
            replica.mark_down("not in recovery (not a standby)")
            return
        # caught up with the LSN the primary had a moment ago: no lag, however old its last
        # replayed transaction (an idle primary writes none); else the age of that replay
        replica.lag_s = 0.0 if caught_up else float(age if age is not None else math.inf)
        usable = replica.lag_s <= self.max_lag_s
        if usable and not replica.healthy:
            log.info("replica %s serves reads (lag %.3f s)", replica.name, replica.lag_s)
        if not usable:
            replica.mark_down(f"lag {replica.lag_s:.1f} s > {self.max_lag_s:.1f} s")
        replica.healthy = usable

    def start(self) -> None:
        """Check once now, then every CHECK_S in a daemon thread (none without replicas)."""
        if not self.replicas:
            return
        self.check()
        self._thread = threading.Thread(target=self._run, name="replica-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(CHECK_S):
            try:
                self.check()
            except Exception:  # the checker never dies: a replica it cannot judge serves none
                log.exception("replica check failed")
                for replica in self.replicas:
                    replica.healthy = False

    def close(self) -> None:
        """Stop the checker and close the replicas' pools."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for replica in self.replicas:
            replica.engine.dispose()


def replica_engine(url: str, settings: Settings) -> Engine:
    """An engine on one replica, as the public role, under the public statement_timeout."""
    return pooled_engine(
        url,
        hide_parameters=True,
        connect_args={
            "options": session_options(settings.public_statement_timeout_ms),
            "connect_timeout": REPLICA_CONNECT_TIMEOUT_S,
        },
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
    )


def make_router(settings: Settings, primary: Engine, public_primary: Engine) -> ReadRouter:
    """The router of these settings: no replica configured, every read on the primary."""
    replicas = [
        Replica(name=_host(url), engine=replica_engine(url, settings))
        for url in settings.read_replicas()
    ]
    return ReadRouter(primary, public_primary, replicas, settings.max_replica_lag_s)


def _host(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return f"{u.host or 'localhost'}:{u.port or 5432}/{u.database}"
