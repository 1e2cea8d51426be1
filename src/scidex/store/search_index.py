"""The search indexes: names by prefix, and full text (FTS5 on SQLite, tsvector on PostgreSQL).

Two bounded queries live here; the ranking that combines them with the
resolution index is ``scidex.queries.search``:

* :func:`name_prefix` walks the ``entity_name.norm`` b-tree from the query's
  normalised form, so "alzh" or "bac" costs a few hundred index steps at most;
* :func:`fts_search` asks the full-text engine, which must rank every match,
  so its cost is capped when a query matches most of the atlas.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, func, select, text

from scidex.store.schema import entity, entity_name


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


def reindex_pages(conn: Connection, body_text: Callable[[str], str]) -> int:
    """Index the title and current text of every active page that is not a generated one.

    Generated (backfill) pages only restate their entity, whose document is
    already indexed; curated and other pages add text worth finding. Their
    documents have kind ``artifact`` and the artifact id as ``doc_id``; the body
    is ``body_text(markdown)``, the page as the plain text a reader sees, so that
    neither matches nor snippets see markdown syntax.
    """
    conn.execute(text("DELETE FROM search_doc WHERE kind = 'artifact'"))
    sql = """
        SELECT a.id, a.entity_type, a.title, coalesce(a.kg_node_id, '') AS names, r.markdown
        FROM artifact a
        JOIN revision r ON r.artifact_id = a.id AND r.version = a.current_version
        WHERE a.lifecycle = 'active' AND a.origin_type <> 'backfill'
    """
    docs = [
        {
            "doc_id": r.id,
            "category": r.entity_type,
            "title": r.title,
            "names": r.names,
            "body": body_text(r.markdown),
        }
        for r in conn.execute(text(sql))
    ]
    if docs:
        conn.execute(
            text(
                "INSERT INTO search_doc (doc_id, kind, category, title, names, body) "
                "VALUES (:doc_id, 'artifact', :category, :title, :names, :body)"
            ),
            docs,
        )
    return len(docs)


@dataclass(frozen=True, slots=True)
class NameRow:
    """A name whose normalised form starts with the query's."""

    entity_id: str
    name: str
    norm: str
    kind: str  # label | symbol | synonym | previous_symbol


# How many names a prefix scan reads at most, of any kind and of labels and
# symbols only. Past three or four characters few prefixes have more names
# ("alzh" has 120 in the default atlas); shorter ones ("re" has 15,000) stop
# after this many names in index order, and the second scan keeps a run of
# synonyms (clone names such as "bA444G7") from hiding every approved symbol.
PREFIX_SCAN = 250
PRIMARY_SCAN = 150
PRIMARY_KINDS = ("label", "symbol")


def _next_key(norm: str) -> str:
    """The smallest key greater than every key that starts with ``norm``."""
    return norm[:-1] + chr(ord(norm[-1]) + 1)


def name_prefix(conn: Connection, norm: str, *, category: str | None = None) -> list[NameRow]:
    """Names starting with ``norm`` (a ``normalize_name`` key); of active entities of
    ``category`` when it is given, else of any entity (the caller checks).

    Each scan is one b-tree range of the ``entity_name.norm`` index,
    ``norm <= key < next(norm)``, read in order and cut before the join, so
    the cost is bounded whatever the prefix. The ``substr`` test keeps the
    answer exact under collations where the range is only a superset.
    """
    if not norm:
        return []
    rows: dict[tuple[str, str, str], NameRow] = {}
    for kinds, scan in ((None, PREFIX_SCAN), (PRIMARY_KINDS, PRIMARY_SCAN)):
        for r in _prefix_scan(conn, norm, kinds, scan, category):
            rows.setdefault((r.entity_id, r.kind, r.norm), r)
    return list(rows.values())


def _prefix_scan(
    conn: Connection,
    norm: str,
    kinds: tuple[str, ...] | None,
    scan: int,
    category: str | None,
) -> list[NameRow]:
    cols = (entity_name.c.entity_id, entity_name.c.name, entity_name.c.norm, entity_name.c.kind)
    stmt = select(*cols).where(entity_name.c.norm >= norm, entity_name.c.norm < _next_key(norm))
    if kinds:
        stmt = stmt.where(entity_name.c.kind.in_(kinds))
    if category:
        # Filtering by category needs the entity row of every name scanned;
        # without one, the caller looks up only the entities it shows.
        stmt = stmt.join(entity, entity.c.id == entity_name.c.entity_id).where(
            entity.c.category == category, entity.c.lifecycle == "active"
        )
    scanned = stmt.order_by(entity_name.c.norm).limit(scan).subquery()
    # The exact prefix test sits outside the LIMIT: inside, it hides from
    # PostgreSQL's planner how many rows the range holds, and it picks a
    # bitmap scan and a sort over the whole range instead of an index walk.
    exact = select(scanned).where(func.substr(scanned.c.norm, 1, len(norm)) == norm)
    return [NameRow(r.entity_id, r.name, r.norm, r.kind) for r in conn.execute(exact)]


@dataclass(frozen=True, slots=True)
class Hit:
    doc_id: str
    kind: str
    category: str | None
    title: str
    snippet: str
    rank: float  # lower is better


