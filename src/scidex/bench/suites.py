"""What ``scidex bench`` measures against a built store: pages, search, neighbourhoods.

Each suite returns :class:`~scidex.bench.runner.Figure` objects, every one
paired with the cheapest way to produce the same bytes or rows (a static
file of the same size, the bare FTS query, the bare indexed SQL), measured
in the same loop. The write-side suites (import, build) are in
:mod:`scidex.bench.loading`.
"""

from __future__ import annotations

import cProfile
import pstats
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select, text

from scidex.bench.asgi import BENCH_STATIC_PREFIX, InProcessClient, mount_static_baseline
from scidex.bench.runner import Figure, Stats, paired
from scidex.config import Settings
from scidex.kg.urls import urls
from scidex.queries import graph
from scidex.queries import search as search_module
from scidex.queries.artifacts import page_for_entity
from scidex.queries.search import search
from scidex.store import Store
from scidex.store.schema import artifact, edge, entity, search_doc
from scidex.store.search_index import fts_search

BACH1_PAGE = "wiki-genes-bach1"
ALZHEIMER = "MONDO:0004975"
BACH1 = "HGNC:935"

# What a researcher types: a symbol, the start of a disease name, bare OMIM
# and UniProt numbers, a CURIE, a phrase, a name.
SEARCH_QUERIES = (
    "bach1",
    "alzh",
    "602751",
    "O14867",
    "NCBIGene:571",
    "oxidative stress",
    "parkinson",
)
# The typeahead asks from the first keystroke (atlas.js, limit=8).
TYPEAHEAD_PREFIXES = ("b", "ba", "bac", "bach", "a", "al", "alz", "p", "par", "park", "ox", "oxid")
TYPEAHEAD_LIMIT = 8

PAGE_TARGET = "median<20 p99<60"
SEARCH_TARGET = "median<10 p99<30"
NEIGHBOUR_TARGET = "median<10"


class MissingData(Exception):
    """The store lacks what a suite needs; the message says what to build and how."""


@dataclass(slots=True)
class BenchConfig:
    """How much to measure. ``quick`` trades precision for a run under two minutes."""

    quick: bool = False
    requests: int = 500  # page renders per page (and per baseline)
    repeats: int = 200  # calls per search query / neighbourhood case
    edges: int = 1_000_000  # KGX import size
    rounds: int = 3  # fresh-store rounds of the import (each: ours and the baseline)
    build_rounds: int = 1
    scale_edges: tuple[int, ...] = (1_000_000,)  # synthetic graph sizes for the scale suite
    http_seconds: int = 10  # wrk duration per endpoint
    http_connections: int = 16
    http_workers: tuple[int, ...] = (1, 2)  # server processes, one load run each
    profile: bool = False
    workdir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))
    log: Callable[[str], None] = print

    @classmethod
    def make(cls, *, quick: bool, requests: int | None = None, **kw: Any) -> BenchConfig:
        if quick:
            base = cls(
                quick=True,
                requests=100,
                repeats=30,
                edges=100_000,
                rounds=1,
                scale_edges=(100_000,),
                http_seconds=3,
                http_workers=(1,),
            )
        else:
            base = cls()
        if requests is not None:
            base.requests = requests
        for k, v in kw.items():
            if v is not None:
                setattr(base, k, v)
        return base


@dataclass(slots=True)
class Dataset:
    """What the store holds, found once before anything is measured."""

    backend: str
    entities: int
    edges: int
    artifacts: int
    search_docs: int
    bach1_page: str | None
    bach1_degree: int
    largest_entity: str | None
    largest_degree: int
    largest_page: str | None
    alzheimer_page: str | None = None
    alzheimer_degree: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "entities": self.entities,
            "edges": self.edges,
            "artifacts": self.artifacts,
            "search_docs": self.search_docs,
            "bach1": {"entity": BACH1, "page": self.bach1_page, "degree": self.bach1_degree},
            "largest": {
                "entity": self.largest_entity,
                "page": self.largest_page,
                "degree": self.largest_degree,
            },
            "alzheimer": {
                "entity": ALZHEIMER,
                "page": self.alzheimer_page,
                "degree": self.alzheimer_degree,
            },
        }


