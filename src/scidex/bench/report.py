"""The bench's output: a table on the terminal and one JSON file per run."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from scidex.bench.runner import Figure

SCHEMA = "scidex-bench/1"


def _ms(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def _verdict(f: Figure) -> str:
    if f.met is None:
        return ""
    return f"{f.target} [green]met[/]" if f.met else f"{f.target} [bold red]missed[/]"


def table(figures: list[Figure], title: str) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("figure", overflow="fold")
    t.add_column("n", justify="right")
    t.add_column("median", justify="right")
    t.add_column("p99", justify="right")
    t.add_column("baseline", overflow="fold")
    t.add_column("median", justify="right")
    t.add_column("p99", justify="right")
    t.add_column("ratio", justify="right")
    t.add_column("target (ms)")
    suite = None
    for f in figures:
        if f.suite != suite:
            suite = f.suite
            t.add_section()
            t.add_row(f"[bold]{suite}[/]")
        t.add_row(
            f.name,
            str(f.stats.n),
            _ms(f.stats.median_ms),
            _ms(f.stats.p99_ms),
            f.baseline_name,
            _ms(f.baseline.median_ms),
            _ms(f.baseline.p99_ms),
            f"{f.ratio:.2f}x" if math.isfinite(f.ratio) else "-",
            _verdict(f),
        )
    return t


def notes(figures: list[Figure]) -> list[str]:
    """What a time alone does not say: throughput and peak memory."""
    lines = []
    for f in figures:
        x = f.extra
        if "edges_per_s" in x:
            lines.append(
                f"{f.name}: {x['edges_per_s']:,} edges/s; {f.baseline_name}: "
                f"{x['baseline_edges_per_s']:,} edges/s ({f.ratio:.2f}x slower)"
            )
        if "requests_per_s" in x:
            lines.append(
                f"{f.name}: {x['requests_per_s']:,} req/s, {x['errors']} errors "
                f"({f.baseline_name}: {x['baseline_requests_per_s']:,} req/s; "
                f"{x['connections']} connections, {x['workers']} workers, {x['seconds']} s)"
            )
        if "peak_rss_mib" in x:
            lines.append(
                f"{f.name}: peak memory {x['peak_rss_mib']:,} MiB "
                f"({f.baseline_name}: {x['baseline_peak_rss_mib']:,} MiB)"
            )
    return lines


def print_table(console: Console, figures: list[Figure], title: str) -> None:
    if not console.is_terminal and console.width < 140:
        # Piped into a file or a CI log: no terminal to fit, so do not squeeze the table.
        console.width = 140
    console.print(table(figures, title))
    for line in notes(figures):
        console.print(line, highlight=False)
    console.print("times in ms; ratio = median / baseline median", style="dim")


def result_document(
    *,
    started: datetime,
    backend: str,
    store_url: str,
    machine: dict[str, Any],
    git: dict[str, Any],
    dataset: dict[str, Any],
    settings: dict[str, Any],
    figures: list[Figure],
    seconds: float,
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "date": started.isoformat(timespec="seconds"),
        "backend": backend,
        "store": store_url,
        "git_commit": git.get("commit", "unknown"),
        "git_dirty": git.get("dirty"),
        "machine": machine,
        "dataset": dataset,
        "settings": settings,
        "seconds": round(seconds, 1),
        "figures": [f.to_json() for f in figures],
    }


def write_json(document: dict[str, Any], out_dir: Path, started: datetime, backend: str) -> Path:
    """Write ``<out_dir>/<UTC timestamp>-<backend>.json``; never overwrites an earlier run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"{stamp}-{backend}.json"
    n = 1
    while path.exists():
        n += 1
        path = out_dir / f"{stamp}-{backend}-{n}.json"
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return path
