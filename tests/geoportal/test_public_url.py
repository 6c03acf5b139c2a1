"""The NRU's QR code names the server it came from: GEOPORTAL_PUBLIC_URL defaults to the
serving host and port (issue #14: it stayed http://127.0.0.1:8000 when GEOPORTAL_PORT changed).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader
from shapely.geometry import box

from geoportal.settings import Settings, served_url
from tests.geoportal.nru.test_issue import coordinates
from tests.ports import free_port

GEOPORTAL = Path(sys.executable).with_name("geoportal")
PARCEL = box(358700, 366600, 358760, 366660)  # in the demo commune


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("127.0.0.1", 8107, "http://127.0.0.1:8107"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),  # every interface: this machine's
        ("geoportail.local", 80, "http://geoportail.local:80"),
        ("::1", 8000, "http://[::1]:8000"),
    ],
)
def test_default_public_url_is_the_serving_host_and_port(
    host: str, port: int, expected: str
) -> None:
    assert served_url(host, port) == expected
    assert Settings(_env_file=None, host=host, port=port).public_url == expected


def test_a_set_public_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOPORTAL_PORT", "9000")
    monkeypatch.setenv("GEOPORTAL_PUBLIC_URL", "https://urbanisme.example.ma/")
    assert Settings(_env_file=None).public_url == "https://urbanisme.example.ma"
    monkeypatch.delenv("GEOPORTAL_PUBLIC_URL")
    assert Settings(_env_file=None).public_url == "http://127.0.0.1:9000"


def test_served_on_another_port_the_note_points_there(server: str, settings: Settings) -> None:
    """`geoportal serve --port N`, GEOPORTAL_PUBLIC_URL unset: the PDF's URL is on port N."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOPORTAL_")}
    env["GEOPORTAL_DATABASE_URL"] = settings.database_url
    process = subprocess.Popen(
        [str(GEOPORTAL), "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/v1/plans", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        body = {"coordinates": coordinates(PARCEL), "plan": "PA Ain Demo"}
        note = httpx.post(f"{base}/api/v1/nru", json=body, timeout=60)
        assert note.status_code == 201, note.text
        pdf = httpx.get(base + note.json()["links"]["pdf"], timeout=120)
        assert pdf.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
    reader = PdfReader(io.BytesIO(pdf.content))
    printed = "".join("".join((page.extract_text() or "").split()) for page in reader.pages)
    assert f"{base}/verify/{note.json()['id']}" in printed
    assert "127.0.0.1:8000" not in printed
