"""The write-side suites: KGX import into an empty store, and the full default build.

Each round writes into a fresh, empty store (a temporary SQLite file or a
temporary PostgreSQL database on the same server as ``--db``), so rounds do
not warm each other's data. The import's baseline is the database's own
bulk loader (the sqlite3 shell's ``.import``, psql's ``\\copy``) reading the
same TSV files into tables of the same shape; the build's baseline is the
parsing of the same archives with nothing written.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from scidex.bench.runner import Figure, Stats, run_child, timed
from scidex.bench.suites import BenchConfig, Dataset, MissingData
from scidex.bench.synthetic import SyntheticGraph, write_synthetic_kgx
from scidex.config import Settings
from scidex.ingest.sources.fetch import load_manifest
from scidex.store import Store
from scidex.store.schema import edge

IMPORT_TARGET = ">=100k edges/s, <=3x"
BUILD_TARGET = "<3 min, <2 GiB"
MIB = 1024 * 1024

# -- fresh stores -------------------------------------------------------------


def libpq_url(url: str, database: str | None = None) -> str:
    """A SQLAlchemy PostgreSQL URL as psql and psycopg take it, optionally on another db."""
    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


@contextmanager
def fresh_store_url(store: Store, workdir: Path) -> Iterator[str]:
    """URL of a new, empty database of the same backend as ``store``; removed afterwards."""
    if store.dialect == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:10]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = f"scidex_bench_{uuid.uuid4().hex[:10]}"
    admin = libpq_url(store.url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(store.url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_loader_tools(store: Store, suites: list[str], settings: Settings) -> None:
    """The baselines need the database's own command-line tool; the build needs the archives."""
    if "import" in suites:
        tool = "sqlite3" if store.dialect == "sqlite" else "psql"
        if shutil.which(tool) is None:
            pkg = "sqlite3" if tool == "sqlite3" else "postgresql-client"
            raise MissingData(
                f"the import suite's baseline needs the {tool} command: "
                f"`apt-get install -y {pkg}` (or leave it out with --only)"
            )
    if store.dialect == "postgresql" and ({"import", "build", "scale"} & set(suites)):
        try:
            with psycopg.connect(libpq_url(store.url, "postgres"), autocommit=True) as conn:
                ok = conn.execute(
                    "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
                ).fetchone()
        except psycopg.Error as exc:
            raise MissingData(f"cannot reach the server's postgres database: {exc}") from exc
        if not ok or not ok[0]:
            raise MissingData(
                "the import and build suites create throw-away databases; "
                "the --db user needs CREATEDB on that server"
            )
    if "build" in suites:
        missing = [
            spec.archive
            for spec in load_manifest().values()
            if not (settings.cache_dir / spec.archive).is_file()
        ]
        if missing:
            raise MissingData(
                f"the build suite builds from cached sources, and {settings.cache_dir} lacks "
                f"{', '.join(missing)}; run `scidex build` once to download them "
                "(or set SCIDEX_CACHE_DIR, or leave the build out with --only)"
            )


# -- KGX import ---------------------------------------------------------------

# The store's edge table as the KGX TSV spells it: same key, same three
# indexes (the TSV has no score column, so confidence takes its place).
_NODE_DDL = (
    "CREATE TABLE bulk_node (id VARCHAR(200) PRIMARY KEY, category VARCHAR(100) NOT NULL, "
    "name TEXT, symbol TEXT, description TEXT, synonym TEXT, previous_symbol TEXT, xref TEXT, "
    "provided_by TEXT, attributes TEXT)",
    "CREATE INDEX ix_bulk_node_category ON bulk_node (category)",
)
_EDGE_DDL = (
    "CREATE TABLE bulk_edge (id VARCHAR(32) PRIMARY KEY, subject VARCHAR(200) NOT NULL, "
    "predicate VARCHAR(100) NOT NULL, object VARCHAR(200) NOT NULL, "
    "primary_knowledge_source VARCHAR(200) NOT NULL, aggregator_knowledge_source TEXT, "
    "knowledge_level VARCHAR(40), agent_type VARCHAR(40), publications TEXT, has_evidence TEXT, "
    "qualifiers TEXT, confidence TEXT, provided_by VARCHAR(200))",
    "CREATE INDEX ix_bulk_edge_subject ON bulk_edge (subject, predicate, confidence, id)",
    "CREATE INDEX ix_bulk_edge_object ON bulk_edge (object, predicate, confidence, id)",
    "CREATE INDEX ix_bulk_edge_release ON bulk_edge (provided_by)",
)


