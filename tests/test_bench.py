"""`scidex bench` runs end to end and writes a well-formed JSON document.

These tests never assert a time: the machine is shared and noisy. They check
that every suite runs on a tiny store, that the document has the keys the
docs and the closing notes rely on, and that a store without the data is
refused (exit 2, with how to build it) before anything is measured.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import env_without_db_url, scidex
from scidex.store import Store

SAMPLE = Path(__file__).parent / "data" / "atlas-sample"

FIGURE_KEYS = {
    "suite",
    "name",
    "median_ms",
    "p99_ms",
    "n",
    "baseline",
    "baseline_median_ms",
    "baseline_p99_ms",
    "ratio",
    "target",
    "met",
}


def _tiny_atlas(url: str) -> None:
    """The real-data sample plus the curated pages: it has the BACH1 page."""
    from scidex.interchange.kgx import import_kgx
    from scidex.registry.curated import load_curated

    store = Store.open(url)
    try:
        import_kgx(store, SAMPLE / "nodes.tsv", SAMPLE / "edges.tsv")
        with store.atomic() as conn:
            load_curated(conn)
    finally:
        store.close()


def _scidex(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return scidex(*args, cwd=cwd, env=env_without_db_url(), timeout=300)


def _check_document(doc: dict, backend: str, suites: set[str]) -> None:
    assert doc["backend"] == backend
    assert isinstance(doc["git_commit"], str) and doc["git_commit"]
    assert doc["date"].endswith("+00:00")
    machine = doc["machine"]
    assert machine["cpu_count"] >= 1
    assert isinstance(machine["cpu_model"], str)
    assert machine["memory_bytes"] is None or machine["memory_bytes"] > 0
    dataset = doc["dataset"]
    assert dataset["entities"] > 0 and dataset["edges"] > 0
    assert dataset["bach1"]["page"] == "wiki-genes-bach1"
    assert dataset["largest"]["degree"] >= dataset["bach1"]["degree"]
    assert {f["suite"] for f in doc["figures"]} == suites
    for f in doc["figures"]:
        assert f.keys() >= FIGURE_KEYS, f["name"]
        assert f["n"] >= 1
        assert 0 < f["median_ms"] <= f["p99_ms"]
        assert 0 < f["baseline_median_ms"] <= f["baseline_p99_ms"]
        assert f["ratio"] == pytest.approx(f["median_ms"] / f["baseline_median_ms"], rel=0.01)
    names = [f["name"] for f in doc["figures"]]
    if "page" in suites:
        assert any("BACH1" in n for n in names)
        assert any("largest" in n for n in names)
    if "import" in suites:
        (imp,) = [f for f in doc["figures"] if f["suite"] == "import"]
        assert imp["extra"]["edges"] == 2000
        assert imp["extra"]["edges_per_s"] > 0 and imp["extra"]["baseline_edges_per_s"] > 0


def test_quick_bench_writes_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    _tiny_atlas(url)
    suites = ["page", "search", "neighbourhood"]
    if shutil.which("sqlite3"):
        suites.append("import")
    out = tmp_path / "results"
    only = [a for s in suites for a in ("--only", s)]
    result = _scidex(
        "--db", url, "bench", "--quick", *only, "--out", str(out),
        "--requests", "5", "--edges", "2000",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("*-sqlite.json")
    assert path.name[:8].isdigit() and path.name[8] == "T"
    doc = json.loads(path.read_text("utf-8"))
    _check_document(doc, "sqlite", set(suites))
    assert doc["settings"]["quick"] is True
    assert "BACH1" in result.stdout
    assert str(path) in result.stdout


def test_bench_on_postgresql(pg_database: str, tmp_path: Path) -> None:
    # A child process, like a user's run: the bench drives its own event loop,
    # which must not meet the one a browser test may leave running in this process.
    if not shutil.which("psql"):
        pytest.skip("psql is not installed")
    _tiny_atlas(pg_database)
    suites = ["page", "search", "neighbourhood", "import"]
    out = tmp_path / "results"
    only = [a for s in suites for a in ("--only", s)]
    result = _scidex(
        "--db", pg_database, "bench", "--quick", *only, "--out", str(out),
        "--requests", "5", "--edges", "2000",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("*-postgresql.json")
    _check_document(json.loads(path.read_text("utf-8")), "postgresql", set(suites))


def test_a_store_without_the_atlas_is_refused_before_measuring(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    Store.open(url).close()  # a store, but without the atlas
    out = tmp_path / "results"
    result = _scidex("--db", url, "bench", "--quick", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2
    assert "scidex --db" in result.stderr and "build" in result.stderr
    assert "wiki-genes-bach1" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_an_unknown_suite_is_refused(tmp_path: Path) -> None:
    result = _scidex(
        "--db", f"sqlite:///{tmp_path / 'x.db'}", "bench", "--only", "nope", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "unknown suite" in result.stderr
