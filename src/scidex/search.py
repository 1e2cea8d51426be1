"""Search as a researcher expects it: exact names and identifiers first, then prefixes, then text.

The first tier comes from the resolution index (an exact symbol, name,
synonym or identifier such as ``602751`` or ``NCBIGene:571``); the rest from
the full-text index (FTS5 or tsvector), whose bare query is
``store.search.fts_search``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from sqlalchemy import Connection, select

from .resolve import TIERS, resolve
from .store.schema import entity, entity_xref
from .store.search import fts_search, query_tokens


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    kind: str
    category: str | None
    title: str
    symbol: str | None
    snippet: str  # safe HTML: escaped text with <mark> around matches
    matched_by: str  # id | symbol | label | xref | synonym | previous_symbol | text


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    category: str | None
    hits: list[SearchHit]


def _bare_identifier_matches(conn: Connection, q: str) -> list[str]:
    """Entities whose xref has ``q`` as its local part (602751 -> OMIM:602751)."""
    token = q.strip()
    if not token or " " in token or ":" in token or len(token) < 4:
        return []
    candidates = [
        f"{p}:{token}" for p in ("OMIM", "NCBIGene", "ENSEMBL", "UniProtKB", "Orphanet", "MESH")
    ]
    rows = conn.execute(
        select(entity_xref.c.entity_id).where(entity_xref.c.xref.in_(candidates)).limit(10)
    )
    return list(dict.fromkeys(rows.scalars()))


def search(
    conn: Connection, q: str, *, category: str | None = None, limit: int = 20
) -> SearchResult:
    q = q.strip()[:200]
    hits: dict[str, SearchHit] = {}
    if not q:
        return SearchResult(q, category, [])
    exact = resolve(conn, q, category=category, limit=limit)
    for m in sorted(exact.matches, key=lambda m: TIERS[m.matched_by]):
        hits[m.id] = SearchHit(m.id, "entity", m.category, m.name, m.symbol, "", m.matched_by)
    for eid in _bare_identifier_matches(conn, q):
        if eid not in hits:
            row = conn.execute(select(entity).where(entity.c.id == eid)).first()
            if row and (category is None or row.category == category):
                hits[eid] = SearchHit(eid, "entity", row.category, row.name, row.symbol, "", "xref")
    if len(hits) < limit and query_tokens(q):
        for h in fts_search(conn, q, category=category, limit=limit):
            if h.doc_id not in hits:
                hits[h.doc_id] = SearchHit(
                    h.doc_id, h.kind, h.category, h.title, None, _safe_snippet(h.snippet), "text"
                )
    return SearchResult(q, category, list(hits.values())[:limit])


def _safe_snippet(snippet: str) -> str:
    """Escape everything but the engine's own <mark> tags."""
    escaped = html.escape(snippet, quote=False)
    return escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
