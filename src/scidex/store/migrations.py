"""Schema migrations: named functions applied in order and recorded in ``schema_migrations``.

A migration receives a connection inside the transaction that records it, so
a failed migration leaves the database at the previous version. Never edit a
migration that has shipped: add a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, inspect, select

from scidex.store import edge_counts, rollup, schema


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _v1_initial(conn: Connection) -> None:
    for table in schema.V1_TABLES:
        table.create(conn)
    if conn.dialect.name == "sqlite":
        _sqlite_fts(conn)
    else:
        _postgres_fts(conn)


def _sqlite_fts(conn: Connection) -> None:
    # External-content FTS5 over search_doc, kept in step by triggers. Prefix
    # indexes of 2 and 3 characters make typeahead an index lookup.
    conn.exec_driver_sql(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "title, names, body, content='search_doc', content_rowid='rowid', "
        "tokenize=\"unicode61 remove_diacritics 2 tokenchars '-_'\", prefix='2 3')"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN "
        "INSERT INTO search_fts(rowid, title, names, body) "
        "VALUES (new.rowid, new.title, new.names, new.body); END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title, names, body) "
        "VALUES ('delete', old.rowid, old.title, old.names, old.body); END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title, names, body) "
        "VALUES ('delete', old.rowid, old.title, old.names, old.body); "
        "INSERT INTO search_fts(rowid, title, names, body) "
        "VALUES (new.rowid, new.title, new.names, new.body); END"
    )


def _postgres_fts(conn: Connection) -> None:
    conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # 'simple' keeps symbols and identifiers intact; 'english' stems prose.
    conn.exec_driver_sql(
        "ALTER TABLE search_doc ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('simple', coalesce(names, '')), 'B') || "
        "setweight(to_tsvector('english', coalesce(body, '')), 'C')) STORED"
    )
    conn.exec_driver_sql("CREATE INDEX ix_search_doc_tsv ON search_doc USING gin (tsv)")
    conn.exec_driver_sql(
        "CREATE INDEX ix_search_doc_title_trgm ON search_doc USING gin (lower(title) gin_trgm_ops)"
    )


def _v2_registry(conn: Connection) -> None:
    for table in schema.V2_TABLES:
        table.create(conn)
    # Keyset listings of artifacts (GET /api/artifacts) filtered or sorted by these.
    for name, cols in (
        ("ix_artifact_origin", "origin_type, id"),
        ("ix_artifact_entity_type", "entity_type, id"),
        ("ix_artifact_updated", "updated_at, id"),
    ):
        conn.exec_driver_sql(f"CREATE INDEX {name} ON artifact ({cols})")
    conn.execute(schema.store_state.insert().values(key="data_version", value=0))


def _v3_edge_id_index(conn: Connection) -> None:
    """The edge id becomes a unique index instead of the primary key.

    A bulk load can then drop it with the other indexes and build it once
    at the end, where a primary key (SQLite's automatic index on it) took a
    random B-tree insert per row. A store created by this version's v1 has
    that shape already.
    """
    pk = inspect(conn).get_pk_constraint("edge")
    if not pk.get("constrained_columns"):
        return
    unique = next(i for i in schema.edge.indexes if i.unique)
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql(f'ALTER TABLE edge DROP CONSTRAINT "{pk["name"]}"')
        unique.create(conn)
        return
    # SQLite cannot drop a primary key: copy into a new table, in stored order.
    conn.exec_driver_sql("ALTER TABLE edge RENAME TO edge_v2")
    for index in schema.edge.indexes:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
    schema.edge.create(conn)
    for index in schema.edge.indexes:
        index.drop(conn)
    cols = ", ".join(c.name for c in schema.edge.columns)
    conn.exec_driver_sql(f"INSERT INTO edge ({cols}) SELECT {cols} FROM edge_v2 ORDER BY rowid")
    conn.exec_driver_sql("DROP TABLE edge_v2")
    for index in schema.edge.indexes:
        index.create(conn)


def _v4_login_throttle(conn: Connection) -> None:
    for table in schema.V4_TABLES:
        table.create(conn)


def _v5_disease_gene_rollup(conn: Connection) -> None:
    """Diseases' gene associations through their subtypes, filled from the edges already stored."""
    for table in schema.V5_TABLES:
        table.create(conn)
    rollup.refresh_all(conn)


def _retracted_publications(conn: Connection) -> None:
    """The table of retracted papers (filled by the ``retractions`` source)."""
    for table in schema.RETRACTION_TABLES:
        table.create(conn)


def _v7_entity_publication(conn: Connection) -> None:
    """Papers linked to entities by PubMed id; filled by the next build of their source."""
    for table in schema.PUBLICATION_TABLES:
        table.create(conn)


def _v8_kgx_columns(conn: Connection) -> None:
    """KGX columns kept beyond the store's fields, and the Biolink version of a release."""
    for table in schema.KGX_TABLES:
        table.create(conn, checkfirst=True)
    # A store created by this version's v1 has the column already.
    if "biolink_version" not in {c["name"] for c in inspect(conn).get_columns("source_release")}:
        conn.exec_driver_sql(
            "ALTER TABLE source_release ADD COLUMN biolink_version TEXT NOT NULL DEFAULT ''"
        )


def _v9_partner_count(conn: Connection) -> None:
    """Distinct partners per entity, predicate and direction, filled from the edges."""
    for table in schema.PARTNER_TABLES:
        table.create(conn, checkfirst=True)
    edge_counts.refresh_partners_all(conn)


MIGRATIONS: list[Migration] = [
    Migration(1, "initial schema", _v1_initial),
    Migration(2, "accounts, login sessions and the audit log", _v2_registry),
    Migration(3, "edge id as a unique index", _v3_edge_id_index),
    Migration(4, "failed sign-ins per account and client address", _v4_login_throttle),
    Migration(
        5, "gene associations of diseases rolled up through subtypes", _v5_disease_gene_rollup
    ),
    Migration(6, "retracted publications", _retracted_publications),
    Migration(7, "papers linked to entities by PubMed id", _v7_entity_publication),
    Migration(8, "KGX columns kept for export; Biolink version of a release", _v8_kgx_columns),
    Migration(9, "distinct partners per entity and predicate", _v9_partner_count),
]

LATEST_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The schema version recorded in the database; 0 for an empty database."""
    if not inspect(conn).has_table("schema_migrations"):
        return 0
    versions = conn.execute(select(schema.schema_migrations.c.version)).scalars().all()
    return max(versions, default=0)


def pending(conn: Connection) -> list[Migration]:
    version = current_version(conn)
    return [m for m in MIGRATIONS if m.version > version]


def apply_pending(conn: Connection) -> list[Migration]:
    """Apply every pending migration on ``conn`` (the caller owns the transaction)."""
    todo = pending(conn)
    if todo and current_version(conn) == 0:
        schema.schema_migrations.create(conn, checkfirst=True)
    for migration in todo:
        migration.apply(conn)
        conn.execute(
            schema.schema_migrations.insert().values(
                version=migration.version,
                name=migration.name,
                applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
    return todo
