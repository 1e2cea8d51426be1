"""Progress bars on stderr for the command line (rich), behind ``scidex.progress``.

Every step shows its description, a bar when the total is known, the count (or
bytes for transfers) with its rate, the elapsed time and an ETA. Steps nest: a
step started while another runs is drawn below it, indented, in the same
display (rich allows one live display per console). When stderr is not a
terminal (CI logs, pipes) rich draws nothing live; each step that took a second
or more then prints one line when it ends, so logs still say what ran and how
long it took.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.filesize import decimal
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["BarProgress"]

# A step shorter than this leaves no line behind it.
_REPORT_AFTER_S = 1.0


def _amount(n: float, unit: str) -> str:
    return decimal(int(n)) if unit == "bytes" else f"{int(n):,}"


class _CountColumn(ProgressColumn):
    """``done/total unit`` (or ``done unit`` while the total is unknown); bytes as sizes."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "rows")
        if task.total is None and not task.completed:
            return Text("")  # a step that counts nothing shows its time only
        done = _amount(task.completed, unit)
        shown = done if task.total is None else f"{done}/{_amount(task.total, unit)}"
        return Text(shown if unit == "bytes" else f"{shown} {unit}", style="progress.download")


class _RateColumn(ProgressColumn):
    """Units per second (bytes as a transfer speed)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if not speed:
            return Text("")
        unit = task.fields.get("unit", "rows")
        rate = f"{decimal(int(speed))}/s" if unit == "bytes" else f"{speed:,.0f}/s"
        return Text(rate, style="progress.data.speed")


class _BarTask:
    def __init__(self, owner: BarProgress, description: str, total: int | None, unit: str) -> None:
        self._owner = owner
        self._description = description
        self._unit = unit
        self._done = 0
        self._started = time.perf_counter()
        self._id: TaskID = owner.open(description, total, unit)

    def advance(self, amount: int = 1) -> None:
        self._done += amount
        self._owner.bars.advance(self._id, amount)

    def set_total(self, total: int | None) -> None:
        self._owner.bars.update(self._id, total=total)

    def __enter__(self) -> _BarTask:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._owner.close(self._id)
        seconds = time.perf_counter() - self._started
        if exc_type is None and seconds >= _REPORT_AFTER_S:
            if not self._done:
                line = f"{self._description}: {seconds:.1f} s"
            else:
                done = _amount(self._done, self._unit)
                if self._unit != "bytes":
                    done += f" {self._unit}"
                line = f"{self._description}: {done} in {seconds:.1f} s"
            self._owner.console.print(line, highlight=False)


class BarProgress:
    """A ``scidex.progress.Progress`` drawing rich progress bars on a console."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            _CountColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self._open: list[TaskID] = []

    def open(self, description: str, total: int | None, unit: str) -> TaskID:
        """Show a new step, indented below the steps still running."""
        indent = "  " * len(self._open)
        task_id = self.bars.add_task(f"{indent}{description}", total=total, unit=unit)
        self._open.append(task_id)
        # Off a terminal nothing is drawn live (and stopping would print a blank line).
        if self.console.is_terminal and not self.bars.live.is_started:
            self.bars.start()
        return task_id

    def close(self, task_id: TaskID) -> None:
        self.bars.remove_task(task_id)
        if task_id in self._open:
            self._open.remove(task_id)
        if not self._open and self.bars.live.is_started:
            self.bars.stop()

    def task(self, description: str, *, total: int | None = None, unit: str = "rows") -> _BarTask:
        return _BarTask(self, description, total, unit)
