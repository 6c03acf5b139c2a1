"""Slow request bodies (issue #10, item 2): they never hold an admission slot, time out with
408, and one address cannot keep more than a few of them open at once."""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine

from api.app import create_app
from geoportal.settings import Settings
from tests.conftest import serving

#: the pages every visitor needs, each reading the database (one admission slot each)
PAGES = ("/", "/plans", "/api/v1/plans", "/verify/00000000-0000-0000-0000-000000000000")
DECLARED = 100_000  # the attack's Content-Length


def open_slow_body(base: str, source: str = "127.0.0.1") -> socket.socket:
    """A POST that declares 100 kB of JSON and sends its first bytes only."""
    url = urlsplit(base)
    address = (url.hostname, url.port)
    sock = socket.create_connection(address, timeout=10, source_address=(source, 0))
    head = (
        f"POST /api/v1/nru HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {DECLARED}\r\n\r\n"
    )
    sock.sendall(head.encode() + b'{"coordinates": "')
    return sock


@contextmanager
def trickling(sockets: list[socket.socket]) -> Iterator[None]:
    """A byte on every socket each 200 ms (the attack keeps its connections alive)."""
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.2):
            for sock in sockets:
                with suppress(OSError):  # one the server closed (refused, timed out)
                    sock.send(b" ")

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        for sock in sockets:
            sock.close()


def page_times(base: str, rounds: int = 3) -> dict[str, float]:
    """The median time each page takes to answer (a fresh connection per request)."""
    times: dict[str, list[float]] = {page: [] for page in PAGES}
    for _ in range(rounds):
        for page in PAGES:
            started = time.perf_counter()
            response = httpx.get(f"{base}{page}", timeout=15)
            times[page].append(time.perf_counter() - started)
            assert response.status_code in (200, 404), (page, response.status_code)
    return {page: statistics.median(spent) for page, spent in times.items()}


def read_response(sock: socket.socket, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of the answer on a raw socket (read until it closes)."""
    sock.settimeout(timeout)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def test_fifty_slow_bodies_leave_every_page_answering(settings: Settings, engine: Engine) -> None:
    """50 bodies trickling in (5 times the admission slots), no per-client limit to help:
    the pages answer as fast as without them."""
    lenient = settings.model_copy(update={"uploads_per_client": 100, "body_timeout_s": 60})
    with serving(create_app(lenient, engine)) as base:
        usual = page_times(base)
        sockets = [open_slow_body(base) for _ in range(50)]
        with trickling(sockets):
            time.sleep(0.5)  # every one of them is being read by now
            under_attack = page_times(base)
    for page in PAGES:
        # "within their usual time": a few times the usual, never the body timeout (60 s)
        assert under_attack[page] < 1.0 + 5 * usual[page], (page, usual, under_attack)


def test_a_body_not_sent_in_time_gets_408(settings: Settings, engine: Engine) -> None:
    quick = settings.model_copy(update={"body_timeout_s": 1})
    with serving(create_app(quick, engine)) as base:
        sock = open_slow_body(base)
        started = time.perf_counter()
        with trickling([]):
            status, headers, body = read_response(sock)
        elapsed = time.perf_counter() - started
        sock.close()
    assert status == 408
    assert headers["connection"] == "close"
    answer = json.loads(body)
    assert answer["code"] == "body_timeout"
    assert "1 s" in answer["detail"] and "corps de la requête" in answer["detail"]
    assert 0.9 < elapsed < 5


def test_one_address_keeps_only_a_few_bodies_open(settings: Settings, engine: Engine) -> None:
    """The limit per address refuses a 5th slow body (429) once it is slow too; another
    address and requests without a body are not affected."""
    strict = settings.model_copy(update={"uploads_per_client": 4, "body_timeout_s": 60})
    with serving(create_app(strict, engine)) as base:
        sockets = [open_slow_body(base) for _ in range(4)]
        with trickling(sockets):
            time.sleep(1.3)  # slow, all four (SLOW_AFTER_S)
            refused = open_slow_body(base)
            status, headers, body = read_response(refused)
            refused.close()
            other = open_slow_body(base, source="127.0.0.2")
            other.settimeout(1.5)
            try:
                still_reading = other.recv(1) == b""  # nothing answered yet: it is being read
            except TimeoutError:
                still_reading = True
            other.close()
            assert httpx.get(f"{base}/api/v1/plans", timeout=5).status_code == 200
    assert status == 429
    assert headers["retry-after"].isdigit()
    answer = json.loads(body)
    assert answer["code"] == "too_many_uploads" and "4" in answer["detail"]
    assert still_reading


def test_a_whole_body_still_reaches_the_route(settings: Settings, engine: Engine) -> None:
    """A body sent in many small pieces is buffered whole, then read by the route as usual."""
    with serving(create_app(settings, engine)) as base:

        def pieces() -> Iterator[bytes]:
            payload = json.dumps({"coordinates": "B1 1 2\n" * 2000}).encode()
            for start in range(0, len(payload), 1000):
                yield payload[start : start + 1000]

        response = httpx.post(
            f"{base}/api/v1/parcels/preview",
            content=pieces(),
            headers={"content-type": "application/json"},
            timeout=30,
        )
    assert response.status_code == 422  # read whole, then refused for what it says
    assert response.json()["errors"]
