"""The product's HTML templates (Jinja2, autoescape on): the NRU letter, its récépissé, the
verification pages. Every template extends ``base.html``; numbers, areas and dates go through
the filters of `zoning.wording`, so a page and the PDF write « 1 234,56 m² » the same way.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from geoportal.i18n import bilingual
from zoning import wording


@functools.cache
def environment() -> Environment:
    """One environment for the whole product (templates are compiled once)."""
    env = Environment(
        loader=PackageLoader("geoportal", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=wording.number,
        area=wording.area,
        length=wording.length,
        percent=wording.percent,
        coordinate=wording.coordinate,
        date_long=wording.date_long,
        date_short=wording.date_short,
        plan_kind=wording.plan_kind,
        plan_status=wording.plan_status,
        land_label=wording.land_label,
        bilingual=bilingual,
    )
    return env


def render(template: str, **context: Any) -> str:
    """A template rendered with its context (every value escaped unless marked safe)."""
    return environment().get_template(template).render(**context)
