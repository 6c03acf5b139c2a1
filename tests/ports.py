"""Ports for the servers the tests start, chosen so that two test workers never share one."""

from __future__ import annotations

import random
import socket

# Below Linux's ephemeral range (32768-60999): a port from bind(0) is free only until the
# kernel hands it out again, to the other worker's server or to any outgoing connection.
_FIRST, _LAST = 20000, 32000


def listening_socket() -> socket.socket:
    """A socket already bound to a free port of 127.0.0.1, for a server started in-process."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port() -> int:
    """A port nobody listens on, for a server another process will bind (PostgreSQL, uvicorn)."""
    while True:
        port = random.randint(_FIRST, _LAST)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
