"""`scidex backup` copies a live store while it is written to; `scidex restore` brings it back.

On each backend, a thread keeps creating API tokens (each one transaction: a token,
an audit row, the store's data version advanced) while a `scidex backup` process
runs. The backup is restored into a new store, which opens, passes the integrity
and schema checks, and holds one consistent snapshot: every table as in the
source, and of the writer's tokens exactly a first run, matching the audit rows
and the data version of the same moment.
"""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from helpers import scidex as run_scidex
from scidex.registry.tokens import TokenInfo, create_token, list_tokens
from scidex.store import Store, migrations, schema
from scidex.store.backup import backup
from scidex.store.schema import api_token, audit_log

WRITER = "backup writer"


def scidex(*args: str) -> subprocess.CompletedProcess[str]:
    return run_scidex(*args, timeout=300)


def _counts(store: Store) -> dict[str, int]:
    """Rows in every table of the store (the search index's shadow tables aside)."""
    with store.read() as conn:
        present = set(inspect(conn).get_table_names())
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in schema.metadata.sorted_tables
            if t.name in present
        }


def _writer_tokens(store: Store) -> list[int]:
    with store.read() as conn:
        labels = conn.execute(
            select(api_token.c.label).where(api_token.c.label.like(f"{WRITER} %"))
        ).scalars()
        return sorted(int(label.rsplit(" ", 1)[1]) for label in labels)


def _writer_audits(store: Store) -> int:
    with store.read() as conn:
        return conn.execute(
            select(func.count())
            .select_from(audit_log)
            .where(audit_log.c.action == "token-create", audit_log.c.details.like(f"%{WRITER}%"))
        ).scalar_one()


class Writer(threading.Thread):
    """Creates tokens one transaction at a time until told to stop."""

    def __init__(self, store: Store) -> None:
        super().__init__(daemon=True)
        self.store = store
        self.done = 0
        self.started_writing = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                create_token(self.store, role="reader", label=f"{WRITER} {self.done}")
                self.done += 1
                if self.done == 5:
                    self.started_writing.set()
        except BaseException as exc:  # reported by the test
            self.error = exc
            self.started_writing.set()


def _new_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'restored' / 'atlas.db'}"
    return str(request.getfixturevalue("pg_database"))


