"""The full-text index: search documents for entities, FTS5 on SQLite, tsvector on PostgreSQL."""

from __future__ import annotations

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
