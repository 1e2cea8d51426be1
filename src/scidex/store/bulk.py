"""Bulk writes: batches in the caller's transaction, never a round-trip per row.

SQLite takes ``executemany`` of an upsert; PostgreSQL takes ``COPY`` into a
temporary table followed by one ``INSERT ... SELECT ... ON CONFLICT``. Both are
idempotent: writing the same rows twice leaves one copy, the latest wins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import IntegrityError

from scidex.kg import fields
from scidex.kg.model import Edge, Entity, SourceRelease, edge_id, evidence_score
from scidex.kg.names import normalize_name
from scidex.store import edge_counts
from scidex.store.rows import BATCH_SIZE, batches, executemany, upsert_rows

ENTITY_COLUMNS = (
    "id",
    "category",
    "name",
    "symbol",
    "description",
    "attributes",
    "source_release",
    "lifecycle",
    "merged_into",
)
NAME_COLUMNS = ("entity_id", "name", "norm", "kind", "source_release")
XREF_COLUMNS = ("entity_id", "xref", "source_release")
# The ``edge`` table's columns, as declared (kg.fields): ``encoded_edge_values``
# builds its rows in this order, which tests/test_fields.py checks.
EDGE_COLUMNS = fields.COLUMNS


# One encoder for every call: json.dumps with options builds a new one each time.
_encode = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')


def json_list(values: Sequence[Any]) -> str:
    """``dumps(list(values))`` for a list of strings, with a fast path for plain ones.

    Evidence codes, publications and sources are short plain strings: they
    need no escaping, so the JSON text is just a join.
    """
    if not values:
        return "[]"
    try:
        if _NEEDS_ESCAPE.search("".join(values)) is None:
            return '["' + '","'.join(values) + '"]'
    except TypeError:  # not all strings
        pass
    return _encode(list(values))


def dumps(value: Any) -> str:
    """Compact, key-sorted JSON: equal values give equal text (content hashes rely on it)."""
    if not value:
        # Most list and object columns are empty: skip the encoder for them.
        if value == []:
            return "[]"
        if value == {}:
            return "{}"
    return _encode(value)


# Below this many rows a load keeps the secondary indexes: rebuilding them
# costs a sort of the whole table, which only pays for a large load.
DEFER_INDEXES_MIN_ROWS = 50_000
# SQLite page cache while loading (KiB): random B-tree inserts stay in memory.
_LOAD_CACHE_KIB = 512 * 1024


def _row_estimate(conn: Connection, table: Table) -> int:
    """Rows in ``table``, cheaply: an upper bound good enough to size a load against."""
    if conn.dialect.name == "sqlite" and table.dialect_options["sqlite"]["with_rowid"]:
        return conn.exec_driver_sql(
            f"SELECT coalesce(max(rowid), 0) FROM {table.name}"
        ).scalar_one()
    # Empty or not is all that matters on PostgreSQL (see ``loading``), and is all
    # a SQLite table without rowids tells cheaply.
    return conn.exec_driver_sql(
        f"SELECT count(*) FROM (SELECT 1 FROM {table.name} LIMIT 1) t"
    ).scalar_one()


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Append ``rows`` to ``table`` with no key check: for a load whose unique index is deferred.

    SQLite takes ``executemany``; PostgreSQL takes ``COPY`` straight into
    the table. Returns the number of rows sent.
    """
    cols = ", ".join(f'"{c}"' for c in columns)
    raw = conn.connection.driver_connection
    assert raw is not None
    if conn.dialect.name == "sqlite":
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' for _ in columns)})"
        return executemany(raw, sql, rows)
    total = 0
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            total += 1
    return total


@dataclass(frozen=True, slots=True)
class Load:
    """What :func:`loading` found and did; :meth:`write` puts rows in accordingly."""

    conn: Connection
    table: Table
    key: tuple[str, ...]  # the columns of the table's unique index
    was_empty: bool  # the table held no rows before the load
    deferred: bool  # its indexes were dropped and are built again at the end

    def write(
        self, columns: Sequence[str], rows: Iterable[tuple[Any, ...]], *, changed_only: bool = False
    ) -> int:
        """Write rows; on a repeated key the last one wins, as with :func:`upsert_rows`
        (whose ``changed_only`` this passes on)."""
        if self.deferred:
            # No unique index to check against: duplicates are removed at the end.
            return insert_rows(self.conn, self.table.name, columns, rows)
        return upsert_rows(
            self.conn, self.table.name, columns, self.key, rows, changed_only=changed_only
        )


