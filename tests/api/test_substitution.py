"""Dependencies replaced inside routes one does not own (tipg's), without dependency_overrides."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from tipg.dependencies import bbox_query, datetime_query, filter_query

from api.app import create_app
from api.cql import checked_bbox, checked_datetime, checked_filter
from api.ogc import ogc_endpoints
from api.substitution import substitute_in_router
from geoportal.settings import Settings


def original(q: str = "x") -> str:
    return f"original {q}"


def substitute(q: str = "x") -> str:
    return f"substitute {q}"


async def nested(value: Annotated[str, Depends(original)]) -> str:
    return f"nested({value})"


def router_with_nested_dependencies() -> APIRouter:
    """An async endpoint on an async dependency on a sync one; a sync endpoint on it directly."""
    router = APIRouter()

    @router.get("/deep", summary="deep")
    async def deep(value: Annotated[str, Depends(nested)]) -> dict[str, str]:
        return {"value": value}

    @router.get("/direct")
    def direct(value: str = Depends(original)) -> dict[str, str]:
        return {"value": value}

    return router


def test_a_dependency_is_replaced_at_any_depth_and_its_query_still_read() -> None:
    inner = router_with_nested_dependencies()
    outer = APIRouter()
    outer.include_router(inner, prefix="/inner")
    substitute_in_router(outer, {original: substitute})
    app = FastAPI()
    app.include_router(outer)
    client = TestClient(app)
    assert client.get("/inner/deep", params={"q": "a"}).json() == {"value": "nested(substitute a)"}
    assert client.get("/inner/direct").json() == {"value": "substitute x"}
    assert app.dependency_overrides == {}
    operation = app.openapi()["paths"]["/inner/deep"]["get"]
    assert operation["summary"] == "deep" and operation["parameters"][0]["name"] == "q"


def dependencies_of(call: Callable[..., Any], seen: set[Any] | None = None) -> set[Any]:
    """Every function a call depends on, through its signature, at any depth."""
    seen = set() if seen is None else seen
    for parameter in inspect.signature(call, eval_str=True).parameters.values():
        markers = [*getattr(parameter.annotation, "__metadata__", ()), parameter.default]
        for marker in markers:
            target = getattr(marker, "dependency", None)
            if callable(target) and target not in seen:
                seen.add(target)
                dependencies_of(target, seen)
    return seen


def test_tipg_routes_depend_on_the_checked_filters_only() -> None:
    """Items and tiles: tipg's own filter, bbox and datetime are nowhere under any route."""
    endpoints = ogc_endpoints()
    routes = [
        r
        for router in (endpoints.ogc_features.router, endpoints.ogc_tiles.router)
        for r in router.routes
        if hasattr(r, "endpoint")
    ]
    found: set[Any] = set()
    for route in routes:
        found |= dependencies_of(route.endpoint)
    assert {checked_filter, checked_bbox, checked_datetime} <= found
    assert not found & {filter_query, bbox_query, datetime_query}


def test_the_service_holds_no_dependency_override() -> None:
    """An override makes FastAPI analyse every dependency again on every request (≈ 5 ms)."""
    assert create_app(Settings()).dependency_overrides == {}
