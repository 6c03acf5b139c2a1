"""The README stays true (issue #14): its pages answer, the documents it cites are in the
repository, its `make` targets and CLI options exist."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from typer.testing import CliRunner

from geoportal.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEMO = "http://127.0.0.1:8000"
#: the URL table's first column
PAGES = re.findall(r"^\| (http://127\.0\.0\.1:8000\S*) \|", README, re.MULTILINE)


def test_the_url_table_lists_every_page() -> None:
    paths = {url.removeprefix(DEMO) for url in PAGES}
    for page in ("/", "/plans", "/nru", "/projet", "/indicateurs", "/compte", "/verify/{id}"):
        assert page in paths, f"{page} is missing from the README's table"
    assert "/docs" in paths and "/ogc/collections?f=html" in paths


def test_every_page_of_the_table_answers(server: str) -> None:
    for url in PAGES:
        if "{id}" in url:
            continue  # a note's page: tests/geoportal/nru
        answer = httpx.get(server + url.removeprefix(DEMO), timeout=60)
        assert answer.status_code == 200, url


def test_every_document_cited_is_in_the_repository() -> None:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README)
    cited = [link for link in links if not link.startswith(("http://", "https://"))]
    # paths in code spans that name a file of the repository (a folder and an extension)
    spans = re.findall(
        r"`((?:[a-z_]+/)+[A-Za-z0-9_.-]+\.(?:md|py|yaml|sh|toml|lock|gpkg|tif))`", README
    )
    assert cited and spans
    for path in {*cited, *spans, "requirements.lock"}:
        assert (ROOT / path).exists(), f"the README cites {path}, which is not in the repository"
    for doc in re.findall(r"docs/[a-z_]+\.md", README):
        assert (ROOT / doc).exists(), doc


def test_make_targets_it_names_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z]+):", makefile, re.MULTILINE))
    for target in set(re.findall(r"`make ([a-z]+)", README)):
        assert target in targets, f"`make {target}` is in the README, not in the Makefile"


def test_user_add_takes_the_password_options_it_documents() -> None:
    shown = CliRunner().invoke(app, ["user", "add", "--help"], terminal_width=200).output
    assert "--password-stdin" in shown and "--password " in shown
