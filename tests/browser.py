"""Headless Chromium for the browser tests: Debian's, never a downloaded browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

OUTPUT = Path("test-output")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str:
    """Debian's Chromium (installed by `make setup`)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is missing: run `make setup` (apt-get install chromium)"
    return found


@contextmanager
def chromium_page(**options: Any) -> Iterator[tuple[Page, list[str]]]:
    """A page of headless Chromium (`options` as for new_page) and the errors its scripts
    raise; the browser is closed after."""
    OUTPUT.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(**options)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            yield page, errors
        finally:
            browser.close()
