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

from scidex.config import default_content_dir
from scidex.kg import biolink
from scidex.kg.model import CURATED_SOURCE, Edge, SourceRelease
from scidex.pages.artifact_page import embedder, link_resolver
from scidex.queries.artifacts import get_artifact, page_for_entity
from scidex.queries.resolve import resolve
from scidex.registry.backfill import create_page
from scidex.registry.ids import base_slug, now, page_id
from scidex.registry.provenance import record_page_links
from scidex.registry.revisions import Actor, PageContent, save_revision
from scidex.registry.search_docs import reindex_pages
from scidex.store import bulk
from scidex.wiki.content import ContentError, CuratedPage, load_pages
from scidex.wiki.render import RenderContext, render_markdown

CURATED_NAME = "curated"


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


def edge_records(page: CuratedPage, edges: list[Edge]) -> list[dict[str, Any]]:
    """The curated edges as a revision keeps them: resolved objects, citation keys."""
    return [
        {
            "predicate": e.predicate,
            "object": e.object,
            "publications": list(ce.publications),
            "qualifiers": e.qualifiers,
        }
        for ce, e in zip(page.curated_edges, edges, strict=True)
    ]


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
    actor = Actor("system", "build", author, "admin")
    for page in pages:
        found = resolve(conn, page.entity)
        if found.entity is None or found.entity.id != page.entity:
            raise ContentError(page.path, 2, "entity", f"{page.entity} is not in the atlas")
        ent = found.entity
        edges = curated_edges(conn, page, release.id)
        all_edges += edges
        refs = dict(page.references)
        content = PageContent(page.markdown, refs, edge_records(page, edges))
        file_hash = hashlib.sha256(page.path.read_bytes()).hexdigest()
        existing = page_for_entity(conn, ent.id)
        if existing is None:
            aid = page_id(base_slug(ent.category, ent.name, ent.symbol))
            if get_artifact(conn, aid) is not None:
                raise ContentError(page.path, 2, "entity", f"page id {aid} is already taken")
            create_page(conn, aid, ent, author=author)
        elif existing.metadata.get("source_file_hash") == file_hash:
            # The file has not changed since it was loaded: keep any later edit
            # made in the browser or through the API.
            stats["unchanged"] += 1
            continue
        else:
            aid = existing.id
        saved = save_revision(
            conn,
            aid,
            content,
            base_version=None,
            actor=actor,
            summary=f"curated page {page.path.name}",
            edges=edges,
            origin_type="curated",
            title=page.title or (f"{ent.symbol} — {ent.name}" if ent.symbol else ent.name),
            extra={
                "source_table": "content",
                "source_file": page.path.name,
                "source_file_hash": file_hash,
                "summary": page.summary,
            },
        )
        if saved is None:
            stats["unchanged"] += 1
        else:
            stats["updated" if existing else "new"] += 1
            ctx = RenderContext(
                resolve_link=link_resolver(conn), embed=embedder(conn), references=refs
            )
            record_page_links(conn, aid, render_markdown(page.markdown, ctx), refs, actor)
    reindex_pages(conn)
    return CuratedResult(stats, len(all_edges), release)
