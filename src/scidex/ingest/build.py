"""Build the default atlas from the pinned public sources, in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scidex.ingest.sources.base import PinnedSource, Source, TableLoader
from scidex.ingest.sources.fetch import (
    ChecksumError,
    FetchError,
    SourceSpec,
    fetch_archive,
    release_for,
)
from scidex.ingest.sources.registry import build_order, get_source
from scidex.ingest.stored import stored_entities
from scidex.ingest.write import IngestReport, SourceInput, prune_stale, write_graph
from scidex.kg.model import SourceRelease
from scidex.progress import NO_PROGRESS, Progress
from scidex.registry.curated import load_curated
from scidex.registry.finish import finish
from scidex.store import Store
from scidex.store.bulk import upsert_source_release

# The registered sources in parse order (manifest.toml's `order`, where the
# reason for the order is told).
BUILD_ORDER = build_order()


@dataclass
class BuildResult:
    releases: list[SourceRelease] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # source -> message
    report: IngestReport | None = None
    pages: dict[str, int] = field(default_factory=dict)
    search_docs: int = 0
    pruned: dict[str, int] = field(default_factory=dict)
    curated: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def release_from(spec: SourceSpec, archive: Path) -> SourceRelease:
    """The release record of a verified archive."""
    release = release_for(spec)
    release.fetched_at = datetime.fromtimestamp(archive.stat().st_mtime, UTC).isoformat(
        timespec="seconds"
    )
    return release


def _timed(name: str, records: Iterable[Any], timings: dict[str, float]) -> Iterator[Any]:
    """Charge the time spent inside a parser to its source."""
    it = iter(records)
    while True:
        t = time.perf_counter()
        try:
            rec = next(it)
        except StopIteration:
            timings[f"parse {name}"] = timings.get(f"parse {name}", 0.0) + time.perf_counter() - t
            return
        timings[f"parse {name}"] = timings.get(f"parse {name}", 0.0) + time.perf_counter() - t
        yield rec


def build_default_atlas(
    store: Store,
    *,
    cache_dir: Path | None = None,
    sources: Iterable[str | Source] | None = None,
    content_dir: Path | None = None,
    log: Callable[[str], None] = print,
    progress: Progress = NO_PROGRESS,
) -> BuildResult:
    """Fetch, verify, parse and write the pinned sources and the curated pages; backfill
    pages for every other entity; index for search.

    ``sources`` are registered names or Source objects, parsed in the order
    given; by default every registered source, in build order. Archives are
    fetched (or taken from ``cache_dir``) and verified against their spec's
    sha256. A source that cannot be fetched is reported and skipped; the rest
    are built. Everything is written in one transaction: a failure leaves the
    store exactly as it was. ``progress`` shows every step: fetching (bytes),
    parsing (rows), writing (entities, edges, links), then pages and search.
    """
    started = time.perf_counter()
    result = BuildResult()
    chosen = [
        get_source(s) if isinstance(s, str) else s
        for s in (build_order() if sources is None else sources)
    ]
    inputs: list[SourceInput] = []
    # Sources that fill tables of their own besides (or instead of) the graph.
    table_loads: list[tuple[str, TableLoader, Path, SourceRelease]] = []
    with progress.task("fetching sources", total=len(chosen), unit="sources") as fetching:
        archives: dict[str, Path] = {}
        for source in chosen:
            name, spec = source.name, source.spec
            try:
                t = time.perf_counter()
                archives[name] = fetch_archive(spec, cache_dir, progress)
                result.timings[f"fetch {name}"] = time.perf_counter() - t
            except (FetchError, ChecksumError) as exc:
                result.failed[name] = str(exc)
                log(f"warning: {exc}")
                log(f"warning: building without {name}: {spec.without or 'its data is missing'}")
            fetching.advance()
    for source in chosen:
        name, spec = source.name, source.spec
        if name not in archives:
            continue
        archive = archives[name]
        release = release_from(spec, archive)
        result.releases.append(release)
        records = _timed(name, source.parse(archive, release.id), result.timings)
        inputs.append(SourceInput(release, records, spec.entities or None, spec.edges or None))
        if isinstance(source, PinnedSource) and source.tables is not None:
            table_loads.append((name, source.tables, archive, release))

    with store.atomic() as conn:
        t = time.perf_counter()
        # Entities stored by the sources not rebuilt now (none in a full build of
        # an empty store) are what the rebuilt sources' ids resolve against.
        with progress.task("reading the stored entities", unit="entities"):
            anchors = stored_entities(conn, {s.name for s in chosen})
        result.timings["stored entities"] = time.perf_counter() - t
        t = time.perf_counter()
        partial = bool(set(build_order()) - {s.name for s in chosen})
        result.report = write_graph(
            conn, inputs, anchors=anchors, keep_stored_attributes=partial, progress=progress
        )
        # Parsers run lazily inside write_graph: their time is charged to them.
        result.timings["write graph"] = (
            time.perf_counter()
            - t
            - sum(v for k, v in result.timings.items() if k.startswith("parse "))
        )
        for release in result.releases:
            release.counts = dict(result.report.release_counts.get(release.id, {}))
        for name, load_tables, archive, release in table_loads:
            started_load = time.perf_counter()
            with progress.task(f"loading {name}", unit="tables"):
                release.counts.update(load_tables(conn, archive, release.id))
            result.timings[f"load {name}"] = time.perf_counter() - started_load
        for release in result.releases:
            upsert_source_release(conn, release)
        t = time.perf_counter()
        with progress.task("loading curated pages", unit="pages"):
            curated = load_curated(conn, content_dir)
        result.curated = {**curated.pages, "edges": curated.edges}
        if curated.release is not None:
            result.releases.append(curated.release)
        result.timings["curated pages"] = time.perf_counter() - t
        t = time.perf_counter()
        with progress.task("pruning rows of older releases", unit="rows"):
            result.pruned = prune_stale(conn, result.releases)
        pruning = time.perf_counter() - t
        # Edge counts need no recount here: write_graph and prune_stale keep them exact.
        done = finish(conn, rollup=True, progress=progress)
        result.pages = dict(done.pages)
        result.timings["backfill pages"] = pruning + done.seconds["pages"]
        result.search_docs = done.search_docs
        result.timings["search index"] = done.seconds["search index"]
        result.timings["disease rollup"] = done.seconds["disease rollup"]
    with progress.task("planner statistics", unit="steps"):
        store.analyze()
    result.seconds = time.perf_counter() - started
    return result
