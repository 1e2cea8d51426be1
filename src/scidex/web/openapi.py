"""The API description (``/openapi.json``) as the contract: every status a route can answer.

Routes declare what their own logic answers (404 for an unknown key, 300 for an ambiguous
name, 409 for a stale write, 422 for content that cannot be stored). What follows from how a
route is built is added here, from the route itself, so it cannot drift:

- 400 wherever the route reads a parameter or a body, or refuses unknown parameters;
- 304 on every GET (the ETag middleware answers a matching ``If-None-Match``);
- 401 and 403 where a Bearer token names the actor, with the ``bearer`` security scheme;
- 408 and 413 where the route reads a body (the body's deadline and size limit).

FastAPI's own 422 (``HTTPValidationError``) is taken out: this app answers invalid requests
with 400 in its one error shape, never with that model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from scidex.web.deps import reject_unknown_params, token_actor
from scidex.web.schemas import errors


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _reads_input(dependant: Dependant) -> bool:
    if dependant.query_params or dependant.path_params or dependant.header_params:
        return True
    if dependant.body_params or dependant.cookie_params:
        return True
    return any(_reads_input(sub) for sub in dependant.dependencies)


def implied_statuses(route: Any, method: str) -> list[int]:
    """The error statuses ``route`` can answer because of how it is built."""
    calls = set(_calls(route.dependant))
    statuses: list[int] = []
    if _reads_input(route.dependant) or reject_unknown_params in calls:
        statuses.append(400)
    if method == "GET":
        statuses.append(304)
    if token_actor in calls:
        statuses += [401, 403]
    if route.body_field is not None:
        statuses += [408, 413]
    return statuses


def _is_default_422(response: dict[str, Any]) -> bool:
    return "HTTPValidationError" in json.dumps(response)


def contract(app: FastAPI) -> dict[str, Any]:
    """The description of ``app``'s API with every status each operation can answer."""
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    # Routes as the description sees them: those of included routers, with their prefixes.
    routes = {
        (context.path_format, method): context.original_route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.original_route.methods or ()
    }
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            if "422" in responses and _is_default_422(responses["422"]):
                del responses["422"]
            route = routes.get((path, method.upper()))
            if route is None:
                continue
            for status, response in errors(*implied_statuses(route, method.upper())).items():
                if str(status) not in responses:
                    responses[str(status)] = _response_schema(response)
            operation["responses"] = dict(sorted(responses.items()))
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in components and f"#/components/schemas/{unused}" not in json.dumps(
            {k: v for k, v in schema.items() if k != "components"}
        ):
            del components[unused]
    return schema


def _response_schema(response: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"description": response["description"]}
    if "model" in response:
        out["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    return out


def install_contract(app: FastAPI) -> None:
    """Serve :func:`contract` as ``/openapi.json`` (computed once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = contract(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
