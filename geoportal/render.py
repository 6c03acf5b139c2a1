"""The product's HTML templates (Jinja2, autoescape on), in one environment: the NRU letter
and its Arabic part, the récépissé, the verification and plans pages (geoportal/templates), and
the dossier's documents under ``dossiers/`` (geoportal/dossiers/templates). Numbers, areas and
dates go through the filters of `zoning.wording`, so a page and the PDF write « 1 234,56 m² »
the same way.
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib.resources import files
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

from geoportal.i18n import bilingual
from zoning import wording


@functools.cache
def environment() -> Environment:
    """One environment for the whole product (templates are compiled once)."""
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("geoportal", "templates"),
                PrefixLoader({"dossiers": PackageLoader("geoportal.dossiers", "templates")}),
            ]
        ),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=wording.number,
        area=wording.area,
        metres=wording.length,  # not « length »: Jinja2's own counts a list
        percent=wording.percent,
        coordinate=wording.coordinate,
        date_long=lambda day: wording.date_long(as_date(day)),
        date_short=lambda day: wording.date_short(as_date(day)),
        plan_kind=wording.plan_kind,
        plan_status=wording.plan_status,
        land_label=wording.land_label,
        bilingual=bilingual,
    )
    return env


def as_date(value: Any) -> dt.date | None:
    """A date, from a date or its ISO text (a datetime's date part)."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    return dt.date.fromisoformat(str(value)[:10])


@functools.cache
def template_text(name: str) -> str:
    """A file of geoportal/templates as text, read once (the documents' stylesheets)."""
    return (files("geoportal") / "templates" / name).read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    """A template rendered with its context (every value escaped unless marked safe)."""
    return environment().get_template(template).render(**context)


@functools.cache
def _font_config() -> FontConfiguration:
    """One font configuration for every render (building it costs more than a page)."""
    return FontConfiguration()


def html_pdf(html: str, identifier: str) -> bytes:
    """An HTML document as a PDF (WeasyPrint). It may fetch data: URIs only, so no text of a
    user or a plan ever makes it read a file or call a server."""
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    return bytes(document.write_pdf(font_config=_font_config(), pdf_identifier=identifier.encode()))
