"""The provenance graph between artifacts: what a page cites, embeds, mentions and derives from.

Links the system knows are recorded automatically (a page's references
become ``cites`` links to paper artifacts, its wikilinks ``mentions``, its
embeds ``embeds``, a generated page ``derives_from`` its source release);
editors add others. :func:`walk` follows links both ways to a chosen depth,
with a cap and a flag when the cap cut it short.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, or_, select

from scidex.kg.model import LINK_TYPES
from scidex.queries.artifacts import get_artifact, pages_for_entities
from scidex.registry.ids import (
    ARTIFACT_COLUMNS,
    REVISION_COLUMNS,
    ArtifactRow,
    RevisionRow,
    content_hash,
    now,
)
from scidex.registry.revisions import Actor, Invalid, NotFound, audit, require
from scidex.store import bulk
from scidex.store.schema import artifact, artifact_link, entity
from scidex.wiki.citations import format_authors, issued_year
from scidex.wiki.links import Resolved
from scidex.wiki.render import RenderedPage

AUTO_TYPES = ("cites", "mentions", "embeds")
SYSTEM_AUTHOR = "scidex"


def paper_id(item: dict[str, Any]) -> str | None:
    """Artifact id of a cited paper: ``pmid-8887638`` or ``doi-10.1128-mcb.16.11.6083``."""
    if item.get("PMID"):
        return f"pmid-{item['PMID']}"
    if item.get("DOI"):
        return "doi-" + re.sub(r"[^a-z0-9.\-]+", "-", str(item["DOI"]).lower()).strip("-")
    return None


def release_artifact_id(release_id: str) -> str:
    return "release-" + re.sub(r"[^a-z0-9.\-]+", "-", release_id.lower()).strip("-")


def ensure_papers(conn: Connection, references: dict[str, dict[str, Any]]) -> dict[str, str]:
    """A ``paper`` artifact for every reference with a PMID or DOI; citation key -> id."""
    stamp = now()
    rows: list[ArtifactRow] = []
    ids: dict[str, str] = {}
    refs_by_id: dict[str, dict[str, Any]] = {}
    for key, item in references.items():
        pid = paper_id(item)
        if pid is None:
            continue
        ids[key] = pid
        if pid in refs_by_id:
            continue
        refs_by_id[pid] = item
        title = str(item.get("title") or pid)
        meta = {
            "csl": item,
            "authors": format_authors(item.get("author") or []),
            "year": issued_year(item),
        }
        rows.append(
            ArtifactRow(
                id=pid,
                type="paper",
                title=title,
                slug=pid,
                kg_node_id=None,
                entity_type=None,
                origin_type="import",
                lifecycle="active",
                merged_into=None,
                merged_from="[]",
                schema_version=1,
                current_version=1,
                created_at=stamp,
                updated_at=stamp,
                created_by=SYSTEM_AUTHOR,
                metadata=bulk.dumps(meta),
            )
        )
    # Keep the first record of a paper: several pages may cite it with different detail.
    bulk.upsert_rows(conn, "artifact", ARTIFACT_COLUMNS, ("id",), rows, update=False)
    _first_revisions(conn, [(r.id, _paper_markdown(refs_by_id[r.id])) for r in rows], stamp)
    return ids


def _paper_markdown(item: dict[str, Any]) -> str:
    parts = [f"**{item.get('title') or 'Untitled'}**"]
    byline = format_authors(item.get("author") or [])
    year = issued_year(item)
    if byline or year:
        parts.append(f"{byline} ({year})" if year else byline)
    if item.get("container-title"):
        parts.append(f"*{item['container-title']}*")
    links = []
    if item.get("PMID"):
        links.append(f"[PMID {item['PMID']}](https://pubmed.ncbi.nlm.nih.gov/{item['PMID']}/)")
    if item.get("DOI"):
        links.append(f"[doi:{item['DOI']}](https://doi.org/{item['DOI']})")
    text = ". ".join(parts) + "."
    if links:
        text += "\n\n" + " · ".join(links)
    return text + "\n\nPages of the atlas that cite this paper are listed under Provenance.\n"


def _first_revisions(conn: Connection, items: list[tuple[str, str]], stamp: str) -> None:
    """Version 1 of generated artifacts (papers, releases); never overwritten."""
    rows = [
        RevisionRow(
            artifact_id=aid,
            version=1,
            markdown=md,
            refs="{}",
            curated_edges="[]",
            summary="recorded from a citation or a source release",
            author=SYSTEM_AUTHOR,
            created_at=stamp,
            content_hash=content_hash(md, {}),
            parent_version=None,
        )
        for aid, md in items
    ]
    bulk.upsert_rows(
        conn,
        "revision",
        REVISION_COLUMNS,
        ("artifact_id", "version"),
        rows,
        update=False,
    )


def record_page_links(
    conn: Connection,
    artifact_id: str,
    rendered: RenderedPage,
    references: dict[str, dict[str, Any]],
    actor: Actor,
) -> int:
    """Replace the automatic links of a page with those of its current content."""
    conn.execute(
        delete(artifact_link).where(
            artifact_link.c.source == artifact_id,
            artifact_link.c.link_type.in_(AUTO_TYPES),
            artifact_link.c.created_by == SYSTEM_AUTHOR,
        )
    )
    targets: set[tuple[str, str]] = set()
    papers = ensure_papers(conn, references)
    for c in rendered.citations:
        if c.key in papers:
            targets.add(("cites", papers[c.key]))
    curies = [u.resolution.curie for u in rendered.links if isinstance(u.resolution, Resolved)]
    for page in pages_for_entities(conn, curies).values():
        if page != artifact_id:
            targets.add(("mentions", page))
    for e in rendered.embeds:
        if e.found:
            targets.add(("embeds", e.artifact_id))
    stamp = now()
    rows = [(artifact_id, kind, target, SYSTEM_AUTHOR, stamp) for kind, target in sorted(targets)]
    bulk.upsert_rows(
        conn,
        "artifact_link",
        ("source", "link_type", "target", "created_by", "created_at"),
        ("source", "link_type", "target"),
        rows,
        update=False,
    )
    return len(rows)


def add_link(conn: Connection, source: str, link_type: str, target: str, actor: Actor) -> None:
    """An editor states a provenance link between two artifacts."""
    require(actor, "editor")
    if link_type not in LINK_TYPES:
        raise Invalid(
            f"link_type must be one of {', '.join(sorted(LINK_TYPES))}", {"field": "link_type"}
        )
    for aid in (source, target):
        if get_artifact(conn, aid) is None:
            raise NotFound(f"no artifact {aid!r}")
    if source == target:
        raise Invalid("an artifact cannot link to itself", {"field": "target"})
    bulk.upsert_rows(
        conn,
        "artifact_link",
        ("source", "link_type", "target", "created_by", "created_at"),
        ("source", "link_type", "target"),
        [(source, link_type, target, actor.label, now())],
        update=False,
    )
    audit(conn, actor, "link", source, {"link_type": link_type, "target": target})


@dataclass(slots=True)
class Walk:
    root: str
    depth: int
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {title, type, depth}
    links: list[dict[str, str]] = field(default_factory=list)
    truncated: bool = False


def walk(
    conn: Connection,
    root: str,
    *,
    depth: int = 2,
    direction: str = "both",
    limit: int = 200,
) -> Walk:
    """Breadth-first over provenance links from ``root``, at most ``limit`` artifacts."""
    if direction not in ("out", "in", "both"):
        raise ValueError("direction must be out, in or both")
    start = get_artifact(conn, root)
    if start is None:
        raise NotFound(f"no artifact {root!r}")
    result = Walk(root, depth)
    result.nodes[root] = {"title": start.title, "type": start.type, "depth": 0}
    queue: deque[tuple[str, int]] = deque([(root, 0)])
    seen_links: set[tuple[str, str, str]] = set()
    while queue:
        current, d = queue.popleft()
        if d >= depth:
            continue
        conds = []
        if direction in ("out", "both"):
            conds.append(artifact_link.c.source == current)
        if direction in ("in", "both"):
            conds.append(artifact_link.c.target == current)
        rows = conn.execute(select(artifact_link).where(or_(*conds)).limit(limit + 1)).all()
        if len(rows) > limit:
            result.truncated = True
        for r in rows[:limit]:
            key = (r.source, r.link_type, r.target)
            if key in seen_links:
                continue
            seen_links.add(key)
            result.links.append(
                {
                    "source": r.source,
                    "link_type": r.link_type,
                    "target": r.target,
                    "created_by": r.created_by,
                }
            )
            other = r.target if r.source == current else r.source
            if other not in result.nodes:
                if len(result.nodes) >= limit:
                    result.truncated = True
                    continue
                result.nodes[other] = {"depth": d + 1}
                queue.append((other, d + 1))
    _titles(conn, result.nodes)
    result.links = [
        ln for ln in result.links if ln["source"] in result.nodes and ln["target"] in result.nodes
    ]
    return result


def _titles(conn: Connection, nodes: dict[str, dict[str, Any]]) -> None:
    ids = [i for i, n in nodes.items() if "title" not in n]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for r in conn.execute(
            select(artifact.c.id, artifact.c.title, artifact.c.type).where(artifact.c.id.in_(chunk))
        ):
            nodes[r.id].update(title=r.title, type=r.type)


def derive_pages_from_releases(conn: Connection, releases: Iterable[Any]) -> int:
    """A ``dataset`` artifact per source release; every entity page derives from its entity's."""
    stamp = now()
    rows: list[ArtifactRow] = []
    releases_list = list(releases)
    for r in releases_list:
        rows.append(
            ArtifactRow(
                id=release_artifact_id(r.id),
                type="dataset",
                title=f"{r.name} release {r.version}",
                slug=release_artifact_id(r.id),
                kg_node_id=None,
                entity_type=None,
                origin_type="import",
                lifecycle="active",
                merged_into=None,
                merged_from="[]",
                schema_version=1,
                current_version=1,
                created_at=stamp,
                updated_at=stamp,
                created_by=SYSTEM_AUTHOR,
                metadata=bulk.dumps({"source_release": r.id, "license": r.license}),
            )
        )
    bulk.upsert_rows(
        conn, "artifact", ARTIFACT_COLUMNS, ("id",), rows, keep=("created_at", "created_by")
    )
    _first_revisions(
        conn,
        [
            (
                release_artifact_id(r.id),
                f"**{r.name}** release {r.version} ({r.license}).\n\n{r.attribution}\n\n"
                f"Fetched with `{r.fetch}`; sha256 `{r.sha256}`.\n",
            )
            for r in releases_list
        ],
        stamp,
    )
    known = {release_artifact_id(r.id) for r in releases_list}
    pairs = conn.execute(
        select(artifact.c.id, entity.c.source_release)
        .join(entity, entity.c.id == artifact.c.kg_node_id)
        .where(artifact.c.type == "wiki_page", entity.c.source_release.is_not(None))
    )
    links = (
        (page, "derives_from", target, SYSTEM_AUTHOR, stamp)
        for page, rel in pairs
        if (target := release_artifact_id(rel)) in known
    )
    return bulk.upsert_rows(
        conn,
        "artifact_link",
        ("source", "link_type", "target", "created_by", "created_at"),
        ("source", "link_type", "target"),
        links,
        update=False,
    )
