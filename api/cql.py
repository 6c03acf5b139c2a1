"""CQL2 filters (and bbox, datetime) of the OGC API, checked before tipg turns them into SQL.

tipg hands a filter's function calls to PostgreSQL as they are written: `query_to_xml(…)` or
`pg_sleep(…)` in a filter ran on the server. A filter here is parsed with `cql2`, its tree is
walked, and only the operators and functions of the CQL2 standard (OGC 21-065: comparison,
logical, LIKE, BETWEEN, IN, IS NULL, arithmetic, spatial, temporal, array, CASEI) over the
collection's own properties pass; anything else is refused with 400. The public database role
(zoning.roles) is the second wall behind this one.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from cql2 import Expr
from fastapi import Depends, Query
from tipg.collections import Collection
from tipg.dependencies import CollectionParams

from zoning.refusal import Invalid, Problem

MAX_FILTER_CHARS = 4_000
MAX_NODES = 500

COMPARISON = {"=", "<>", "<", ">", "<=", ">=", "like", "between", "in", "isnull"}
LOGICAL = {"and", "or", "not"}
ARITHMETIC = {"+", "-", "*", "/", "%", "^", "div"}
SPATIAL = {
    "s_intersects", "s_equals", "s_disjoint", "s_touches",
    "s_within", "s_overlaps", "s_crosses", "s_contains",
}  # fmt: skip
TEMPORAL = {
    "t_after", "t_before", "t_contains", "t_disjoint", "t_during", "t_equals",
    "t_finishedby", "t_finishes", "t_intersects", "t_meets", "t_metby",
    "t_overlappedby", "t_overlaps", "t_startedby", "t_starts",
}  # fmt: skip
ARRAY = {"a_equals", "a_contains", "a_containedby", "a_overlaps"}
# ACCENTI is standard too, but needs PostgreSQL's unaccent extension, which is not installed.
ALLOWED_OPS = frozenset(COMPARISON | LOGICAL | ARITHMETIC | SPATIAL | TEMPORAL | ARRAY | {"casei"})
GEOMETRY_TYPES = frozenset(
    {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}
)
LITERAL_KEYS = frozenset({"date", "timestamp"})


class FilterRefused(Invalid, ValueError):
    """A filter that is not standard CQL2 over the collection's properties (400)."""

    def __init__(self, code: str, message: str) -> None:
        field = code.split("_")[1] if code.startswith("ogc_") else "filter"
        super().__init__(code, message, [Problem(code, message, field)])
        self.message = message


def _refuse(code: str, message: str) -> FilterRefused:
    return FilterRefused(code, f"filtre : {message}")


