"""Timing: warm-up, repetitions, median and 99th percentile, paired baselines.

Every figure is measured together with its baseline in the same loop,
alternating which of the two runs first, so that whatever else the shared
machine is doing at that moment slows both alike and their ratio holds.
"""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Stats:
    """Summary of one series of timings, in milliseconds."""

    n: int
    median_ms: float
    p99_ms: float
    min_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Stats:
        if not seconds:
            raise ValueError("no timings to summarise")
        ms = sorted(s * 1000.0 for s in seconds)
        return cls(len(ms), percentile(ms, 50), percentile(ms, 99), ms[0], ms[-1])


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values (p99 of 100 values is the 99th)."""
    if not sorted_values:
        raise ValueError("empty series")
    if p == 50:
        # The ordinary median (mean of the middle two for an even count).
        mid = len(sorted_values) // 2
        if len(sorted_values) % 2:
            return sorted_values[mid]
        return (sorted_values[mid - 1] + sorted_values[mid]) / 2
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(slots=True)
class Figure:
    """One measured thing next to its baseline from the same run.

    ``target`` is the issue's goal in words and ``met`` whether this run met
    it (None when the figure has no target). ``extra`` holds what a time
    alone does not say: throughput, bytes, peak memory, the entity measured.
    """

    suite: str
    name: str
    stats: Stats
    baseline_name: str
    baseline: Stats
    target: str | None = None
    met: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """Median over baseline median: how many times slower than the floor."""
        if self.baseline.median_ms <= 0:
            return math.inf
        return self.stats.median_ms / self.baseline.median_ms

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "name": self.name,
            "median_ms": round(self.stats.median_ms, 4),
            "p99_ms": round(self.stats.p99_ms, 4),
            "min_ms": round(self.stats.min_ms, 4),
            "max_ms": round(self.stats.max_ms, 4),
            "n": self.stats.n,
            "baseline": self.baseline_name,
            "baseline_median_ms": round(self.baseline.median_ms, 4),
            "baseline_p99_ms": round(self.baseline.p99_ms, 4),
            "baseline_n": self.baseline.n,
            "ratio": round(self.ratio, 3) if math.isfinite(self.ratio) else None,
            "target": self.target,
            "met": self.met,
            **({"extra": self.extra} if self.extra else {}),
        }


Call = Callable[[], object]


def paired(
    cases: Sequence[tuple[Call, Call]], *, n: int, warmup: int = 3
) -> tuple[list[float], list[float]]:
    """Time ``n`` runs of the measured call and ``n`` of its baseline, interleaved.

    ``cases`` is a list of (measured, baseline) pairs; run ``i`` uses case
    ``i % len(cases)``, so several queries pool into one series. Each case
    is first run ``warmup`` times untimed (caches, prepared statements,
    template compilation). Which side runs first alternates, so neither
    always gets the warmer cache.
    """
    if not cases:
        raise ValueError("nothing to measure")
    for fn, base in cases:
        for _ in range(warmup):
            fn()
            base()
    measured: list[float] = []
    baseline: list[float] = []
    clock = time.perf_counter
    for i in range(n):
        fn, base = cases[i % len(cases)]
        order = ((fn, measured), (base, baseline))
        for call, sink in order if i % 2 == 0 else reversed(order):
            t = clock()
            call()
            sink.append(clock() - t)
    return measured, baseline


def timed(call: Call) -> float:
    """Seconds one call takes (for long runs, where each repetition is a fresh setup)."""
    t = time.perf_counter()
    call()
    return time.perf_counter() - t


@dataclass(frozen=True, slots=True)
class ChildRun:
    """A finished child process: wall time, its own peak memory, exit status, output."""

    seconds: float
    max_rss_bytes: int
    returncode: int
    stderr: str


# Runs a ``python -m MODULE ...`` or ``python -c CODE ...`` command and, at exit,
# reports the process's own peak RSS (VmHWM belongs to its address space alone).
_PEAK_MARK = "scidex-bench-peak-kib"
_REPORT_PEAK = f"""
import atexit, runpy, sys
def _peak():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                sys.stderr.write('\\n{_PEAK_MARK} ' + line.split()[1] + '\\n')
                sys.stderr.flush()
atexit.register(_peak)
mode, target, *rest = sys.argv[1:]
if mode == '-m':
    sys.argv = [target, *rest]
    runpy.run_module(target, run_name='__main__', alter_sys=True)
else:
    sys.argv = ['-c', *rest]
    exec(compile(target, '<string>', 'exec'), {{'__name__': '__main__'}})
"""


def run_child(argv: Sequence[str], *, env: dict[str, str] | None = None) -> ChildRun:
    """Run ``argv`` and measure its own peak RSS.

    ``wait4``'s ``ru_maxrss`` is not enough: Linux carries the parent's
    high-water mark over into a child through fork and exec, so a bench
    process grown to 1 GiB by an earlier suite reports 1 GiB for every child.
    A Python child is started through a wrapper that reports ``VmHWM`` of
    its own address space at exit; for anything else ``ru_maxrss`` is used.
    """
    argv = list(argv)
    wrapped = len(argv) > 2 and argv[0] == sys.executable and argv[1] in ("-m", "-c")
    if wrapped:
        argv = [sys.executable, "-c", _REPORT_PEAK, *argv[1:]]
    t = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    peak = usage.ru_maxrss * 1024  # KiB on Linux
    lines = stderr.splitlines()
    if wrapped and lines and lines[-1].startswith(_PEAK_MARK):
        peak = int(lines[-1].split()[1]) * 1024
        stderr = "\n".join(lines[:-1]).rstrip("\n")
    return ChildRun(seconds, peak, proc.returncode, stderr)


def _cpuinfo_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _mem_total_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def machine_info() -> dict[str, Any]:
    """What the figures were measured on."""
    try:
        load = list(os.getloadavg())
    except OSError:
        load = None
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpuinfo_model(),
        "memory_bytes": _mem_total_bytes(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average_at_start": load,
    }


def git_commit(where: Path | None = None) -> dict[str, Any]:
    """The commit of the source tree (``unknown`` outside a git checkout) and whether it
    has uncommitted changes, which the figures then include."""
    where = where or Path(__file__).resolve().parents[3]
    try:
        head = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": None}
    return {"commit": head or "unknown", "dirty": bool(dirty)}
