"""FastAPI's and pydantic's validation errors, said in French, one problem per bad input.

The input itself is never echoed back: a NaN or an infinity there cannot be written as JSON (a
500 instead of the 422), and a body may hold personal data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zoning.pydantic_fr import message_of
from zoning.refusal import Invalid, Problem

#: the first element of FastAPI's locations, which says where the value was sent
WHERE = ("body", "query", "path", "header", "cookie")


def field_of(loc: Sequence[Any]) -> str:
    """The dotted place of a value, without FastAPI's « body »/« query » prefix ("" for the
    body itself)."""
    parts = [str(p) for p in loc]
    return ".".join(parts[1:] if parts[:1] and parts[0] in WHERE else parts)


def validation_refused(errors: Sequence[Mapping[str, Any]]) -> Invalid:
    """A 422 naming each bad value: its field and, in French, what is expected."""
    problems = [
        Problem(str(e.get("type", "value_error")), message_of(e), field_of(e.get("loc", ())))
        for e in errors
    ]
    shown = "; ".join(f"{p.field or 'corps de la requête'} : {p.message}" for p in problems[:3])
    more = f" (et {len(problems) - 3} autre(s))" if len(problems) > 3 else ""
    return Invalid("validation", f"Requête invalide — {shown}{more}.", problems)
