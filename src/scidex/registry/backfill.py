"""Generated pages: every active entity gets a page (origin `backfill`) built from its own data."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from scidex.kg.categories import PRECEDENCE, noun_for
from scidex.queries.artifacts import current_hash_subquery
from scidex.registry.ids import (
    ARTIFACT_COLUMNS,
    REVISION_COLUMNS,
    ArtifactRow,
    RevisionRow,
    base_slug,
    content_hash,
    now,
    page_id,
    slugify,
)
from scidex.store import bulk
from scidex.store.schema import artifact, entity, source_release


@dataclass(frozen=True, slots=True)
class EntitySummary:
    id: str
    category: str
    name: str
    symbol: str | None
    description: str | None
    attributes: dict[str, Any]
    source_release: str | None


def assign_slugs(entities: Iterable[EntitySummary]) -> dict[str, str]:
    """Entity id -> page slug. Clashing slugs take their id as a suffix.

    When exactly one claimant comes from its category's canonical vocabulary
    (MONDO for a disease, HGNC for a gene) it keeps the plain slug; otherwise
    every claimant is suffixed, so a slug never depends on the order entities
    arrive in.
    """
    items = sorted(entities, key=lambda e: e.id)
    bases = {e.id: base_slug(e.category, e.name, e.symbol) for e in items}
    claimants: dict[str, list[EntitySummary]] = {}
    for e in items:
        claimants.setdefault(bases[e.id], []).append(e)
    out: dict[str, str] = {}
    for b, group in claimants.items():
        canonical = [e.id for e in group if _in_canonical_vocabulary(e)]
        keeper = canonical[0] if len(canonical) == 1 else None
        for e in group:
            plain = len(group) == 1 or e.id == keeper
            out[e.id] = b if plain else f"{b}-{slugify(e.id)}"
    return out


def _in_canonical_vocabulary(e: EntitySummary) -> bool:
    order = PRECEDENCE.get(e.category)
    if not order:
        return False
    return e.id.split(":", 1)[0] == order[0]


def backfill_markdown(e: EntitySummary, release_names: dict[str, str]) -> str:
    """The generated introduction of an entity's page, from its own data only.

    Counts and neighbourhoods are not written here: the page computes them
    from the store when it renders, so they cannot go stale.
    """
    noun = noun_for(e.category)
    title = f"**{e.symbol}** ({e.name})" if e.symbol else f"**{e.name}**"
    article = "an" if noun[:1].lower() in "aeiou" else "a"  # "an anatomical structure"
    sentence = f"{title} is {article} {noun}"
    attrs = e.attributes
    if e.category == "biolink:Gene":
        if attrs.get("locus_type"):
            sentence += f" ({attrs['locus_type']})"
        if attrs.get("chromosome_location"):
            sentence += f" located at cytogenetic band {attrs['chromosome_location']}"
    sentence += f" [[{e.id}]]."
    parts = [sentence]
    if e.description:
        parts.append(f"Definition: {e.description}")
    source = release_names.get(e.source_release or "", e.source_release or "an unknown source")
    parts.append(
        f"This page was generated from {source}. Its infobox, identifiers and graph "
        "sections are computed from the atlas when the page is shown."
    )
    return "\n\n".join(parts) + "\n"


def _summaries(conn: Connection) -> Iterator[EntitySummary]:
    rows = conn.execute(
        select(
            entity.c.id,
            entity.c.category,
            entity.c.name,
            entity.c.symbol,
            entity.c.description,
            entity.c.attributes,
            entity.c.source_release,
        ).where(entity.c.lifecycle == "active")
    )
    for r in rows:
        yield EntitySummary(
            r.id,
            r.category,
            r.name,
            r.symbol,
            r.description,
            json.loads(r.attributes),
            r.source_release,
        )


def backfill_pages(conn: Connection, *, author: str = "scidex build") -> Counter[str]:
    """Give every active entity a generated page (``origin_type`` backfill).

    A page whose generated text is unchanged gets no new revision; a changed
    one gets the next version; curated pages are never touched here.
    """
    releases = {
        r.id: f"{r.name} release {r.version}"
        for r in conn.execute(
            select(source_release.c.id, source_release.c.name, source_release.c.version)
        )
    }
    existing = {
        r.kg_node_id: (r.id, r.origin_type, r.current_version)
        for r in conn.execute(
            select(
                artifact.c.id,
                artifact.c.kg_node_id,
                artifact.c.origin_type,
                artifact.c.current_version,
            ).where(artifact.c.type == "wiki_page")
        )
        if r.kg_node_id
    }
    hashes: dict[str, str | None] = dict(
        conn.execute(
            select(artifact.c.id, current_hash_subquery()).where(
                artifact.c.origin_type == "backfill"
            )
        ).all()
    )
    summaries = list(_summaries(conn))
    slugs = assign_slugs(summaries)
    stamp = now()
    stats: Counter[str] = Counter()
    art_rows: list[ArtifactRow] = []
    rev_rows: list[RevisionRow] = []
    for e in summaries:
        slug = slugs[e.id]
        prior = existing.get(e.id)
        if prior and prior[1] != "backfill":
            stats["curated kept"] += 1
            continue
        aid = prior[0] if prior else page_id(slug)
        md = backfill_markdown(e, releases)
        h = content_hash(md, {})
        if prior and hashes.get(aid) == h:
            stats["unchanged"] += 1
            continue
        version = (prior[2] if prior else 0) + 1
        title = f"{e.symbol} — {e.name}" if e.symbol else e.name
        meta = {"source_table": "entity", "generated_from": e.source_release}
        art_rows.append(
            ArtifactRow(
                id=aid,
                type="wiki_page",
                title=title,
                slug=slug,
                kg_node_id=e.id,
                entity_type=e.category,
                origin_type="backfill",
                lifecycle="active",
                merged_into=None,
                merged_from="[]",
                schema_version=1,
                current_version=version,
                created_at=stamp,
                updated_at=stamp,
                created_by=author,
                metadata=bulk.dumps(meta),
            )
        )
        rev_rows.append(
            RevisionRow(
                artifact_id=aid,
                version=version,
                markdown=md,
                refs="{}",
                curated_edges="[]",
                summary="generated from the atlas",
                author=author,
                created_at=stamp,
                content_hash=h,
                parent_version=version - 1 if version > 1 else None,
            )
        )
        stats["new" if not prior else "updated"] += 1
    # created_at of an existing page must survive an update: upsert all but it.
    bulk.upsert_rows(
        conn,
        "artifact",
        ARTIFACT_COLUMNS,
        ("id",),
        art_rows,
        update=True,
        keep=("created_at", "created_by"),
    )
    bulk.upsert_rows(
        conn, "revision", REVISION_COLUMNS, ("artifact_id", "version"), rev_rows, update=False
    )
    return stats


def create_page(conn: Connection, artifact_id: str, ent: Any, *, author: str) -> None:
    """A new, empty wiki page (version 0) for an entity; its content comes as a revision."""
    stamp = now()
    conn.execute(
        artifact.insert().values(
            id=artifact_id,
            type="wiki_page",
            title=f"{ent.symbol} — {ent.name}" if ent.symbol else ent.name,
            slug=artifact_id.removeprefix("wiki-"),
            kg_node_id=ent.id,
            entity_type=ent.category,
            origin_type="curated",
            lifecycle="active",
            merged_from="[]",
            schema_version=1,
            current_version=0,
            created_at=stamp,
            updated_at=stamp,
            created_by=author,
            metadata="{}",
        )
    )


# -- listing, history and provenance for the API ------------------------------

# Listing orders: the column and whether it runs descending. ``id`` walks the
# primary key, so a page costs ``limit`` index steps (more when filters are
# selective); the others sort every artifact that passes the filters.
