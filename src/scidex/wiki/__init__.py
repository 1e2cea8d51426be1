"""The wiki layer: markdown -> safe HTML with citations, wikilinks, embeds and diagrams.

It never imports the store or the web layer: entity resolution and artifact
embedding are injected as callables in a ``RenderContext``, so the page view
and the lint render through one code path.
"""

from __future__ import annotations

from scidex.wiki.citations import Citation
from scidex.wiki.content import (
    ContentError,
    CuratedEdge,
    CuratedPage,
    load_page,
    load_pages,
    parse_page,
)
from scidex.wiki.links import (
    Ambiguous,
    Candidate,
    Embedder,
    EmbedUse,
    LinkResolution,
    LinkUse,
    Resolved,
    Resolver,
    TableResolver,
    Unresolved,
    ambiguous,
    parse_wikilink,
    resolved,
    unresolved,
)
from scidex.wiki.lint import Finding, check_mermaid, lint_page, lint_rendered
from scidex.wiki.render import (
    MermaidBlock,
    Problem,
    RenderContext,
    RenderedPage,
    TocEntry,
    render_markdown,
    sanitize,
    slugify,
)

__all__ = [
    "Ambiguous",
    "Candidate",
    "Citation",
    "ContentError",
    "CuratedEdge",
    "CuratedPage",
    "EmbedUse",
    "Embedder",
    "Finding",
    "LinkResolution",
    "LinkUse",
    "MermaidBlock",
    "Problem",
    "RenderContext",
    "RenderedPage",
    "Resolved",
    "Resolver",
    "TableResolver",
    "TocEntry",
    "Unresolved",
    "ambiguous",
    "check_mermaid",
    "lint_page",
    "lint_rendered",
    "load_page",
    "load_pages",
    "parse_page",
    "parse_wikilink",
    "render_markdown",
    "resolved",
    "sanitize",
    "slugify",
    "unresolved",
]
