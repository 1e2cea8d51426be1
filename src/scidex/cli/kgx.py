"""``scidex import kgx`` and ``scidex export kgx``: graphs in and out as KGX."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from scidex.cli import export_app, fail, import_app, open_store, out
from scidex.ingest.sources.errors import SourceFormatError


@import_app.command("kgx")
def import_kgx(
    ctx: typer.Context,
    places: Annotated[
        list[str],
        typer.Argument(
            help="KGX files (nodes and edges; .tsv, .jsonl or KGX JSON .json, may be .gz), "
            "directories, .tar.gz/.tar/.zip archives or https:// URLs of any of them.",
            metavar="PLACE",
            show_default=False,
        ),
    ],
    lenient: Annotated[
        bool,
        typer.Option(
            help="Skip bad rows (malformed ones too) instead of stopping; they are counted "
            "and listed."
        ),
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="Where --lenient lists the rows it skipped.")
    ] = None,
    max_errors: Annotated[
        int | None,
        typer.Option(help="With --lenient, stop (and import nothing) after this many bad rows."),
    ] = None,
    default_knowledge_source: Annotated[
        str | None,
        typer.Option(help="infores: CURIE for edges that name no primary knowledge source."),
    ] = None,
    release: Annotated[
        str | None, typer.Option(help="Name of the release record (default: kgx-<name>).")
    ] = None,
    version: Annotated[
        str | None, typer.Option(help="Version of the graph (default: its sha256, shortened).")
    ] = None,
    licence: Annotated[
        str | None, typer.Option(help='Licence of the graph (default: "licence not stated").')
    ] = None,
    attribution: Annotated[
        str | None,
        typer.Option(help="Attribution text (default: the provided_by values, listed)."),
    ] = None,
    infores: Annotated[
        str | None, typer.Option(help="infores: CURIE of the graph's publisher.")
    ] = None,
    biolink_version: Annotated[
        str | None, typer.Option(help="Biolink model version the graph follows.")
    ] = None,
) -> None:
    """Import a Biolink graph in KGX format, in one transaction.

    Every row is checked: CURIE prefixes, Biolink categories and predicates,
    edge endpoints, knowledge levels. The first bad row stops the import with
    its file, line and field, and the store is left as it was. Columns the
    atlas has no field for are kept and exported again by `scidex export kgx`.
    """
    from scidex.cli.progress import BarProgress
    from scidex.interchange.kgx import ReleaseMeta, with_ingest_metadata
    from scidex.interchange.kgx import import_kgx as run_import
    from scidex.interchange.places import PlaceError, describe, opened

    for given in (default_knowledge_source, infores):
        if given is not None and not given.startswith("infores:"):
            fail(f"{given!r}: expected an infores: CURIE")
    if max_errors is not None and not lenient:
        fail("--max-errors applies to --lenient imports")
    store = open_store(ctx)
    progress = BarProgress()
    try:
        with opened(places, progress) as graph:
            if lenient and report is None:
                report = Path(f"{(graph.edges or graph.nodes)[0].name}.rejected.tsv")
            meta = with_ingest_metadata(
                ReleaseMeta(
                    name=release or (f"kgx-{graph.name}" if graph.name else None),
                    version=version,
                    licence=licence,
                    attribution=attribution,
                    infores=infores,
                    biolink_version=biolink_version,
                    fetch=describe(places),
                ),
                graph.metadata,
            )
            result = run_import(
                store,
                graph.nodes,
                graph.edges,
                lenient=lenient,
                report_path=report,
                max_errors=max_errors,
                default_source=default_knowledge_source,
                meta=meta,
                progress=progress,
            )
    except (SourceFormatError, PlaceError, ValueError) as exc:
        fail(f"{exc} (nothing was imported)")
    out.print(f"imported {result.nodes:,} nodes and {result.edges:,} edges as {result.release_id}")
    if result.defaulted_sources:
        out.print(
            f"{result.defaulted_sources:,} edges named no knowledge source and were given "
            f"{default_knowledge_source}"
        )
    if result.rejected:
        total = sum(result.rejected.values())
        reasons = "; ".join(f"{n:,} {why}" for why, n in result.rejected.most_common())
        out.print(f"[yellow]skipped {total:,} bad rows[/] ({reasons}); listed in {report}")


@export_app.command("kgx")
def export_kgx(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Directory to write into (created).")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="tsv or jsonl (nodes and edges files) or json (KGX JSON graph.json)."
        ),
    ] = "tsv",
    biolink_ids: Annotated[
        bool,
        typer.Option(
            "--biolink-ids",
            help="Export nodes whose prefixes the Biolink model does not register (FPLX) "
            "under a registered id they carry as an xref, or leave them out with their "
            "edges; biolink-ids.tsv lists each.",
        ),
    ] = False,
) -> None:
    """Export every entity and edge as KGX files (nodes, edges, sources.json) into DIRECTORY.

    Columns an import kept beyond the atlas's own fields come back as they were.
    """
    from scidex.cli.progress import BarProgress
    from scidex.interchange import EXPORT_FORMATS
    from scidex.interchange.export import export_kgx as run_export

    if fmt not in EXPORT_FORMATS:
        fail(f"unknown format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")
    store = open_store(ctx)
    result = run_export(store, directory, fmt=fmt, biolink_ids=biolink_ids, progress=BarProgress())
    out.print(f"exported {result.nodes:,} nodes and {result.edges:,} edges to {directory}")
    if result.plan is not None:
        plan = result.plan
        out.print(
            f"{len(plan.renamed):,} nodes exported under a Biolink-registered id and "
            f"{len(plan.left_out):,} left out with {plan.edges_left_out:,} edges "
            f"({_prefix_counts(plan.prefixes())}); listed in {directory / 'biolink-ids.tsv'}"
        )
    elif result.unregistered:
        out.print(
            f"[yellow]{sum(result.unregistered.values()):,} nodes have ids whose prefixes the "
            f"Biolink model does not register[/] ({_prefix_counts(result.unregistered)}); "
            "Biolink tools reject them. --biolink-ids exports them under registered ids."
        )


def _prefix_counts(counts: Counter[str]) -> str:
    return ", ".join(f"{p}: {n:,}" for p, n in counts.most_common())
