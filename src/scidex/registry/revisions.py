"""The artifact registry's write path: every change is a new revision, attributed and checked.

One function, :func:`save_revision`, writes page content for everyone (the
build's curated pages, editors in the browser, agents with tokens). It takes
the version the writer started from and refuses a stale one with
:class:`Conflict`, so no edit is ever silently overwritten; the revision
table's primary key (artifact, version) makes that hold even between two
writers racing on different processes. Nothing is updated in place or
deleted: a revert is a new revision with old content.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from scidex.kg.model import CURATED_SOURCE, Edge
from scidex.queries.artifacts import ArtifactRecord, RevisionRecord, get_artifact, get_revision
from scidex.registry.ids import content_hash, now
from scidex.store import bulk, edge_counts, rollup
from scidex.store.schema import artifact, audit_log, edge, revision

ROLE_RANK = {"reader": 0, "editor": 1, "curator": 2, "admin": 3}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who writes: an account, an API token, or the system (the build)."""

    kind: str  # account | token | system
    id: str
    name: str
    role: str
    ip: str | None = None

    @property
    def label(self) -> str:
        return self.name if self.kind == "system" else f"{self.kind}:{self.name}"


SYSTEM = Actor("system", "build", "scidex build", "admin")


class WriteError(Exception):
    """A refused write; ``status`` is the HTTP status the web layer answers with."""

    status = 400

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


class Forbidden(WriteError):
    status = 403


class NotFound(WriteError):
    status = 404


class Conflict(WriteError):
    """The write was based on a stale version, or the artifact is no longer current."""

    status = 409


class Invalid(WriteError):
    status = 422


def require(actor: Actor, role: str) -> None:
    if ROLE_RANK.get(actor.role, -1) < ROLE_RANK[role]:
        raise Forbidden(f"{actor.label} has role {actor.role!r}; this needs {role!r} or higher")


@dataclass(slots=True)
class PageContent:
    """What an edit writes: the markdown, its references and its curated edges."""

    markdown: str
    references: dict[str, Any] = field(default_factory=dict)
    curated_edges: list[dict[str, Any]] = field(default_factory=list)

    def hash(self) -> str:
        return content_hash(
            self.markdown,
            {"references": self.references, "curated_edges": self.curated_edges},
        )


def audit(
    conn: Connection, actor: Actor, action: str, target: str, details: dict[str, Any]
) -> None:
    """Append one record to the audit log (never updated, never deleted)."""
    conn.execute(
        audit_log.insert().values(
            at=now(),
            actor=actor.label,
            actor_kind=actor.kind,
            ip=actor.ip,
            action=action,
            target=target,
            details=bulk.dumps(details),
        )
    )


def current_artifact(conn: Connection, artifact_id: str) -> ArtifactRecord:
    art = get_artifact(conn, artifact_id)
    if art is None:
        raise NotFound(f"no artifact {artifact_id!r}")
    if art.lifecycle != "active":
        target = art.merged_into
        raise Conflict(
            f"{artifact_id} is {art.lifecycle}" + (f"; edit {target} instead" if target else ""),
            {"lifecycle": art.lifecycle, "current": target},
        )
    return art


def replace_curated_edges(conn: Connection, entity_id: str, edges: list[Edge]) -> None:
    """An entity's curated edges are those of its page's current revision: swap them."""
    old = conn.execute(
        select(edge.c.object, edge.c.predicate).where(
            edge.c.subject == entity_id, edge.c.primary_knowledge_source == CURATED_SOURCE
        )
    ).all()
    conn.execute(
        edge.delete().where(
            edge.c.subject == entity_id, edge.c.primary_knowledge_source == CURATED_SOURCE
        )
    )
    bulk.insert_edges(conn, edges, recount=False)
    edge_counts.refresh(conn, {entity_id, *(o for o, _ in old), *(e.object for e in edges)})
    # A curated association or subtype link changes the diseases' roll-up above it.
    rolled = {o for o, p in old if p in rollup.PREDICATES}
    rolled |= {e.object for e in edges if e.predicate in rollup.PREDICATES}
    if rolled:
        rollup.refresh(conn, {entity_id, *rolled})


