"""Headless Chromium for the browser tests: Debian's, never a downloaded browser."""

from __future__ import annotations

import shutil
from pathlib import Path

OUTPUT = Path("test-output")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str:
    """Debian's Chromium (installed by `make setup`)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is missing: run `make setup` (apt-get install chromium)"
    return found
