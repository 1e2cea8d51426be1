"""The scidex command as a user runs it: real processes, real stores."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import scidex


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://alice:s3cret@127.0.0.1:1/atlas", "cannot open database"),
        ("nonsense", "malformed database URL"),
        ("oracle://x@y/z", "unsupported database URL"),
    ],
)
def test_a_bad_db_url_is_one_line_exit_2_and_no_traceback(url: str, expected: str) -> None:
    result = scidex("--db", url, "token", "list")
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_command_has_useful_help() -> None:
    commands = (
        ["build"],
        ["serve"],
        ["import", "kgx"],
        ["export", "kgx"],
        ["lint"],
        ["token", "create"],
        ["bench"],
    )
    # All at once: each process only prints its help, and most of its time is start-up.
    running = [
        (
            command,
            subprocess.Popen(
                [sys.executable, "-m", "scidex", *command, "--help"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for command in commands
    ]
    for command, proc in running:
        stdout, _stderr = proc.communicate(timeout=60)
        assert proc.returncode == 0, command
        assert "Usage" in stdout


def test_tokens_are_shown_once_and_stored_hashed(db_url: str) -> None:
    created = scidex("--db", db_url, "token", "create", "--role", "editor", "--label", "ingest bot")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("sdx_")
    listing = scidex("--db", db_url, "token", "list")
    assert "ingest bot" in listing.stdout
    assert secret not in listing.stdout
    # stderr: the store opened, then the token's id.
    store_line, token_line, *_ = created.stderr.splitlines()
    assert store_line.startswith("store: ")
    token_id = token_line.split()[1]
    assert scidex("--db", db_url, "token", "revoke", token_id).returncode == 0
    assert scidex("--db", db_url, "token", "revoke", token_id).returncode == 2


def test_an_unknown_role_is_refused(sqlite_database: str) -> None:
    result = scidex("--db", sqlite_database, "token", "create", "--role", "god", "--label", "x")
    assert result.returncode == 2
    assert "unknown role 'god'" in result.stderr


@pytest.mark.parametrize("value", ["0", "many", "-2"])
def test_a_bad_thread_count_is_one_line_exit_2(value: str, sqlite_database: str) -> None:
    result = scidex(
        "--db", sqlite_database, "token", "list", env={**os.environ, "SCIDEX_THREADS": value}
    )
    assert result.returncode == 2
    assert f"SCIDEX_THREADS must be a whole number of 1 or more, not {value!r}" in result.stderr
    assert "Traceback" not in result.stderr