def save_revision(
    conn: Connection,
    artifact_id: str,
    content: PageContent,
    *,
    base_version: int | None,
    actor: Actor,
    summary: str,
    edges: list[Edge] | None = None,
    origin_type: str | None = None,
    extra: dict[str, Any] | None = None,
    title: str | None = None,
    force: bool = False,
) -> RevisionRecord | None:
    """Append a revision based on ``base_version``; returns None when nothing changed.

    ``edges`` are the curated edges as graph edges (already resolved and
    validated by the caller); they replace the entity's previous ones. Raises
    Conflict when ``base_version`` is not the current version.
    """
    art = current_artifact(conn, artifact_id)
    if base_version is not None and base_version != art.current_version:
        theirs = get_revision(conn, art.id, art.current_version)
        raise Conflict(
            f"{art.id} is at version {art.current_version}, not {base_version}: "
            "someone saved in between; merge their edit and save again",
            {
                "current_version": art.current_version,
                "base_version": base_version,
                "current": {
                    "author": theirs.author if theirs else None,
                    "summary": theirs.summary if theirs else None,
                    "created_at": theirs.created_at if theirs else None,
                    "markdown": theirs.markdown if theirs else None,
                },
            },
        )
    current = get_revision(conn, art.id, art.current_version)
    digest = content.hash()
    unchanged_meta = origin_type in (None, art.origin_type) and title in (None, art.title)
    if current is not None and current.content_hash == digest and unchanged_meta and not force:
        return None
    version = art.current_version + 1
    stamp = now()
    try:
        # A savepoint: losing the race on the primary key must not poison the
        # caller's transaction.
        with conn.begin_nested():
            conn.execute(
                revision.insert().values(
                    artifact_id=art.id,
                    version=version,
                    markdown=content.markdown,
                    refs=bulk.dumps(content.references),
                    curated_edges=bulk.dumps(content.curated_edges),
                    summary=summary,
                    author=actor.label,
                    created_at=stamp,
                    content_hash=digest,
                    parent_version=art.current_version or None,
                )
            )
    except IntegrityError as exc:
        raise Conflict(
            f"{art.id} version {version} was saved by someone else a moment ago; reload",
            {"current_version": version, "base_version": base_version},
        ) from exc
    values: dict[str, Any] = {"current_version": version, "updated_at": stamp}
    if origin_type:
        values["origin_type"] = origin_type
    if title:
        values["title"] = title
    if extra:
        values["metadata"] = bulk.dumps({**art.metadata, **extra})
    moved = conn.execute(
        update(artifact)
        .where(artifact.c.id == art.id, artifact.c.current_version == art.current_version)
        .values(**values)
    )
    if moved.rowcount != 1:
        raise Conflict(f"{art.id} changed while saving; reload", {"base_version": base_version})
    if edges is not None and art.kg_node_id:
        replace_curated_edges(conn, art.kg_node_id, edges)
    audit(conn, actor, "edit", art.id, {"version": version, "summary": summary})
    return get_revision(conn, art.id, version)


def revert(
    conn: Connection, artifact_id: str, to_version: int, *, base_version: int, actor: Actor
) -> RevisionRecord:
    """Make ``to_version``'s content current again, as a new revision."""
    require(actor, "curator")
    old = get_revision(conn, artifact_id, to_version)
    if old is None:
        raise NotFound(f"{artifact_id} has no version {to_version}")
    content = PageContent(old.markdown, old.references, old.curated_edges)
    saved = save_revision(
        conn,
        artifact_id,
        content,
        base_version=base_version,
        actor=actor,
        summary=f"revert to version {to_version}",
    )
    if saved is None:
        raise Conflict(f"version {to_version} is already the current content of {artifact_id}")
    return saved


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: str  # same | add | del
    text: str
    old_no: int | None
    new_no: int | None


def diff_revisions(old: RevisionRecord, new: RevisionRecord) -> list[DiffLine]:
    """Line diff of two revisions' markdown (references and edges as JSON lines)."""

    def lines(r: RevisionRecord) -> list[str]:
        extra = json.dumps(
            {"references": r.references, "curated_edges": r.curated_edges},
            indent=1,
            sort_keys=True,
            ensure_ascii=False,
        )
        marker = "--- references and curated edges ---"
        return [*r.markdown.splitlines(), "", marker, *extra.splitlines()]

    a, b = lines(old), lines(new)
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [DiffLine("same", a[i], i + 1, j1 + k + 1) for k, i in enumerate(range(i1, i2))]
            continue
        out += [DiffLine("del", a[i], i + 1, None) for i in range(i1, i2)]
        out += [DiffLine("add", b[j], None, j + 1) for j in range(j1, j2)]
    return out
