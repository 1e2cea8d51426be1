"""Rendering a page's markdown once per text, and its links on every view.

Everything :func:`scidex.wiki.render.render_markdown` does to a page but
resolving its wikilinks is a function of the page's text and references
alone: parsing, citations and their numbers, the References list, headings,
diagrams and the sanitiser. Those results are kept (a bounded cache, keyed by
the text, the references and the line offset, or by a stored revision's hash of
the text and references, so it can never be stale) with
a placeholder where each wikilink goes. A view then resolves the page's links
against the store as it is now (one batch, as before) and puts each link's
HTML in its place: a page shows current links after every write, at the cost
of the links alone.

Pages whose output depends on the store beyond their links are rendered in
full every time: those that embed other artifacts, and those whose headings
hold a wikilink (a heading's id is made from the entity's label).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from markdown_it.token import Token

from scidex.wiki.links import LinkUse, wikilink_html
from scidex.wiki.lru import LRUCache
from scidex.wiki.render import (
    PageState,
    RenderContext,
    RenderedPage,
    link_problem,
    render_markdown,
    render_with,
    sanitize,
)

# Private-use characters: a page whose text holds one is rendered in full.
_OPEN, _CLOSE = "\ue000", "\ue001"
_SLOT = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


class _NotCompilable(Exception):
    """The page's output depends on the store beyond its wikilinks."""


@dataclass(frozen=True, slots=True)
class _Link:
    target: str
    label: str | None
    line: int
    """0-based line in the body, as the render's problems count it before the offset."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    page: RenderedPage | None
    """Everything but the links: ``html`` holds a slot per link, ``links`` is empty. None for
    a page that is rendered in full on every view."""
    links: tuple[_Link, ...] = ()


_IN_FULL = _Compiled(None)


class _Compiling(PageState):
    """A render that leaves a numbered slot where each wikilink goes."""

    def __init__(self, ctx: RenderContext) -> None:
        super().__init__(ctx)
        self.slots: list[_Link] = []

    def annotate(self, tokens: list[Token]) -> None:
        for i, token in enumerate(tokens):
            heading = token.type == "heading_open" and i + 1 < len(tokens)
            if heading and any(c.type == "wikilink" for c in tokens[i + 1].children or ()):
                raise _NotCompilable
        super().annotate(tokens)

    def wikilink(self, token: Token, line: int) -> None:
        token.meta["html"] = f"{_OPEN}{len(self.slots)}{_CLOSE}"
        self.slots.append(_Link(token.meta["target"], token.meta["label"], line))

    def embed(self, artifact_id: str, mode: str | None, line: int, *, inline: bool) -> str:
        raise _NotCompilable


class CompiledCache(LRUCache[tuple[Any, ...], _Compiled]):
    """Compiled pages, the most recently used ``size`` of them (thread-safe)."""

    def __init__(self, size: int = 256) -> None:
        super().__init__(size)


COMPILED = CompiledCache()
"""The process's compiled pages (their bound and fill are shown on ``/health``)."""


def render_page(
    markdown: str,
    ctx: RenderContext,
    cache: CompiledCache = COMPILED,
    *,
    content_hash: str | None = None,
) -> RenderedPage:
    """What :func:`render_markdown` returns for ``markdown`` in ``ctx``, from the page's
    compiled form when it has one (its links resolved now).

    ``content_hash``: a digest of the markdown and ``ctx.references`` together (a stored
    revision's ``content_hash``), which keys the compiled page instead of the text and its
    references serialised on every view; without one they are the key.
    """
    if _OPEN in markdown or _CLOSE in markdown:
        return render_markdown(markdown, ctx)
    key: tuple[Any, ...] = (
        (content_hash, ctx.line_offset)
        if content_hash is not None
        else (markdown, json.dumps(ctx.references, sort_keys=True, default=str), ctx.line_offset)
    )
    compiled = cache.get(key)
    if compiled is None:
        compiled = _compile(markdown, ctx)
        cache.put(key, compiled)
    if compiled.page is None:
        return render_markdown(markdown, ctx)
    return _link(compiled.page, compiled.links, ctx)


def _compile(markdown: str, ctx: RenderContext) -> _Compiled:
    state = _Compiling(RenderContext(references=ctx.references, line_offset=ctx.line_offset))
    try:
        page = render_with(markdown, state)
    except _NotCompilable:
        return _IN_FULL
    # The slots must come through the sanitiser as they went in, one each.
    if len(_SLOT.findall(page.html)) != len(state.slots):
        return _IN_FULL
    return _Compiled(page, tuple(state.slots))


def _link(page: RenderedPage, links: tuple[_Link, ...], ctx: RenderContext) -> RenderedPage:
    prefetch = getattr(ctx.resolve_link, "prefetch", None)
    if prefetch is not None:
        prefetch([link.target for link in links])
    pieces: list[str] = []
    uses: list[LinkUse] = []
    problems = list(page.problems)
    for link in links:
        resolution = ctx.resolve_link(link.target)
        at = link.line + 1 + ctx.line_offset
        uses.append(LinkUse(link.target, link.label, resolution, at))
        if (problem := link_problem(link.target, resolution, at)) is not None:
            problems.append(problem)
        # Through the same sanitiser as the rest of the page, so the two paths agree.
        pieces.append(sanitize(wikilink_html(link.target, link.label, resolution)))
    html = _SLOT.sub(lambda m: pieces[int(m[1])], page.html)
    problems.sort(key=lambda p: p.line)
    return replace(page, html=html, links=uses, problems=problems)
