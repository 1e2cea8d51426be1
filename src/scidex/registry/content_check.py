"""`scidex lint`: the curated pages checked against the store, and the graph's name clashes.

Page findings (broken or ambiguous links, unknown or uncited references,
empty sections, duplicate mentions, diagram errors, unknown predicates, raw
HTML) are errors: the command exits non-zero when there are any. Name
clashes between entities of one category come from the sources themselves
(two vocabularies naming two concepts alike); they are listed as notes.

So are links and pages that wait for their entity: a CURIE of a vocabulary
of which the store holds no entity at all (``CL:0000129`` in an atlas built
without the cell ontology) is not a mistake of the page; it resolves once the
source is built. A CURIE of a loaded vocabulary that names nothing is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, func, select

from scidex.kg import biolink
from scidex.kg.curies import CurieError, split_curie
from scidex.pages.store_links import embedder, link_resolver
from scidex.queries.retractions import retracted_pmids, retraction_count
from scidex.registry.curated import (
    curated_edges,
    curated_release,
    default_content_dir,
    vocabulary_loaded,
)
from scidex.store.schema import entity, entity_name
from scidex.wiki.citations import normalize_pmid
from scidex.wiki.content import ContentError, CuratedPage, load_pages
from scidex.wiki.lint import Finding, lint_page
from scidex.wiki.render import RenderContext


@dataclass(frozen=True, slots=True)
class NameClash:
    category: str
    name: str
    entities: list[str]


# The renderer's message for a link that resolves to nothing.
_BROKEN = re.compile(r"^\[\[(.+?)\]\] matches no entity$")


@dataclass(slots=True)
class ContentReport:
    findings: list[Finding] = field(default_factory=list)
    """Errors: the command exits non-zero when there are any."""
    waiting: list[Finding] = field(default_factory=list)
    """Notes: links and pages whose entity's vocabulary is not in the store yet."""
    retractions_known: int = 0
    """Retracted papers the store knows; 0 means citations could not be checked."""


def page_retractions(conn: Connection, page: CuratedPage) -> frozenset[str]:
    """The retracted PMIDs among a page's references."""
    pmids = (normalize_pmid(ref.get("PMID")) for ref in page.references.values())
    return retracted_pmids(conn, (p for p in pmids if p))


def _waits(conn: Connection, target: str, loaded: dict[str, bool]) -> bool:
    """A CURIE of a vocabulary the store holds nothing of."""
    try:
        prefix, local = split_curie(target.strip())
    except CurieError:
        return False
    if not local or " " in target.strip():
        return False
    if prefix not in loaded:
        loaded[prefix] = vocabulary_loaded(conn, prefix)
    return not loaded[prefix]


def check_content(conn: Connection, directory: Path | None = None) -> ContentReport:
    """Every finding and note on every curated page, sorted by file and line."""
    directory = directory or default_content_dir()
    report = ContentReport(retractions_known=retraction_count(conn))
    try:
        pages = load_pages(directory)
    except ContentError as exc:
        finding = Finding(str(exc.path), exc.line, "invalid-page", f"{exc.field}: {exc.message}")
        report.findings.append(finding)
        return report
    release = curated_release(pages).id
    loaded: dict[str, bool] = {}
    for page in pages:
        path = str(page.path)
        if _waits(conn, page.entity, loaded):
            message = f"the page's entity {page.entity} waits for its vocabulary to be built"
            report.waiting.append(Finding(path, 2, "waiting-entity", message))
        ctx = RenderContext(
            resolve_link=link_resolver(conn), embed=embedder(conn), references=page.references
        )
        retracted = page_retractions(conn, page)
        for f in lint_page(page, ctx, is_predicate=biolink.is_predicate, retracted=retracted):
            broken = _BROKEN.match(f.message) if f.kind == "broken-link" else None
            if broken and _waits(conn, broken[1], loaded):
                message = f"[[{broken[1]}]] waits for its vocabulary to be built"
                report.waiting.append(Finding(f.path, f.line, "waiting-entity", message))
            else:
                report.findings.append(f)
        try:
            curated_edges(conn, page, release, skip_waiting=True)
        except ContentError as exc:
            report.findings.append(
                Finding(str(exc.path), exc.line, "broken-edge", f"{exc.field}: {exc.message}")
            )
    report.findings.sort()
    report.waiting.sort()
    return report


def lint_content(conn: Connection, directory: Path | None = None) -> list[Finding]:
    """Every finding (error) on every curated page, sorted by file and line."""
    return check_content(conn, directory).findings


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
