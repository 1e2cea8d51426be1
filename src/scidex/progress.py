"""How long-running steps report their progress, without knowing who shows it.

Build, import and export call ``progress.task(...)`` for every step that may take
more than a second and ``advance`` it as they go (bytes fetched, rows parsed,
edges written). The command line passes an implementation that draws progress
bars with an ETA; library callers and tests get :data:`NO_PROGRESS`, which does
nothing. Keeping the protocol here, below every layer, lets ``ingest`` and
``interchange`` report without importing the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Protocol, TypeVar

T = TypeVar("T")


class Task(Protocol):
    """One step in progress; a context manager that closes the step on exit."""

    def advance(self, amount: int = 1) -> None:
        """Record ``amount`` more units done."""

    def set_total(self, total: int | None) -> None:
        """Set (or clear) how many units the step has in all, once it is known."""

    def __enter__(self) -> Task: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Progress(Protocol):
    """Something that shows steps: ``task`` starts one."""

    def task(self, description: str, *, total: int | None = None, unit: str = "rows") -> Task:
        """Start a step named ``description`` of ``total`` units (``None``: unknown).

        ``unit`` names what is counted: ``"rows"``, ``"edges"``, ``"bytes"``...
        (``"bytes"`` is shown as a transfer size and speed).
        """
        ...


class _NoTask:
    def advance(self, amount: int = 1) -> None:
        pass

    def set_total(self, total: int | None) -> None:
        pass

    def __enter__(self) -> _NoTask:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pass


class _NoProgress:
    def task(self, description: str, *, total: int | None = None, unit: str = "rows") -> _NoTask:
        return _NoTask()


NO_PROGRESS: Progress = _NoProgress()
"""Shows nothing: the default wherever no progress display was asked for."""


def tracked(items: Iterable[T], task: Task, *, step: int = 1000) -> Iterator[T]:
    """Yield ``items``, advancing ``task`` by one per item (in strides of ``step``, so
    that a million rows cost a thousand updates, not a million)."""
    pending = 0
    for item in items:
        yield item
        pending += 1
        if pending >= step:
            task.advance(pending)
            pending = 0
    if pending:
        task.advance(pending)
