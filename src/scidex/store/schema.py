"""Table definitions (SQLAlchemy Core). Migrations create and alter them; nothing else does.

JSON-valued columns are stored as text holding JSON, so that the same rows
travel through executemany on SQLite and COPY on PostgreSQL unchanged.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("applied_at", Text, nullable=False),
)

source_release = Table(
    "source_release",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("infores", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("license", Text, nullable=False),
    Column("attribution", Text, nullable=False, default=""),
    Column("fetch", Text, nullable=False, default=""),
    Column("archive", Text, nullable=False, default=""),
    Column("sha256", Text, nullable=False, default=""),
    Column("fetched_at", Text),
    Column("counts", Text, nullable=False, default="{}"),
    # The Biolink model version an imported graph states it follows (version 8).
    Column("biolink_version", Text, nullable=False, server_default="", default=""),
)

entity = Table(
    "entity",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("category", String(100), nullable=False),
    Column("name", Text, nullable=False),
    Column("symbol", Text),
    Column("description", Text),
    Column("attributes", Text, nullable=False, default="{}"),
    Column("source_release", String(200)),
    Column("lifecycle", String(20), nullable=False, default="active"),
    Column("merged_into", String(200)),
    Index("ix_entity_category", "category"),
)

# Every name an entity answers to, with its normalised form for resolution.
entity_name = Table(
    "entity_name",
    metadata,
    Column("entity_id", String(200), nullable=False),
    Column("name", Text, nullable=False),
    Column("norm", String(500), nullable=False),
    Column("kind", String(30), nullable=False),  # label|symbol|synonym|previous_symbol|alias
    Column("source_release", String(200)),
    PrimaryKeyConstraint("entity_id", "norm", "kind", name="pk_entity_name"),
    Index("ix_entity_name_norm", "norm"),
)

entity_xref = Table(
    "entity_xref",
    metadata,
    Column("entity_id", String(200), nullable=False),
    Column("xref", String(200), nullable=False),
    Column("source_release", String(200)),
    PrimaryKeyConstraint("entity_id", "xref", name="pk_entity_xref"),
    Index("ix_entity_xref_xref", "xref"),
)

edge = Table(
    "edge",
    metadata,
    # Unique by an index rather than a primary key, so that a bulk load can
    # drop it with the others and build it once after the rows (bulk.loading).
    Column("id", String(32), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("predicate", String(100), nullable=False),
    Column("object", String(200), nullable=False),
    Column("primary_knowledge_source", String(200), nullable=False),
    Column("aggregator_knowledge_sources", Text, nullable=False, default="[]"),
    Column("knowledge_level", String(40), nullable=False, default="not_provided"),
    Column("agent_type", String(40), nullable=False, default="not_provided"),
    Column("publications", Text, nullable=False, default="[]"),
    Column("evidence_codes", Text, nullable=False, default="[]"),
    Column("qualifiers", Text, nullable=False, default="{}"),
    Column("confidence", Float),
    Column("source_release", String(200)),
    Column("score", Float, nullable=False, default=0.0),  # model.evidence_score
    # Both directions of a neighbourhood page are one index range scan, already
    # in display order (predicate, then strongest evidence first, then id).
    Index("ix_edge_subject", "subject", "predicate", "score", "id"),
    Index("ix_edge_object", "object", "predicate", "score", "id"),
    Index("ix_edge_release", "source_release"),
    Index("ux_edge_id", "id", unique=True),
)

# Edges per entity, direction, predicate and source release: what a page's
# counts and provenance read, in one indexed lookup whatever the entity's degree.
# Derived from ``edge`` and refreshed by every edge write (store.edge_counts).
edge_count = Table(
    "edge_count",
    metadata,
    Column("entity_id", String(200), nullable=False),
    Column("direction", String(3), nullable=False),
    Column("predicate", String(100), nullable=False),
    Column("source_release", String(200), nullable=False),
    Column("n", Integer, nullable=False),
    PrimaryKeyConstraint(
        "entity_id", "direction", "predicate", "source_release", name="pk_edge_count"
    ),
)
# Distinct other ends per entity, predicate and direction (``both``: the two
# directions of a symmetric predicate together). Derived from ``edge`` with
# ``edge_count``: several sources stating one partner make several edges but
# one partner, and a page's sentences count partners.
partner_count = Table(
    "partner_count",
    metadata,
    Column("entity_id", String(200), nullable=False),
    Column("direction", String(4), nullable=False),
    Column("predicate", String(100), nullable=False),
    Column("n", Integer, nullable=False),
    PrimaryKeyConstraint("entity_id", "direction", "predicate", name="pk_partner_count"),
)
PARTNER_TABLES = [partner_count]

artifact = Table(
    "artifact",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("type", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("slug", String(200), unique=True),
    Column("kg_node_id", String(200)),
    Column("entity_type", String(100)),
    Column("origin_type", String(40), nullable=False, default="curated"),
    Column("lifecycle", String(20), nullable=False, default="active"),
    Column("merged_into", String(200)),
    Column("merged_from", Text, nullable=False, default="[]"),
    Column("schema_version", Integer, nullable=False, default=1),
    Column("current_version", Integer, nullable=False, default=0),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("created_by", Text),
    Column("metadata", Text, nullable=False, default="{}"),
    Index("ix_artifact_kg_node", "kg_node_id"),
    Index("ix_artifact_type", "type"),
)

revision = Table(
    "revision",
    metadata,
    Column("artifact_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("markdown", Text, nullable=False),
    Column("refs", Text, nullable=False, default="{}"),  # CSL-JSON keyed by citation key
    Column("curated_edges", Text, nullable=False, default="[]"),
    Column("summary", Text, nullable=False, default=""),
    Column("author", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("parent_version", Integer),
    PrimaryKeyConstraint("artifact_id", "version", name="pk_revision"),
)

artifact_link = Table(
    "artifact_link",
    metadata,
    Column("source", String(200), nullable=False),
    Column("link_type", String(30), nullable=False),
    Column("target", String(200), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    PrimaryKeyConstraint("source", "link_type", "target", name="pk_artifact_link"),
    Index("ix_artifact_link_target", "target"),
)

alias = Table(
    "alias",
    metadata,
    Column("alias", String(200), primary_key=True),
    Column("artifact_id", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # slug|id
    Column("created_at", Text, nullable=False),
    Index("ix_alias_artifact", "artifact_id"),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("revoked_at", Text),
)

# One row per searchable thing (entity or page). SQLite indexes it with an
# FTS5 external-content table, PostgreSQL with a generated tsvector column.
search_doc = Table(
    "search_doc",
    metadata,
    Column("doc_id", String(200), primary_key=True),
    Column("kind", String(20), nullable=False),  # entity|artifact
    Column("category", String(100)),
    Column("title", Text, nullable=False),
    Column("names", Text, nullable=False, default=""),
    Column("body", Text, nullable=False, default=""),
    Index("ix_search_doc_category", "category"),
)

# --- version 2: the registry's accounts, sessions and audit log -------------

account = Table(
    "account",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # scrypt, with its parameters and salt
    Column("role", String(20), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("disabled_at", Text),
)

login_session = Table(
    "login_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", String(32), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
)

# Append-only: the code only ever inserts here.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("actor_kind", String(20), nullable=False),
    Column("ip", String(64)),
    Column("action", String(40), nullable=False),
    Column("target", String(200), nullable=False),
    Column("details", Text, nullable=False, default="{}"),
    Index("ix_audit_target", "target"),
)

# A merge keeps what it moved, so that it can be undone exactly.
merge_record = Table(
    "merge_record",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("source_entity", String(200), nullable=False),
    Column("target_entity", String(200), nullable=False),
    Column("source_page", String(200)),
    Column("target_page", String(200)),
    Column("payload", Text, nullable=False),
    Column("undone_at", Text),
    Index("ix_merge_source", "source_entity"),
)

# Small named counters; ``data_version`` advances with every write transaction.
store_state = Table(
    "store_state",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
)

V2_TABLES = [account, login_session, audit_log, merge_record, store_state]

# --- version 4: failed sign-ins, counted per account and per client address ----

# One row per key ("account:NAME", "ip:ADDRESS") with recent failures; times are
# seconds since the epoch. Rows idle for a while are pruned on the next failure.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failure", Float, nullable=False),
    Column("locked_until", Float, nullable=False, default=0.0),
    Index("ix_login_throttle_last_failure", "last_failure"),
)

V4_TABLES = [login_throttle]

# --- version 5: gene associations of diseases, rolled up through subtypes ------

# One row per (disease, gene, subtype, edge): the ``gene_associated_with_condition``
# edge ``edge_id`` links ``gene_id`` to ``via_id``, which is ``disease_id`` itself
# (a direct association) or one of its descendants along ``subclass_of``, at any
# depth. Derived from ``edge`` and refreshed by registry.finish and by curated
# edits (store.rollup); a disease page reads its genes in one indexed lookup.
disease_gene_rollup = Table(
    "disease_gene_rollup",
    metadata,
    Column("disease_id", String(200), nullable=False),
    Column("gene_id", String(200), nullable=False),
    Column("via_id", String(200), nullable=False),
    Column("edge_id", String(32), nullable=False),
    Column("inherited", Integer, nullable=False),  # 0 when via_id == disease_id, else 1
    PrimaryKeyConstraint(
        "disease_id", "inherited", "gene_id", "via_id", "edge_id", name="pk_disease_gene_rollup"
    ),
)

V5_TABLES = [disease_gene_rollup]

# --- retracted publications ----------------------------------------------------

# One row per retracted paper, as ``PMID:<digits>`` (the spelling of edge
# publications), from the pinned list of the ``retractions`` source. The lint
# refuses curated citations of these; an edge whose publications are all here
# is flagged where it is shown.
retracted_publication = Table(
    "retracted_publication",
    metadata,
    Column("publication", String(40), primary_key=True),
    Column("source_release", String(200), nullable=False),
)

RETRACTION_TABLES = [retracted_publication]

# --- version 7: papers linked to entities, outside the edge table -------------

# One row per (entity, PubMed id) a source links (NCBI Gene's gene-to-PubMed
# table: 1.8 million links). The primary key serves every read: an entity's
# count, and its papers newest first (PMIDs grow with time) read backwards
# with a keyset on the PMID. On SQLite the table is stored in that key's order
# (WITHOUT ROWID), so the key is the table and no second copy of the rows is
# kept. A paper that two sources link to one entity is one row, tagged with
# the release that wrote it last (as entity names are).
entity_publication = Table(
    "entity_publication",
    metadata,
    Column("entity_id", String(200), nullable=False),
    Column("pmid", Integer, nullable=False),
    Column("source_release", String(200), nullable=False),
    PrimaryKeyConstraint("entity_id", "pmid", name="pk_entity_publication"),
    sqlite_with_rowid=False,
)

PUBLICATION_TABLES = [entity_publication]

# --- version 8: what a KGX import keeps beyond the store's own fields -----------

# The columns of an imported KGX record that the entity or edge tables have
# no field for (a node's full category list, ``in_taxon``, ``iri``; an edge's
# original id, ``original_subject``, its ``category``, any other column), as
# one JSON object by column name, so that an export gives every column back.
# Only records that had such columns have a row.
entity_kgx = Table(
    "entity_kgx",
    metadata,
    Column("entity_id", String(200), primary_key=True),
    Column("columns", Text, nullable=False),
)
edge_kgx = Table(
    "edge_kgx",
    metadata,
    Column("edge_id", String(32), primary_key=True),
    Column("columns", Text, nullable=False),
)

KGX_TABLES = [entity_kgx, edge_kgx]

V1_TABLES = [
    source_release,
    entity,
    entity_name,
    entity_xref,
    edge,
    edge_count,
    artifact,
    revision,
    artifact_link,
    alias,
    api_token,
    search_doc,
]
