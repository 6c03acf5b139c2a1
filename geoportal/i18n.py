"""French and Arabic: the gettext catalogs (Babel), the language of a request, translations.

The catalogs are ``geoportal/locale/{fr,ar}/LC_MESSAGES/messages.po``. They are read at run
time with ``babel.messages.pofile`` rather than compiled to ``.mo``: ``make setup`` and the
Dockerfile need no compile step, and a ``.mo`` can never lag behind its ``.po``. Reading both
files takes a few milliseconds, once per process.

A msgid is the French text as written in the pages and documents (gettext's usual way: the
source language is the key), or a stable key for what is not a sentence: ``error.<code>`` for
the API's messages (keyed by their stable ``code``), ``doc.*`` for the Arabic part of the
documents. The French catalog gives the French of the keys, so every French text of the
documents has one place too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from importlib.resources import files
from typing import Any

from babel.messages.pofile import read_po
from markupsafe import Markup, escape

LANGUAGES = ("fr", "ar")
DEFAULT = "fr"
#: languages written right to left
RTL = frozenset({"ar"})
#: a run of Latin letters, digits and the signs between them: « R+2 », « TF 12345/R », « 50 m² »
_LTR_RUN = re.compile(r"[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9 +/.,°²\-\u202f]*[A-Za-zÀ-ÿ0-9²]|[A-Za-z0-9]")
_WEIGHTED = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?")


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """msgid → msgstr of a language (untranslated and fuzzy entries left out)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
    path = files("geoportal") / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        messages = read_po(po, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in messages
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
        if not m.fuzzy
    }


def gettext(lang: str) -> Callable[[str], str]:
    """The `_` of a language: the catalog's text, else the msgid itself (French)."""
    table = catalog(lang if lang in LANGUAGES else DEFAULT)

    def translate(message: str) -> str:
        return table.get(message, message)

    return translate


def text(lang: str, key: str, **values: Any) -> str:
    """A keyed message in `lang`, its ``{placeholders}`` filled; the French when missing."""
    found = catalog(lang).get(key) if lang in LANGUAGES else None
    template = found or catalog(DEFAULT).get(key, key)
    return template.format(**values) if values else template


def accept_language(header: str | None) -> str | None:
    """The first known language of an Accept-Language header, by weight; None if none is."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        match = _WEIGHTED.match(part)
        if not match:
            continue
        try:
            weight = float(match[2]) if match[2] else 1.0
        except ValueError:
            continue
        lang = match[1].lower()
        if lang in LANGUAGES and weight > 0:
            choices.append((-weight, position, lang))
    return min(choices)[2] if choices else None


def negotiate(query_lang: str | None, header: str | None) -> str:
    """``?lang=`` first, then Accept-Language, else French (the administration's default)."""
    if query_lang and query_lang.lower() in LANGUAGES:
        return query_lang.lower()
    return accept_language(header) or DEFAULT


def request_language(request: Any) -> str:
    """The language of a Starlette/FastAPI request (``?lang=``, then Accept-Language)."""
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def direction(lang: str) -> str:
    """'rtl' or 'ltr'."""
    return "rtl" if lang in RTL else "ltr"


def translate_body(body: Any, request: Any) -> Any:
    """An API error body ``{"detail","code","errors":[...]}`` in the request's language.

    Only the texts whose ``code`` has an ``error.<code>`` entry in the catalog change; the
    French stays beside it as ``detail_fr`` so an agent's program keeps the original.
    French requests (the default) get the body unchanged.
    """
    lang = request_language(request)
    if lang == DEFAULT or not isinstance(body, dict):
        return body
    table = catalog(lang)
    translated = dict(body)
    code = body.get("code")
    if isinstance(code, str) and f"error.{code}" in table:
        translated["detail_fr"] = body.get("detail")
        translated["detail"] = table[f"error.{code}"]
    errors = body.get("errors")
    if isinstance(errors, list):
        translated["errors"] = [_translated_item(item, table) for item in errors]
    return translated


def _translated_item(item: Any, table: Mapping[str, str]) -> Any:
    """One item of ``errors``: its message in the catalog's language when its code is known."""
    if not isinstance(item, dict):
        return item
    code = item.get("code")
    if isinstance(code, str) and f"error.{code}" in table:
        return {**item, "message": table[f"error.{code}"], "message_fr": item.get("message")}
    return item


def page_catalog(lang: str) -> dict[str, str]:
    """The pages' entries (French msgid → text): the API's and documents' keys left out."""
    return {k: v for k, v in catalog(lang).items() if not k.startswith(("error.", "doc."))}


def ltr(value: str) -> Markup:
    """An identifier or a number, isolated left to right inside right-to-left text."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(value)


def iso(value: str) -> Markup:
    """Arabic text with its Latin and digit runs isolated left to right (« منطقة (R+2) »)."""
    out: list[str] = []
    last = 0
    for match in _LTR_RUN.finditer(value):
        out.append(str(escape(value[last : match.start()])))
        out.append(str(ltr(match.group())))
        last = match.end()
    out.append(str(escape(value[last:])))
    return Markup("".join(out))


def bilingual(french: object) -> Markup:
    """A French text and, when the catalog has it, its Arabic beside it (issue 16)."""
    text = str(french)
    arabic = gettext("ar")(text)
    if arabic == text:
        return Markup.escape(text)
    return Markup('{} <span lang="ar" dir="rtl">{}</span>').format(text, arabic)
