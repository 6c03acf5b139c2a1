"""Result types shared by the rules: a cited reason, a single check and the verdict over checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

Verdict = Literal["conforme", "non_conforme", "a_verifier"]


class Reason(BaseModel):
    """One step of reasoning, with the article or annex paragraph it rests on."""

    model_config = ConfigDict(frozen=True)

    rule: str
    text: str


class Check(BaseModel):
    """A rule's limit against the project's value (docs/http.md); ok None means unknown."""

    model_config = ConfigDict(frozen=True)

    rule: str
    zone: str | None = None
    limit: int | float | str | None = None
    value: int | float | str | None = None
    ok: bool | None = None
    source: str
    note: str | None = None


def verdict_of(checks: Iterable[Check]) -> Verdict:
    """Non-conforme if any check fails, à vérifier if any is unknown, conforme otherwise."""
    oks = [check.ok for check in checks]
    if any(ok is False for ok in oks):
        return "non_conforme"
    if any(ok is None for ok in oks):
        return "a_verifier"
    return "conforme"
