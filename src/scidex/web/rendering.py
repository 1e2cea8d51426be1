"""Rendering shared by the HTML routes: templates, 404 pages with suggestions, redirects, the
cache of rendered pages, and the route settings of pages and API twins."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import Connection
from starlette.convertors import Convertor, register_url_convertor

from scidex.kg.categories import LINK_SECTIONS, SECTIONS, Section, label_for
from scidex.kg.urls import urls
from scidex.queries.artifacts import ArtifactRecord, pages_for_entities
from scidex.queries.resolve import Lookup
from scidex.queries.search import search
from scidex.web.deps import current_session, reject_unknown_params, store_of
from scidex.web.errors import PageError
from scidex.wiki.lru import LRUCache


class SectionConvertor(Convertor[str]):
    """The section of ``/{section}/{name}``: one path segment, but never ``api``, so a JSON API
    path asked with a method it lacks (``GET /api/preview``) answers 405 with its ``Allow``,
    not the 404 of a section that does not exist."""

    regex = r"(?!api/)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("section", SectionConvertor())


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


def section_list() -> list[dict[str, Any]]:
    """Every URL section, for the page that answers a link to a section that does not exist:
    its form, what it names, and the list of its entities where one list is exactly that."""
    out = []
    for s in LINK_SECTIONS.values():
        exact_list = len(s.categories) == 1 and not s.attribute and not s.then
        listing = urls.atlas_entities({"category": s.categories[0]}) if exact_list else None
        if s.name == "entities":
            listing = urls.atlas_entities()
        out.append({"name": s.name, "label": s.label, "noun": s.noun, "list": listing})
    return out


def unknown_section(request: Request, section: str, name: str) -> PageError:
    """A 404 for ``/{section}/{name}`` with an unknown section: the sections there are, and the
    entities the name may mean."""
    found = not_found(request, name, "page")
    details = (found.details or {}) | {"sections": section_list()}
    return PageError(404, f"No section {section!r}: links name one of the sections below.", details)


def disambiguation(request: Request, conn: Connection, found: Lookup, section: Section) -> Response:
    """The page of a name several entities answer to equally: each with its category, id and
    page. Status 300 (Multiple Choices), as the JSON API answers the same name."""
    pages = pages_for_entities(conn, [m.id for m in found.matches])
    candidates = [
        {
            "id": m.id,
            "label": (f"{m.symbol} — " if m.symbol else "") + m.name,
            "category": label_for(m.category),
            "url": urls.artifact(pages[m.id]) if m.id in pages else urls.entity(m.id),
            "matched_by": m.matched_by.replace("_", " "),
            "via": m.via,
        }
        for m in found.matches
    ]
    context = {"query": found.query, "section": section, "candidates": candidates}
    return render(request, "disambiguation.html", context, status=300)


def redirect(url: str) -> RedirectResponse:
    # 308 keeps the method and says the move is permanent.
    return RedirectResponse(url, status_code=308)


def moved_artifact(
    request: Request, found: ArtifactRecord, moved: bool, url: Callable[[str], str]
) -> RedirectResponse | None:
    """The redirect to ``url`` of the artifact's own id, for one asked by another name
    (``moved``), or of the artifact it was merged into; the query string kept. None when
    the artifact is here under its own id."""
    if not (moved or (found.lifecycle == "merged" and found.merged_into)):
        return None
    target = found.merged_into if found.lifecycle == "merged" else found.id
    query = f"?{request.url.query}" if request.url.query else ""
    return redirect(url(target or found.id) + query)


class PageCache(LRUCache[tuple[Any, ...], bytes]):
    """Rendered pages for anonymous readers, valid for one data version of the store.

    A page is a pure function of the store's content (and the day, which the
    citation's access date shows), so any write transaction, which advances
    the data version, retires every cached page at once.
    """

    def __init__(self, size: int = 512) -> None:
        super().__init__(size)


api: dict[str, Any] = {
    "tags": ["atlas"],
    "dependencies": [Depends(reject_unknown_params)],
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
