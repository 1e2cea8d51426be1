"""Shared fixtures: a real store on each backend, a fresh one for every test that asks.

The stores a test gets (``store``, ``sample_store``, ``atlas_store``, ``client``) are
its own copies of templates built once per session and backend (see ``Templates``):
as isolated as a store built for the test, without importing the sample each time.
Tests that only read take ``shared_sample``, ``shared_atlas`` or ``shared_client``
instead: one store per backend for the whole session, checked after each test for
writes (a test that writes fails and belongs on its own copy).

PostgreSQL tests create a throw-away database on the server named by
SCIDEX_TEST_PG_URL and drop it afterwards (the templates and the shared stores when
the session ends).
Without a server they are skipped, unless SCIDEX_REQUIRE_PG=1 (CI), where a missing
server is a failure.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
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


def _require_pg() -> None:
    """Skip the test without a server, or fail it when SCIDEX_REQUIRE_PG=1."""
    if _pg_problem is not None:
        if REQUIRE_PG:
            pytest.fail(
                f"PostgreSQL is required (SCIDEX_REQUIRE_PG=1) but unreachable: {_pg_problem}"
            )
        pytest.skip(f"PostgreSQL not reachable: {_pg_problem}")


def _pg_admin(sql: str) -> None:
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as admin:
        admin.execute(sql)


@contextmanager
def _pg_throwaway(template: str | None = None) -> Iterator[str]:
    """URL of a new database (empty, or a copy of ``template``), dropped afterwards."""
    name = f"scidex_test_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield _pg_url_for(name)
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    _require_pg()
    with _pg_throwaway() as url:
        yield url


@pytest.fixture
def sqlite_database(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """URL of a SQLite database file in the test's tmp_path (not created yet)."""
    return f"sqlite:///{tmp_path / 'atlas.db'}"


@pytest.fixture
def other_sqlite(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """URL of a second SQLite database file, never the one ``store`` uses on SQLite: where
    a test compares a store with a copy made another way."""
    return f"sqlite:///{tmp_path / 'other.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` and ``postgresql`` in turn; the PostgreSQL half obeys SCIDEX_REQUIRE_PG."""
    if request.param == "postgresql":
        _require_pg()
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest) -> str:
    """An empty (not even migrated) database URL on each backend in turn."""
    return request.getfixturevalue("sqlite_database" if backend == "sqlite" else "pg_database")


SAMPLE = Path(__file__).parent / "data" / "atlas-sample"


def _fill(store: Store, kind: str) -> None:
    """What a template of ``kind`` holds, written into a freshly migrated store."""
    if kind in {"sample", "atlas"}:
        from scidex.interchange.kgx import import_kgx

        import_kgx(store, SAMPLE / "nodes.tsv", SAMPLE / "edges.tsv")
    if kind == "atlas":
        from scidex.registry.curated import load_curated

        with store.atomic() as conn:
            load_curated(conn)


def _fingerprint(store: Store) -> tuple[int, ...]:
    """The data version and the row count of every table: what any write changes."""
    from scidex.store.schema import metadata

    counts = ", ".join(f"(SELECT count(*) FROM {t})" for t in metadata.tables)
    with store.read() as conn:
        return (store.data_version(), *conn.exec_driver_sql(f"SELECT {counts}").one())


