"""The JSON twin of an artifact page: the same :class:`ArtifactPage` the HTML is made from."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from scidex.kg.xrefs import external_url
from scidex.pages.artifact_page import ArtifactPage
from scidex.queries.literature import ORDER


def page_json(page: ArtifactPage) -> dict[str, Any]:
    """The JSON twin of an artifact page: the same data the HTML shows."""
    a, r, e = page.artifact, page.revision, page.entity
    return {
        "id": a.id,
        "type": a.type,
        "title": a.title,
        "slug": a.slug,
        "origin_type": a.origin_type,
        "lifecycle": a.lifecycle,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "created_by": a.created_by,
        "version": r.version,
        "current_version": a.current_version,
        "content": {
            "markdown": r.markdown,
            "html": page.rendered.html,
            "references": r.references,
            "curated_edges": r.curated_edges,
            "citations": [asdict(c) for c in page.rendered.citations],
            "problems": [asdict(p) for p in page.rendered.problems],
            "content_hash": r.content_hash,
        },
        "entity": None
        if e is None
        else {
            "id": e.id,
            "category": e.category,
            "name": e.name,
            "symbol": e.symbol,
            "description": e.description,
            "synonyms": e.synonyms,
            "previous_symbols": e.previous_symbols,
            "xrefs": [{"id": x, "url": external_url(x)} for x in e.xrefs],
            "attributes": e.attributes,
            "degree": page.degree,
            "predicate_counts": [asdict(c) for c in page.counts],
        },
        "infobox": None if page.infobox is None else asdict(page.infobox),
        "edges": [
            {
                "direction": g.direction,
                "predicate": g.predicate,
                "count": g.count,
                "edges": [asdict(x) for x in g.edges],
                "next_cursor": g.next_cursor,
            }
            for g in page.groups
        ],
        "summary": None
        if page.summary is None
        else {"is_article": page.summary_is_article, "paragraphs": page.summary.as_json()},
        "disease_genes": None
        if page.disease_genes is None
        else {
            "counts": page.disease_genes.counts.as_json(),
            "genes": [g.as_json() for g in page.disease_genes.genes],
            "next_cursor": page.disease_genes.next_cursor,
            "all": page.disease_genes.api_url,
        },
        "literature": None
        if page.literature is None
        else {
            "count": page.literature.count,
            "sources": [asdict(s) for s in page.literature.sources],
            "recent": [x.as_json() for x in page.literature.recent],
            "order": ORDER,
            "all": page.page_urls["publications_json"],
        },
        "diagram": None
        if page.diagram is None
        else {
            "mermaid": page.diagram.source,
            "edges_shown": page.diagram.edges_shown,
            "truncated": page.diagram.truncated,
        },
        "retracted_publications": sorted(page.retracted),
        "see_also": [{"label": s[0], "url": s[1], "why": s[2]} for s in page.see_also],
        "external_links": [{"label": x[0], "url": x[1]} for x in page.external_links],
        "provenance": {
            "source_releases": [
                {
                    "id": u.release.id,
                    "name": u.release.name,
                    "version": u.release.version,
                    "license": u.release.license,
                    "edges": u.edges,
                    "defines_entity": u.defines_entity,
                    "papers": u.papers,
                }
                for u in page.provenance.releases
            ],
            "revisions": [
                {
                    k: v
                    for k, v in asdict(x).items()
                    if k not in ("markdown", "references", "curated_edges")
                }
                for x in page.provenance.revisions
            ],
            "links": [asdict(x) for x in page.provenance.links],
        },
        "metadata": dict(page.metadata),
        "urls": page.page_urls,
    }
