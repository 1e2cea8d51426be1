"""``scidex bench``: what users feel, each figure next to a baseline from the same run.

Suites (``--only NAME``): ``page``, ``search``, ``neighbourhood``, ``import``,
``build``, ``http`` (the default set; ``build`` is skipped by ``--quick``,
``http`` when wrk is not installed) and ``scale`` (synthetic graphs, on
request). :func:`run_bench` checks that the
store holds what the chosen suites need before measuring anything, runs
them, and returns the figures with the JSON document written for the run.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scidex.bench.http import http_suite
from scidex.bench.loading import build_suite, import_suite, require_loader_tools
from scidex.bench.report import result_document, write_json
from scidex.bench.runner import Figure, git_commit, machine_info
from scidex.bench.scale import scale_suite
from scidex.bench.suites import (
    BenchConfig,
    Dataset,
    MissingData,
    inspect_dataset,
    neighbourhood_suite,
    page_suite,
    require_atlas,
    search_suite,
)
from scidex.config import Settings
from scidex.store import Store, redact_url

Suite = Callable[[Store, Settings, Dataset, BenchConfig], list[Figure]]

SUITES: dict[str, tuple[Suite, str]] = {
    "page": (page_suite, "BACH1 and the largest entity page, in-process, vs a static file"),
    "search": (search_suite, "search and typeahead vs the bare FTS query"),
    "neighbourhood": (neighbourhood_suite, "first neighbourhood page, edges between two"),
    "import": (import_suite, "KGX import into an empty store vs the database's bulk loader"),
    "build": (build_suite, "full default build from cached sources: time and peak memory"),
    "http": (http_suite, "scidex serve under wrk: BACH1 page, search, neighbourhood listing"),
    "scale": (scale_suite, "page and neighbourhood figures on synthetic graphs"),
}
DEFAULT_SUITES = ("page", "search", "neighbourhood", "import", "build", "http")

__all__ = [
    "DEFAULT_SUITES",
    "SUITES",
    "BenchConfig",
    "BenchRun",
    "MissingData",
    "choose_suites",
    "run_bench",
]


@dataclass
class BenchRun:
    figures: list[Figure]
    document: dict[str, Any]
    path: Path | None = None
    skipped: list[str] = field(default_factory=list)


def choose_suites(only: list[str] | None, quick: bool) -> tuple[list[str], list[str]]:
    """The suites to run, in order, and those skipped (with why). Raises ValueError on an
    unknown name."""
    unknown = [s for s in only or [] if s not in SUITES]
    if unknown:
        raise ValueError(f"unknown suite(s) {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    if only:
        return [s for s in SUITES if s in only], []
    chosen = list(DEFAULT_SUITES)
    skipped = []
    if quick:
        chosen.remove("build")
        skipped.append("build (skipped by --quick)")
    if shutil.which("wrk") is None:
        # Asked for by name it is an error (MissingData); by default, a note.
        chosen.remove("http")
        skipped.append("http (needs wrk: apt-get install -y wrk)")
    return chosen, [*skipped, "scale (only with --only scale)"]


def run_bench(
    store: Store,
    settings: Settings,
    config: BenchConfig,
    suites: list[str],
    *,
    out_dir: Path | None,
) -> BenchRun:
    """Check the data, measure ``suites``, and write the JSON document into ``out_dir``.

    Raises MissingData (nothing measured yet) when the store lacks what a
    suite needs; the message says which dataset to build and how.
    """
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    config.log("inspecting the store")
    data = inspect_dataset(store)
    require_atlas(store, data, suites)
    require_loader_tools(store, suites, settings)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="scidex-bench-") as tmp:
        config.workdir = Path(tmp)
        for name in suites:
            figures += SUITES[name][0](store, settings, data, config)
    document = result_document(
        started=started,
        backend=store.dialect,
        store_url=redact_url(store.url),
        machine=machine_info(),
        git=git_commit(),
        dataset={"backend": store.dialect, **data.to_json()},
        settings={
            "suites": suites,
            "quick": config.quick,
            "requests": config.requests,
            "repeats": config.repeats,
            "import_edges": config.edges,
            "import_rounds": config.rounds,
            "build_rounds": config.build_rounds,
            "scale_edges": list(config.scale_edges),
            "http": {
                "seconds": config.http_seconds,
                "connections": config.http_connections,
                "workers": list(config.http_workers),
            },
        },
        figures=figures,
        seconds=time.perf_counter() - t0,
    )
    run = BenchRun(figures, document)
    if out_dir is not None:
        run.path = write_json(document, out_dir, started, store.dialect)
    return run