def _check(proc: subprocess.CompletedProcess[str], what: str) -> None:
    if proc.returncode != 0 or "error" in proc.stderr.lower():
        raise RuntimeError(f"{what} failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")


def sqlite_shell_import(url: str, graph: SyntheticGraph) -> float:
    """Seconds for the sqlite3 shell to .import both TSVs, with the store's pragmas."""
    path = make_url(url).database
    script = "\n".join(
        [
            "PRAGMA journal_mode=WAL;",
            "PRAGMA synchronous=NORMAL;",
            "PRAGMA cache_size=-65536;",
            *(f"{s};" for s in (*_NODE_DDL, *_EDGE_DDL)),
            ".mode tabs",
            f".import --skip 1 {graph.nodes_path} bulk_node",
            f".import --skip 1 {graph.edges_path} bulk_edge",
            "",
        ]
    )
    proc: subprocess.CompletedProcess[str] | None = None

    def run() -> None:
        nonlocal proc
        proc = subprocess.run(
            ["sqlite3", "-batch", "-bail", str(path)],
            input=script,
            capture_output=True,
            text=True,
        )

    seconds = timed(run)
    assert proc is not None
    _check(proc, "sqlite3 .import")
    out = subprocess.run(
        ["sqlite3", str(path), "SELECT count(*) FROM bulk_edge"], capture_output=True, text=True
    )
    if int(out.stdout.strip() or 0) != graph.edges:
        raise RuntimeError(f"sqlite3 .import loaded {out.stdout.strip()} of {graph.edges} edges")
    return seconds


def psql_copy(url: str, graph: SyntheticGraph) -> float:
    """Seconds for psql's \\copy of both TSVs in one transaction (tables made beforehand)."""
    dsn = libpq_url(url)
    ddl = ";\n".join((*_NODE_DDL, *_EDGE_DDL)) + ";"
    _check(
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", dsn, "-c", ddl],
            capture_output=True,
            text=True,
        ),
        "psql CREATE TABLE",
    )
    argv = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", dsn]
    for table, path in (("bulk_node", graph.nodes_path), ("bulk_edge", graph.edges_path)):
        argv += ["-c", f"\\copy {table} FROM '{path}' WITH (FORMAT text, HEADER true)"]
    proc: subprocess.CompletedProcess[str] | None = None

    def run() -> None:
        nonlocal proc
        proc = subprocess.run(argv, capture_output=True, text=True)

    seconds = timed(run)
    assert proc is not None
    _check(proc, "psql \\copy")
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT count(*) FROM bulk_edge").fetchone()
    if not row or row[0] != graph.edges:
        raise RuntimeError(f"psql \\copy loaded {row} of {graph.edges} edges")
    return seconds


def scidex_import(url: str, graph: SyntheticGraph) -> float:
    """Seconds for import_kgx (validation, edges, names, search index, pages) into ``url``."""
    from scidex.interchange.kgx import import_kgx

    target = Store.open(url)  # migrating the empty schema is not part of the import
    try:
        seconds = timed(lambda: import_kgx(target, graph.nodes_path, graph.edges_path))
        with target.read() as conn:
            n = conn.execute(select(func.count()).select_from(edge)).scalar_one()
    finally:
        target.close()
    if n != graph.edges:
        raise RuntimeError(f"import_kgx wrote {n} of {graph.edges} edges")
    return seconds


def synthetic_graph(config: BenchConfig, edges: int) -> SyntheticGraph:
    directory = config.workdir / f"kgx-synthetic-{edges}"
    config.log(f"import: writing a synthetic KGX graph of {edges:,} edges to {directory}")
    return write_synthetic_kgx(directory, edges)


