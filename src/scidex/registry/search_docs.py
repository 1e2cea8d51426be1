"""The search documents of pages: their text as a reader sees it, rebuilt after page writes."""

from __future__ import annotations

from sqlalchemy import Connection

from scidex.pages.store_links import link_resolver
from scidex.store import search_index
from scidex.wiki.render import plain_text


def reindex_pages(conn: Connection) -> int:
    """Rebuild the documents of every active non-generated page from its current text,
    with wikilinks read as their entities' labels; returns how many were written."""
    resolve = link_resolver(conn)
    return search_index.reindex_pages(conn, lambda markdown: plain_text(markdown, resolve))
