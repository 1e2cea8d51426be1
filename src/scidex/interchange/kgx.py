"""KGX import and export: Biolink graphs in and out of the store, streaming, atomically.

Import validates every row (CURIE prefixes, Biolink categories and
predicates, known endpoints, knowledge levels) and names the file, line and
field of the first problem; with ``lenient`` bad rows are counted and listed
in a report file instead, never silently dropped. Everything is written in
one transaction, so a failed import leaves the store exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, select

from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange import FORMATS, format_of
from scidex.interchange.parallel import EdgeRowProcess
from scidex.interchange.records import EDGE_COLUMNS, edge_rows, node_from_row, tallied
from scidex.kg.model import (
    Entity,
    SourceRelease,
)
from scidex.registry.finish import finish
from scidex.store import Store, bulk, edge_counts
from scidex.store.rollup import PREDICATES as rollup_predicates
from scidex.store.schema import edge as edge_table
from scidex.store.schema import entity, entity_name, entity_xref, source_release

NODE_COLUMNS = [
    "id",
    "category",
    "name",
    "symbol",
    "description",
    "synonym",
    "previous_symbol",
    "xref",
    "provided_by",
    "attributes",
]


@dataclass
class ImportReport:
    nodes: int = 0
    edges: int = 0
    rejected: Counter[str] = field(default_factory=Counter)  # by reason
    report_path: Path | None = None
    release_id: str = ""
    categories: Counter[str] = field(default_factory=Counter)
    predicates: Counter[str] = field(default_factory=Counter)


def _reason(message: str) -> str:
    """A problem without the value it quotes: ``unknown node 'X:1'`` counts as ``unknown node``."""
    return re.split(r"\s['\"\[{]", message, maxsplit=1)[0].rstrip(":, ")


class _Rejects:
    """Collects bad rows: raises at the first in strict mode, records them in lenient mode."""

    def __init__(self, lenient: bool, path: Path | None) -> None:
        self.lenient = lenient
        self.path = path
        self.counts: Counter[str] = Counter()
        self._fh: TextIO | None = None

    def __call__(self, err: SourceFormatError) -> None:
        if not self.lenient:
            raise err
        self.counts[f"{err.field}: {_reason(err.message)}"] += 1
        if self.path is not None:
            if self._fh is None:
                self._fh = self.path.open("w", encoding="utf-8")
                self._fh.write("file\tline\tfield\tproblem\n")
            self._fh.write(f"{err.file}\t{err.line}\t{err.field}\t{err.message}\n")

    def close(self) -> None:
        if self._fh:
            self._fh.close()


def _estimate_rows(path: Path) -> int:
    """Roughly how many records a KGX file holds, from the line length of its first MiB."""
    size = path.stat().st_size
    if path.name.endswith(".gz"):
        return size * 8 // 160  # KGX text compresses about 8:1, ~160 bytes a line
    with path.open("rb") as fh:
        sample = fh.read(1 << 20)
    return size * sample.count(b"\n") // len(sample) if sample else 0


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        with p.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


def _import_release(nodes: Path, edges: Path) -> SourceRelease:
    digest = _digest(nodes, edges)
    name = f"kgx-{nodes.parent.name or 'import'}"
    return SourceRelease(
        id=f"{name}@{digest[:12]}",
        name=name,
        infores="infores:kgx-import",
        version=digest[:12],
        license="as stated by the graph's publisher",
        attribution=f"imported from {nodes.name} and {edges.name}",
        fetch=f"scidex import kgx {nodes} {edges}",
        archive=f"{nodes.name}, {edges.name}",
        sha256=digest,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _sidecar_releases(nodes: Path) -> list[SourceRelease]:
    """Releases listed by our own export (sources.json): provenance survives a round trip."""
    path = nodes.parent / "sources.json"
    if not path.exists():
        return []
    return [SourceRelease(**r) for r in json.loads(path.read_text("utf-8"))]


# Below this many edges a second process costs more to start than it saves.
PARALLEL_MIN_EDGES = 100_000


def import_kgx(
    store: Store,
    nodes: Path,
    edges: Path,
    *,
    lenient: bool = False,
    report_path: Path | None = None,
    pages: bool = True,
    parallel: bool | None = None,
) -> ImportReport:
    """Import a KGX nodes file and edges file (TSV or JSON Lines) in one transaction.

    With ``pages`` every new entity also gets its generated (backfill) page.
    ``parallel`` builds the edge rows in a second process while this one
    writes them (see ``parallel.py``); by default it does so for large edge
    files on a machine with more than one core.
    """
    read_nodes = FORMATS[format_of(nodes)][0]
    format_of(edges)  # a name that tells no format is refused before anything starts
    release = _import_release(nodes, edges)
    report = ImportReport(release_id=release.id, report_path=report_path if lenient else None)
    rejects = _Rejects(lenient, report_path)
    expected_edges = _estimate_rows(edges)
    if parallel is None:
        parallel = expected_edges >= PARALLEL_MIN_EDGES and (os.cpu_count() or 1) > 1
    with ExitStack() as stack:
        stack.callback(rejects.close)
        # Started first: it reads the edges while this process writes the nodes.
        child = stack.enter_context(EdgeRowProcess(nodes, edges, release.id)) if parallel else None
        with store.atomic() as conn:
            for r in _sidecar_releases(nodes):
                bulk.upsert_source_release(conn, r)
            known = set(conn.execute(select(entity.c.id)).scalars())
            if child:
                child.start(known)
            bulk.upsert_source_release(conn, release)

            def node_records() -> Iterator[Entity]:
                for line, row in read_nodes(nodes):
                    try:
                        e = node_from_row(row, nodes, line, release.id)
                    except SourceFormatError as exc:
                        rejects(exc)
                        continue
                    known.add(e.id)
                    report.categories[e.category] += 1
                    yield e

            report.nodes = bulk.insert_entities(conn, node_records())
            # What needs only the entities comes before the edges: meanwhile the
            # second process reads ahead, and no edge write waits for it.
            _ensure_releases(conn, release)
            # Edge counts wait for the edges (the load tallies them on the way
            # in, below); without ``pages`` no page is generated, derived or
            # reindexed. (The entities' search documents used to be rebuilt
            # before the pages were generated; the steps write disjoint
            # tables, so finish's order stores the same.)
            finish(
                conn,
                pages=pages,
                author="scidex import kgx",
                datasets=pages,
                page_docs=pages,
                rollup=False,
            )

            if child:
                rows = child.rows(rejects)
            else:
                tally = edge_counts.Tally()
                batches = tallied(edge_rows(edges, release.id, known), tally, rejects)
                rows = chain.from_iterable(batches)
            with bulk.loading(conn, edge_table, expected_edges) as load:
                report.edges = load.write(bulk.EDGE_COLUMNS, rows)
            if child:
                assert child.tally is not None  # the rows are all in
                tally = child.tally
            for (_subject, predicate, _release), n in tally.out.items():
                report.predicates[predicate] += n
            tally.write(conn, was_empty=load.was_empty)
            # Releases named only by edges get their dataset artifact too; the
            # diseases' gene associations roll up again only if the import wrote
            # edges they are derived from (the whole table is rebuilt).
            added = bool(_ensure_releases(conn, release)) and pages
            rolls = any(report.predicates[p] for p in rollup_predicates)
            finish(
                conn, pages=False, datasets=added, entity_docs=False, page_docs=added, rollup=rolls
            )
    store.analyze()
    report.rejected = rejects.counts
    return report


def _ensure_releases(conn: Connection, fallback: SourceRelease) -> list[str]:
    """Every release id the import wrote must name a source_release row; returns those added."""
    used = set(conn.execute(select(entity.c.source_release).distinct()).scalars())
    used |= set(conn.execute(select(edge_table.c.source_release).distinct()).scalars())
    have = set(conn.execute(select(source_release.c.id)).scalars())
    added = sorted(r for r in used - have if r)
    for rid in added:
        name = rid.split("@")[0]
        bulk.upsert_source_release(
            conn,
            SourceRelease(
                id=rid,
                name=name,
                infores=fallback.infores,
                version=rid.split("@")[-1],
                license=fallback.license,
                attribution=f"named by {fallback.attribution}",
                fetch=fallback.fetch,
                sha256=fallback.sha256,
                fetched_at=fallback.fetched_at,
            ),
        )
    return added


def _node_rows(conn: Connection, only: set[str] | None = None) -> Iterator[dict[str, Any]]:
    names: dict[str, dict[str, list[str]]] = {}
    for r in conn.execute(
        select(entity_name.c.entity_id, entity_name.c.name, entity_name.c.kind).where(
            entity_name.c.kind.in_(("synonym", "previous_symbol"))
        )
    ):
        if only is None or r.entity_id in only:
            names.setdefault(r.entity_id, {}).setdefault(r.kind, []).append(r.name)
    xrefs: dict[str, list[str]] = {}
    for x in conn.execute(select(entity_xref.c.entity_id, entity_xref.c.xref)):
        if only is None or x.entity_id in only:
            xrefs.setdefault(x.entity_id, []).append(x.xref)
    for r in conn.execute(select(entity).order_by(entity.c.id)):
        if only is not None and r.id not in only:
            continue
        n = names.get(r.id, {})
        yield {
            "id": r.id,
            "category": [r.category],
            "name": r.name,
            "symbol": r.symbol,
            "description": r.description,
            "synonym": sorted(n.get("synonym", [])),
            "previous_symbol": sorted(n.get("previous_symbol", [])),
            "xref": sorted(xrefs.get(r.id, [])),
            "provided_by": [r.source_release] if r.source_release else [],
            "attributes": json.loads(r.attributes),
        }


def _edge_rows(conn: Connection, only: set[str] | None = None) -> Iterator[dict[str, Any]]:
    # Spelled out rather than looped over the declaration (kg.fields): it runs per
    # edge. tests/test_fields.py exports every declared field and reads it back.
    rows = conn.execution_options(stream_results=True, yield_per=10_000).execute(
        select(edge_table).order_by(edge_table.c.id)
    )
    for r in rows:
        if only is not None and (r.subject not in only or r.object not in only):
            continue
        yield {
            "id": r.id,
            "subject": r.subject,
            "predicate": r.predicate,
            "object": r.object,
            "primary_knowledge_source": r.primary_knowledge_source,
            "aggregator_knowledge_source": json.loads(r.aggregator_knowledge_sources),
            "knowledge_level": r.knowledge_level,
            "agent_type": r.agent_type,
            "publications": json.loads(r.publications),
            "has_evidence": json.loads(r.evidence_codes),
            "qualifiers": json.loads(r.qualifiers),
            "confidence": r.confidence,
            "provided_by": [r.source_release] if r.source_release else [],
        }


@dataclass
class ExportReport:
    nodes: int
    edges: int
    files: list[Path]


def export_kgx(
    store: Store, directory: Path, *, fmt: str = "tsv", only: set[str] | None = None
) -> ExportReport:
    """Write nodes, edges and sources.json into ``directory``, streaming from the store.

    With ``only``, just those entities and the edges between them (a subgraph).
    """
    writer = FORMATS[fmt][1]
    directory.mkdir(parents=True, exist_ok=True)
    nodes_path = directory / f"nodes.{fmt}"
    edges_path = directory / f"edges.{fmt}"
    sources_path = directory / "sources.json"
    with store.read() as conn:
        n_nodes = writer(nodes_path, NODE_COLUMNS, _node_rows(conn, only))
        n_edges = writer(edges_path, EDGE_COLUMNS, _edge_rows(conn, only))
        releases = [
            {k: (json.loads(v) if k == "counts" else v) for k, v in r._mapping.items()}
            for r in conn.execute(select(source_release).order_by(source_release.c.id))
        ]
    sources_path.write_text(json.dumps(releases, indent=1, sort_keys=True) + "\n", "utf-8")
    return ExportReport(n_nodes, n_edges, [nodes_path, edges_path, sources_path])
