"""The règlement YAML that comes with a plan package (docs/formats.md §1), validated with pydantic.

A bad field is reported by its path in the file (``zones.C.max_height_m``), with the line
where the YAML parser saw it, so the agent can fix the file without guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
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
from pydantic_core import PydanticCustomError

from checks.zone_rules import ZoneRules
from zoning.crs import MOROCCAN_LAMBERT
from zoning.pydantic_fr import message_of
from zoning.refusal import Invalid

PlanKind = Literal["plan_amenagement", "pdar"]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
PlanStatus = Literal["homologue", "en_cours"]
#: A plan's name is a segment of its addresses (/api/v1/plans/{name}, /plans/{name}/map): a
#: « / » or « \\ » splits it, clients drop « . » and « .. », a control character cannot be
#: typed back. Such a name would import and then answer 404 everywhere.
_NAME_FORBIDDEN = re.compile(r"[/\\\x00-\x1f\x7f]")


class Approval(BaseModel):
    """The act approving the plan and its publication in the Bulletin officiel."""

    model_config = ConfigDict(extra="forbid")

    act: str | None = Field(None, description="e.g. Décret n° 2-21-101")
    date: dt.date | None = None
    bo: str | None = Field(None, description="Bulletin officiel number")
    bo_date: dt.date | None = None


class Signatory(BaseModel):
    """Who signs the agency's notes (Annexe 1 « Signature et cachet de l'agence urbaine »)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(None, max_length=300, description="e.g. « Le Directeur »")


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
    enquete_publique: dt.date | None = Field(
        None,
        description="opening of the public inquiry of a plan en cours: the start of the twelve "
        "months of loi 12-90 art. 27 cited by Annexe 1 (a note's validity ends with them)",
    )
    signatory: Signatory | None = Field(None, description="who signs the notes of this plan")
    tolerance_m2: float = Field(
        1.0, gt=0, description="overlaps smaller than this are reported, not counted (NRU)"
    )

    @field_validator("name")
    @classmethod
    def _usable_in_addresses(cls, name: str) -> str:
        if _NAME_FORBIDDEN.search(name) or name.strip() in (".", ".."):
            raise PydanticCustomError(
                "nom_de_plan",
                "le nom du plan figure dans ses adresses (/api/v1/plans/<nom>, "
                "/plans/<nom>/map) : il ne peut contenir ni « / » ni « \\ » ni caractère de "
                "contrôle, ni être « . » ou « .. »",
            )
        return name

    @field_validator("srid")
    @classmethod
    def _moroccan_lambert(cls, srid: int) -> int:
        if srid not in MOROCCAN_LAMBERT:
            raise ValueError(
                f"{srid} n'est pas une zone Lambert du Maroc ({sorted(MOROCCAN_LAMBERT)})"
            )
        return srid


class Reglement(BaseModel):
    """The whole règlement file: plan identity, rules per zone code, text per servitude kind."""

    model_config = ConfigDict(extra="forbid")

    plan: PlanMeta
    zones: dict[str, ZoneRules] = Field(min_length=1)
    servitudes: dict[str, str] = Field(default_factory=dict)
    servitudes_ar: dict[str, str] = Field(
        default_factory=dict, description="Arabic twins of the servitude texts, by kind"
    )
    legend: dict[str, Colour] = Field(
        default_factory=dict, description="legend colour of each zone code on the plan's maps"
    )


@dataclass(frozen=True)
class ReglementProblem:
    """One invalid field of the règlement, by its path in the file.

    `code`: pydantic's error type for a field (`less_than_equal`, `extra_forbidden`, …), else
    the file's own fault: `yaml_syntax`, `duplicate_key`, `not_utf8`, `empty_file`,
    `not_a_mapping`, `nesting_too_deep`.
    """

    path: str
    message: str
    line: int | None = None
    code: str | None = None

    def __str__(self) -> str:
        where = f" (ligne {self.line})" if self.line else ""
        return f"{self.path}{where}: {self.message}"


class ReglementError(Invalid, ValueError):
    """The règlement file cannot be used; `problems` says where and why."""

    def __init__(self, source: str, problems: list[ReglementProblem]) -> None:
        self.source = source
        self.problems = problems
        listing = "; ".join(str(p) for p in problems)
        errors = [
            {"code": p.code, "field": p.path, "path": p.path, "line": p.line, "message": p.message}
            for p in problems
        ]
        super().__init__("reglement_invalid", f"Règlement invalide : {listing}", errors)

    def __str__(self) -> str:
        return f"{self.source} : {self.detail}"


def load_reglement(path: Path) -> Reglement:
    """Read and validate a reglement.yaml file."""
    return parse_reglement(decode_reglement(path.read_bytes(), source=str(path)), source=str(path))


