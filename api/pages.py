"""The pages in French or Arabic (issue 16): the static HTML of ``static/app`` served through
one renderer that sets ``<html lang dir>``, puts in the language switch and the right-to-left
stylesheet, and replaces each French text of the page by its Arabic from the catalog.

The pages stay plain HTML files written in French (the catalog's msgids are their texts); the
scripts read the same catalog from a JSON data block (``<script type="application/json">``,
never run, so the CSP's no-inline-script rule holds) through ``static/app/i18n.js``.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import escape

from api.headers import NONCE_KEY
from geoportal.i18n import DEFAULT, direction, gettext, iso, page_catalog, request_language

STATIC = Path(__file__).with_name("static")
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.I)
_SCRIPT_OR_STYLE = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>)", re.I | re.S)
_TEXT = re.compile(r">([^<>]+)<")
_ATTRIBUTE = re.compile(r'\b(title|aria-label|placeholder|alt)="([^"]*)"')
SWITCH = (
    '<nav class="lang-switch" aria-label="Langue / اللغة">'
    '<a href="?lang=fr" lang="fr" hreflang="fr"{fr}>Français</a>'
    '<a href="?lang=ar" lang="ar" hreflang="ar"{ar}>العربية</a></nav>'
)


def _source(name: str) -> str:
    """A page's HTML as written (French)."""
    return (STATIC / "app" / name).read_text(encoding="utf-8")


def translate_html(html: str, lang: str) -> str:
    """The page's texts and text attributes in `lang` (scripts and styles left as they are)."""
    if lang == DEFAULT:
        return html
    _ = gettext(lang)

    def text(match: re.Match[str]) -> str:
        raw = match.group(1)
        key = " ".join(raw.split())
        if not key:
            return match.group(0)
        found = _(key)
        if found == key:
            return match.group(0)
        lead = raw[: len(raw) - len(raw.lstrip())]
        trail = raw[len(raw.rstrip()) :]
        # figures and Latin runs isolated: « 2.18.577 » keeps its dots, « 36 a » its order
        shown = iso(found) if direction(lang) == "rtl" else escape(found)
        return f">{lead}{shown}{trail}<"

    def attribute(match: re.Match[str]) -> str:
        key = " ".join(match.group(2).split())
        found = _(key)
        if found == key:  # left as written (entities such as &#10; included)
            return match.group(0)
        return f'{match.group(1)}="{escape(found)}"'

    parts = _SCRIPT_OR_STYLE.split(html)
    for i in range(0, len(parts), 2):  # even parts are outside <script> and <style>
        parts[i] = _ATTRIBUTE.sub(attribute, _TEXT.sub(text, parts[i]))
    return "".join(parts)


#: where the response's nonce goes in a prepared page (not a character HTML may hold)
_NONCE_SLOT = "\x00nonce\x00"


def render_page(name: str, lang: str, nonce: str = "") -> str:
    """The page `name` of static/app in `lang`: lang/dir, switch, RTL CSS, texts, catalog."""
    version = (STATIC / "app" / name).stat().st_mtime_ns  # an edited file is read again
    return _prepared(name, lang, version).replace(_NONCE_SLOT, nonce)


@functools.lru_cache(maxsize=64)
def _prepared(name: str, lang: str, version: int) -> str:
    """The page translated and completed once per file version and language (its every text
    looked up in the catalog: ~1 ms a page), the nonce's place left open."""
    return localize(_source(name), lang, _NONCE_SLOT)


def localize(html: str, lang: str, nonce: str) -> str:
    """A French page in `lang`: lang/dir, switch, RTL CSS, texts, catalog (the response's
    nonce on the catalog's data block)."""
    html = translate_html(html, lang)
    html = _HTML_TAG.sub(f'<html lang="{lang}" dir="{direction(lang)}">', html, count=1)
    catalog = json.dumps(page_catalog(lang), ensure_ascii=False).replace("</", "<\\/")
    head = (
        '<link rel="stylesheet" href="/static/app/i18n.css">'
        # data, never run; it carries the response's nonce all the same, like every inline
        # <script> of the pages (one rule to audit)
        f'<script type="application/json" id="i18n-catalog" nonce="{nonce}">{catalog}</script>'
        '<script src="/static/app/i18n.js"></script>'
    )
    if 'rel="icon"' not in html:  # else the browser asks /favicon.ico: a 404 in its console
        head = '<link rel="icon" href="data:,">' + head
    html = html.replace("</head>", head + "</head>", 1)
    current = ' aria-current="true"'
    switch = SWITCH.format(fr=current if lang == "fr" else "", ar=current if lang == "ar" else "")
    # in the side panel when the page has one (the map keeps its corners for its controls)
    where = r"(<aside\b[^>]*>)" if "<aside" in html else r"(<body\b[^>]*>)"
    return re.sub(where, lambda m: m.group(1) + switch, html, count=1)


def page_response(name: str, request: Request) -> HTMLResponse:
    """The page in the request's language (``?lang=``, then Accept-Language, else French)."""
    lang = request_language(request)
    return localized_response(render_page(name, lang, _nonce(request)), lang)


def built_page_response(html: str, request: Request) -> HTMLResponse:
    """A page built for this request (in French) answered in the request's language."""
    lang = request_language(request)
    return localized_response(localize(html, lang, _nonce(request)), lang)


def localized_response(html: str, lang: str) -> HTMLResponse:
    """A page's answer, saying its language and that it depends on Accept-Language."""
    return HTMLResponse(html, headers={"Vary": "Accept-Language", "Content-Language": lang})


def _nonce(request: Request) -> str:
    return str(getattr(request.state, NONCE_KEY, ""))