def inspect_dataset(store: Store) -> Dataset:
    """Counts, the BACH1 page, and the entity with the most edges (one GROUP BY)."""
    with store.read() as conn:

        def count(table: Any) -> int:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

        ends = select(edge.c.subject.label("node")).union_all(select(edge.c.object)).subquery()
        top = conn.execute(
            select(ends.c.node, func.count().label("n"))
            .group_by(ends.c.node)
            .order_by(func.count().desc(), ends.c.node)
            .limit(1)
        ).first()
        bach1_row = conn.execute(
            select(artifact.c.id).where(artifact.c.id == BACH1_PAGE, artifact.c.kg_node_id == BACH1)
        ).first()

        def degree(curie: str) -> int:
            where = (edge.c.subject == curie) | (edge.c.object == curie)
            return int(
                conn.execute(select(func.count()).select_from(edge).where(where)).scalar_one()
            )

        bach1_degree = degree(BACH1)
        largest_page = page_for_entity(conn, top.node) if top else None
        ad_page = page_for_entity(conn, ALZHEIMER)
        ad_degree = degree(ALZHEIMER)
        return Dataset(
            backend=store.dialect,
            entities=count(entity),
            edges=count(edge),
            artifacts=count(artifact),
            search_docs=count(search_doc),
            bach1_page=bach1_row.id if bach1_row else None,
            bach1_degree=bach1_degree,
            largest_entity=top.node if top else None,
            largest_degree=int(top.n) if top else 0,
            largest_page=largest_page.id if largest_page else None,
            alzheimer_page=ad_page.id if ad_page else None,
            alzheimer_degree=ad_degree,
        )


def build_hint(store: Store) -> str:
    return (
        f"build the default atlas into it first: `scidex --db {store.url} build` "
        "(about a minute; the first run downloads ~110 MB of pinned sources)"
    )


def require_atlas(store: Store, data: Dataset, suites: list[str]) -> None:
    """Raise MissingData, before anything is measured, when a chosen suite lacks its data."""
    needs_atlas = [s for s in suites if s in ("page", "search", "neighbourhood")]
    if not needs_atlas:
        return
    what = ", ".join(needs_atlas)
    if data.edges == 0 or data.bach1_page is None:
        raise MissingData(
            f"the store {store.url} has no default atlas (no BACH1 page {BACH1_PAGE!r}, "
            f"{data.edges:,} edges), which the {what} suite(s) measure; {build_hint(store)}. "
            "The import suite needs no data: `scidex bench --only import`."
        )
    if "page" in suites and data.largest_page is None:
        raise MissingData(
            f"the entity with the most edges ({data.largest_entity}) has no page; "
            f"rebuild the atlas: {build_hint(store)}"
        )
    if "search" in suites and data.search_docs == 0:
        raise MissingData(f"the search index is empty; {build_hint(store)}")


# -- page render --------------------------------------------------------------


def _static_twin(body: bytes, directory: Path, name: str) -> str:
    """Write a file of exactly the page's size (its own bytes) for the baseline."""
    (directory / name).write_bytes(body)
    return f"{BENCH_STATIC_PREFIX}/{name}"


