"""Merging a duplicate entity (and its page) into another, undoing a merge, renaming a slug.

A merge moves the duplicate's edges, names and xrefs to the survivor, marks
the duplicate and its page ``merged`` (their URLs then redirect to the
survivor's page), lists the duplicate in the survivor's ``merged_from``, and
adds one revision to the survivor's page. Everything it changed is kept in
a ``merge_record``, so :func:`unmerge` restores the store exactly.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update

from scidex.kg.model import edge_id, qualified_edge_id
from scidex.queries.artifacts import get_artifact, get_revision, page_for_entity
from scidex.registry.finish import finish
from scidex.registry.ids import now
from scidex.registry.revisions import (
    Actor,
    Conflict,
    Invalid,
    NotFound,
    PageContent,
    audit,
    require,
    save_revision,
)
from scidex.store import bulk
from scidex.store.schema import (
    alias,
    artifact,
    edge,
    edge_kgx,
    entity,
    entity_name,
    entity_publication,
    entity_xref,
    merge_record,
)


@dataclass(frozen=True, slots=True)
class MergeResult:
    merge_id: str
    source: str
    target: str
    edges_moved: int
    edges_collapsed: int
    names_added: int
    xrefs_added: int
    source_page: str | None
    target_page: str | None


def _active_entity(conn: Connection, curie: str) -> Any:
    row = conn.execute(select(entity).where(entity.c.id == curie)).first()
    if row is None:
        raise NotFound(f"no entity {curie!r}")
    if row.lifecycle != "active":
        raise Conflict(
            f"{curie} is {row.lifecycle}" + (f" into {row.merged_into}" if row.merged_into else ""),
            {"current": row.merged_into},
        )
    return row


def _row(r: Any) -> dict[str, Any]:
    return dict(r._mapping)


def _move_papers(conn: Connection, source: str, target: str) -> list[int]:
    """Link the duplicate's papers to the survivor too; returns the PMIDs it gained.

    The duplicate keeps its own rows, so that an undo only removes what was added.
    """
    p = entity_publication
    have = set(conn.execute(select(p.c.pmid).where(p.c.entity_id == target)).scalars())
    rows = [
        (target, pmid, release)
        for pmid, release in conn.execute(
            select(p.c.pmid, p.c.source_release).where(p.c.entity_id == source)
        )
        if pmid not in have
    ]
    bulk.upsert_rows(
        conn, p.name, ("entity_id", "pmid", "source_release"), ("entity_id", "pmid"), rows
    )
    return [pmid for _, pmid, _ in rows]


def _moved_edge_id(r: dict[str, Any], subject: str, obj: str) -> str:
    """The id of edge ``r`` once its ends are ``subject`` and ``obj``, by the same rule.

    An imported edge whose id holds its qualifiers keeps them in its new one, so
    that two edges differing only in their qualifiers stay two.
    """
    predicate, source = r["predicate"], r["primary_knowledge_source"]
    qualifiers = json.loads(r["qualifiers"] or "{}")
    if qualifiers and r["id"] == qualified_edge_id(
        r["subject"], predicate, r["object"], source, qualifiers
    ):
        return qualified_edge_id(subject, predicate, obj, source, qualifiers)
    return edge_id(subject, predicate, obj, source)


def merge_entities(
    conn: Connection, source: str, target: str, actor: Actor, *, reason: str = ""
) -> MergeResult:
    """Merge entity ``source`` into ``target`` (the caller owns the transaction)."""
    require(actor, "curator")
    if source == target:
        raise Invalid("an entity cannot be merged into itself", {"field": "into"})
    src, tgt = _active_entity(conn, source), _active_entity(conn, target)
    if src.category != tgt.category:
        raise Invalid(
            f"{source} is a {src.category} and {target} a {tgt.category}; "
            "only entities of one category merge",
            {"field": "into"},
        )
    stamp = now()

    # Edges: re-point every edge of the duplicate; one that the survivor already
    # states (same predicate, other end and source) collapses into it.
    old_rows = [
        _row(r)
        for r in conn.execute(
            select(edge).where(or_(edge.c.subject == source, edge.c.object == source))
        )
    ]
    old_kept: dict[str, str] = {
        k: columns
        for k, columns in conn.execute(
            select(edge_kgx.c.edge_id, edge_kgx.c.columns).where(
                edge_kgx.c.edge_id.in_([r["id"] for r in old_rows])
            )
        )
    }
    created: list[str] = []
    collapsed = 0
    touched = {source, target}
    for r in old_rows:
        s = target if r["subject"] == source else r["subject"]
        o = target if r["object"] == source else r["object"]
        touched |= {r["subject"], r["object"]}
        new_id = _moved_edge_id(r, s, o)
        if s == o:
            collapsed += 1
            continue
        exists = conn.execute(select(edge.c.id).where(edge.c.id == new_id)).first()
        if exists:
            collapsed += 1
            continue
        conn.execute(edge.insert().values({**r, "id": new_id, "subject": s, "object": o}))
        created.append(new_id)
        if r["id"] in old_kept:
            conn.execute(edge_kgx.insert().values(edge_id=new_id, columns=old_kept[r["id"]]))
    conn.execute(delete(edge).where(edge.c.id.in_([r["id"] for r in old_rows])))
    # The columns an import kept move with their edge; a collapsed edge's go with it.
    conn.execute(delete(edge_kgx).where(edge_kgx.c.edge_id.in_(list(old_kept))))

    # Names and xrefs: the duplicate's become the survivor's (its label a synonym).
    names_added: list[list[str]] = []
    have = {
        (n.norm, n.kind)
        for n in conn.execute(
            select(entity_name.c.norm, entity_name.c.kind).where(entity_name.c.entity_id == target)
        )
    }
    for n in conn.execute(select(entity_name).where(entity_name.c.entity_id == source)).all():
        kind = "synonym" if n.kind in ("label", "symbol") else n.kind
        if (n.norm, kind) in have:
            continue
        have.add((n.norm, kind))
        conn.execute(
            entity_name.insert().values(
                entity_id=target,
                name=n.name,
                norm=n.norm,
                kind=kind,
                source_release=n.source_release,
            )
        )
        names_added.append([n.norm, kind])
    xrefs_added: list[str] = []
    known = set(
        conn.execute(select(entity_xref.c.xref).where(entity_xref.c.entity_id == target)).scalars()
    )
    for x in [
        source,
        *conn.execute(
            select(entity_xref.c.xref).where(entity_xref.c.entity_id == source)
        ).scalars(),
    ]:
        if x not in known and x != target:
            known.add(x)
            conn.execute(
                entity_xref.insert().values(
                    entity_id=target, xref=x, source_release=src.source_release
                )
            )
            xrefs_added.append(x)
    papers_added = _move_papers(conn, source, target)
    conn.execute(
        update(entity).where(entity.c.id == source).values(lifecycle="merged", merged_into=target)
    )

    # Pages: the duplicate's page redirects to the survivor's, which records the merge.
    src_page, tgt_page = page_for_entity(conn, source), page_for_entity(conn, target)
    target_version = None
    if src_page is not None and tgt_page is not None:
        conn.execute(
            update(artifact)
            .where(artifact.c.id == src_page.id)
            .values(lifecycle="merged", merged_into=tgt_page.id, updated_at=stamp)
        )
        merged_from = [
            *tgt_page.merged_from,
            {"id": src_page.id, "entity": source, "merged_at": stamp},
        ]
        conn.execute(
            update(artifact)
            .where(artifact.c.id == tgt_page.id)
            .values(merged_from=bulk.dumps(merged_from))
        )
        for key, kind in ((src_page.slug, "slug"),):
            if key:
                bulk.upsert_rows(
                    conn,
                    "alias",
                    ("alias", "artifact_id", "kind", "created_at"),
                    ("alias",),
                    [(key, tgt_page.id, kind, stamp)],
                )
        rev = get_revision(conn, tgt_page.id, tgt_page.current_version)
        saved = save_revision(
            conn,
            tgt_page.id,
            PageContent(rev.markdown, rev.references, rev.curated_edges)
            if rev
            else PageContent(""),
            base_version=None,
            actor=actor,
            force=True,
            summary=f"merge {source} ({src.name}) into this page"
            + (f": {reason}" if reason else ""),
        )
        target_version = saved.version if saved else None

    # Only the touched entities' edges changed; no page is generated or derived
    # (the survivor's page got its revision above), but names, lifecycles and
    # page text did change, so both search indexes are rebuilt.
    finish(conn, counts=touched, pages=False, datasets=False, rollup=touched)
    merge_id = secrets.token_hex(8)
    payload = {
        "old_edges": old_rows,
        "old_edge_kgx": old_kept,
        "created_edges": created,
        "names_added": names_added,
        "xrefs_added": xrefs_added,
        "papers_added": papers_added,
        "target_page_version": target_version,
        "reason": reason,
    }
    conn.execute(
        merge_record.insert().values(
            id=merge_id,
            at=stamp,
            actor=actor.label,
            source_entity=source,
            target_entity=target,
            source_page=src_page.id if src_page else None,
            target_page=tgt_page.id if tgt_page else None,
            payload=bulk.dumps(payload),
        )
    )
    audit(
        conn,
        actor,
        "merge",
        tgt_page.id if tgt_page else target,
        {
            "merge_id": merge_id,
            "source": source,
            "target": target,
            "edges_moved": len(created),
            "edges_collapsed": collapsed,
        },
    )
    return MergeResult(
        merge_id,
        source,
        target,
        len(created),
        collapsed,
        len(names_added),
        len(xrefs_added),
        src_page.id if src_page else None,
        tgt_page.id if tgt_page else None,
    )


def unmerge(conn: Connection, merge_id: str, actor: Actor) -> None:
    """Undo a merge: the duplicate, its edges, names, xrefs and page come back."""
    require(actor, "curator")
    rec = conn.execute(select(merge_record).where(merge_record.c.id == merge_id)).first()
    if rec is None:
        raise NotFound(f"no merge {merge_id!r}")
    if rec.undone_at:
        raise Conflict(f"merge {merge_id} was already undone at {rec.undone_at}")
    data = json.loads(rec.payload)
    source, target, stamp = rec.source_entity, rec.target_entity, now()
    conn.execute(delete(edge).where(edge.c.id.in_(data["created_edges"])))
    conn.execute(delete(edge_kgx).where(edge_kgx.c.edge_id.in_(data["created_edges"])))
    for row in data["old_edges"]:
        conn.execute(edge.insert().values(row))
    for old_id, columns in data.get("old_edge_kgx", {}).items():
        conn.execute(edge_kgx.insert().values(edge_id=old_id, columns=columns))
    for norm, kind in data["names_added"]:
        conn.execute(
            delete(entity_name).where(
                entity_name.c.entity_id == target,
                entity_name.c.norm == norm,
                entity_name.c.kind == kind,
            )
        )
    if data["xrefs_added"]:
        conn.execute(
            delete(entity_xref).where(
                entity_xref.c.entity_id == target, entity_xref.c.xref.in_(data["xrefs_added"])
            )
        )
    added = data.get("papers_added", [])  # merges recorded before papers were stored lack it
    for start in range(0, len(added), 1000):
        conn.execute(
            delete(entity_publication).where(
                entity_publication.c.entity_id == target,
                entity_publication.c.pmid.in_(added[start : start + 1000]),
            )
        )
    conn.execute(
        update(entity).where(entity.c.id == source).values(lifecycle="active", merged_into=None)
    )
    if rec.source_page and rec.target_page:
        conn.execute(
            update(artifact)
            .where(artifact.c.id == rec.source_page)
            .values(lifecycle="active", merged_into=None, updated_at=stamp)
        )
        tgt = get_artifact(conn, rec.target_page)
        if tgt is not None:
            kept = [
                m
                for m in tgt.merged_from
                if not (isinstance(m, dict) and m.get("id") == rec.source_page)
            ]
            conn.execute(
                update(artifact).where(artifact.c.id == tgt.id).values(merged_from=bulk.dumps(kept))
            )
            src_page = get_artifact(conn, rec.source_page)
            if src_page is not None and src_page.slug:
                conn.execute(delete(alias).where(alias.c.alias == src_page.slug))
            rev = get_revision(conn, tgt.id, tgt.current_version)
            save_revision(
                conn,
                tgt.id,
                PageContent(rev.markdown, rev.references, rev.curated_edges)
                if rev
                else PageContent(""),
                base_version=None,
                actor=actor,
                force=True,
                summary=f"undo merge of {source} ({merge_id})",
            )
    touched = (
        {source, target}
        | {r["subject"] for r in data["old_edges"]}
        | {r["object"] for r in data["old_edges"]}
    )
    finish(conn, counts=touched, pages=False, datasets=False, rollup=touched)  # as merge_entities
    conn.execute(update(merge_record).where(merge_record.c.id == merge_id).values(undone_at=stamp))
    audit(conn, actor, "unmerge", rec.target_page or target, {"merge_id": merge_id})


def rename_slug(conn: Connection, artifact_id: str, new_slug: str, actor: Actor) -> str:
    """Give a page a new slug; the old one stays as an alias that redirects."""
    require(actor, "curator")
    art = get_artifact(conn, artifact_id)
    if art is None:
        raise NotFound(f"no artifact {artifact_id!r}")
    slug = new_slug.strip().lower()
    if not slug or not all(c.isalnum() or c == "-" for c in slug):
        raise Invalid("a slug is lowercase letters, digits and '-'", {"field": "slug"})
    taken = conn.execute(select(artifact.c.id).where(artifact.c.slug == slug)).first()
    if taken or conn.execute(select(alias.c.alias).where(alias.c.alias == slug)).first():
        raise Conflict(f"the slug {slug!r} is taken")
    stamp = now()
    if art.slug:
        bulk.upsert_rows(
            conn,
            "alias",
            ("alias", "artifact_id", "kind", "created_at"),
            ("alias",),
            [(art.slug, art.id, "slug", stamp)],
        )
    conn.execute(
        update(artifact).where(artifact.c.id == art.id).values(slug=slug, updated_at=stamp)
    )
    audit(conn, actor, "rename", art.id, {"from": art.slug, "to": slug})
    return slug
