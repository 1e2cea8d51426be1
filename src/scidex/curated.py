"""Curated pages into the store: articles become revisions, curated edges become edges.

A curated page takes over its entity's backfill page (same artifact id, next
version, ``origin_type`` curated), so the page's history shows the change.
Its curated edges enter the graph with ``infores:scidex`` as primary source,
``manual_agent`` as agent type and the PMIDs/DOIs of the references they cite.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from . import biolink
from .artifacts import (
    base_slug,
    content_hash,
    get_artifact,
    now,
    page_for_entity,
    page_id,
)
from .model import CURATED_SOURCE, Edge, SourceRelease
from .resolve import resolve
from .store import bulk
from .store.schema import revision
from .wiki.content import ContentError, CuratedPage, load_pages

CURATED_NAME = "curated"


def default_content_dir() -> Path:
    """``content/pages`` of the source tree (the curated articles live in the repo)."""
    return Path(__file__).resolve().parents[2] / "content" / "pages"


@dataclass
class CuratedResult:
    pages: Counter[str]
    edges: int
    release: SourceRelease | None


def curated_release(pages: Iterable[CuratedPage]) -> SourceRelease:
    """One release per state of the curated content: its id changes when any page does."""
    h = hashlib.sha256()
    for p in sorted(pages, key=lambda p: str(p.path)):
        h.update(p.path.name.encode())
        h.update(p.path.read_bytes())
    digest = h.hexdigest()
    return SourceRelease(
        id=f"{CURATED_NAME}@{digest[:12]}",
        name=CURATED_NAME,
        infores=CURATED_SOURCE,
        version=digest[:12],
        license="CC BY 4.0",
        attribution="SciDEX Atlas curated articles and statements, with their cited publications.",
        fetch="content/pages (in the SciDEX Atlas repository)",
        archive="content/pages",
        sha256=digest,
        fetched_at=now(),
    )


def publication_ids(page: CuratedPage, keys: Iterable[str]) -> tuple[str, ...]:
    """PMIDs (preferred) or DOIs of the cited references, as CURIEs."""
    out: list[str] = []
    for key in keys:
        ref = page.references[key]
        if ref.get("PMID"):
            out.append(f"PMID:{ref['PMID']}")
        elif ref.get("DOI"):
            out.append(f"DOI:{ref['DOI']}")
    return tuple(dict.fromkeys(out))


def _resolve_object(conn: Connection, page: CuratedPage, text: str, line: int) -> str:
    found = resolve(conn, text)
    if found.entity is not None:
        return found.entity.id
    if found.ambiguous:
        names = ", ".join(f"{m.id} ({m.name})" for m in found.best[:5])
        raise ContentError(
            page.path, line, "curated_edges.object", f"{text!r} is ambiguous: {names}; use a CURIE"
        )
    raise ContentError(page.path, line, "curated_edges.object", f"{text!r} names no entity")


def curated_edges(conn: Connection, page: CuratedPage, release_id: str) -> list[Edge]:
    edges = []
    for ce in page.curated_edges:
        if not biolink.is_predicate(ce.predicate):
            raise ContentError(
                page.path,
                ce.line,
                "curated_edges.predicate",
                f"{ce.predicate!r} is not a Biolink {biolink.version()} predicate",
            )
        edges.append(
            Edge(
                subject=page.entity,
                predicate=ce.predicate,
                object=_resolve_object(conn, page, ce.object, ce.line),
                primary_knowledge_source=CURATED_SOURCE,
                knowledge_level="knowledge_assertion",
                agent_type="manual_agent",
                publications=publication_ids(page, ce.publications),
                qualifiers=dict(ce.qualifiers),
                source_release=release_id,
            )
        )
    return edges


def _edge_record(e: Edge) -> dict[str, Any]:
    return {
        "predicate": e.predicate,
        "object": e.object,
        "publications": list(e.publications),
        "qualifiers": e.qualifiers,
    }


def load_curated(
    conn: Connection, directory: Path | None = None, *, author: str = "scidex build"
) -> CuratedResult:
    """Load every curated page in ``directory`` into the store (caller owns the transaction)."""
    directory = directory or default_content_dir()
    if not directory.is_dir():
        return CuratedResult(Counter(), 0, None)
    pages = load_pages(directory)
    release = curated_release(pages)
    bulk.upsert_source_release(conn, release)
    stats: Counter[str] = Counter()
    all_edges: list[Edge] = []
    stamp = now()
    for page in pages:
        found = resolve(conn, page.entity)
        if found.entity is None or found.entity.id != page.entity:
            raise ContentError(page.path, 2, "entity", f"{page.entity} is not in the atlas")
        ent = found.entity
        edges = curated_edges(conn, page, release.id)
        all_edges += edges
        refs = dict(page.references)
        edge_records = [_edge_record(e) for e in edges]
        h = content_hash(page.markdown, {"references": refs, "curated_edges": edge_records})
        existing = page_for_entity(conn, ent.id)
        title = page.title or (f"{ent.symbol} — {ent.name}" if ent.symbol else ent.name)
        meta = {"source_table": "content", "source_file": page.path.name, "summary": page.summary}
        if existing is None:
            slug = base_slug(ent.category, ent.name, ent.symbol)
            aid, version, created = page_id(slug), 1, stamp
            if get_artifact(conn, aid) is not None:
                raise ContentError(page.path, 2, "entity", f"page id {aid} is already taken")
        else:
            current = conn.execute(
                revision.select().where(
                    revision.c.artifact_id == existing.id,
                    revision.c.version == existing.current_version,
                )
            ).first()
            if existing.origin_type == "curated" and current and current.content_hash == h:
                stats["unchanged"] += 1
                continue
            aid, slug, version = existing.id, existing.slug, existing.current_version + 1
            created = existing.created_at
        row = {
            "id": aid,
            "type": "wiki_page",
            "title": title,
            "slug": slug,
            "kg_node_id": ent.id,
            "entity_type": ent.category,
            "origin_type": "curated",
            "lifecycle": "active",
            "merged_into": None,
            "merged_from": "[]",
            "schema_version": 1,
            "current_version": version,
            "created_at": created,
            "updated_at": stamp,
            "created_by": author,
            "metadata": bulk.dumps(meta),
        }
        bulk.upsert_rows(
            conn,
            "artifact",
            tuple(row),
            ("id",),
            [tuple(row.values())],
            keep=("created_at", "created_by"),
        )
        conn.execute(
            revision.insert().values(
                artifact_id=aid,
                version=version,
                markdown=page.markdown,
                refs=bulk.dumps(refs),
                curated_edges=bulk.dumps(edge_records),
                summary=f"curated page {page.path.name}",
                author=author,
                created_at=stamp,
                content_hash=h,
                parent_version=version - 1 if version > 1 else None,
            )
        )
        stats["updated" if existing else "new"] += 1
    bulk.insert_edges(conn, all_edges)
    return CuratedResult(stats, len(all_edges), release)