def import_suite(
    store: Store, settings: Settings, data: Dataset, config: BenchConfig
) -> list[Figure]:
    """KGX import of ``config.edges`` synthetic edges (and their nodes) into an empty store,
    against the database's bulk loader on the same files."""
    graph = synthetic_graph(config, config.edges)
    sqlite = store.dialect == "sqlite"
    loader: Callable[[str, SyntheticGraph], float] = sqlite_shell_import if sqlite else psql_copy
    base_name = "sqlite3 .import" if sqlite else "psql \\copy"
    ours: list[float] = []
    base: list[float] = []
    for r in range(config.rounds):
        order = [(scidex_import, ours), (loader, base)]
        for fn, sink in order if r % 2 == 0 else reversed(order):
            with fresh_store_url(store, config.workdir) as url:
                sink.append(fn(url, graph))
        config.log(f"import round {r + 1}: scidex {ours[-1]:.1f} s, bulk loader {base[-1]:.1f} s")
    fig = Figure(
        "import",
        f"KGX import {graph.edges:,} edges",
        Stats.of(ours),
        base_name,
        Stats.of(base),
        target=IMPORT_TARGET,
    )
    rate = graph.edges / (fig.stats.median_ms / 1000)
    base_rate = graph.edges / (fig.baseline.median_ms / 1000)
    fig.extra = {
        "edges": graph.edges,
        "nodes": graph.nodes,
        "edges_per_s": round(rate),
        "baseline_edges_per_s": round(base_rate),
        "tsv_bytes": graph.edges_path.stat().st_size + graph.nodes_path.stat().st_size,
    }
    fig.met = rate >= 100_000 and fig.ratio <= 3
    shutil.rmtree(graph.directory, ignore_errors=True)
    return [fig]


# -- full default build -------------------------------------------------------

_PARSE_ONLY = """
import sys
from pathlib import Path
from scidex.ingest.build import release_from
from scidex.ingest.sources.fetch import fetch_archive
from scidex.ingest.sources.registry import registered
for source in registered():
    archive = fetch_archive(source.spec, Path(sys.argv[1]))
    release = release_from(source.spec, archive)
    for _record in source.parse(archive, release.id):
        pass
"""


def _child_env(settings: Settings) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["SCIDEX_CACHE_DIR"] = str(settings.cache_dir)
    env["SCIDEX_CONTENT_DIR"] = str(settings.content_dir)
    env.pop("SCIDEX_DATABASE_URL", None)
    return env


def build_suite(
    store: Store, settings: Settings, data: Dataset, config: BenchConfig
) -> list[Figure]:
    """``scidex build`` from the cached archives into an empty store, in a child process
    (its own peak RSS), against parsing the same archives with nothing written."""
    env = _child_env(settings)
    ours: list[float] = []
    base: list[float] = []
    rss: list[int] = []
    base_rss: list[int] = []
    for r in range(config.build_rounds):
        with fresh_store_url(store, config.workdir) as url:
            config.log(f"build round {r + 1}: scidex build into an empty {store.dialect} store")
            run = run_child([sys.executable, "-m", "scidex", "--db", url, "build"], env=env)
        if run.returncode != 0:
            raise RuntimeError(f"scidex build failed ({run.returncode}): {run.stderr[-800:]}")
        ours.append(run.seconds)
        rss.append(run.max_rss_bytes)
        config.log(f"build round {r + 1}: parsing the archives only")
        parse = run_child([sys.executable, "-c", _PARSE_ONLY, str(settings.cache_dir)], env=env)
        if parse.returncode != 0:
            raise RuntimeError(f"parsing the sources failed: {parse.stderr[-800:]}")
        base.append(parse.seconds)
        base_rss.append(parse.max_rss_bytes)
    fig = Figure(
        "build",
        "full default build",
        Stats.of(ours),
        "parse only",
        Stats.of(base),
        target=BUILD_TARGET,
    )
    fig.extra = {
        "peak_rss_mib": round(max(rss) / MIB),
        "baseline_peak_rss_mib": round(max(base_rss) / MIB),
        "rounds": config.build_rounds,
    }
    fig.met = fig.stats.median_ms < 180_000 and max(rss) < 2 * 1024 * MIB
    return [fig]


def describe_graph(graph: SyntheticGraph) -> dict[str, Any]:
    return {"nodes": graph.nodes, "edges": graph.edges, "hubs": graph.hubs}