# Words, keeping the hyphens and underscores both engines keep inside a token
# ("GRIK1-AS2", "alpha-synuclein"); everything else, FTS syntax included, splits.
_TOKEN = re.compile(r"\w(?:[\w\-]*\w)?", re.UNICODE)
MAX_QUERY_CHARS = 200
MAX_TOKENS = 8
MAX_TOKEN_CHARS = 60
# Ranking costs about a microsecond per matching document. A query matching
# more than this many (a bare "of") is ranked within titles only, and past
# that taken in index order: still an answer, never a slow one.
RANK_CAP = 6000


def query_tokens(q: str) -> list[str]:
    """Word tokens of a user query; FTS syntax characters never reach the engine."""
    tokens = _TOKEN.findall(q[:MAX_QUERY_CHARS].casefold())
    return [t[:MAX_TOKEN_CHARS] for t in tokens[:MAX_TOKENS]]


def fts_search(
    conn: Connection, q: str, *, category: str | None = None, limit: int = 20
) -> list[Hit]:
    """Full-text hits for ``q``: every token must match, the last one also as a prefix.

    The bare engine query (FTS5 bm25, or ts_rank_cd over a tsquery); exact and
    prefix name matches are ranked above it by ``scidex.queries.search``.
    """
    tokens = query_tokens(q)
    if not tokens:
        return []
    if conn.dialect.name == "sqlite":
        return _fts5(conn, tokens, category, limit)
    return _tsvector(conn, tokens, category, limit)


def _fts5_match(tokens: list[str], columns: str = "") -> str:
    # Each token is a quoted FTS5 string (\w and hyphens only, so no quote
    # inside); a one-letter last token is not expanded: "b*" would merge the
    # posting lists of every word starting with b.
    parts = [f'"{t}"' for t in tokens]
    if len(tokens[-1]) > 1:
        parts[-1] += "*"
    match = " ".join(parts)
    return f"{{{columns}}}: ({match})" if columns else match


def _fts5(conn: Connection, tokens: list[str], category: str | None, limit: int) -> list[Hit]:
    match = _fts5_match(tokens)
    count_sql = "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH :m LIMIT :n)"
    ranked = True
    if conn.execute(text(count_sql), {"m": match, "n": RANK_CAP + 1}).scalar_one() > RANK_CAP:
        match = _fts5_match(tokens, "title")
        if conn.execute(text(count_sql), {"m": match, "n": RANK_CAP + 1}).scalar_one() > RANK_CAP:
            ranked = False
    # ORDER BY rank lets FTS5 sort inside the virtual table and hand over rows
    # in order, so snippet() runs only for the rows that are returned.
    order = "ORDER BY f.rank" if ranked else ""
    sql = (
        "SELECT d.doc_id, d.kind, d.category, d.title, f.rank AS rank, "
        "snippet(search_fts, -1, '<mark>', '</mark>', '…', 12) AS snip "
        "FROM search_fts f JOIN search_doc d ON d.rowid = f.rowid "
        "WHERE search_fts MATCH :m AND f.rank MATCH 'bm25(10.0, 5.0, 1.0)' "
        + ("AND d.category = :category " if category else "")
        + order
        + " LIMIT :limit"
    )
    rows = conn.execute(text(sql), {"m": match, "category": category, "limit": limit}).all()
    return [
        Hit(r.doc_id, r.kind, r.category, r.title, r.snip or "", float(r.rank or 0.0)) for r in rows
    ]


def _tsquery(tokens: list[str]) -> str:
    # Tokens are \w and inner hyphens only, so they are safe inside a tsquery;
    # a hyphenated token becomes a phrase of its parts, as in the document.
    parts = [*tokens[:-1], tokens[-1] + (":*" if len(tokens[-1]) > 1 else "")]
    return " & ".join(parts)


def _tsvector(conn: Connection, tokens: list[str], category: str | None, limit: int) -> list[Hit]:
    # Titles and names are indexed with 'simple' (symbols stay intact), the
    # body with 'english' (stemmed): the query asks both ways.
    query = "(to_tsquery('simple', :m) || to_tsquery('english', :m))"
    count_sql = f"SELECT count(*) FROM (SELECT 1 FROM search_doc WHERE tsv @@ {query} LIMIT :n) s"
    params = {"m": _tsquery(tokens), "category": category, "limit": limit, "n": RANK_CAP + 1}
    ranked = conn.execute(text(count_sql), params).scalar_one() <= RANK_CAP
    sql = (
        "SELECT doc_id, kind, category, title, "
        "ts_headline('simple', title || ' ' || names || ' ' || left(body, 2000), q, "
        "'StartSel=<mark>, StopSel=</mark>, MaxFragments=1, MaxWords=18, MinWords=6') AS snip, "
        + ("-ts_rank_cd(tsv, q) AS rank " if ranked else "0.0 AS rank ")
        + f"FROM (SELECT doc_id, kind, category, title, names, body, tsv, {query} AS q "
        f"FROM search_doc WHERE tsv @@ {query} "
        + ("AND category = :category " if category else "")
        + ("ORDER BY ts_rank_cd(tsv, " + query + ") DESC " if ranked else "")
        + "LIMIT :limit) d"
    )
    rows = conn.execute(text(sql), params).all()
    hits = [Hit(r.doc_id, r.kind, r.category, r.title, r.snip or "", float(r.rank)) for r in rows]
    return sorted(hits, key=lambda h: h.rank)
