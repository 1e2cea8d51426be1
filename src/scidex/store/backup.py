"""Backups of a live store, and restoring them.

A backup is one consistent snapshot of the store, taken while it serves and is
written to:

- SQLite: the online backup API (``sqlite3.Connection.backup``), copying every page
  in one step, inside one read transaction: writers carry on (WAL), and the copy is
  the database as of the moment the step began. (A step-by-step copy would restart
  whenever another connection writes, and never end under steady writes.) The
  copy is switched out of WAL mode so that the backup is one self-contained file,
  checked (``PRAGMA quick_check``, its schema version) and only then renamed
  into place.
- PostgreSQL: ``pg_dump --format=custom``, which reads the whole database in one
  repeatable-read snapshot; the archive is checked by listing it (``pg_restore
  --list``) and only then renamed into place.

A restore brings a backup back into a store of the same backend: one that is
not there yet, or empty, unless ``force`` allows replacing a store that holds
data. SQLite is restored with the backup API as well, so a store that a server
has open is replaced whole, never half; PostgreSQL with ``pg_restore
--single-transaction``. A backup made by older code is migrated on restore; one
made by newer code is refused.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from scidex.store import migrations, schema
from scidex.store.core import SchemaTooNewError, Store, StoreError, engine_url, redact_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# Tables that every opened store has rows in, whether or not it holds anything.
_BOOKKEEPING = {"schema_migrations", "store_state"}


class BackupError(StoreError):
    """A backup or restore cannot be made; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    backend: str
    bytes: int
    seconds: float
    schema_version: int


@dataclass(frozen=True, slots=True)
class RestoreResult:
    backend: str
    seconds: float
    schema_version: int  # after any migration


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql``: which backend ``path`` is a backup of."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} is not a backup of a scidex store (neither a SQLite database nor a "
        "pg_dump custom-format archive)"
    )


def pg_tool(name: str) -> str:
    """The newest ``pg_dump``/``pg_restore``: Debian keeps each version under
    /usr/lib/postgresql/N/bin; else the one on PATH."""

    def version(p: Path) -> float:
        try:
            return float(p.parents[1].name)
        except ValueError:
            return 0.0

    versioned = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=version)
    if versioned:
        return str(versioned[-1])
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is needed for a PostgreSQL store but was not found (install the "
            "PostgreSQL client tools, e.g. `apt-get install postgresql-client`)"
        )
    return found


def backup(store: Store, dest: Path, *, force: bool = False) -> BackupResult:
    """Write a consistent snapshot of ``store`` to ``dest`` while it stays in use.

    Refuses to replace an existing ``dest`` unless ``force``. Nothing is left at
    ``dest`` when the backup fails.
    """
    dest = Path(dest).expanduser().resolve()
    if dest.exists() and not force:
        raise BackupError(f"{dest} exists; choose another path or pass --force to replace it")
    if dest.is_dir():
        raise BackupError(f"{dest} is a directory; give the path of the backup file")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    started = time.perf_counter()
    try:
        if store.dialect == "sqlite":
            version = _backup_sqlite(store, partial)
        else:
            version = _backup_pg(store, partial)
        _sync(partial)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(
        dest, store.dialect, dest.stat().st_size, time.perf_counter() - started, version
    )


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("a store in memory cannot be backed up or restored")
    return Path(database).expanduser()


