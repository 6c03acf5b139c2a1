"""Replacing a dependency inside routes one does not own (tipg's), once, at start-up.

FastAPI's `app.dependency_overrides` would do it, but while it holds anything FastAPI analyses
again, on every request of the whole app, the signature of every dependency of the route: about
5 ms of CPU a request here, a tile costing twice what it should (issue 15, item 8). Here each
endpoint gets instead a signature whose `Depends(f)`, at any depth, name the substitute of `f`;
FastAPI analyses it once, when the route is built, as it does for the product's own routes.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, get_args, get_origin

from fastapi import APIRouter, params
from fastapi.routing import APIRoute

Substitutes = dict[Callable[..., Any], Callable[..., Any]]


def substitute_in_router(router: APIRouter, substitutes: Substitutes) -> None:
    """Each route of `router`, and of the routers it includes, rebuilt on its endpoint with
    the dependencies substituted. Before the router is included anywhere."""
    for index, route in enumerate(router.routes):
        included = getattr(route, "original_router", None)  # FastAPI ≥ 0.16x keeps the router
        if isinstance(included, APIRouter):
            substitute_in_router(included, substitutes)
        elif isinstance(route, APIRoute):
            endpoint = substituted(route.endpoint, substitutes)
            if endpoint is not route.endpoint:
                router.routes[index] = _rebuilt(route, endpoint)


#: what APIRoute takes, apart from its path and endpoint, read back from the route itself
_ROUTE_ARGUMENTS = [
    name
    for name in inspect.signature(APIRoute.__init__).parameters
    if name not in ("self", "path", "endpoint")
]


def _rebuilt(route: APIRoute, endpoint: Callable[..., Any]) -> APIRoute:
    """The same route (path, methods, answers, documentation) on another endpoint."""
    kept = {name: getattr(route, name) for name in _ROUTE_ARGUMENTS if hasattr(route, name)}
    return APIRoute(route.path, endpoint, **kept)


def substituted(call: Callable[..., Any], substitutes: Substitutes) -> Callable[..., Any]:
    """`call` itself when no dependency under it has a substitute, else a wrapper of it whose
    signature names the substitutes (its body is `call`'s)."""
    if call in substitutes:
        return substitutes[call]
    try:
        signature = inspect.signature(call, eval_str=True)
    except (TypeError, ValueError, NameError):
        return call  # a builtin or a class without a readable signature: nothing to replace
    parameters = [_parameter(p, substitutes) for p in signature.parameters.values()]
    if all(new is old for new, old in zip(parameters, signature.parameters.values(), strict=True)):
        return call
    wrapper = _wrapper(call)
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return wrapper


def _parameter(parameter: inspect.Parameter, substitutes: Substitutes) -> inspect.Parameter:
    annotation, default = parameter.annotation, parameter.default
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        replaced = [_depends(m, substitutes) for m in metadata]
        if any(new is not old for new, old in zip(replaced, metadata, strict=True)):
            annotation = Annotated.__class_getitem__((base, *replaced))
    if isinstance(default, params.Depends):
        default = _depends(default, substitutes)
    if annotation is parameter.annotation and default is parameter.default:
        return parameter
    return parameter.replace(annotation=annotation, default=default)


def _depends(marker: Any, substitutes: Substitutes) -> Any:
    """A `Depends` on the substitute (or on a wrapper naming substitutes further down)."""
    if not isinstance(marker, params.Depends) or marker.dependency is None:
        return marker
    target = substituted(marker.dependency, substitutes)
    return marker if target is marker.dependency else dataclasses.replace(marker, dependency=target)


def _wrapper(call: Callable[..., Any]) -> Callable[..., Any]:
    """A function of the same kind as `call` (async or not, generator or not) calling it."""
    if inspect.isasyncgenfunction(call) or inspect.isgeneratorfunction(call):
        raise TypeError(f"{call!r}: a generator dependency cannot be wrapped here")
    if inspect.iscoroutinefunction(call):

        async def awaiting(*args: Any, **kwargs: Any) -> Any:
            return await call(*args, **kwargs)

        return functools.update_wrapper(awaiting, call, updated=())

    def calling(*args: Any, **kwargs: Any) -> Any:
        return call(*args, **kwargs)

    return functools.update_wrapper(calling, call, updated=())