class FilterWalk:
    """One walk over a filter's cql2-json tree, with the collection's properties."""

    def __init__(self, properties: set[str]) -> None:
        self.properties = properties
        self.nodes = 0

    def node(self, value: Any) -> None:
        """Check a node and its children; raise the refusal at the first one not allowed."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _refuse("cql_trop_complexe", f"plus de {MAX_NODES} éléments")
        if isinstance(value, list):
            for item in value:
                self.node(item)
        elif isinstance(value, dict):
            self.mapping(value)
        elif not isinstance(value, str | int | float | bool) and value is not None:
            raise _refuse("cql_valeur_invalide", f"valeur non reconnue {value!r}")

    def mapping(self, value: dict[str, Any]) -> None:
        """An operation, a property, a geometry, a bbox, an interval or a date literal."""
        if "op" in value:
            self.operation(value)
        elif set(value) == {"property"}:
            self.property(value["property"])
        elif value.get("type") in GEOMETRY_TYPES and set(value) <= {"type", "coordinates"}:
            self.numbers(value.get("coordinates"))
        elif set(value) == {"bbox"}:
            self.numbers(value["bbox"])
        elif set(value) == {"interval"}:
            self.node(value["interval"])
        elif len(value) == 1 and set(value) <= LITERAL_KEYS:
            if not isinstance(next(iter(value.values())), str):
                raise _refuse("cql_valeur_invalide", f"date attendue dans {value!r}")
        else:
            raise _refuse("cql_valeur_invalide", f"élément non reconnu {sorted(value)}")

    def operation(self, value: dict[str, Any]) -> None:
        """A standard operator or function; custom functions are refused by name."""
        op = str(value["op"])
        if op.lower() not in ALLOWED_OPS:
            raise _refuse(
                "cql_fonction_interdite",
                f"« {op} » n'est pas un opérateur ni une fonction standard de CQL2",
            )
        if set(value) - {"op", "args"}:
            raise _refuse("cql_valeur_invalide", f"clés inattendues dans « {op} »")
        self.node(value.get("args", []))

    def property(self, name: Any) -> None:
        """A property of the collection, by its exact name."""
        if not isinstance(name, str) or name not in self.properties:
            known = ", ".join(sorted(self.properties))
            raise _refuse("cql_propriete_inconnue", f"propriété inconnue {name!r} ({known})")

    def numbers(self, value: Any) -> None:
        """Coordinates: nested lists of numbers only."""
        if isinstance(value, list):
            for item in value:
                self.numbers(item)
        elif not isinstance(value, int | float) or isinstance(value, bool):
            raise _refuse("cql_valeur_invalide", f"coordonnée non numérique {value!r}")


def checked_filter_expr(text: str, properties: set[str]) -> Expr:
    """The filter parsed and checked, as tipg would parse it (through cql2-json)."""
    if len(text) > MAX_FILTER_CHARS:
        raise _refuse("cql_trop_long", f"plus de {MAX_FILTER_CHARS} caractères")
    try:
        tree = Expr(text).to_json()
    except Exception as exc:  # cql2 raises ParseError or ValueError, with its position
        raise _refuse("cql_syntaxe", f"illisible en CQL2 ({exc})") from None
    FilterWalk(properties).node(tree)
    return Expr(tree)


def checked_filter(
    collection: Annotated[Collection, Depends(CollectionParams)],
    query: Annotated[str | None, Query(description="CQL2 Filter", alias="filter")] = None,
    filter_lang: Annotated[
        str | None,
        Query(alias="filter-lang", description="cql2-text (default) or cql2-json"),
    ] = None,
) -> Expr | None:
    """tipg's `filter_query`, replaced: only standard CQL2 over the collection's properties."""
    if query is None:
        return None
    if filter_lang not in (None, "cql2-text", "cql2-json"):
        raise _refuse("cql_langage", f"filter-lang {filter_lang!r} : cql2-text ou cql2-json")
    return checked_filter_expr(query, {p.name for p in collection.properties})


def checked_bbox(
    bbox: Annotated[str | None, Query(description="ouest,sud,est,nord (WGS 84)")] = None,
) -> list[float] | None:
    """tipg's `bbox_query`, replaced: four finite numbers in range, south below north."""
    if not bbox:
        return None
    try:
        bounds = [float(v) for v in bbox.split(",")]
    except ValueError:
        bounds = []
    if len(bounds) != 4 or not all(math.isfinite(v) for v in bounds):
        raise _bbox_refused(bbox, "quatre nombres ouest,sud,est,nord")
    west, south, east, north = bounds
    if max(abs(west), abs(east)) > 180 or max(abs(south), abs(north)) > 90:
        raise _bbox_refused(bbox, "longitudes dans [-180, 180], latitudes dans [-90, 90]")
    if south > north:  # west > east is allowed: a box across the antimeridian
        raise _bbox_refused(bbox, "le sud doit être sous le nord")
    return bounds


def _bbox_refused(bbox: str, rule: str) -> FilterRefused:
    return FilterRefused("ogc_bbox", f"bbox {bbox[:80]!r} : {rule}")


def checked_datetime(
    datetime: Annotated[
        str | None, Query(description="une date ISO 8601 ou un intervalle début/fin (.. ouvert)")
    ] = None,
) -> list[str] | None:
    """tipg's `datetime_query`, replaced: an instant or an interval of ISO 8601 values."""
    if not datetime:
        return None
    parts = datetime.split("/")
    if len(parts) > 2 or not all(_instant(p) for p in parts) or parts == ["..", ".."]:
        raise FilterRefused(
            "ogc_datetime",
            f"datetime {datetime[:80]!r} : une date ISO 8601 (2026-01-31, "
            "2026-01-31T10:00:00Z) ou un intervalle début/fin, « .. » pour un bout ouvert",
        )
    return parts


def _instant(value: str) -> bool:
    if value in ("..", ""):
        return True
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
