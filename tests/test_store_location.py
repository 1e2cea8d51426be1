"""Where the store is: an absolute path, printed by every command, never an empty store
created where one was expected.

Real ``scidex`` processes, run from directories other than the checkout, on real
stores of each backend.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import env_without_db_url, scidex
from scidex.config import Settings, absolute_database_url, default_db_path
from scidex.store import NoStoreError, Store

CHECKOUT = Path(__file__).resolve().parents[1]

# Every command that reads or edits an existing store, with the arguments it needs.
EXPECTING = [
    ["token", "list"],
    ["token", "revoke", "0123456789ab"],
    ["account", "list"],
    ["lint"],
    ["rankings"],
    ["export", "kgx", "exported"],
    ["serve", "--port", "1"],
    ["bench", "--quick", "--only", "page"],
]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return scidex(*args, cwd=cwd, env=env_without_db_url(), timeout=120)


def test_the_default_store_is_the_checkouts_var_atlas_db_as_an_absolute_path() -> None:
    # The Makefile's `make run` builds and serves var/atlas.db of the checkout.
    assert default_db_path() == CHECKOUT / "var" / "atlas.db"
    assert default_db_path().is_absolute()
    assert Settings().database_url == f"sqlite:///{CHECKOUT / 'var' / 'atlas.db'}"


def test_a_command_run_elsewhere_names_the_default_store_and_creates_nothing_there(
    tmp_path: Path,
) -> None:
    result = _run(["token", "list"], cwd=tmp_path)
    # Either the store is there and named, or it is missing and named: never a new one here.
    assert str(default_db_path()) in result.stderr
    assert not (tmp_path / "var").exists()
    assert list(tmp_path.iterdir()) == []


def test_a_relative_sqlite_path_is_taken_from_the_current_directory_and_printed_absolute(
    tmp_path: Path,
) -> None:
    created = _run(["--db", "sqlite:///rel/atlas.db", "token", "create", "--role", "reader",
                    "--label", "probe"], cwd=tmp_path)  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert (tmp_path / "rel" / "atlas.db").is_file()
    # One line on stderr names the store, absolute.
    assert created.stderr.splitlines()[0] == f"store: sqlite:///{tmp_path / 'rel' / 'atlas.db'}"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = _run(["--db", f"sqlite:///{tmp_path / 'rel' / 'atlas.db'}", "token", "list"],
                  cwd=elsewhere)  # fmt: skip
    assert listed.returncode == 0 and "probe" in listed.stdout
    assert absolute_database_url("sqlite:///x.db") == f"sqlite:///{Path.cwd() / 'x.db'}"
    assert absolute_database_url("sqlite:///:memory:") == "sqlite:///:memory:"
    assert absolute_database_url("postgresql://u@h/d") == "postgresql://u@h/d"


def test_commands_that_expect_a_store_refuse_a_missing_one_and_say_how_to_build_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "missing" / "atlas.db"
    url = f"sqlite:///{path}"
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "scidex", "--db", url, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        for args in EXPECTING
    ]
    for args, proc in zip(EXPECTING, running, strict=True):
        out, errs = proc.communicate(timeout=120)
        assert proc.returncode == 2, (args, out, errs)
        assert f"there is no store at {path}" in errs, args
        assert f"scidex --db {url} build" in errs, args
        assert "Traceback" not in errs
    assert not path.exists() and not path.parent.exists()
    assert not (tmp_path / "exported").exists()


def test_a_database_without_a_store_in_it_is_refused_too(db_url: str, tmp_path: Path) -> None:
    if db_url.startswith("sqlite"):
        Path(db_url.removeprefix("sqlite:///")).touch()  # an empty file, as sqlite3 leaves it
    # The PostgreSQL database exists on the server, empty.
    result = _run(["--db", db_url, "account", "list"], cwd=tmp_path)
    assert result.returncode == 2
    assert "there is no store in" in result.stderr and "(it holds no schema)" in result.stderr
    with pytest.raises(NoStoreError):
        Store.open(db_url, must_exist=True)
    # It was left as it was: still no schema.
    with pytest.raises(NoStoreError):
        Store.open(db_url, must_exist=True)


def test_every_command_that_opens_a_store_names_it(store: Store, tmp_path: Path) -> None:
    result = _run(["--db", store.url, "account", "list"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shown = result.stderr.splitlines()[0]
    assert shown.startswith("store: ")
    if store.dialect == "sqlite":
        assert shown == f"store: {store.url}"
    else:
        assert shown.startswith("store: postgresql") and store.url.split("/")[-1] in shown