def _unique_key(table: Table) -> tuple[str, ...]:
    """The columns of the table's one unique index, or else of its primary key."""
    unique = [i for i in table.indexes if i.unique]
    if not unique and table.primary_key.columns:
        return tuple(c.name for c in table.primary_key.columns)
    if len(unique) != 1:
        raise ValueError(f"a load needs exactly one unique index on {table.name}")
    return tuple(c.name for c in unique[0].columns)


def _keyed_by_primary_key(table: Table) -> bool:
    return not any(i.unique for i in table.indexes)


def _keep_last(conn: Connection, table: Table, key: tuple[str, ...]) -> None:
    """Delete every row whose key a later row repeats (insertion order: rowid, ctid)."""
    cols = ", ".join(key)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            f"DELETE FROM {table.name} WHERE rowid NOT IN "
            f"(SELECT max(rowid) FROM {table.name} GROUP BY {cols})"
        )
    else:
        same = " AND ".join(f"a.{c} = b.{c}" for c in key)
        conn.exec_driver_sql(
            f"DELETE FROM {table.name} a USING {table.name} b WHERE {same} AND a.ctid < b.ctid"
        )


def _create_unique(conn: Connection, table: Table, key: tuple[str, ...]) -> None:
    """Build the unique index (or primary key), first removing duplicates if the rows hold any."""
    if _keyed_by_primary_key(table):
        name = table.primary_key.name
        cols = ", ".join(key)

        def create() -> None:
            conn.exec_driver_sql(
                f"ALTER TABLE {table.name} ADD CONSTRAINT {name} PRIMARY KEY ({cols})"
            )
    else:
        index = next(i for i in table.indexes if i.unique)

        def create() -> None:
            index.create(conn)

    try:
        with conn.begin_nested():  # a failed CREATE must not take the load down with it
            create()
    except IntegrityError:
        _keep_last(conn, table, key)
        create()


@contextmanager
def loading(conn: Connection, table: Table, expected_rows: int | None = None) -> Iterator[Load]:
    """Load rows into ``table`` through :meth:`Load.write`, its indexes deferred when that pays.

    Inserting a million rows through four indexes costs a random B-tree
    insert per row and index; dropping them and creating them again once
    the rows are in costs one sort each, several times less. That always
    pays for an empty table, and on SQLite for a large load (``expected_rows``)
    at least as big as what the table holds already. With the unique index
    gone too, rows are appended as they come; a key written twice keeps its
    last row, removed only if the index cannot be built without it.
    Every step runs in the caller's transaction, so a failed load restores
    the indexes with everything else. PostgreSQL locks a table against
    readers from dropping an index until commit, so there it is done only
    while the table is empty; SQLite's readers keep their snapshot either way.
    """
    sqlite = conn.dialect.name == "sqlite"
    key = _unique_key(table)
    existing = _row_estimate(conn, table)
    large = expected_rows is not None and expected_rows >= DEFER_INDEXES_MIN_ROWS
    deferred = existing == 0 or (sqlite and large and existing <= (expected_rows or 0))
    # A table keyed by its primary key (no unique index): PostgreSQL drops and adds
    # the constraint as it would the index; a SQLite table cannot lose its primary
    # key, so there every row goes through it (WITHOUT ROWID: the key is the table).
    by_pk = _keyed_by_primary_key(table)
    if by_pk and sqlite:
        deferred = False
    indexes = sorted(table.indexes, key=lambda i: i.name or "")
    cache = None
    if sqlite:
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
        conn.exec_driver_sql(f"PRAGMA cache_size=-{_LOAD_CACHE_KIB}")
    try:
        if deferred:
            for index in indexes:
                index.drop(conn)
            if by_pk:
                conn.exec_driver_sql(
                    f"ALTER TABLE {table.name} DROP CONSTRAINT {table.primary_key.name}"
                )
        yield Load(conn, table, key, was_empty=existing == 0, deferred=deferred)
        if deferred:
            _create_unique(conn, table, key)  # first: it may delete rows
            for index in indexes:
                if not index.unique:
                    index.create(conn)
    finally:
        if cache is not None:
            conn.exec_driver_sql(f"PRAGMA cache_size={cache}")


def entity_row(e: Entity) -> tuple[Any, ...]:
    return (
        e.id,
        e.category,
        e.name,
        e.symbol,
        e.description,
        dumps(e.attributes),
        e.source_release,
        "active",
        None,
    )


