"""`scidex lint`: the curated pages checked against the store, and the graph's name clashes.

Page findings (broken or ambiguous links, unknown or uncited references,
empty sections, duplicate mentions, diagram errors, unknown predicates, raw
HTML) are errors: the command exits non-zero when there are any. Name
clashes between entities of one category come from the sources themselves
(two vocabularies naming two concepts alike); they are listed as notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, select

from scidex.kg import biolink
from scidex.pages.artifact_page import embedder, link_resolver
from scidex.registry.curated import curated_edges, curated_release, default_content_dir
from scidex.store.schema import entity, entity_name
from scidex.wiki.content import ContentError, load_pages
from scidex.wiki.lint import Finding, lint_page
from scidex.wiki.render import RenderContext


@dataclass(frozen=True, slots=True)
class NameClash:
    category: str
    name: str
    entities: list[str]


def lint_content(conn: Connection, directory: Path | None = None) -> list[Finding]:
    """Every finding on every curated page, sorted by file and line."""
    directory = directory or default_content_dir()
    try:
        pages = load_pages(directory)
    except ContentError as exc:
        return [Finding(str(exc.path), exc.line, "invalid-page", f"{exc.field}: {exc.message}")]
    findings: list[Finding] = []
    release = curated_release(pages).id
    for page in pages:
        ctx = RenderContext(
            resolve_link=link_resolver(conn), embed=embedder(conn), references=page.references
        )
        findings += lint_page(page, ctx, is_predicate=biolink.is_predicate)
        try:
            curated_edges(conn, page, release)
        except ContentError as exc:
            findings.append(
                Finding(str(exc.path), exc.line, "broken-edge", f"{exc.field}: {exc.message}")
            )
    return sorted(findings)


def name_clashes(conn: Connection, limit: int = 1000) -> tuple[int, list[NameClash]]:
    """Labels shared by several active entities of one category: (total, first ``limit``)."""
    shared = (
        select(entity.c.category, entity_name.c.norm)
        .join(entity, entity.c.id == entity_name.c.entity_id)
        .where(entity_name.c.kind == "label", entity.c.lifecycle == "active")
        .group_by(entity.c.category, entity_name.c.norm)
        .having(func.count(func.distinct(entity.c.id)) > 1)
        .subquery()
    )
    total = conn.execute(select(func.count()).select_from(shared)).scalar_one()
    rows = conn.execute(
        select(entity.c.category, entity_name.c.norm, entity.c.id, entity.c.name)
        .join(entity, entity.c.id == entity_name.c.entity_id)
        .join(
            shared, (shared.c.norm == entity_name.c.norm) & (shared.c.category == entity.c.category)
        )
        .where(entity_name.c.kind == "label")
        .order_by(entity.c.category, entity_name.c.norm, entity.c.id)
    )
    clashes: dict[tuple[str, str], NameClash] = {}
    for r in rows:
        key = (r.category, r.norm)
        if key not in clashes:
            if len(clashes) >= limit:
                break
            clashes[key] = NameClash(r.category, r.name, [])
        clashes[key].entities.append(r.id)
    return total, list(clashes.values())
