"""Curated pages into the store: articles become revisions, curated edges become edges.

A curated page takes over its entity's backfill page (same artifact id, next
version, ``origin_type`` curated), so the page's history shows the change.
Its curated edges enter the graph with ``infores:scidex`` as primary source,
``manual_agent`` as agent type and the PMIDs/DOIs of the references they cite.
Its front-matter ``aliases`` become names of the entity (kind ``alias``).

A page, or a curated edge, whose entity belongs to a vocabulary the store
holds nothing of (a cell-type page in an atlas built without the cell
ontology) waits: it is skipped and counted, and loads once that source is
built. A page whose entity is missing from a loaded vocabulary is skipped
and counted as ``missing``, and a curated edge whose object names no entity
is left out and counted; ``scidex lint`` reports both as errors.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, select

from scidex.config import default_content_dir
from scidex.kg import biolink
from scidex.kg.curies import CurieError, split_curie
from scidex.kg.model import CURATED_SOURCE, Edge, SourceRelease
from scidex.kg.names import normalize_name
from scidex.pages.store_links import embedder, link_resolver
from scidex.queries.artifacts import get_artifact, page_for_entity
from scidex.queries.resolve import resolve
from scidex.registry.backfill import create_page
from scidex.registry.ids import base_slug, now, page_id
from scidex.registry.provenance import record_page_links
from scidex.registry.revisions import Actor, PageContent, save_revision
from scidex.registry.search_docs import reindex_pages
from scidex.store import bulk
from scidex.store.schema import entity, entity_name
from scidex.wiki.content import ContentError, CuratedEdge, CuratedPage, load_pages
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


def vocabulary_loaded(conn: Connection, prefix: str) -> bool:
    """Whether the store holds any entity with ids of ``prefix`` (``CL``, ``HGNC``)."""
    found = conn.execute(
        select(entity.c.id).where(entity.c.id.startswith(f"{prefix}:", autoescape=True)).limit(1)
    ).first()
    return found is not None


def _waiting(conn: Connection, text: str) -> bool:
    """A CURIE whose vocabulary the store holds nothing of: it waits for its source."""
    try:
        prefix, local = split_curie(text.strip())
    except CurieError:
        return False
    return bool(local) and " " not in text.strip() and not vocabulary_loaded(conn, prefix)


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


def curated_edges(
    conn: Connection, page: CuratedPage, release_id: str, *, skip_waiting: bool = False
) -> list[Edge]:
    """The page's curated edges as graph edges (objects resolved).

    With ``skip_waiting``, edges whose object is a CURIE of a vocabulary not
    in the store are left out instead of being an error.
    """
    return [e for _ce, e in curated_edge_pairs(conn, page, release_id, skip_waiting=skip_waiting)]


def curated_edge_pairs(
    conn: Connection,
    page: CuratedPage,
    release_id: str,
    *,
    skip_waiting: bool = False,
    errors: list[ContentError] | None = None,
) -> list[tuple[CuratedEdge, Edge]]:
    """Each curated edge that enters the graph, with its graph edge.

    An edge that cannot enter (unknown predicate, an object that names no
    entity or several) raises ContentError, or, when ``errors`` is given, is
    left out and its error appended there.
    """
    edges: list[tuple[CuratedEdge, Edge]] = []
    for ce in page.curated_edges:
        if skip_waiting and _waiting(conn, ce.object):
            continue
        try:
            if not biolink.is_predicate(ce.predicate):
                raise ContentError(
                    page.path,
                    ce.line,
                    "curated_edges.predicate",
                    f"{ce.predicate!r} is not a Biolink {biolink.version()} predicate",
                )
            obj = _resolve_object(conn, page, ce.object, ce.line)
        except ContentError as exc:
            if errors is None:
                raise
            errors.append(exc)
            continue
        edges.append(
            (
                ce,
                Edge(
                    subject=page.entity,
                    predicate=ce.predicate,
                    object=obj,
                    primary_knowledge_source=CURATED_SOURCE,
                    knowledge_level="knowledge_assertion",
                    agent_type="manual_agent",
                    publications=publication_ids(page, ce.publications),
                    qualifiers=dict(ce.qualifiers),
                    source_release=release_id,
                ),
            )
        )
    return edges


def edge_records(page: CuratedPage, edges: list[Edge]) -> list[dict[str, Any]]:
    """The curated edges as a revision keeps them: resolved objects, citation keys."""
    return pair_records(list(zip(page.curated_edges, edges, strict=True)))


def pair_records(pairs: list[tuple[CuratedEdge, Edge]]) -> list[dict[str, Any]]:
    return [
        {
            "predicate": e.predicate,
            "object": e.object,
            "publications": list(ce.publications),
            "qualifiers": e.qualifiers,
        }
        for ce, e in pairs
    ]


def write_aliases(conn: Connection, pages: Iterable[CuratedPage], release_id: str) -> int:
    """Replace the curated aliases with those of ``pages`` (whose entities are stored)."""
    conn.execute(
        delete(entity_name).where(
            entity_name.c.kind == "alias",
            entity_name.c.source_release.startswith(f"{CURATED_NAME}@", autoescape=True),
        )
    )
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for page in pages:
        for alias in page.aliases:
            norm = normalize_name(alias)
            if norm:
                rows.setdefault(
                    (page.entity, norm),
                    {
                        "entity_id": page.entity,
                        "name": alias,
                        "norm": norm,
                        "kind": "alias",
                        "source_release": release_id,
                    },
                )
    if rows:
        conn.execute(entity_name.insert(), list(rows.values()))
    return len(rows)


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
    present: list[CuratedPage] = []
    for page in pages:
        found = resolve(conn, page.entity)
        if found.entity is None or found.entity.id != page.entity:
            # Not an error of the build: the page waits for its source, or the lint says why.
            stats["waiting" if _waiting(conn, page.entity) else "missing"] += 1
            continue
        present.append(page)
        ent = found.entity
        skipped: list[ContentError] = []
        pairs = curated_edge_pairs(conn, page, release.id, skip_waiting=True, errors=skipped)
        if skipped:
            # The lint names each one; a page's prose still loads without them.
            stats["edges skipped"] += len(skipped)
        edges = [e for _ce, e in pairs]
        all_edges += edges
        refs = dict(page.references)
        content = PageContent(page.markdown, refs, pair_records(pairs))
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
    stats["aliases"] = write_aliases(conn, present, release.id)
    reindex_pages(conn)
    return CuratedResult(stats, len(all_edges), release)