def profile_top(call: Callable[[], object], runs: int = 30, top: int = 12) -> dict[str, Any]:
    """Where ``runs`` calls spend their time (cProfile): the functions with the most own
    time, and the scidex functions with the most cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(runs):
        call()
    prof.disable()
    rows = []
    # Stats.stats is the raw table pstats keeps but does not document, so typeshed lacks it.
    raw: dict[Any, Any] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    for (file, line, fn), (_cc, ncalls, tt, ct, _callers) in raw.items():
        rows.append(
            {
                "function": f"{_short_path(file)}:{line}({fn})",
                "calls_per_run": round(ncalls / runs, 1),
                "own_ms_per_run": round(tt * 1000 / runs, 3),
                "cumulative_ms_per_run": round(ct * 1000 / runs, 3),
            }
        )
    own = sorted(rows, key=lambda r: r["own_ms_per_run"], reverse=True)[:top]
    ours = [r for r in rows if r["function"].startswith("scidex/")]
    cumulative = sorted(ours, key=lambda r: r["cumulative_ms_per_run"], reverse=True)[:top]
    return {"runs": runs, "own_time": own, "scidex_cumulative": cumulative}


def _short_path(file: str) -> str:
    parts = Path(file).parts
    for anchor in ("site-packages", "src"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor) + 1 :])
    return Path(file).name


def page_handler_call(app: Any, page_id: str) -> Callable[[], object]:
    """The page's route handler called in this thread, for profiling: under the app the
    handler runs in a worker thread, which cProfile does not see."""
    from starlette.requests import Request

    from scidex.web.routes.artifacts import artifact as artifact_handler

    path = urls.artifact(page_id)
    scope = {
        "type": "http",
        "app": app,
        "router": app.router,
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"bench.local")],
        "root_path": "",
        "scheme": "http",
        "server": ("bench.local", 80),
        "client": ("127.0.0.1", 50000),
    }

    def call() -> object:
        request = Request(dict(scope))
        return artifact_handler(request, app.state.store, page_id, version=None, embed=False)

    return call


def render_pages(
    store: Store,
    settings: Settings,
    config: BenchConfig,
    pages: list[tuple[str, str]],
    suite: str = "page",
) -> list[Figure]:
    """Render each (label, artifact id) page ``config.requests`` times through the whole app,
    in-process, against a static file of the same size served by the same app.

    The app keeps rendered pages for anonymous readers (``PageCache``); each
    page is measured rendered every time (the cache turned off, what a first
    reader after a write waits for) and then served from that cache.
    """
    from scidex.web import create_app
    from scidex.web.rendering import PageCache

    app = create_app(settings, store)
    client = InProcessClient(app)
    figures = []
    try:
        with tempfile.TemporaryDirectory(dir=config.workdir) as tmp:
            mount_static_baseline(app, Path(tmp))
            for label, page_id in pages:
                path = urls.artifact(page_id)
                first = client.getter(path)()
                static = _static_twin(first.body, Path(tmp), f"{page_id}.html")
                for cached in (False, True):
                    app.state.page_cache = PageCache(size=512 if cached else 0)
                    how = "from the page cache" if cached else "rendered"
                    config.log(
                        f"{suite}: {path} ({len(first.body):,} B) {how}, {config.requests} requests"
                    )
                    measured, base = paired(
                        [(client.getter(path), client.getter(static))],
                        n=config.requests,
                        warmup=5,
                    )
                    fig = Figure(
                        suite,
                        f"page {label}, {how}",
                        Stats.of(measured),
                        f"static file {len(first.body):,} B",
                        Stats.of(base),
                        target=PAGE_TARGET,
                        extra={"path": path, "bytes": len(first.body), "cached": cached},
                    )
                    fig.met = fig.stats.median_ms < 20 and fig.stats.p99_ms < 60
                    if config.profile and not cached:
                        fig.extra["profile"] = profile_top(page_handler_call(app, page_id))
                    figures.append(fig)
    finally:
        client.close()
    return figures


def page_suite(
    store: Store, settings: Settings, data: Dataset, config: BenchConfig
) -> list[Figure]:
    """The BACH1 page, the Alzheimer disease page (with its genes rolled up from its
    subtypes) and the page of the entity with the most edges."""
    assert data.bach1_page is not None and data.largest_page is not None
    pages = [
        (f"BACH1 ({data.bach1_degree:,} edges)", data.bach1_page),
        (f"largest {data.largest_entity} ({data.largest_degree:,} edges)", data.largest_page),
    ]
    if data.alzheimer_page is not None:
        pages.insert(
            1, (f"Alzheimer disease ({data.alzheimer_degree:,} edges)", data.alzheimer_page)
        )
    return render_pages(store, settings, config, pages)


# -- search -------------------------------------------------------------------


def _in_read(store: Store, fn: Callable[[Connection], object]) -> Callable[[], object]:
    """A call that checks out a connection per request, as the web handlers do."""

    def call() -> object:
        with store.read() as conn:
            return fn(conn)

    return call


def _search_cases(
    store: Store, queries: tuple[str, ...], limit: int, typeahead: bool = False
) -> list[tuple[Callable[[], object], Callable[[], object]]]:
    # The typeahead has its own entry point in newer versions (it skips the text
    # tier for one- and two-letter prefixes); before that it was search(limit=8).
    answer: Callable[..., object] = search
    if typeahead:
        answer = getattr(search_module, "typeahead", search)

    def case(q: str) -> tuple[Callable[[], object], Callable[[], object]]:
        return (
            _in_read(store, lambda c: answer(c, q, limit=limit)),
            _in_read(store, lambda c: fts_search(c, q, limit=limit)),
        )

    return [case(q) for q in queries]


def search_suite(
    store: Store, settings: Settings, data: Dataset, config: BenchConfig
) -> list[Figure]:
    """Ranked search (resolution tiers + FTS) and the typeahead, against the bare FTS query."""
    figures = []
    with store.read() as conn:
        if not search(conn, "bach1").hits:
            raise MissingData(f"searching 'bach1' finds nothing; {build_hint(store)}")
    for label, queries, limit in (
        ("search", SEARCH_QUERIES, 20),
        ("typeahead", TYPEAHEAD_PREFIXES, TYPEAHEAD_LIMIT),
    ):
        n = config.repeats * len(queries)
        config.log(f"search: {label}, {len(queries)} queries x {config.repeats}")
        cases = _search_cases(store, queries, limit, typeahead=label == "typeahead")
        measured, base = paired(cases, n=n, warmup=2)
        fig = Figure(
            "search",
            f"{label} ({len(queries)} queries, limit {limit})",
            Stats.of(measured),
            "fts_search",
            Stats.of(base),
            target=SEARCH_TARGET,
            extra={"queries": list(queries)},
        )
        fig.met = fig.stats.median_ms < 10 and fig.stats.p99_ms < 30
        figures.append(fig)
        # Per query as well: a pooled median can hide one slow query.
        k = len(queries)
        for i, q in enumerate(queries):
            figures.append(
                Figure(
                    "search",
                    f"  {label} {q!r}",
                    Stats.of(measured[i::k]),
                    "fts_search",
                    Stats.of(base[i::k]),
                )
            )
    return figures


# -- neighbourhood ------------------------------------------------------------

_EDGE_COLS = ", ".join(c.name for c in edge.columns)  # every column, as graph.py reads them


def bare_neighbour_page(conn: Connection, curie: str, limit: int = 50) -> list[Any]:
    """The floor under a neighbourhood page: the indexed range scan per direction, no join,
    no decoding. Like graph.neighbours, it asks one row more to know there is a next page."""
    rows: list[Any] = []
    for near in ("subject", "object"):
        need = limit + 1 - len(rows)
        if need <= 0:
            break
        rows += conn.execute(
            text(
                f"SELECT {_EDGE_COLS} FROM edge WHERE {near} = :c "
                "ORDER BY predicate DESC, score DESC, id DESC LIMIT :n"
            ),
            {"c": curie, "n": need},
        ).all()
    return rows


def bare_edges_between(conn: Connection, a: str, b: str) -> Sequence[Any]:
    """The floor under "edges between two entities": both directions, indexed, no join."""
    return conn.execute(
        text(
            f"SELECT {_EDGE_COLS} FROM edge WHERE subject = :a AND object = :b "
            f"UNION ALL SELECT {_EDGE_COLS} FROM edge WHERE subject = :b AND object = :a"
        ),
        {"a": a, "b": b},
    ).all()


def edges_between(conn: Connection, a: str, b: str) -> list[graph.NeighbourEdge]:
    """The app's edges between two entities: graph.edges_between when the graph module
    has it, else the neighbourhood query (join, decoding) narrowed to the other end."""
    own = getattr(graph, "edges_between", None)
    if own is not None:
        result = own(conn, a, b)
        return list(getattr(result, "edges", result))
    out: list[graph.NeighbourEdge] = []
    for direction, far in (("out", edge.c.object), ("in", edge.c.subject)):
        stmt = graph._neighbour_query(a, direction, None, None, 500).where(far == b)
        out += [graph._neighbour(r, direction) for r in conn.execute(stmt)]
    return out


def neighbour_figures(
    store: Store, config: BenchConfig, entities: list[tuple[str, str]], suite: str
) -> list[Figure]:
    """First page (50 edges) of each (label, entity), and the edges between it and its first
    neighbour, against the bare indexed SQL."""

    def cases_of(
        label: str, curie: str, partner: str
    ) -> list[tuple[str, Callable[[], object], str, Callable[[], object]]]:
        return [
            (
                f"neighbours p.1 {label}",
                _in_read(store, lambda c: graph.neighbours(c, curie, limit=50)),
                "bare SQL",
                _in_read(store, lambda c: bare_neighbour_page(c, curie)),
            ),
            (
                f"edges between {curie} and {partner}",
                _in_read(store, lambda c: edges_between(c, curie, partner)),
                "bare SQL",
                _in_read(store, lambda c: bare_edges_between(c, curie, partner)),
            ),
        ]

    figures = []
    for label, curie in entities:
        with store.read() as conn:
            first = graph.neighbours(conn, curie, limit=50)
            if not first.edges:
                raise MissingData(f"{curie} has no edges; {build_hint(store)}")
            partner = first.edges[0].other_id
        config.log(f"{suite}: {curie}, {config.repeats * 2} x first page, edges to {partner}")
        cases = cases_of(label, curie, partner)
        for name, fn, base_name, base_fn in cases:
            measured, base = paired([(fn, base_fn)], n=config.repeats * 2, warmup=5)
            fig = Figure(
                suite,
                name,
                Stats.of(measured),
                base_name,
                Stats.of(base),
                target=NEIGHBOUR_TARGET,
                extra={"entity": curie},
            )
            fig.met = fig.stats.median_ms < 10
            figures.append(fig)
    return figures


def neighbourhood_suite(
    store: Store, settings: Settings, data: Dataset, config: BenchConfig
) -> list[Figure]:
    """The entity with the most edges, and BACH1."""
    assert data.largest_entity is not None
    entities = [
        (f"largest {data.largest_entity} ({data.largest_degree:,} edges)", data.largest_entity),
        (f"BACH1 ({data.bach1_degree:,} edges)", BACH1),
    ]
    return neighbour_figures(store, config, entities, "neighbourhood")
