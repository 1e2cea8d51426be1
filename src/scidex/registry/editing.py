"""An edit as an editor or agent submits it: validated, linted, then saved as a revision.

The same checks as the build's curated pages: references must be CSL-JSON with
valid PMIDs/DOIs, curated edges must use Biolink predicates and name entities
that resolve, and the lint's findings block a save unless the writer
overrides them explicitly (the override is recorded with the revision).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from scidex.kg import biolink
from scidex.kg.model import Edge
from scidex.pages.store_links import embedder, link_resolver
from scidex.queries.artifacts import ArtifactRecord, RevisionRecord, get_revision
from scidex.queries.retractions import retracted_pmids
from scidex.registry.curated import curated_edges, edge_records
from scidex.registry.provenance import record_page_links
from scidex.registry.revisions import (
    Actor,
    Invalid,
    PageContent,
    current_artifact,
    require,
    save_revision,
)
from scidex.registry.search_docs import reindex_pages
from scidex.wiki.citations import normalize_doi, normalize_pmid
from scidex.wiki.content import ContentError, CuratedEdge, CuratedPage
from scidex.wiki.lint import Finding, lint_rendered
from scidex.wiki.render import (
    RENDER_BUDGET_SECONDS,
    RenderBudgetExceeded,
    RenderContext,
    RenderedPage,
    render_markdown,
)


@dataclass(slots=True)
class EditRequest:
    markdown: str
    base_version: int
    summary: str = ""
    references: dict[str, dict[str, Any]] | None = None  # None: keep the current ones
    curated_edges: list[dict[str, Any]] | None = None  # None: keep the current ones
    override_lint: bool = False


@dataclass(slots=True)
class EditResult:
    revision: RevisionRecord | None  # None: the content did not change
    findings: list[Finding] = field(default_factory=list)


def _references(refs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, item in refs.items():
        if not isinstance(item, dict):
            raise Invalid(f"references.{key}: must be a CSL-JSON object", {"field": key})
        clean = {**item, "id": key}
        for name, check in (("PMID", normalize_pmid), ("DOI", normalize_doi)):
            if item.get(name) is not None:
                normal = check(item[name])
                if normal is None:
                    raise Invalid(
                        f"references.{key}.{name}: malformed {item[name]!r}",
                        {"field": f"references.{key}.{name}"},
                    )
                clean[name] = normal
        out[key] = clean
    return out


def _edges(raw: list[dict[str, Any]], refs: dict[str, Any]) -> list[CuratedEdge]:
    edges = []
    for i, e in enumerate(raw, start=1):
        where = f"curated_edges[{i}]"
        if not isinstance(e, dict) or not e.get("predicate") or not e.get("object"):
            raise Invalid(f"{where}: needs a predicate and an object", {"field": where})
        pubs = e.get("publications") or []
        for key in pubs:
            if key not in refs:
                raise Invalid(
                    f"{where}.publications: {key!r} is not in references",
                    {"field": f"{where}.publications"},
                )
        edges.append(
            CuratedEdge(
                str(e["predicate"]),
                str(e["object"]),
                tuple(pubs),
                dict(e.get("qualifiers") or {}),
                i,
            )
        )
    return edges


# The longest markdown a preview renders (characters): the longest curated page is a few tens
# of thousands; a preview is rendered on every pause in typing, so its cost is kept bounded.
PREVIEW_MAX_CHARS = 200_000


def _render_within_budget(markdown: str, ctx: RenderContext) -> RenderedPage:
    """Render with the budget every preview and save has (``RENDER_BUDGET_SECONDS`` of CPU);
    markdown that needs more is refused as invalid, saying why."""
    try:
        return render_markdown(markdown, replace(ctx, budget=RENDER_BUDGET_SECONDS))
    except RenderBudgetExceeded as exc:
        raise Invalid(str(exc), {"field": "markdown", "budget_seconds": exc.budget}) from exc


def preview(conn: Connection, markdown: str, references: dict[str, Any]) -> RenderedPage:
    """Render as the page will, with the same resolver: what the edit form shows live."""
    ctx = RenderContext(
        resolve_link=link_resolver(conn), embed=embedder(conn), references=references
    )
    return _render_within_budget(markdown, ctx)


@dataclass(slots=True)
class CheckedEdit:
    page: CuratedPage
    rendered: RenderedPage
    findings: list[Finding]
    graph_edges: list[Edge]


def check_edit(conn: Connection, art: ArtifactRecord, edit: EditRequest) -> CheckedEdit:
    """Everything a save would check, without saving: for the form's live preview too.

    Raises Invalid for content that cannot be stored at all (malformed
    references, curated edges that name no entity or no Biolink predicate);
    lint findings are returned, not raised.
    """
    current = get_revision(conn, art.id, art.current_version)
    refs = _references(
        edit.references if edit.references is not None else (current.references if current else {})
    )
    raw_edges = (
        edit.curated_edges
        if edit.curated_edges is not None
        else (current.curated_edges if current else [])
    )
    page = CuratedPage(
        path=Path(art.id),
        entity=art.kg_node_id or "",
        title=None,
        summary=None,
        references=refs,
        curated_edges=_edges(raw_edges, refs),
        markdown=edit.markdown,
        body_line=1,
    )
    ctx = RenderContext(resolve_link=link_resolver(conn), embed=embedder(conn), references=refs)
    rendered = _render_within_budget(edit.markdown, ctx)
    pmids = (normalize_pmid(ref.get("PMID")) for ref in refs.values())
    retracted = retracted_pmids(conn, (p for p in pmids if p))
    findings = lint_rendered(page, rendered, is_predicate=biolink.is_predicate, retracted=retracted)
    graph_edges: list[Edge] = []
    if art.kg_node_id:
        try:
            graph_edges = curated_edges(conn, page, f"edit@{art.id}")
        except ContentError as exc:
            raise Invalid(
                f"{exc.field}: {exc.message}", {"field": exc.field, "line": exc.line}
            ) from exc
    return CheckedEdit(page, rendered, findings, graph_edges)


def submit_edit(conn: Connection, artifact_id: str, edit: EditRequest, actor: Actor) -> EditResult:
    """Validate, lint and save one edit (the caller owns the transaction)."""
    require(actor, "editor")
    art = current_artifact(conn, artifact_id)
    checked = check_edit(conn, art, edit)
    page, findings, graph_edges = checked.page, checked.findings, checked.graph_edges
    if findings and not edit.override_lint:
        raise Invalid(
            f"the edit has {len(findings)} lint finding(s); fix them or save with override_lint",
            {
                "findings": [
                    {"line": f.line, "kind": f.kind, "message": f.message} for f in findings
                ]
            },
        )
    summary = edit.summary.strip() or "edit"
    if findings:
        summary += f" [lint overridden: {len(findings)} finding(s)]"
    content = PageContent(edit.markdown, page.references, edge_records(page, graph_edges))
    saved = save_revision(
        conn,
        art.id,
        content,
        base_version=edit.base_version,
        actor=actor,
        summary=summary,
        edges=graph_edges if art.kg_node_id else None,
        origin_type="agent" if actor.kind == "token" else "curated",
    )
    if saved is not None:
        record_page_links(conn, art.id, checked.rendered, page.references, actor)
        reindex_pages(conn)
    return EditResult(saved, findings)
