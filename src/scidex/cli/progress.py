"""Progress bars on stderr for the command line (rich), behind ``scidex.progress``.

Every step shows its description, a bar when the total is known, the count (or
bytes and speed for transfers), the elapsed time and an ETA. When stderr is not
a terminal (CI logs, pipes) rich draws nothing live; each step then prints one
line when it ends, so logs still say what ran and how long it took.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

__all__ = ["BarProgress"]


class _BarTask:
    def __init__(self, owner: BarProgress, description: str, total: int | None, unit: str) -> None:
        self._owner = owner
        self._description = description
        self._unit = unit
        self._done = 0
        self._started = time.perf_counter()
        self._bars = owner.bars_for(unit)
        self._id: TaskID = self._bars.add_task(description, total=total)
        if not self._bars.live.is_started:
            self._bars.start()

    def advance(self, amount: int = 1) -> None:
        self._done += amount
        self._bars.advance(self._id, amount)

    def set_total(self, total: int | None) -> None:
        self._bars.update(self._id, total=total)

    def __enter__(self) -> _BarTask:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bars.remove_task(self._id)
        if not self._bars.tasks:
            self._bars.stop()
        seconds = time.perf_counter() - self._started
        if exc_type is None and seconds >= 1.0:
            if self._unit == "bytes":
                done = f"{self._done / 1e6:,.1f} MB"
            else:
                done = f"{self._done:,} {self._unit}"
            self._owner.console.print(f"{self._description}: {done} in {seconds:.1f} s")


class BarProgress:
    """A ``scidex.progress.Progress`` drawing rich progress bars on a console."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._by_unit: dict[str, Progress] = {}

    def bars_for(self, unit: str) -> Progress:
        """One rich ``Progress`` per kind of unit, since their columns differ."""
        # Only one live display may run on a console at a time: steps nest
        # (fetch inside build), so all units share the first display's columns
        # when one is already running.
        running = next((p for p in self._by_unit.values() if p.live.is_started), None)
        if running is not None:
            return running
        if unit not in self._by_unit:
            self._by_unit[unit] = Progress(*_columns(unit), console=self.console, transient=True)
        return self._by_unit[unit]

    def task(self, description: str, *, total: int | None = None, unit: str = "rows") -> _BarTask:
        return _BarTask(self, description, total, unit)


def _columns(unit: str) -> list[ProgressColumn | str]:
    if unit == "bytes":
        counted: list[ProgressColumn | str] = [DownloadColumn(), TransferSpeedColumn()]
    else:
        counted = [MofNCompleteColumn(), TextColumn(unit)]
    return [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        *counted,
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    ]
