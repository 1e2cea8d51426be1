"""Opening a store: URL parsing, engine setup per backend, schema checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from scidex.store import migrations


class StoreError(Exception):
    """The store cannot be opened or used; the message is meant for a person."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer version of the code."""


class NoStoreError(StoreError):
    """No store exists at the URL, and the caller asked not to create one."""


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, safe to print."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1] if "@" in url else url


def engine_url(url: str) -> URL:
    """``url`` with the driver the store uses; a malformed or unsupported one is a
    one-line :class:`StoreError`."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"malformed database URL {redact_url(url)!r}: expected sqlite:///PATH "
            "or postgresql://USER@HOST:PORT/DBNAME"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite")
    if backend in {"postgresql", "postgres"}:
        if not parsed.database:
            raise StoreError(f"database URL {redact_url(url)!r} names no database")
        return parsed.set(drivername="postgresql+psycopg")
    raise StoreError(
        f"unsupported database URL {redact_url(url)!r}: "
        "only sqlite:// and postgresql:// are supported"
    )


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin,
        # so that BEGIN IMMEDIATE and savepoints behave as documented.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers take the write lock up front: two writers that both began
        # deferred transactions would otherwise deadlock on upgrade.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store:
    """A SciDEX store on SQLite or PostgreSQL. Build with :meth:`open`."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._has_state: bool | None = None

    @classmethod
    def open(
        cls, url: str, *, migrate: bool = True, pool_size: int = 5, must_exist: bool = False
    ) -> Store:
        """Open (and by default create or migrate) the store at ``url``.

        Raises StoreError with a one-line, password-free message when the URL
        is malformed or the server cannot be reached, and SchemaTooNewError
        when the database was written by newer code (nothing is written then).
        With ``must_exist``, a SQLite file that is not there, or a database with
        no store in it (no schema), raises NoStoreError instead of being created.
        """
        target = engine_url(url)
        if target.get_backend_name() == "sqlite":
            if target.database and target.database != ":memory:":
                path = Path(target.database).expanduser()
                if must_exist and not path.is_file():
                    raise NoStoreError(f"there is no store at {path.resolve()}")
                path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(target)
            _setup_sqlite(engine)
        else:
            engine = create_engine(
                target,
                pool_size=pool_size,
                pool_pre_ping=True,
                connect_args={"connect_timeout": 5},
            )
        store = cls(engine, url)
        try:
            with engine.connect() as conn:
                version = migrations.current_version(conn)
                conn.rollback()
        except (OperationalError, DBAPIError) as exc:
            engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StoreError(f"cannot open database {redact_url(url)}: {reason}") from exc
        if must_exist and version == 0:
            engine.dispose()
            raise NoStoreError(f"there is no store in {redact_url(url)} (it holds no schema)")
        if version > migrations.LATEST_VERSION:
            engine.dispose()
            raise SchemaTooNewError(
                f"database {redact_url(url)} has schema version {version}, newer than this "
                f"code's {migrations.LATEST_VERSION}; upgrade scidex before using it "
                "(nothing was written)"
            )
        if migrate and version < migrations.LATEST_VERSION:
            store.migrate()
        return store

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def migrate(self) -> list[migrations.Migration]:
        self._has_state = False  # the table may not exist until the migration has run
        try:
            with self.atomic() as conn:
                if self.dialect == "postgresql":
                    # Two processes opening a fresh database at once must not both migrate.
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
                return migrations.apply_pending(conn)
        finally:
            self._has_state = None

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return migrations.current_version(conn)

    @contextmanager
    def atomic(self, *, content: bool = True) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any exception.

        Every write transaction also advances the store's data version, which
        caches of rendered pages compare against (see :meth:`data_version`),
        unless ``content=False`` says it writes only bookkeeping no page shows
        (failed sign-ins), so that such writes do not empty the caches.
        """
        with self.engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
            yield conn
            if content and self._versioned:
                conn.exec_driver_sql(
                    "UPDATE store_state SET value = value + 1 WHERE key = 'data_version'"
                )

    @property
    def _versioned(self) -> bool:
        if self._has_state is None:
            with self.engine.connect() as conn:
                self._has_state = inspect(conn).has_table("store_state")
                conn.rollback()
        return self._has_state

    def analyze(self) -> None:
        """Refresh the planner's statistics after a bulk write.

        Without them SQLite picks low-selectivity indexes (artifact type
        instead of kg_node_id) and page lookups grow with the graph.
        """
        if self.dialect == "postgresql":
            with self.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        else:
            with self.atomic() as conn:
                conn.exec_driver_sql("ANALYZE")

    def data_version(self) -> int:
        """A number that changes whenever any write transaction commits."""
        if not self._versioned:
            return 0
        with self.read() as conn:
            value = conn.exec_driver_sql(
                "SELECT value FROM store_state WHERE key = 'data_version'"
            ).scalar()
        return int(value or 0)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only unit of work (a consistent snapshot on both backends)."""
        with self.engine.connect() as conn:
            try:
                yield conn
            finally:
                conn.rollback()

    def health(self) -> dict[str, Any]:
        """Check that the database answers; raises StoreError when it does not."""
        try:
            with self.read() as conn:
                conn.execute(text("SELECT 1")).scalar_one()
                version = migrations.current_version(conn)
        except (OperationalError, DBAPIError) as exc:
            raise StoreError(
                f"database {redact_url(self.url)} is not answering: {exc.orig}"
            ) from exc
        return {"backend": self.dialect, "schema_version": version}

    def close(self) -> None:
        self.engine.dispose()
