"""Shared fixtures: a real store on each backend, created empty for every test that asks.

PostgreSQL tests create a throw-away database on the server named by
SCIDEX_TEST_PG_URL and drop it afterwards. Without a server they are skipped,
unless SCIDEX_REQUIRE_PG=1 (CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from scidex.store import Store

PG_URL = os.environ.get("SCIDEX_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("SCIDEX_REQUIRE_PG") == "1"

_pg_problem: str | None = None


def _pg_admin_dsn() -> str:
    url = make_url(PG_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _check_pg() -> str | None:
    try:
        with psycopg.connect(_pg_admin_dsn(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def pytest_configure(config: pytest.Config) -> None:
    global _pg_problem
    _pg_problem = _check_pg()


def pytest_report_header(config: pytest.Config) -> str:
    if _pg_problem is None:
        return f"PostgreSQL: {make_url(PG_URL).render_as_string(hide_password=True)}"
    verdict = "REQUIRED and missing" if REQUIRE_PG else "not reachable; its half is SKIPPED"
    return f"PostgreSQL: {verdict} ({_pg_problem})"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if _pg_problem is not None and not REQUIRE_PG:
        terminalreporter.write_line(
            f"NOTE: the PostgreSQL half of the suite was skipped: {_pg_problem}", yellow=True
        )


def _pg_url_for(dbname: str) -> str:
    return make_url(PG_URL).set(database=dbname).render_as_string(hide_password=False)


@pytest.fixture
def pg_database() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    if _pg_problem is not None:
        if REQUIRE_PG:
            pytest.fail(
                f"PostgreSQL is required (SCIDEX_REQUIRE_PG=1) but unreachable: {_pg_problem}"
            )
        pytest.skip(f"PostgreSQL not reachable: {_pg_problem}")
    name = f"scidex_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url_for(name)
    finally:
        with psycopg.connect(_pg_admin_dsn(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_database(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite:///{tmp_path / 'atlas.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database URL on each backend in turn."""
    return request.getfixturevalue(
        "sqlite_database" if request.param == "sqlite" else "pg_database"
    )


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated, empty store on each backend in turn."""
    s = Store.open(db_url)
    try:
        yield s
    finally:
        s.close()


SAMPLE = Path(__file__).parent / "data" / "atlas-sample"


@pytest.fixture
def sample_store(store: Store) -> Store:
    """The store on each backend, loaded with the real-data sample (tests/data/atlas-sample)."""
    from scidex.interchange.kgx import import_kgx

    import_kgx(store, SAMPLE / "nodes.tsv", SAMPLE / "edges.tsv")
    return store


@pytest.fixture
def atlas_store(sample_store: Store) -> Store:
    """The real-data sample plus the curated pages of content/pages, on each backend."""
    from scidex.registry.curated import load_curated

    with sample_store.atomic() as conn:
        load_curated(conn)
    return sample_store


@pytest.fixture
def client(atlas_store: Store):  # type: ignore[no-untyped-def]
    """An in-process HTTP client on the curated sample atlas."""
    from fastapi.testclient import TestClient

    from scidex.config import Settings
    from scidex.web import create_app

    app = create_app(Settings(database_url=atlas_store.url), atlas_store)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def source_archive():  # type: ignore[no-untyped-def]
    """Map a manifest source name to its verified archive (fetched once into the cache)."""
    from scidex.ingest.sources.fetch import fetch_archive

    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            cache[name] = fetch_archive(name)
        return cache[name]

    return get