def entity_names(e: Entity) -> Iterator[tuple[str, str, str, str, str | None]]:
    """Every (entity_id, name, norm, kind, release) row an entity answers to."""
    seen: set[tuple[str, str]] = set()
    groups: list[tuple[str, Sequence[str]]] = [
        ("label", (e.name,)),
        ("symbol", (e.symbol,) if e.symbol else ()),
    ]
    groups += [("synonym", e.synonyms), ("previous_symbol", e.previous_symbols)]
    for kind, names in groups:
        for name in names:
            norm = normalize_name(name)
            if norm and (norm, kind) not in seen:
                seen.add((norm, kind))
                yield (e.id, name, norm, kind, e.source_release)


def edge_values(
    subject: str,
    predicate: str,
    obj: str,
    source: str,
    aggregators: Sequence[str],
    level: str,
    agent: str,
    publications: Sequence[str],
    evidence: Sequence[str],
    qualifiers: dict[str, Any],
    confidence: float | None,
    release: str | None,
    *,
    key: str | None = None,
) -> tuple[Any, ...]:
    """An ``edge`` row in ``EDGE_COLUMNS`` order, its id (unless ``key`` gives it) and score
    derived here."""
    return encoded_edge_values(
        subject,
        predicate,
        obj,
        source,
        json_list(aggregators),
        level,
        agent,
        json_list(publications),
        json_list(evidence),
        dumps(qualifiers),
        confidence,
        release,
        evidence_score(level, agent, publications, evidence, source),
        key=key,
    )


def encoded_edge_values(
    subject: str,
    predicate: str,
    obj: str,
    source: str,
    aggregators_json: str,
    level: str,
    agent: str,
    publications_json: str,
    evidence_json: str,
    qualifiers_json: str,
    confidence: float | None,
    release: str | None,
    score: float,
    *,
    key: str | None = None,
) -> tuple[Any, ...]:
    """:func:`edge_values` from parts already encoded (a bulk reader caches the repeated ones)."""
    return (
        key or edge_id(subject, predicate, obj, source),
        subject,
        predicate,
        obj,
        source,
        aggregators_json,
        level,
        agent,
        publications_json,
        evidence_json,
        qualifiers_json,
        confidence,
        release,
        score,
    )


def edge_row(e: Edge) -> tuple[Any, ...]:
    return edge_values(
        e.subject,
        e.predicate,
        e.object,
        e.primary_knowledge_source,
        e.aggregator_knowledge_sources,
        e.knowledge_level,
        e.agent_type,
        e.publications,
        e.evidence_codes,
        e.qualifiers,
        e.confidence,
        e.source_release,
    )


def insert_entities(conn: Connection, entities: Iterable[Entity]) -> int:
    """Upsert entities with their names and xrefs; returns the number of entities written."""
    count = 0
    for batch in batches(((e,) for e in entities), BATCH_SIZE):
        items = [b[0] for b in batch]
        count += upsert_rows(conn, "entity", ENTITY_COLUMNS, ("id",), map(entity_row, items))
        names = (row for e in items for row in entity_names(e))
        upsert_rows(conn, "entity_name", NAME_COLUMNS, ("entity_id", "norm", "kind"), names)
        xrefs = ((e.id, x, e.source_release) for e in items for x in dict.fromkeys(e.xrefs))
        upsert_rows(conn, "entity_xref", XREF_COLUMNS, ("entity_id", "xref"), xrefs)
    return count


def insert_edges(conn: Connection, edges: Iterable[Edge], *, recount: bool = True) -> int:
    """Upsert edges by their deterministic id; returns the number of edges sent.

    The ``edge_count`` summary of every entity touched is refreshed in the same
    transaction (``recount=False`` when the caller refreshes it wholesale).
    """
    touched: set[str] = set()

    def rows() -> Iterator[tuple[Any, ...]]:
        for e in edges:
            if recount:
                touched.add(e.subject)
                touched.add(e.object)
            yield edge_row(e)

    n = upsert_rows(conn, "edge", EDGE_COLUMNS, ("id",), rows())
    if touched:
        edge_counts.refresh(conn, touched)
    return n


def upsert_source_release(conn: Connection, release: SourceRelease) -> None:
    row = (
        release.id,
        release.name,
        release.infores,
        release.version,
        release.license,
        release.attribution,
        release.fetch,
        release.archive,
        release.sha256,
        release.fetched_at,
        dumps(release.counts),
        release.biolink_version,
    )
    columns = (
        "id",
        "name",
        "infores",
        "version",
        "license",
        "attribution",
        "fetch",
        "archive",
        "sha256",
        "fetched_at",
        "counts",
        "biolink_version",
    )
    upsert_rows(conn, "source_release", columns, ("id",), [row])
