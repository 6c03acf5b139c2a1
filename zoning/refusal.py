"""One refusal for the whole product: a kind, a stable code, a French sentence, and where.

Every error a user can cause or meet derives from `Refused`. Its kind gives the HTTP status by
default (api.errors holds the one table, with the codes that set their own); its body has one
shape everywhere, the OGC API included:

    {"detail": "<French sentence>", "code": "<stable code>",
     "errors": [{"code", "field" | "line" | "point", "message"}], ...extra}

Programs read `code`; people read `detail` and each error's `message`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

Kind = Literal["invalid", "not_found", "forbidden", "conflict", "unavailable"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong, and where: a field, a line of a file, a point (borne)."""

    code: str
    message: str
    field: str | None = None
    line: int | None = None
    point: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The error as the body lists it, without the places it has none of."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


class Refused(Exception):
    """A request the product refuses: nothing was written."""

    kind: ClassVar[Kind] = "invalid"

    def __init__(
        self,
        code: str,
        detail: str,
        errors: Sequence[Problem | Mapping[str, Any]] = (),
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = [e.as_dict() if isinstance(e, Problem) else dict(e) for e in errors]
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The answer's body, in the one shape of every refusal."""
        errors = self.errors or [{"code": self.code, "message": self.detail}]
        return {"detail": self.detail, "code": self.code, "errors": errors, **self.extra}


class Invalid(Refused):
    """The request cannot be used as it is (422 unless its code says otherwise)."""

    kind = "invalid"


class NotFound(Refused):
    """What the request names does not exist (404)."""

    kind = "not_found"


class Forbidden(Refused):
    """The caller may not do this (403; 401 for codes asking to sign in)."""

    kind = "forbidden"


class Conflict(Refused):
    """The request contradicts what is stored (409)."""

    kind = "conflict"


class Unavailable(Refused):
    """A passing state: the database or the signing certificate is out of reach (503)."""

    kind = "unavailable"


def bad_field(code: str, field: str, message: str) -> Invalid:
    """A refusal of one field of the request: « field : message. », with the field beside."""
    return Invalid(code, f"{field} : {message}.", [Problem(code, message, field)])
