"""The artifact registry: ids and slugs, revisions, and the backfill pages built from the graph."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from .names import normalize_name
from .store import bulk
from .store.schema import artifact, entity, revision, source_release

# URL section for each entity category: /genes/bach1, /diseases/..., and the
# slug prefix of its page (wiki-genes-bach1).
SECTIONS: dict[str, str] = {
    "biolink:Gene": "genes",
    "biolink:Protein": "proteins",
    "biolink:Disease": "diseases",
    "biolink:PhenotypicFeature": "phenotypes",
    "biolink:BiologicalProcess": "processes",
    "biolink:MolecularActivity": "activities",
    "biolink:CellularComponent": "components",
    "biolink:CellType": "cell-types",
    "biolink:Cell": "cell-types",
    "biolink:AnatomicalEntity": "anatomy",
    "biolink:ChemicalEntity": "chemicals",
    "biolink:Pathway": "pathways",
}
DEFAULT_SECTION = "entities"

CATEGORY_NOUN: dict[str, str] = {
    "biolink:Gene": "human gene",
    "biolink:Disease": "disease",
    "biolink:PhenotypicFeature": "phenotypic feature",
    "biolink:BiologicalProcess": "biological process",
    "biolink:MolecularActivity": "molecular activity",
    "biolink:CellularComponent": "cellular component",
}

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def section_for(category: str) -> str:
    return SECTIONS.get(category, DEFAULT_SECTION)


def slugify(text: str) -> str:
    return _SLUG_JUNK.sub("-", normalize_name(text)).strip("-")[:80].strip("-")


def base_slug(category: str, name: str, symbol: str | None) -> str:
    """``genes-bach1``: section, then the symbol (genes) or the name."""
    return f"{section_for(category)}-{slugify(symbol or name) or 'unnamed'}"


def page_id(slug: str) -> str:
    return f"wiki-{slug}"


def content_hash(markdown: str, references: dict[str, Any]) -> str:
    payload = markdown + "\x1e" + bulk.dumps(references)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
    """Entity id -> page slug. Clashing slugs all take their id as a suffix.

    Suffixing every claimant (not all but the first) keeps a slug from
    depending on the order entities arrive in.
    """
    items = sorted(entities, key=lambda e: e.id)
    bases = {e.id: base_slug(e.category, e.name, e.symbol) for e in items}
    clashes = Counter(bases.values())
    return {eid: (b if clashes[b] == 1 else f"{b}-{slugify(eid)}") for eid, b in bases.items()}


def backfill_markdown(e: EntitySummary, release_names: dict[str, str]) -> str:
    """The generated introduction of an entity's page, from its own data only.

    Counts and neighbourhoods are not written here: the page computes them
    from the store when it renders, so they cannot go stale.
    """
    noun = CATEGORY_NOUN.get(e.category, e.category.removeprefix("biolink:"))
    title = f"**{e.symbol}** ({e.name})" if e.symbol else f"**{e.name}**"
    sentence = f"{title} is a {noun}"
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
    hashes = dict(
        conn.execute(
            select(artifact.c.id, _current_hash_subquery()).where(
                artifact.c.origin_type == "backfill"
            )
        ).all()
    )
    summaries = list(_summaries(conn))
    slugs = assign_slugs(summaries)
    stamp = now()
    stats: Counter[str] = Counter()
    art_rows: list[tuple[Any, ...]] = []
    rev_rows: list[tuple[Any, ...]] = []
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
            (
                aid,
                "wiki_page",
                title,
                slug,
                e.id,
                e.category,
                "backfill",
                "active",
                None,
                "[]",
                1,
                version,
                stamp,
                stamp,
                author,
                bulk.dumps(meta),
            )
        )
        rev_rows.append(
            (
                aid,
                version,
                md,
                "{}",
                "generated from the atlas",
                author,
                stamp,
                h,
                version - 1 if version > 1 else None,
            )
        )
        stats["new" if not prior else "updated"] += 1
    art_cols = (
        "id",
        "type",
        "title",
        "slug",
        "kg_node_id",
        "entity_type",
        "origin_type",
        "lifecycle",
        "merged_into",
        "merged_from",
        "schema_version",
        "current_version",
        "created_at",
        "updated_at",
        "created_by",
        "metadata",
    )
    # created_at of an existing page must survive an update: upsert all but it.
    bulk.upsert_rows(
        conn,
        "artifact",
        art_cols,
        ("id",),
        art_rows,
        update=True,
        keep=("created_at", "created_by"),
    )
    rev_cols = (
        "artifact_id",
        "version",
        "markdown",
        "refs",
        "summary",
        "author",
        "created_at",
        "content_hash",
        "parent_version",
    )
    bulk.upsert_rows(conn, "revision", rev_cols, ("artifact_id", "version"), rev_rows, update=False)
    return stats


def _current_hash_subquery() -> Any:
    return (
        select(revision.c.content_hash)
        .where(
            revision.c.artifact_id == artifact.c.id,
            revision.c.version == artifact.c.current_version,
        )
        .scalar_subquery()
    )
