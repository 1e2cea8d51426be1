"""Helpers several test modules share: the ``scidex`` command as a process, a served store,
the record path of a KGX edge file and a progress display that writes down what it saw.

Imported as ``from helpers import ...``: pytest puts this directory (that of the root
conftest.py) on ``sys.path``, as it does for ``from test_kgx import snapshot``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange.records import edge_record
from scidex.interchange.tsv import read_rows
from scidex.store import Store, bulk

# --- the command ---------------------------------------------------------------------


def scidex(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """``python -m scidex *args``, its output captured as text; ``env`` None inherits ours."""
    return subprocess.run(
        [sys.executable, "-m", "scidex", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
    )


def env_without_db_url(**extra: str) -> dict[str, str]:
    """This process's environment without SCIDEX_DATABASE_URL (so the default store is
    used), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "SCIDEX_DATABASE_URL"}
    return {**env, **extra}


# --- a served store ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_argv(store: Store, port: int, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scidex",
        "--db",
        store.url,
        "serve",
        "--port",
        str(port),
        *options,
    ]


@dataclass
class Served:
    base: str
    out: str = ""
    errs: str = ""


@contextmanager
def serving(store: Store, *options: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """``scidex serve`` on a free port, accepting connections; what it printed is there once
    it stops. Readiness is a bare connection, not a request, so the access log holds only
    the test's own requests. ``env`` is added to this process's environment."""
    port = free_port()
    proc = subprocess.Popen(
        serve_argv(store, port, *options),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    served = Served(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None, "the server exited before it listened"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        yield served
    finally:
        proc.terminate()
        served.out, served.errs = proc.communicate(timeout=30)


# --- KGX edge files ----------------------------------------------------------------


def record_path(path: Path, known: set[str]) -> list[Any]:
    """What every line of ``path`` becomes through the reader and full validation alone:
    the edge's row (its key first), or the error's line, field and message."""
    out: list[Any] = []
    for line, record in read_rows(path):
        try:
            edge, key, _columns = edge_record(record, path, line, "kgx@test", known)
            out.append((key, *bulk.edge_row(edge)[1:]))
        except SourceFormatError as exc:
            out.append((exc.line, exc.field, exc.message))
    return out


# --- progress ------------------------------------------------------------------------


@dataclass
class Step:
    description: str
    total: int | None
    unit: str
    depth: int
    done: int = 0
    closed: bool = False


@dataclass
class RecordingProgress:
    """A ``Progress`` that records every step started, how deep it sits and what it counted."""

    steps: list[Step] = field(default_factory=list)
    open: list[Step] = field(default_factory=list)

    def task(self, description: str, *, total: int | None = None, unit: str = "rows") -> _Task:
        step = Step(description, total, unit, depth=len(self.open))
        self.steps.append(step)
        self.open.append(step)
        return _Task(self, step)

    def named(self, description: str) -> Step:
        [step] = [s for s in self.steps if s.description == description]
        return step

    def done(self) -> dict[str, int]:
        """How far the steps of each description got, in all."""
        counts: dict[str, int] = {}
        for step in self.steps:
            counts[step.description] = counts.get(step.description, 0) + step.done
        return counts


@dataclass
class _Task:
    owner: RecordingProgress
    step: Step

    def advance(self, amount: int = 1) -> None:
        assert not self.step.closed, f"{self.step.description} advanced after it closed"
        self.step.done += amount

    def set_total(self, total: int | None) -> None:
        self.step.total = total

    def __enter__(self) -> _Task:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.step.closed = True
        self.owner.open.remove(self.step)
