"""The règlement YAML that comes with a plan package (interfaces.md §1), validated with pydantic.

A bad field is reported by its path in the file (``zones.C.max_height_m``), with the line
where the YAML parser saw it, so the agent can fix the file without guessing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from checks.zone_rules import ZoneRules
from zoning.crs import MOROCCAN_LAMBERT

PlanKind = Literal["plan_amenagement", "pdar"]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
PlanStatus = Literal["homologue", "en_cours"]


class Approval(BaseModel):
    """The act approving the plan and its publication in the Bulletin officiel."""

    model_config = ConfigDict(extra="forbid")

    act: str | None = Field(None, description="e.g. Décret n° 2-21-101")
    date: dt.date | None = None
    bo: str | None = Field(None, description="Bulletin officiel number")
    bo_date: dt.date | None = None


class PlanMeta(BaseModel):
    """Identity and legal status of a plan d'aménagement."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: PlanKind = "plan_amenagement"
    commune: str = Field(min_length=1)
    province: str | None = None
    agency: str = Field(min_length=1)
    srid: int
    status: PlanStatus
    approval: Approval = Field(default_factory=Approval)
    valid_until: dt.date | None = None
    tolerance_m2: float = Field(
        1.0, gt=0, description="overlaps smaller than this are reported, not counted (NRU)"
    )

    @field_validator("srid")
    @classmethod
    def _moroccan_lambert(cls, srid: int) -> int:
        if srid not in MOROCCAN_LAMBERT:
            raise ValueError(f"{srid} is not a Moroccan Lambert zone ({sorted(MOROCCAN_LAMBERT)})")
        return srid


class Reglement(BaseModel):
    """The whole règlement file: plan identity, rules per zone code, text per servitude kind."""

    model_config = ConfigDict(extra="forbid")

    plan: PlanMeta
    zones: dict[str, ZoneRules] = Field(min_length=1)
    servitudes: dict[str, str] = Field(default_factory=dict)
    legend: dict[str, Colour] = Field(
        default_factory=dict, description="legend colour of each zone code on the plan's maps"
    )


@dataclass(frozen=True)
class ReglementProblem:
    """One invalid field of the règlement, by its path in the file."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.path}{where}: {self.message}"


class ReglementError(ValueError):
    """The règlement file cannot be used; `problems` says where and why."""

    def __init__(self, source: str, problems: list[ReglementProblem]) -> None:
        self.source = source
        self.problems = problems
        listing = "; ".join(str(p) for p in problems)
        super().__init__(f"{source}: invalid règlement: {listing}")


def load_reglement(path: Path) -> Reglement:
    """Read and validate a reglement.yaml file."""
    return parse_reglement(path.read_text(encoding="utf-8"), source=str(path))


class _TextDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: pydantic then reports a bad one by its path."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_reglement(text: str, *, source: str = "reglement.yaml") -> Reglement:
    """Validate règlement YAML text; every bad field is named by its path."""
    try:
        data = yaml.load(text, Loader=_TextDatesLoader)
        lines = _line_index(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = ReglementProblem("(file)", f"not valid YAML: {exc}", line)
        raise ReglementError(source, [problem]) from None
    if not isinstance(data, dict):
        raise ReglementError(source, [ReglementProblem("(file)", "expected a mapping at the top")])
    try:
        return Reglement.model_validate(data)
    except ValidationError as exc:
        raise ReglementError(source, _problems(exc, lines)) from None


def _problems(exc: ValidationError, lines: dict[tuple[str, ...], int]) -> list[ReglementProblem]:
    """Turn pydantic errors into path-named problems, with the YAML line when known."""
    problems = []
    for error in exc.errors():
        loc = tuple(str(part) for part in error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown field (check its spelling against interfaces.md §1)"
        problems.append(ReglementProblem(".".join(loc), message, _nearest_line(loc, lines)))
    return problems


def _nearest_line(loc: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> int | None:
    """The line of the deepest key of `loc` the YAML has (a missing field points at its parent)."""
    for depth in range(len(loc), 0, -1):
        if loc[:depth] in lines:
            return lines[loc[:depth]]
    return None


def _line_index(text: str) -> dict[tuple[str, ...], int]:
    """Map each key path of a YAML mapping to the 1-based line where the key stands."""
    index: dict[tuple[str, ...], int] = {}
    root = yaml.compose(text)
    if root is not None:
        _index_node(root, (), index)
    return index


def _index_node(node: Any, path: tuple[str, ...], index: dict[tuple[str, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            index[child] = key.start_mark.line + 1
            _index_node(value, child, index)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            index[(*path, str(position))] = item.start_mark.line + 1
            _index_node(item, (*path, str(position)), index)
