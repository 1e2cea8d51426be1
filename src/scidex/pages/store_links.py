"""Wikilinks and embeds resolved against the store: what every render of a page is given.

Pages, the editor, the curated-page loader, the lint and the search documents all
render markdown against these, so a link reads the same wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape

from sqlalchemy import Connection

from scidex.kg.urls import urls
from scidex.queries.artifacts import get_artifact, get_revision, pages_for_entities
from scidex.queries.resolve import resolve_many
from scidex.wiki.links import LinkResolution, ambiguous, resolved, unresolved
from scidex.wiki.render import RenderContext, render_markdown


class StoreLinkResolver:
    """Wikilink target -> canonical page URL, through the resolution index.

    A ``Resolver`` (``target -> LinkResolution``) that remembers its answers;
    ``prefetch`` resolves a whole page's targets, and finds their pages, in a
    few queries (the renderer calls it before it walks the links).
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._cache: dict[str, LinkResolution] = {}
        self._pages: dict[str, str | None] = {}  # entity -> its page's id, None: no page

    def pages_of(self, curies: Iterable[str]) -> dict[str, str]:
        """Entity -> page id for those that have a page; each entity's page is read once."""
        wanted = list(dict.fromkeys(curies))
        missing = [c for c in wanted if c not in self._pages]
        if missing:
            found = pages_for_entities(self.conn, missing)
            self._pages.update({c: found.get(c) for c in missing})
        return {c: page for c in wanted if (page := self._pages[c]) is not None}

    def __call__(self, target: str) -> LinkResolution:
        if target not in self._cache:
            self.prefetch([target])
        return self._cache[target]

    def prefetch(self, targets: list[str]) -> None:
        wanted = [t for t in dict.fromkeys(targets) if t not in self._cache]
        if not wanted:
            return
        found = resolve_many(self.conn, wanted, limit=8)
        pages = self.pages_of(
            m.id for r in found.values() for m in ([r.entity] if r.entity else r.best)
        )

        def url(curie: str) -> str:
            return urls.artifact(pages[curie]) if curie in pages else urls.entity(curie)

        for target, r in found.items():
            if r.entity is not None:
                m = r.entity
                self._cache[target] = resolved(url(m.id), m.id, m.symbol or m.name)
            elif r.ambiguous:
                self._cache[target] = ambiguous(
                    (m.id, m.symbol or m.name, url(m.id)) for m in r.best
                )
            else:
                self._cache[target] = unresolved()


def link_resolver(conn: Connection) -> StoreLinkResolver:
    """The store's wikilink resolver (see :class:`StoreLinkResolver`)."""
    return StoreLinkResolver(conn)


def embedder(conn: Connection) -> Callable[[str, str], str | None]:
    """``{{artifact:ID:mode}}`` -> a compact card, a link or the full view (escaped HTML)."""

    def embed(artifact_id: str, mode: str) -> str | None:
        art = get_artifact(conn, artifact_id)
        if art is None:
            return None
        url = urls.artifact(art.id)
        title = escape(art.title)
        if mode == "link":
            return f'<a class="artifact-link" href="{url}">{title}</a>'
        summary = escape(str(art.metadata.get("summary") or art.entity_type or art.type))
        if mode == "full":
            rev = get_revision(conn, art.id, art.current_version)
            body = (
                render_markdown(
                    rev.markdown,
                    RenderContext(resolve_link=link_resolver(conn), references=rev.references),
                ).html
                if rev
                else ""
            )
            return f'<div class="artifact-full"><h4><a href="{url}">{title}</a></h4>{body}</div>'
        return (
            f'<div class="artifact-card"><a href="{url}"><strong>{title}</strong></a>'
            f'<span class="muted"> · {escape(art.id)} · {summary}</span></div>'
        )

    return embed
