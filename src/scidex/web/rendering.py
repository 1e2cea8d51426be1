"""Rendering shared by the HTML routes: templates, 404 pages with suggestions, redirects, the
cache of rendered pages, and the route settings of pages and API twins."""

from __future__ import annotations

import re
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from scidex.kg.categories import SECTIONS
from scidex.kg.urls import urls
from scidex.queries.search import search
from scidex.web.deps import current_session, reject_unknown_params, store_of
from scidex.web.errors import PageError
from scidex.web.schemas import ERRORS


def not_found(request: Request, key: str, what: str = "artifact") -> PageError:
    """A 404 that offers the closest matches from the resolution and search indexes."""
    words = key.removeprefix("wiki-")
    for section in SECTIONS:
        words = words.removeprefix(f"{section}-")
    with store_of(request).read() as conn:
        hits = search(conn, words.replace("-", " "), limit=8).hits
    suggestions = [
        {
            "id": h.id,
            "label": (f"{h.symbol} — " if h.symbol else "") + h.title,
            "category": (h.category or "").removeprefix("biolink:"),
            "url": urls.entity(h.id),
        }
        for h in hits
    ]
    return PageError(404, f"No {what} named {key!r}.", {"suggestions": suggestions, "query": key})


def redirect(url: str) -> RedirectResponse:
    # 308 keeps the method and says the move is permanent.
    return RedirectResponse(url, status_code=308)


class PageCache:
    """Rendered pages for anonymous readers, valid for one data version of the store.

    A page is a pure function of the store's content (and the day, which the
    citation's access date shows), so any write transaction, which advances
    the data version, retires every cached page at once.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        hit = self._pages.get(key)
        if hit is not None:
            self._pages.move_to_end(key)
        return hit

    def stats(self) -> dict[str, int]:
        """Its bound and how full it is, for ``/health``."""
        return {"limit": self.size, "size": len(self._pages)}

    def put(self, key: tuple[Any, ...], body: bytes) -> None:
        self._pages[key] = body
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)


api: dict[str, Any] = {
    "tags": ["atlas"],
    "dependencies": [Depends(reject_unknown_params)],
    "responses": ERRORS,
}


page: dict[str, Any] = {"response_class": HTMLResponse, "include_in_schema": False}


MAX_FILTER_VALUES = 30


@cache
def cytoscape_file() -> str:
    """The vendored cytoscape build (its version is in the file name)."""
    found = sorted((Path(__file__).parent / "static" / "vendor").glob("cytoscape-*.min.js"))
    if not found:
        raise RuntimeError("vendored cytoscape missing under web/static/vendor (scripts/vendor.sh)")
    return found[-1].name


def render_page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Any:
    """An Atlas page from its template."""
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )


def entity_brief(b: Any) -> dict[str, Any]:
    """Id, name, symbol and category of an entity record, as the Atlas answers carry them."""
    return {"id": b.id, "name": b.name, "symbol": b.symbol, "category": b.category}


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    context.setdefault("session", current_session(request))
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


# An <a> tag whose href is a fragment (attributes before href hold no ">" in our HTML).
_FRAGMENT_LINK = re.compile(r'<a(?=[^>]*\shref="#)')


def in_frame(html: str) -> Markup:
    """An embedded page's HTML with its in-page links (citations, back-links) kept in the
    frame: the embed's ``<base target="_blank">`` sends every other link to a new tab,
    since the atlas's full pages refuse to be framed."""
    return Markup(_FRAGMENT_LINK.sub('<a target="_self"', html))
