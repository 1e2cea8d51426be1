"""What route handlers share: the store, the signed-in session, the actor behind a token, and the
refusal of unknown query parameters.

Handlers take them as FastAPI dependencies (``store: StoreDep``, ``actor: ActorDep``,
``Depends(reject_unknown_params)``); helpers outside a handler's signature call
``store_of(request)`` and ``current_session(request)``. A handler opens its connections itself
(``with store.read() as conn``, ``with store.atomic() as conn``) rather than through a
dependency: a dependency's connection would stay checked out until the response is sent, while
a ``with`` block returns it to the pool as soon as the rows are read or the write commits.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.routing import APIRoute

from scidex.kg.urls import urls
from scidex.registry.accounts import SessionInfo, session
from scidex.registry.revisions import Actor, WriteError, require
from scidex.registry.tokens import authenticate
from scidex.store import Store
from scidex.web.errors import PageError


def store_of(request: Request) -> Store:
    """The store the app was created on."""
    store: Store = request.app.state.store
    return store


async def _store(request: Request) -> Store:
    # async: a lookup this cheap runs on the event loop, not in the thread pool.
    return store_of(request)


# A handler's store: ``def page(store: StoreDep) -> ...``.
StoreDep = Annotated[Store, Depends(_store)]


def _declared(dependant: Any) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


def reject_unknown_params(request: Request) -> None:
    """400 for any query parameter the endpoint does not declare (``?limt=5``, ``?categroy=``)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _declared(route.dependant)
    unknown = sorted({k for k in request.query_params if k not in allowed})
    if unknown:
        raise PageError(
            400,
            f"unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            {"unknown": unknown, "allowed": sorted(allowed)},
        )


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def token_actor(request: Request, authorization: Annotated[str | None, Header()] = None) -> Actor:
    """The actor behind a Bearer token, or 401."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise PageError(401, "this write needs Authorization: Bearer <token>")
    store: Store = store_of(request)
    info = authenticate(store, authorization.split(None, 1)[1].strip())
    if info is None:
        raise PageError(401, "unknown or revoked token")
    return Actor("token", info.id, info.label, info.role, client_ip(request))


COOKIE = "scidex_session"


def current_session(request: Request) -> SessionInfo | None:
    """The signed-in account, looked up once per request and only when the cookie is there."""
    if not hasattr(request.state, "session"):
        token = request.cookies.get(COOKIE)
        ip = request.client.host if request.client else None
        request.state.session = session(store_of(request), token, ip) if token else None
    return request.state.session


def signed_in(request: Request, role: str) -> SessionInfo:
    info = current_session(request)
    if info is None:
        login = urls.login(str(request.url.path))
        raise PageError(401, "sign in to do this", {"login": login})
    try:
        require(info.actor, role)
    except WriteError as exc:
        raise PageError(403, str(exc)) from exc
    return info


def check_csrf(info: SessionInfo, token: str) -> None:
    if not token or not hmac.compare_digest(token, info.csrf):
        raise PageError(403, "the form's CSRF token is missing or wrong; reload the page")


# A write's actor, from its ``Authorization: Bearer`` token (401 without one).
ActorDep = Annotated[Actor, Depends(token_actor)]
