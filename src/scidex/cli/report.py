"""Terminal summaries for CLI commands (rich tables); no logic beyond presentation."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from scidex.ingest.build import BuildResult


def print_build_summary(out: Console, result: BuildResult) -> None:
    report = result.report
    if report is None:
        return
    sources = Table("source release", "entities", "edges", title="Sources")
    for r in result.releases:
        sources.add_row(r.id, f"{r.counts.get('entities', 0):,}", f"{r.counts.get('edges', 0):,}")
    for name, why in result.failed.items():
        sources.add_row(f"[red]{name}[/]", "-", "-", end_section=False)
        out.print(f"[red]not built:[/] {name}: {why}", highlight=False)
    out.print(sources)
    cats = Table("category", "entities", title="Entities by category")
    for cat, n in report.entities.most_common():
        cats.add_row(cat, f"{n:,}")
    out.print(cats)
    preds = Table("predicate", "edges", title="Edges by predicate")
    for pred, n in report.edges.most_common():
        preds.add_row(pred, f"{n:,}")
    out.print(preds)
    if report.dropped_edges:
        dropped = Table("source release", "reason", "edges", "example", title="Edges not loaded")
        for (rid, why), n in sorted(report.dropped_edges.items()):
            dropped.add_row(rid, why, f"{n:,}", report.dropped_examples.get((rid, why), ""))
        out.print(dropped)
        ids = len(report.unmapped)
        out.print(f"{ids:,} identifiers behind them (scidex build --unmapped FILE lists each)")
    pubs = report.publications
    for rid, n in sorted(pubs.links.items()):
        out.print(f"publication links: {n:,} from {rid}", highlight=False)
    for rid, n in sorted(pubs.unmapped.items()):
        out.print(
            f"publication links not loaded: {pubs.unmapped_links[rid]:,}, of {n:,} ids from {rid} "
            f"that name no entity (e.g. {pubs.examples.get(rid, '?')})",
            highlight=False,
        )
    merged = ", ".join(f"{n:,} {p}" for p, n in report.merged.most_common())
    if merged:
        out.print(f"merged onto canonical ids: {merged}")
    if report.ambiguous_xrefs:
        out.print(
            f"{len(report.ambiguous_xrefs):,} ids are claimed by several canonical entities "
            "and were left as separate entities (scidex lint --graph lists the name clashes)"
        )
    if result.curated:
        cur = ", ".join(f"{n:,} {k}" for k, n in sorted(result.curated.items()))
        out.print(f"curated pages: {cur}")
    pages = ", ".join(f"{n:,} {k}" for k, n in sorted(result.pages.items()))
    out.print(f"pages: {pages or 'none'}; search documents: {result.search_docs:,}")
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    out.print(f"timings: {timings}")
    out.print(f"[bold]built in {result.seconds:.1f}s[/]")
