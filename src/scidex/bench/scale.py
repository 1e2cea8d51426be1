"""Scale: the same per-request figures on synthetic graphs of growing size.

For each size, a synthetic graph (``synthetic.py``) is imported into an
empty store of the same backend as ``--db`` and analysed, and the page of the biggest hub
gene, the page of a median gene and the hub's first neighbourhood page are
measured against their baselines. Per-request cost that grows with the size
of the graph, or with a hub's degree, shows up as a growing ratio.
"""

from __future__ import annotations

import shutil
import time

from scidex.bench.loading import fresh_store_url, scidex_import, synthetic_graph
from scidex.bench.runner import Figure
from scidex.bench.suites import BenchConfig, Dataset, MissingData, neighbour_figures, render_pages
from scidex.config import Settings
from scidex.queries.artifacts import page_for_entity
from scidex.store import Store


def _label(edges: int) -> str:
    return f"{edges / 1_000_000:g}M" if edges >= 1_000_000 else f"{edges // 1000}k"


def analyze(store: Store) -> float:
    """Gather planner statistics, as ``scidex build`` does after writing.

    ``import_kgx`` does not (yet): without statistics SQLite looks pages up
    through the low-selectivity ``ix_artifact_type`` index and scans every
    page, so per-page cost grows with the graph. The figures here are for an
    analysed store, the state a built atlas is in.
    """
    t = time.perf_counter()
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    else:
        with store.atomic() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - t


def scale_suite(
    store: Store, settings: Settings, data: Dataset, config: BenchConfig
) -> list[Figure]:
    figures: list[Figure] = []
    for size in config.scale_edges:
        tag = f"scale {_label(size)}"
        graph = synthetic_graph(config, size)
        degree = dict(graph.hubs)
        hub_gene = next((n for n, _d in graph.hubs if n.startswith("HGNC:")), None)
        if hub_gene is None:
            raise MissingData("the synthetic graph has no hub gene among its top nodes")
        try:
            with fresh_store_url(store, config.workdir) as url:
                seconds = scidex_import(url, graph)
                config.log(f"{tag}: imported {graph.edges:,} edges in {seconds:.1f} s")
                target = Store.open(url)
                try:
                    analyze_seconds = analyze(target)
                    config.log(f"{tag}: ANALYZE took {analyze_seconds:.1f} s")
                    with target.read() as conn:
                        pages = {c: page_for_entity(conn, c) for c in (hub_gene, graph.median_gene)}
                    missing = [c for c, p in pages.items() if p is None]
                    if missing:
                        raise MissingData(f"{tag}: the import made no page for {missing}")
                    hub_page = pages[hub_gene]
                    median_page = pages[graph.median_gene]
                    assert hub_page is not None and median_page is not None
                    hub = f"hub gene {hub_gene} ({degree[hub_gene]:,} edges)"
                    sized = render_pages(
                        target,
                        settings,
                        config,
                        [(hub, hub_page.id), (f"median gene {graph.median_gene}", median_page.id)],
                        suite=tag,
                    )
                    sized += neighbour_figures(target, config, [(hub, hub_gene)], suite=tag)
                    for f in sized:
                        f.extra |= {
                            "graph_edges": graph.edges,
                            "import_seconds": round(seconds, 1),
                            "analyze_seconds": round(analyze_seconds, 1),
                        }
                    figures += sized
                finally:
                    target.close()
        finally:
            shutil.rmtree(graph.directory, ignore_errors=True)
    return figures