class Templates:
    """Stores built once per session and backend, copied whole for each test that asks.

    Kinds: ``empty`` (migrated), ``sample`` (plus the real-data sample of
    tests/data/atlas-sample), ``atlas`` (plus the curated pages of content/pages).
    A SQLite template is a closed database file (journal_mode=DELETE, so one file
    is all of it), copied with shutil. A PostgreSQL template is a database that
    nobody stays connected to (its store is closed, which disposes the engine), copied
    with CREATE DATABASE ... TEMPLATE.

    :meth:`shared` also keeps one open copy per backend and kind for the tests that
    only read. Everything made is closed and dropped by :meth:`close`.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._built: dict[tuple[str, str], str] = {}  # (backend, kind) -> file path or db name
        self._shared: dict[tuple[str, str], Store] = {}
        self._cleanup = ExitStack()

    def _build(self, backend: str, kind: str) -> str:
        if backend == "sqlite":
            where = str(self.workdir / f"template-{kind}.db")
            url = f"sqlite:///{where}"
        else:
            where = f"scidex_test_template_{uuid.uuid4().hex[:8]}_{kind}"
            _pg_admin(f'CREATE DATABASE "{where}"')
            self._cleanup.callback(_pg_admin, f'DROP DATABASE IF EXISTS "{where}" WITH (FORCE)')
            url = _pg_url_for(where)
        store = Store.open(url)
        try:
            _fill(store, kind)
        finally:
            store.close()
        if backend == "sqlite":
            with closing(sqlite3.connect(where)) as conn:
                conn.execute("PRAGMA journal_mode=DELETE")  # the WAL folded into the file
        return where

    def source(self, backend: str, kind: str) -> str:
        """The template's file path (SQLite) or database name (PostgreSQL), built on first use."""
        key = (backend, kind)
        if key not in self._built:
            self._built[key] = self._build(backend, kind)
        return self._built[key]

    @contextmanager
    def copy(self, backend: str, kind: str, sqlite_url: str | None = None) -> Iterator[Store]:
        """An open store on a new copy of the template, closed (and on PostgreSQL dropped)
        afterwards. On SQLite the copy is written where ``sqlite_url`` says."""
        source = self.source(backend, kind)
        with ExitStack() as stack:
            if backend == "sqlite":
                url = sqlite_url or f"sqlite:///{self.workdir / f'{uuid.uuid4().hex[:12]}.db'}"
                shutil.copyfile(source, make_url(url).database or "")
            else:
                url = stack.enter_context(_pg_throwaway(template=source))
            store = Store.open(url)
            stack.callback(store.close)
            yield store

    def shared(self, backend: str, kind: str) -> Store:
        """One open copy of the template for the whole session, for tests that only read."""
        key = (backend, kind)
        if key not in self._shared:
            self._shared[key] = self._cleanup.enter_context(self.copy(backend, kind))
        return self._shared[key]

    @staticmethod
    @contextmanager
    def unwritten(store: Store, advice: str) -> Iterator[None]:
        """Fail when the block (a test) writes to ``store``; ``advice`` says what to do."""
        before = _fingerprint(store)
        yield
        assert _fingerprint(store) == before, f"the test wrote to a shared store: {advice}"

    def close(self) -> None:
        """Close the shared stores and drop every PostgreSQL database made here."""
        self._shared.clear()
        self._built.clear()
        self._cleanup.close()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """The session's store templates and shared stores (see :class:`Templates`)."""
    made = Templates(tmp_path_factory.mktemp("templates"))
    try:
        yield made
    finally:
        made.close()


def _own_copy(kind: str, backend: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    # On SQLite the store is the file named by ``sqlite_database``, so a test that
    # also asks for that URL opens this same store, as it always has.
    sqlite_url = request.getfixturevalue("sqlite_database") if backend == "sqlite" else None
    with request.getfixturevalue("templates").copy(backend, kind, sqlite_url) as store:
        yield store


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A migrated, empty store of the test's own, on each backend in turn."""
    yield from _own_copy("empty", backend, request)


@pytest.fixture
def sample_store(backend: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store of the test's own on each backend, loaded with the real-data sample
    (tests/data/atlas-sample)."""
    yield from _own_copy("sample", backend, request)


@pytest.fixture
def atlas_store(backend: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store of the test's own on each backend: the real-data sample plus the curated
    pages of content/pages."""
    yield from _own_copy("atlas", backend, request)


def _app_client(store: Store):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from scidex.config import Settings
    from scidex.web import create_app

    return TestClient(create_app(Settings(database_url=store.url), store))


@pytest.fixture
def client(atlas_store: Store):  # type: ignore[no-untyped-def]
    """An in-process HTTP client on the test's own curated sample atlas (``atlas_store``)."""
    with _app_client(atlas_store) as c:
        yield c


def _shared(kind: str, backend: str, templates: Templates) -> Iterator[Store]:
    store = templates.shared(backend, kind)
    with templates.unwritten(store, f"give it its own copy ({kind}_store), not shared_{kind}"):
        yield store


@pytest.fixture
def shared_sample(backend: str, templates: Templates) -> Iterator[Store]:
    """The real-data sample on each backend, like ``sample_store`` but one store shared by
    every test of the session that only reads: a test that writes to it fails."""
    yield from _shared("sample", backend, templates)


@pytest.fixture
def shared_atlas(backend: str, templates: Templates) -> Iterator[Store]:
    """The curated sample atlas on each backend, like ``atlas_store`` but one store shared
    by every test of the session that only reads: a test that writes to it fails."""
    yield from _shared("atlas", backend, templates)


@pytest.fixture
def shared_client(shared_atlas: Store):  # type: ignore[no-untyped-def]
    """An in-process HTTP client on ``shared_atlas``, for tests that only read: the app
    (and so its page cache) is new for each test, the store is the shared one."""
    with _app_client(shared_atlas) as c:
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
