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
import secrets
import time
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from fastapi.dependencies.utils import field_annotation_is_sequence
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from scidex.kg.urls import urls
from scidex.registry.accounts import SessionInfo, session
from scidex.registry.editing import PREVIEW_MAX_CHARS
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


def _declared(dependant: Any) -> dict[str, bool]:
    """The query parameters a route reads, each with whether it may be repeated (a list)."""
    names = {
        p.alias: field_annotation_is_sequence(p.field_info.annotation)
        for p in dependant.query_params
    }
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


def reject_unknown_params(request: Request) -> None:
    """400 for any query parameter the endpoint does not declare (``?limt=5``, ``?categroy=``),
    and for one it takes once given several times (``?limit=5&limit=9``)."""
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
    repeated = sorted(
        k for k, many in allowed.items() if not many and len(request.query_params.getlist(k)) > 1
    )
    if repeated:
        raise PageError(
            400,
            f"query parameter{'s' if len(repeated) > 1 else ''} given more than once: "
            f"{', '.join(repeated)}",
            {"repeated": repeated},
        )


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


# The API's one security scheme (in /openapi.json as ``bearer``); missing or malformed
# credentials are this app's 401, in its error shape, not FastAPI's 403.
BEARER = HTTPBearer(
    scheme_name="bearer",
    description="A token from `scidex token create` (its role: reader, editor, curator, admin).",
    auto_error=False,
)


def token_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
) -> Actor:
    """The actor behind a Bearer token, or 401."""
    if credentials is None or not credentials.credentials.strip():
        raise PageError(401, "this write needs Authorization: Bearer <token>")
    store: Store = store_of(request)
    info = authenticate(store, credentials.credentials.strip())
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


def check_preview_size(markdown: str) -> None:
    """413 for markdown longer than a preview renders (``PREVIEW_MAX_CHARS``)."""
    if len(markdown) > PREVIEW_MAX_CHARS:
        raise PageError(
            413,
            f"a preview renders at most {PREVIEW_MAX_CHARS} characters of markdown, "
            f"not {len(markdown)}",
            {"max_chars": PREVIEW_MAX_CHARS, "chars": len(markdown)},
        )


def clock(request: Request) -> float:
    """Seconds since the epoch; tests set ``app.state.clock`` to step through a lockout."""
    now = getattr(request.app.state, "clock", time.time)
    return float(now())


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _own_origins(request: Request) -> set[str]:
    own = {f"{request.url.scheme}://{request.url.netloc}".lower()}
    if configured := _origin(request.app.state.settings.base_url):
        own.add(configured)  # behind a TLS proxy the public origin is SCIDEX_BASE_URL's
    return own


def check_origin(request: Request) -> bool:
    """Refuse (403) a form post sent from another site.

    The ``Origin`` header decides, or, without one, the ``Referer``'s origin: it
    must be this server's own (as the request reached it, or ``SCIDEX_BASE_URL``'s).
    ``Origin: null`` (sandboxed frames, opaque redirects) is refused too. Returns
    False when neither header came: browsers send one on every form post, so the
    caller must then insist on a CSRF token that checks.
    """
    claimed = request.headers.get("origin")
    if claimed is None and (referer := request.headers.get("referer")):
        claimed = _origin(referer) or "null"
    if claimed is None:
        return False
    if claimed.lower() not in _own_origins(request):
        raise PageError(
            403, "a form posted from another site is refused", {"origin": claimed[:200]}
        )
    return True


LOGIN_COOKIE = "scidex_login_csrf"


def login_form_token(request: Request) -> str:
    """The sign-in form's CSRF token: the browser's pre-session cookie, or a new one."""
    token = request.cookies.get(LOGIN_COOKIE, "")
    return token if 20 <= len(token) <= 100 else secrets.token_urlsafe(24)


def set_login_cookie(request: Request, response: Response, token: str) -> None:
    # SameSite=Strict: another site's post to /login arrives without it.
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        path="/login",
        max_age=86400,
        secure=request.url.scheme == "https",
    )


def check_login_csrf(request: Request, token: str) -> None:
    """The sign-in form's hidden token must match its cookie (a double-submit check)."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not token or not cookie or not hmac.compare_digest(token, cookie):
        raise PageError(
            403, "the sign-in form's CSRF token is missing or wrong; reload the sign-in page"
        )


# A write's actor, from its ``Authorization: Bearer`` token (401 without one).
ActorDep = Annotated[Actor, Depends(token_actor)]