def _backup_sqlite(store: Store, partial: Path) -> int:
    source = _sqlite_path(store.url)
    with (
        closing(
            sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        ) as src,
        closing(sqlite3.connect(partial)) as dst,
    ):
        src.backup(dst)  # every page in one step: one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return _check_sqlite(dst, partial)


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of a SQLite store, after checking its pages and its schema."""
    # quick_check reads every page and record (5 s for the 1.5 GB default atlas);
    # integrity_check would also match every index against its table, ten times longer.
    problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise BackupError(f"{path} fails the integrity check: {'; '.join(problems[:5])}")
    try:
        row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} holds no scidex store ({exc})") from exc
    version = int(row[0] or 0)
    if version < 1:
        raise BackupError(f"{path} holds no scidex store (no schema version)")
    return version


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it
    (a password in argv would show in the process list)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None)
    return uri.render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        tail = "; ".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise BackupError(f"{what} failed (`{Path(argv[0]).name}` exit {proc.returncode}): {tail}")


def _backup_pg(store: Store, partial: Path) -> int:
    version = store.schema_version()
    uri, env = _libpq(store.url)
    _run(
        [pg_tool("pg_dump"), "--format=custom", "--no-password", "--file", str(partial), uri],
        env,
        f"pg_dump of {redact_url(store.url)}",
    )
    _run([pg_tool("pg_restore"), "--list", str(partial)], env, f"checking {partial}")
    return version


def _holds_data(store: Store) -> bool:
    """Whether any table of the store holds a row (beyond what opening it writes)."""
    with store.read() as conn:
        present = set(inspect(conn).get_table_names())
        for table in schema.metadata.sorted_tables:
            if table.name in _BOOKKEEPING or table.name not in present:
                continue
            if conn.exec_driver_sql(f"SELECT 1 FROM {table.name} LIMIT 1").first() is not None:
                return True
    return False


def restore(url: str, source: Path, *, force: bool = False) -> RestoreResult:
    """Bring the backup ``source`` back into the store at ``url`` (created if need be).

    Refuses a store that holds data unless ``force``, a backup of the other
    backend, and a backup made by newer code. Migrates an older backup.
    """
    source = Path(source).expanduser()
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    kind = backup_kind(source)
    backend = engine_url(url).get_backend_name()
    if kind != backend:
        raise BackupError(
            f"{source} is a backup of a {kind} store and cannot be restored into a "
            f"{backend} one; restore it into a {kind} store and move the graph with "
            "`scidex export kgx` and `scidex import kgx`"
        )
    started = time.perf_counter()
    # The backup's schema version, checked before anything is written.
    if kind == "sqlite":
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src:
            _check_version(_check_sqlite(src, source), source)
    else:
        _check_version(_pg_archive_version(source), source)
    target = Store.open(url, migrate=False)
    try:
        if target.schema_version() > 0 and _holds_data(target) and not force:
            raise BackupError(
                f"the store at {redact_url(url)} holds data; restore into a new or empty "
                "store, or pass --force to replace it"
            )
        if kind == "sqlite":
            _restore_sqlite(url, source)
        else:
            _restore_pg(target, source)
    finally:
        target.close()
    restored = Store.open(url)  # migrates a backup made by older code
    try:
        version = restored.schema_version()
    finally:
        restored.close()
    return RestoreResult(kind, time.perf_counter() - started, version)


def _check_version(version: int, path: Path) -> None:
    if version > migrations.LATEST_VERSION:
        raise SchemaTooNewError(
            f"{path} has schema version {version}, newer than this code's "
            f"{migrations.LATEST_VERSION}; restore it with a newer scidex"
        )


def _restore_sqlite(url: str, source: Path) -> None:
    target = _sqlite_path(url)
    # Through the backup API, not a file copy: the target is replaced whole, under its
    # own lock, even when a server has it open (and its WAL is taken care of).
    with (
        closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(target, timeout=30)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")  # as Store.open sets it


def _pg_archive_version(source: Path) -> int:
    """The schema version recorded in a pg_dump archive (its schema_migrations rows),
    read from the archive without restoring anything."""
    proc = subprocess.run(
        [
            pg_tool("pg_restore"),
            "--data-only",
            "--table=schema_migrations",
            "--file=-",
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BackupError(f"{source} is not a readable pg_dump archive: {proc.stderr.strip()}")
    versions: list[int] = []
    copying = False
    for line in proc.stdout.splitlines():
        if line.startswith("COPY ") and "schema_migrations" in line:
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying and line.split("\t", 1)[0].isdigit():
            versions.append(int(line.split("\t", 1)[0]))
    if not versions:
        raise BackupError(f"{source} holds no scidex store (no schema version)")
    return max(versions)


def _restore_pg(target: Store, source: Path) -> None:
    """Restore the archive in one transaction that first drops every table the store has.

    ``pg_restore --clean`` drops only what the archive holds: a backup made before a
    migration would leave that migration's tables, and their rows, in place. So
    pg_restore writes the archive as SQL, and psql runs it after the drops, all in
    one transaction: a failure leaves the store as it was.
    """
    uri, env = _libpq(target.url)
    with target.read() as conn:
        present = inspect(conn).get_table_names()
    drops = "".join(f'DROP TABLE IF EXISTS "{t}" CASCADE;\n' for t in present)
    what = f"pg_restore into {redact_url(target.url)}"
    with tempfile.TemporaryFile() as dump_err, tempfile.TemporaryFile() as psql_err:
        dump = subprocess.Popen(
            [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(source)],
            stdout=subprocess.PIPE,
            stderr=dump_err,
            env=env,
        )
        psql = subprocess.Popen(
            [
                pg_tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--no-password",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                "--dbname",
                uri,
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
            env=env,
        )
        assert dump.stdout is not None and psql.stdin is not None
        try:
            psql.stdin.write(drops.encode())
            shutil.copyfileobj(dump.stdout, psql.stdin, 1 << 20)
        except BrokenPipeError:
            pass  # psql stopped at an error: it says which below
        dump.stdout.close()
        if dump.wait() != 0:
            # The script is cut short: psql must not reach its end and commit it.
            psql.kill()
            psql.wait()
            raise BackupError(
                f"{what} failed (`pg_restore` exit {dump.returncode}): {_tail(dump_err)}"
            )
        with suppress(BrokenPipeError):
            psql.stdin.close()
        if psql.wait() != 0:
            raise BackupError(f"{what} failed (`psql` exit {psql.returncode}): {_tail(psql_err)}")


def _tail(err: IO[bytes]) -> str:
    """The last lines a tool wrote to ``err``."""
    err.seek(0)
    return "; ".join(err.read().decode(errors="replace").strip().splitlines()[-5:])


def _sync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())