def test_a_backup_under_concurrent_writes_restores_to_one_consistent_snapshot(
    sample_store: Store, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source = sample_store
    version_before = source.data_version()
    writer = Writer(source)
    writer.start()
    assert writer.started_writing.wait(60)
    done_before = writer.done
    path = tmp_path / "atlas.backup"
    backed_up = scidex("--db", source.url, "backup", str(path))
    done_after = writer.done
    writer.stop.set()
    writer.join(60)
    assert writer.error is None
    assert backed_up.returncode == 0, backed_up.stderr
    assert backed_up.stderr.splitlines()[0].startswith("store: ")
    assert f"backed up the {backend} store" in backed_up.stdout
    assert done_after > done_before  # the writer kept writing while the backup ran

    target = _new_target(backend, tmp_path, request)
    restored_run = scidex("--db", target, "restore", str(path))
    assert restored_run.returncode == 0, restored_run.stderr
    restored = Store.open(target, must_exist=True)
    try:
        assert restored.schema_version() == migrations.LATEST_VERSION
        if backend == "sqlite":
            with closing(sqlite3.connect(Path(target.removeprefix("sqlite:///")))) as raw:
                assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # One moment of the source: a first run of the writer's tokens, each with its
        # audit row and its step of the data version, nothing half-written.
        tokens = _writer_tokens(restored)
        assert tokens == list(range(len(tokens)))
        assert done_before <= len(tokens) <= done_after
        assert _writer_audits(restored) == len(tokens)
        assert restored.data_version() - version_before == len(tokens)
        # Everything else as in the source.
        ours = {"api_token", "audit_log", "store_state"}
        got, expected = _counts(restored), _counts(source)
        assert {k: v for k, v in got.items() if k not in ours} == {
            k: v for k, v in expected.items() if k not in ours
        }
        assert got["api_token"] == expected["api_token"] - (writer.done - len(tokens))
        assert got["entity"] > 1000 and got["edge"] > 10000  # the real-data sample
    finally:
        restored.close()


def test_restore_refuses_a_store_with_data_unless_forced(
    sample_store: Store, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    path = tmp_path / "atlas.backup"
    assert scidex("--db", sample_store.url, "backup", str(path)).returncode == 0
    # A second backup to the same path is refused; the first is kept.
    size = path.stat().st_size
    again = scidex("--db", sample_store.url, "backup", str(path))
    assert again.returncode == 2 and "pass --force to replace it" in again.stderr
    assert path.stat().st_size == size

    target = _new_target(backend, tmp_path, request)
    assert scidex("--db", target, "restore", str(path)).returncode == 0
    _add_token(target, "added after the restore")
    refused = scidex("--db", target, "restore", str(path))
    assert refused.returncode == 2
    assert "holds data" in refused.stderr and "--force" in refused.stderr
    with_token = Store.open(target)
    assert any(t.label == "added after the restore" for t in _tokens(with_token))
    with_token.close()

    forced = scidex("--db", target, "restore", "--force", str(path))
    assert forced.returncode == 0, forced.stderr
    replaced = Store.open(target)
    try:
        assert not any(t.label == "added after the restore" for t in _tokens(replaced))
        assert _counts(replaced) == _counts(sample_store)
    finally:
        replaced.close()


def _add_token(url: str, label: str) -> None:
    store = Store.open(url)
    try:
        create_token(store, role="reader", label=label)
    finally:
        store.close()


def _tokens(store: Store) -> list[TokenInfo]:
    return list_tokens(store)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_backup_is_restored_only_into_its_own_backend_and_schema(
    sample_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "atlas.backup"
    assert scidex("--db", sample_store.url, "backup", str(path)).returncode == 0

    newer = tmp_path / "newer.backup"
    newer.write_bytes(path.read_bytes())
    with closing(sqlite3.connect(newer)) as raw:
        raw.execute(
            "INSERT INTO schema_migrations VALUES (?, 'from the future', 'x')",
            (migrations.LATEST_VERSION + 1,),
        )
        raw.commit()
    target = tmp_path / "target.db"
    refused = scidex("--db", f"sqlite:///{target}", "restore", str(newer))
    assert refused.returncode == 2 and "newer than this code's" in refused.stderr
    assert not target.exists()

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    result = scidex("--db", f"sqlite:///{target}", "restore", str(not_a_backup))
    assert result.returncode == 2 and "is not a backup of a scidex store" in result.stderr
    assert not target.exists()


def test_a_sqlite_backup_is_not_restored_into_postgresql(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    _add_token(url, "x")
    path = tmp_path / "s.backup"
    assert scidex("--db", url, "backup", str(path)).returncode == 0
    target = str(request.getfixturevalue("pg_database"))
    result = scidex("--db", target, "restore", str(path))
    assert result.returncode == 2
    assert "is a backup of a sqlite store and cannot be restored into a postgresql one" in (
        result.stderr.replace("\n", " ")
    )
    with pytest.raises(Exception, match="no store"):
        Store.open(target, must_exist=True)


def test_an_older_backup_replaces_a_newer_store_whole(
    store: Store, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A backup made before migrations 7 and 8 lacks their tables: restored over a store
    that has them (and rows in them), the store is the backup's, migrated, and nothing
    of what it held before is left."""
    with store.atomic() as conn:
        for table in (*schema.PUBLICATION_TABLES, *schema.KGX_TABLES):
            table.drop(conn)
        conn.exec_driver_sql("ALTER TABLE source_release DROP COLUMN biolink_version")
        conn.execute(
            schema.schema_migrations.delete().where(schema.schema_migrations.c.version > 6)
        )
    path = tmp_path / "old.backup"
    # As older code made it: opening the store by the command would migrate it first.
    old = Store.open(store.url, migrate=False)
    try:
        assert backup(old, path).schema_version == 6
    finally:
        old.close()

    target = _new_target(backend, tmp_path, request)
    newer = Store.open(target)
    try:
        with newer.atomic() as conn:
            conn.execute(schema.entity_kgx.insert().values(entity_id="HGNC:1", columns="{}"))
    finally:
        newer.close()
    restored = scidex("--db", target, "restore", "--force", str(path))
    assert restored.returncode == 0, restored.stderr
    after = Store.open(target)
    try:
        assert after.schema_version() == migrations.LATEST_VERSION
        with after.read() as conn:
            assert conn.execute(select(func.count()).select_from(schema.entity_kgx)).scalar() == 0
    finally:
        after.close()
