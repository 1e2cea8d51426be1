"""KGX import: Biolink graphs into the store, streaming, atomically.

Import validates every row (CURIE prefixes, Biolink categories and
predicates, known endpoints, knowledge levels) and names the file, line and
field of the first problem; with ``lenient`` bad rows (malformed ones too)
are counted and listed in a report file instead, never silently dropped.
Everything is written in one transaction, so a failed import leaves the
store exactly as it was. Columns the store has no field for are kept
(``schema.entity_kgx``, ``schema.edge_kgx``) so that the export
(``export.py``) gives every column back.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, Table, func, select

from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange import format_of, read_records
from scidex.interchange.export import NODE_COLUMNS, ExportReport, export_kgx
from scidex.interchange.parallel import EdgeRowProcess
from scidex.interchange.records import (
    EDGE_COLUMNS,
    EdgeRows,
    as_list,
    edge_rows,
    node_record,
    tallied,
)
from scidex.kg.model import Entity, SourceRelease
from scidex.progress import NO_PROGRESS, Progress, tracked
from scidex.registry.finish import finish
from scidex.store import Store, bulk, edge_counts
from scidex.store.rollup import PREDICATES as rollup_predicates
from scidex.store.rows import upsert_rows
from scidex.store.schema import edge as edge_table
from scidex.store.schema import edge_kgx, entity, entity_kgx, source_release

__all__ = [
    "EDGE_COLUMNS",
    "NODE_COLUMNS",
    "ExportReport",
    "ImportReport",
    "NothingImported",
    "ReleaseMeta",
    "export_kgx",
    "import_kgx",
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
    defaulted_sources: int = 0  # edges that took --default-knowledge-source


@dataclass(frozen=True)
class ReleaseMeta:
    """What the importer says of the graph it imports; None where it says nothing."""

    name: str | None = None
    version: str | None = None
    licence: str | None = None
    attribution: str | None = None
    infores: str | None = None
    biolink_version: str | None = None
    fetch: str | None = None  # where it came from, when not the files themselves


LICENCE_NOT_STATED = "licence not stated"


def with_ingest_metadata(meta: ReleaseMeta, metadata: Mapping[str, Any]) -> ReleaseMeta:
    """``meta`` with what the release's ingest metadata says where ``meta`` says nothing.

    Read from the Biolink ingest-metadata slots: the Biolink version
    (``target_data_model_version``), the graph's version (``target_data_version``),
    its licence (``target_license``, else the source's ``source_license``) and, for
    a graph of one source, its infores (``source_infores_id``). What the importer
    gives on the command line wins.
    """

    def text(*keys: str) -> str | None:
        for key in keys:
            value = metadata.get(key)
            if value is not None and str(value).strip():
                return str(value).strip()
        return None

    infores = text("source_infores_id")
    return replace(
        meta,
        biolink_version=meta.biolink_version or text("target_data_model_version"),
        version=meta.version or text("target_data_version"),
        licence=meta.licence or text("target_license", "source_license"),
        infores=meta.infores or (infores if infores and infores.startswith("infores:") else None),
    )


class NothingImported(SourceFormatError):
    """Every row was refused: the store is left as it was and no release is recorded."""


def _reason(message: str) -> str:
    """A problem without the value it quotes: ``unknown node 'X:1'`` counts as ``unknown node``."""
    return re.split(r"\s['\"\[{]", message, maxsplit=1)[0].rstrip(":, ")


class _Rejects:
    """Collects bad rows: raises at the first in strict mode, records them in lenient mode.

    In lenient mode, more than ``max_errors`` bad rows stop the import too.
    """

    def __init__(self, lenient: bool, path: Path | None, max_errors: int | None = None) -> None:
        self.lenient = lenient
        self.path = path
        self.max_errors = max_errors
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
        if self.max_errors is not None and self.total > self.max_errors:
            raise SourceFormatError(
                err.file,
                err.line,
                err.field,
                f"more than {self.max_errors} bad rows (--max-errors); the last: {err.message}",
            )

    @property
    def total(self) -> int:
        return sum(self.counts.values())

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


def _import_release(files: list[Path], meta: ReleaseMeta) -> SourceRelease:
    digest = _digest(*files)
    name = meta.name or f"kgx-{files[0].parent.name or 'import'}"
    version = meta.version or digest[:12]
    names = ", ".join(dict.fromkeys(f.name for f in files))
    return SourceRelease(
        id=f"{name}@{version}",
        name=name,
        infores=meta.infores or "infores:kgx-import",
        version=version,
        license=meta.licence or LICENCE_NOT_STATED,
        attribution=meta.attribution or "",
        fetch=meta.fetch or f"scidex import kgx {' '.join(str(f) for f in files)}",
        archive=names,
        sha256=digest,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        biolink_version=meta.biolink_version or "",
    )


def _provided_by_text(values: Counter[str]) -> str:
    """The ``provided_by`` values a graph names, listed (a release says what it holds)."""
    if not values:
        return ""
    listed = sorted(values)
    more = f" and {len(listed) - 20} more" if len(listed) > 20 else ""
    return "provided_by values in the graph: " + ", ".join(listed[:20]) + more


def _sidecar_releases(nodes: Path) -> list[SourceRelease]:
    """Releases listed by our own export (sources.json): provenance survives a round trip."""
    path = nodes.parent / "sources.json"
    if not path.exists():
        return []
    return [SourceRelease(**r) for r in json.loads(path.read_text("utf-8"))]


# Below this many edges a second process costs more to start than it saves.
PARALLEL_MIN_EDGES = 100_000
# Below this many rows written, the planner's statistics are left as they are
# (ANALYZE reads every table: seconds on a large store, for a handful of rows).
ANALYZE_MIN_ROWS = 10_000


def _paths(given: Path | Sequence[Path]) -> list[Path]:
    return [given] if isinstance(given, Path) else list(given)


def import_kgx(
    store: Store,
    nodes: Path | Sequence[Path],
    edges: Path | Sequence[Path],
    *,
    lenient: bool = False,
    report_path: Path | None = None,
    pages: bool = True,
    parallel: bool | None = None,
    max_errors: int | None = None,
    default_source: str | None = None,
    meta: ReleaseMeta = ReleaseMeta(),
    progress: Progress = NO_PROGRESS,
) -> ImportReport:
    """Import KGX nodes and edges files (TSV, JSON Lines or KGX JSON) in one transaction.

    ``nodes`` and ``edges`` may each be several files, or none (edges between
    stored entities, nodes alone); a KGX JSON document (``graph.json``) is
    given as both. With ``pages`` every new entity also
    gets its generated (backfill) page. ``parallel`` builds the edge rows in
    a second process while this one writes them (see ``parallel.py``); by
    default it does so for one large edge file on a machine with more than
    one core. ``default_source`` is the knowledge source of edges naming none.
    When no row at all could be imported, :class:`NothingImported` is raised
    and the store is left as it was.
    """
    node_files, edge_files = _paths(nodes), _paths(edges)
    if not (node_files or edge_files):
        raise ValueError("no KGX file to import")
    for path in (*node_files, *edge_files):
        format_of(path)  # a name that tells no format is refused before anything starts
    release = _import_release(list(dict.fromkeys((*node_files, *edge_files))), meta)
    report = ImportReport(release_id=release.id, report_path=report_path if lenient else None)
    rejects = _Rejects(lenient, report_path, max_errors)
    expected_edges = sum(_estimate_rows(p) for p in edge_files)
    one_file = len(node_files) == len(edge_files) == 1 and format_of(edge_files[0]) != "json"
    if parallel is None:
        parallel = one_file and expected_edges >= PARALLEL_MIN_EDGES and (os.cpu_count() or 1) > 1
    parallel = parallel and one_file
    provided: Counter[str] = Counter()
    with ExitStack() as stack:
        stack.callback(rejects.close)
        # Started first: it reads the edges while this process writes the nodes.
        child = (
            stack.enter_context(
                EdgeRowProcess(node_files[0], edge_files[0], release.id, default_source)
            )
            if parallel
            else None
        )
        with store.atomic() as conn:
            for f in node_files:
                for r in _sidecar_releases(f):
                    bulk.upsert_source_release(conn, r)
            known = set(conn.execute(select(entity.c.id)).scalars())
            if child:
                child.start(known)
            bulk.upsert_source_release(conn, release)
            node_columns: dict[str, dict[str, Any]] = {}

            def node_records() -> Iterator[Entity]:
                for f in node_files:
                    with progress.task(f"reading nodes from {f.name}", unit="rows") as task:
                        for line, row in read_records(f, "nodes"):
                            task.advance()
                            if isinstance(row, SourceFormatError):
                                rejects(row)
                                continue
                            try:
                                e, columns = node_record(row, f, line, release.id)
                            except SourceFormatError as exc:
                                rejects(exc)
                                continue
                            provided.update(as_list(row.get("provided_by")))
                            node_columns[e.id] = columns
                            known.add(e.id)
                            report.categories[e.category] += 1
                            yield e

            report.nodes = bulk.insert_entities(conn, node_records())
            _keep_columns(conn, entity_kgx, "entity_id", node_columns, node_columns)
            # What needs only the entities comes before the edges: meanwhile the
            # second process reads ahead, and no edge write waits for it.
            named_before = _ensure_releases(conn, release)
            # Edge counts wait for the edges (the load tallies them on the way
            # in, below); without ``pages`` no page is generated, derived or
            # reindexed. (The entities' search documents used to be rebuilt
            # before the pages were generated; the steps write disjoint
            # tables, so finish's order stores the same.)
            if report.nodes:
                finish(
                    conn,
                    pages=pages,
                    author="scidex import kgx",
                    datasets=pages,
                    page_docs=pages,
                    rollup=False,
                )

            to_row = EdgeRows(
                (edge_files or node_files)[0], release.id, known, default_source=default_source
            )
            if child:
                rows: Iterable[tuple[Any, ...]] = child.rows(rejects)
            else:
                tally = edge_counts.Tally()

                def every_edge() -> Iterator[Any]:
                    for f in edge_files:
                        to_row.file = f
                        yield from edge_rows(f, release.id, known, to_row)

                batches = tallied(every_edge(), tally, rejects)
                rows = chain.from_iterable(batches)
            # Columns kept by an earlier import may be gone from this one: the
            # ids written are collected (only then) to drop those.
            edge_ids: set[str] | None = set() if _has_rows(conn, edge_kgx) else None
            with (
                progress.task("writing edges", total=expected_edges or None, unit="edges") as task,
                bulk.loading(conn, edge_table, expected_edges) as load,
            ):
                rows = tracked(rows, task, step=10_000)
                if edge_ids is not None:
                    rows = _collected(rows, edge_ids)
                report.edges = load.write(bulk.EDGE_COLUMNS, rows)
                task.set_total(report.edges)
            if child:
                assert child.tally is not None  # the rows are all in
                tally = child.tally
                to_row.columns, to_row.defaulted = child.columns, child.defaulted
            report.defaulted_sources = to_row.defaulted
            for columns in to_row.columns.values():
                provided.update(as_list(columns.get("provided_by")))
            _keep_columns(conn, edge_kgx, "edge_id", to_row.columns, edge_ids or ())
            if not (report.nodes or report.edges):
                raise NothingImported(
                    ", ".join(str(f) for f in (*node_files, *edge_files)),
                    "-",
                    "import",
                    f"nothing imported: all {rejects.total:,} rows were refused",
                )
            for (_subject, predicate, _release), n in tally.out.items():
                report.predicates[predicate] += n
            tally.write(conn, was_empty=load.was_empty)
            if rejects.total:
                release.counts = {"rejected": rejects.total}
            named = _ensure_releases(conn, release)
            if not meta.attribution:
                provided.update([*named_before, *named])
                release.attribution = _provided_by_text(provided)
            # Releases named only by edges get their dataset artifact too; the
            # diseases' gene associations roll up again only if the import wrote
            # edges they are derived from (the whole table is rebuilt).
            _count_releases(conn, [release, *_releases(conn, [*named_before, *named])])
            # An import of edges alone skipped the first closing step: its release's
            # dataset page comes here.
            added = bool(named or not report.nodes) and pages
            rolls = any(report.predicates[p] for p in rollup_predicates)
            if added or rolls:
                finish(
                    conn,
                    pages=False,
                    datasets=added,
                    entity_docs=False,
                    page_docs=added,
                    rollup=rolls,
                )
    if report.nodes + report.edges >= ANALYZE_MIN_ROWS:
        store.analyze()
    report.rejected = rejects.counts
    return report


def _collected(rows: Iterable[tuple[Any, ...]], ids: set[str]) -> Iterator[tuple[Any, ...]]:
    """Rows as they pass, their ids collected into ``ids``."""
    for row in rows:
        ids.add(row[0])
        yield row


def _has_rows(conn: Connection, table: Table) -> bool:
    return conn.execute(select(table.c[0]).limit(1)).first() is not None


def _keep_columns(
    conn: Connection,
    table: Table,
    key: str,
    columns: dict[str, dict[str, Any]],
    written: Iterable[str] = (),
) -> None:
    """Store each record's extra columns, and drop those kept for records ``written`` again
    without any (a later release of a graph that no longer has the column)."""
    rows = [(k, bulk.dumps(v)) for k, v in columns.items() if v]
    if rows:
        upsert_rows(conn, table.name, (key, "columns"), (key,), rows)
    gone = [k for k in written if not columns.get(k)]
    if gone and _has_rows(conn, table):
        for start in range(0, len(gone), 500):
            conn.execute(table.delete().where(table.c[key].in_(gone[start : start + 500])))


def _ensure_releases(conn: Connection, fallback: SourceRelease) -> list[str]:
    """Every release id the import wrote must name a source_release row; returns those added.

    A release named only by ``provided_by`` is part of the imported graph: it
    takes the graph's licence, publisher and Biolink version, and says where
    it was named.
    """
    used = set(conn.execute(select(entity.c.source_release).distinct()).scalars())
    used |= set(conn.execute(select(edge_table.c.source_release).distinct()).scalars())
    have = set(conn.execute(select(source_release.c.id)).scalars())
    added = sorted(r for r in used - have if r)
    for rid in added:
        name, _, version = rid.partition("@")
        bulk.upsert_source_release(
            conn,
            SourceRelease(
                id=rid,
                name=name,
                infores=fallback.infores,
                version=version or fallback.version,
                license=fallback.license,
                attribution=f"named as provided_by in the graph imported as {fallback.id}",
                fetch=fallback.fetch,
                archive=fallback.archive,
                sha256=fallback.sha256,
                fetched_at=fallback.fetched_at,
                biolink_version=fallback.biolink_version,
            ),
        )
    return added


def _releases(conn: Connection, ids: list[str]) -> list[SourceRelease]:
    rows = conn.execute(select(source_release).where(source_release.c.id.in_(ids)))
    return [
        SourceRelease(**{k: json.loads(v) if k == "counts" else v for k, v in r._mapping.items()})
        for r in rows
    ]


def _count_releases(conn: Connection, releases: list[SourceRelease]) -> None:
    """Record how many entities and edges each release of the import holds."""
    ids = [r.id for r in releases]
    counts: dict[str, dict[str, int]] = {i: {} for i in ids}
    for table, what in ((entity, "nodes"), (edge_table, "edges")):
        query = (
            select(table.c.source_release, func.count())
            .where(table.c.source_release.in_(ids))
            .group_by(table.c.source_release)
        )
        for rid, n in conn.execute(query):
            counts[rid][what] = n
    for r in releases:
        r.counts = {**r.counts, **counts[r.id]}
        bulk.upsert_source_release(conn, r)