def decode_reglement(data: bytes, *, source: str = "reglement.yaml") -> str:
    """The file's text in UTF-8, YAML's encoding; another encoding is refused at its first
    bad byte (decoding it with replacement characters would import mangled labels)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = (
            f"pas en UTF-8 (octet 0x{data[exc.start]:02x}) : enregistrez le fichier en UTF-8 ; "
            "il semble en Latin-1 ou Windows-1252"
        )
        raise ReglementError(
            source, [ReglementProblem("(file)", message, line, "not_utf8")]
        ) from None


class _TextDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: pydantic then reports a bad one by its path."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_reglement(text: str, *, source: str = "reglement.yaml") -> Reglement:
    """Validate règlement YAML text; every bad field is named by its path."""
    data, keys = _load_yaml(text, source)
    if keys.duplicates:
        raise ReglementError(source, keys.duplicates)
    if data is None:
        problem = ReglementProblem("(file)", "le fichier est vide", None, "empty_file")
        raise ReglementError(source, [problem])
    if not isinstance(data, dict):
        problem = ReglementProblem(
            "(file)",
            "un dictionnaire (clé: valeur) est attendu au premier niveau",
            1,
            "not_a_mapping",
        )
        raise ReglementError(source, [problem])
    try:
        return Reglement.model_validate(data)
    except ValidationError as exc:
        raise ReglementError(source, _problems(exc, keys.lines)) from None


def _load_yaml(text: str, source: str) -> tuple[Any, _KeyLines]:
    """The parsed document and where its keys stand; a syntax error names its line."""
    try:
        return yaml.load(text, Loader=_TextDatesLoader), _key_lines(text)
    except yaml.YAMLError as exc:
        raise ReglementError(source, [_syntax_problem(exc, text)]) from None
    except RecursionError:
        # PyYAML composes nested collections recursively: thousands of `[` exhaust the stack.
        message = "collections imbriquées trop profondément pour un règlement"
        raise ReglementError(
            source, [ReglementProblem("(file)", message, None, "nesting_too_deep")]
        ) from None


def _syntax_problem(exc: yaml.YAMLError, text: str) -> ReglementProblem:
    """A YAML syntax error at the line the parser stopped, with the usual cause when known."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    message = f"YAML invalide : {exc}{_syntax_hint(exc, text, line)}"
    return ReglementProblem("(file)", message, line, "yaml_syntax")


# `label: 'Zone d'habitat'`: in French text the apostrophe ends a single-quoted scalar.
_APOSTROPHE_IN_QUOTES = re.compile(r":\s*'[^']*'\w")


def _syntax_hint(exc: yaml.YAMLError, text: str, line: int | None) -> str:
    """The two faults behind most syntax errors in a hand-written règlement."""
    if "'\\t'" in str(getattr(exc, "problem", "")):
        return " (une tabulation (tab) : YAML n'indente qu'avec des espaces)"
    lines = text.splitlines()
    if line is not None and line <= len(lines) and _APOSTROPHE_IN_QUOTES.search(lines[line - 1]):
        return (
            " (une apostrophe dans '…' termine le texte : doublez-la, 'Zone d''habitat', ou "
            'mettez le texte entre "…")'
        )
    return ""


def _problems(exc: ValidationError, lines: dict[tuple[str, ...], int]) -> list[ReglementProblem]:
    """Turn pydantic errors into path-named problems, with the YAML line when known."""
    problems = []
    for error in exc.errors():
        loc = tuple(str(part) for part in error["loc"])
        message = message_of(error)
        if error["type"] == "extra_forbidden":
            message = "champ inconnu (vérifiez son orthographe, docs/formats.md §1)"
        line = _nearest_line(loc, lines)
        problems.append(ReglementProblem(".".join(loc), message, line, error["type"]))
    return problems


def _nearest_line(loc: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> int | None:
    """The line of the deepest key of `loc` the YAML has (a missing field points at its parent)."""
    for depth in range(len(loc), 0, -1):
        if loc[:depth] in lines:
            return lines[loc[:depth]]
    return None


@dataclass
class _KeyLines:
    """The 1-based line of each key path of a YAML document, and the keys written twice."""

    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    duplicates: list[ReglementProblem] = field(default_factory=list)
    visited: set[int] = field(default_factory=set)


def _key_lines(text: str) -> _KeyLines:
    """Where each key path stands; YAML keeps the last of two equal keys, so note the twins."""
    found = _KeyLines()
    root = yaml.compose(text)
    if root is not None:
        _index_node(root, (), found)
    return found


def _index_node(node: Any, path: tuple[str, ...], found: _KeyLines) -> None:
    """Lines of the keys and items under `node`, at `path`."""
    # An alias is the node it names: walk each node once, or nested aliases (a « YAML bomb »)
    # make this walk exponential; the first path to a node gives its lines.
    if id(node) in found.visited:
        return
    found.visited.add(id(node))
    if isinstance(node, yaml.MappingNode):
        _index_mapping(node, path, found)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            found.lines[(*path, str(position))] = item.start_mark.line + 1
            _index_node(item, (*path, str(position)), found)


def _index_mapping(node: Any, path: tuple[str, ...], found: _KeyLines) -> None:
    """Lines of a mapping's keys; a key written twice in it is a problem at its second line."""
    seen: set[tuple[str, ...]] = set()
    for key, value in node.value:
        child = (*path, str(key.value))
        line = key.start_mark.line + 1
        if child in seen:
            message = (
                f"écrit deux fois (d'abord ligne {found.lines[child]}) ; YAML ne garderait "
                "en silence que celle-ci"
            )
            found.duplicates.append(
                ReglementProblem(".".join(child), message, line, "duplicate_key")
            )
        else:
            seen.add(child)
            found.lines[child] = line
        _index_node(value, child, found)
