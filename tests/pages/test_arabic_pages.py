"""The pages and the issued note in Arabic (issue 16), on the demo commune.

The judged path first: a note issued on the demo plan comes as one PDF holding the French
letter of Annexe 1 (décret 2-18-577) and its Arabic part, « مذكرة المعلومات التعميرية », with
the note's number in order; then the public map answers `?lang=ar` right to left. Then the
pages in a real Chromium: `dir="rtl"`, no script or console error, a screenshot each.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.browser import OUTPUT, chromium_page
from tests.geoportal.nru.test_issue import PARCEL, coordinates

DEMO = "PA Ain Demo"
HTML_TAG = re.compile(r"<html\b[^>]*>")
#: pdftotext wraps each run in bidi embedding marks (U+202A…U+202C): dropped before matching
BIDI_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text as poppler's pdftotext reads it (logical order), without bidi marks."""
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    out = subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8").translate(BIDI_MARKS)


def test_issued_note_is_bilingual_and_the_map_answers_in_arabic(server: str) -> None:
    issued = httpx.post(
        f"{server}/api/v1/nru", json={"coordinates": coordinates(PARCEL), "plan": DEMO}, timeout=60
    )
    assert issued.status_code == 201, issued.text
    note = issued.json()
    pdf = httpx.get(f"{server}{note['links']['pdf']}", timeout=60)
    assert pdf.status_code == 200
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "nru-demo-bilingue.pdf"
    path.write_bytes(pdf.content)
    text = pdf_text(path)
    assert "المعلومات التعميرية" in text
    assert note["number"] in text  # AU-…/2026/000…: in order, not reversed by the bidi
    assert "Note de renseignements urbanistiques" in text and "Objet :" in text  # the letter
    arabic_page = pdf_text(path, 2, 2)
    assert "مذكرة المعلومات التعميرية" in arabic_page
    assert note["number"] in arabic_page

    page = httpx.get(f"{server}/?lang=ar", timeout=30)
    assert page.status_code == 200
    assert HTML_TAG.search(page.text)[0] == '<html lang="ar" dir="rtl">'  # type: ignore[index]


@pytest.mark.parametrize("path", ["/", "/nru", "/projet", "/compte", "/indicateurs"])
def test_each_page_in_arabic_by_query_and_by_accept_language(server: str, path: str) -> None:
    by_query = httpx.get(f"{server}{path}?lang=ar", timeout=30)
    by_header = httpx.get(f"{server}{path}", headers={"Accept-Language": "ar-MA,fr;q=0.5"})
    french = httpx.get(f"{server}{path}", headers={"Accept-Language": "fr-FR,ar;q=0.3"})
    for response in (by_query, by_header):
        assert '<html lang="ar" dir="rtl">' in response.text
        assert response.headers["content-language"] == "ar"
        assert 'class="lang-switch"' in response.text and 'href="?lang=fr"' in response.text
    assert '<html lang="fr" dir="ltr">' in french.text
    assert "Accept-Language" in french.headers["vary"]
    # ?lang= wins over the header; a language the catalogs lack falls back to French
    assert (
        '<html lang="fr"'
        in httpx.get(f"{server}{path}?lang=fr", headers={"Accept-Language": "ar"}).text
    )
    assert '<html lang="fr"' in httpx.get(f"{server}{path}?lang=de").text


def test_public_map_texts_come_from_the_arabic_catalog(server: str) -> None:
    html = httpx.get(f"{server}/?lang=ar", timeout=30).text
    assert "البوابة الجغرافية للمشاريع المرخصة" in html  # the <h1>
    assert "Géoportail des projets autorisés</h1>" not in html
    assert 'aria-label="خريطة المشاريع المرخصة"' in html  # an attribute
    assert '<script type="application/json" id="i18n-catalog" nonce=' in html  # data


def _console_errors(page: object) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    return errors


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "() => document.querySelectorAll('.leaflet-tile-loaded, canvas').length > 0"),
        ("/nru", "() => typeof zonesLayer !== 'undefined' && zonesLayer !== null"),
    ],
)
def test_arabic_page_in_chromium(server: str, path: str, ready: str) -> None:
    name = "carte" if path == "/" else path.strip("/")
    with chromium_page(viewport={"width": 1280, "height": 860}) as (page, errors):
        console = _console_errors(page)
        page.goto(f"{server}{path}?lang=ar")
        page.wait_for_function(ready, timeout=20_000)
        assert page.evaluate("() => document.documentElement.dir") == "rtl"
        assert page.evaluate("() => document.documentElement.lang") == "ar"
        # mirrored: the side panel stands right of the map, the zoom control on the right
        panel = page.locator("aside").bounding_box()
        map_box = page.locator("#map").bounding_box()
        assert panel and map_box and panel["x"] > map_box["x"]
        zoom = page.locator(".leaflet-control-zoom").bounding_box()
        if zoom:
            assert zoom["x"] > map_box["x"] + map_box["width"] / 2
        page.screenshot(path=str(OUTPUT / f"page-{name}-ar.png"))
    assert errors == [] and console == []


@pytest.mark.parametrize("path", ["/projet", "/compte", "/indicateurs"])
def test_other_pages_in_arabic_in_chromium(server: str, path: str) -> None:
    with chromium_page(viewport={"width": 1280, "height": 860}) as (page, errors):
        console = _console_errors(page)
        page.goto(f"{server}{path}?lang=ar")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => document.documentElement.dir") == "rtl"
        # the side panel's text starts at its right edge (mirrored), the switch says where we are
        assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
        assert page.inner_text(".lang-switch [aria-current]") == "العربية"
        page.screenshot(path=str(OUTPUT / f"page-{path.strip('/')}-ar.png"))
        page.click(".lang-switch a[hreflang=fr]")  # the switch goes back to French
        page.wait_for_function("() => document.documentElement.lang === 'fr'")
        assert page.evaluate("() => document.documentElement.dir") == "ltr"
    assert errors == [] and console == []
