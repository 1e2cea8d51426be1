"""The full-text index: search documents for entities, FTS5 on SQLite, tsvector on PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text


def reindex_entities(conn: Connection) -> int:
    """Rebuild the search documents of every active entity from the entity tables.

    One set-based statement per backend: titles are names, ``names`` holds
    symbols, synonyms, previous symbols and identifiers (CURIEs and their
    local parts, so that "602751" or "O14867" finds the gene), ``body`` the
    description.
    """
    conn.execute(text("DELETE FROM search_doc WHERE kind = 'entity'"))
    if conn.dialect.name == "sqlite":
        agg = "group_concat(x, ' ')"
        local = "substr(xref, instr(xref, ':') + 1)"
    else:
        agg = "string_agg(x, ' ')"
        local = "split_part(xref, ':', 2)"
    sql = f"""
        INSERT INTO search_doc (doc_id, kind, category, title, names, body)
        SELECT e.id, 'entity', e.category, e.name,
               coalesce(e.symbol, '') || ' ' || e.id || ' ' || coalesce(n.names, '')
                 || ' ' || coalesce(x.xrefs, ''),
               coalesce(e.description, '')
        FROM entity e
        LEFT JOIN (
            SELECT entity_id, {agg} AS names
            FROM (SELECT DISTINCT entity_id, name AS x FROM entity_name
                  WHERE kind <> 'label') s
            GROUP BY entity_id
        ) n ON n.entity_id = e.id
        LEFT JOIN (
            SELECT entity_id, {agg} AS xrefs
            FROM (SELECT entity_id, xref || ' ' || {local} AS x FROM entity_xref) s
            GROUP BY entity_id
        ) x ON x.entity_id = e.id
        WHERE e.lifecycle = 'active'
    """
    return conn.execute(text(sql)).rowcount or 0


@dataclass(frozen=True, slots=True)
class Hit:
    doc_id: str
    kind: str
    category: str | None
    title: str
    snippet: str
    rank: float  # lower is better


_TOKEN = re.compile(r"[\w]+", re.UNICODE)
MAX_QUERY_CHARS = 200
MAX_TOKENS = 8


def query_tokens(q: str) -> list[str]:
    """Word tokens of a user query; FTS syntax characters never reach the engine."""
    return _TOKEN.findall(q[:MAX_QUERY_CHARS].casefold())[:MAX_TOKENS]


def fts_search(
    conn: Connection, q: str, *, category: str | None = None, limit: int = 20
) -> list[Hit]:
    """Full-text hits for ``q``: every token must match, the last one as a prefix.

    The bare engine query (FTS5 MATCH with bm25, or tsquery with ts_rank_cd);
    exact-name ranking on top of it lives in the search module of the app.
    """
    tokens = query_tokens(q)
    if not tokens:
        return []
    if conn.dialect.name == "sqlite":
        parts = [f'"{t}"' for t in tokens[:-1]] + [f'"{tokens[-1]}"*']
        match = " ".join(parts)
        sql = (
            "SELECT d.doc_id, d.kind, d.category, d.title, "
            "snippet(search_fts, -1, '<mark>', '</mark>', '…', 12) AS snip, "
            "bm25(search_fts, 10.0, 5.0, 1.0) AS rank "
            "FROM search_fts JOIN search_doc d ON d.rowid = search_fts.rowid "
            "WHERE search_fts MATCH :match "
            + ("AND d.category = :category " if category else "")
            + "ORDER BY rank LIMIT :limit"
        )
        params = {"match": match, "category": category, "limit": limit}
    else:
        # Tokens are \\w+ only, so they are safe inside a tsquery.
        match = " & ".join([*tokens[:-1], f"{tokens[-1]}:*"])
        sql = (
            "SELECT doc_id, kind, category, title, "
            "ts_headline('simple', title || ' ' || names || ' ' || left(body, 2000), q, "
            "'StartSel=<mark>, StopSel=</mark>, MaxFragments=1, MaxWords=18, MinWords=6') "
            "AS snip, -ts_rank_cd(tsv, q) AS rank "
            "FROM search_doc, to_tsquery('simple', :match) q "
            "WHERE tsv @@ q "
            + ("AND category = :category " if category else "")
            + "ORDER BY rank LIMIT :limit"
        )
        params = {"match": match, "category": category, "limit": limit}
    rows = conn.execute(text(sql), params).all()
    return [Hit(r.doc_id, r.kind, r.category, r.title, r.snip or "", float(r.rank)) for r in rows]
