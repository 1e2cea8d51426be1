"""KGX export: every entity and edge out of the store as KGX files, streaming.

Writes what the store holds in KGX's vocabulary, and gives back what an
import kept beyond the store's fields (``schema.entity_kgx``,
``schema.edge_kgx``): a node's full category list, its ``in_taxon`` or
``iri``, an edge's original id and ``original_subject``, any other column.
An edge's Biolink qualifier and count slots (``frequency_qualifier``,
``has_count``) are columns of their own; its other qualifiers stay in the
``qualifiers`` JSON object. So an imported graph comes back column for column.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, select

from scidex.interchange import EXPORT_FORMATS, FORMATS, conform, kgxjson
from scidex.interchange.records import EDGE_COLUMNS, NODE_COLUMNS
from scidex.kg import biolink
from scidex.progress import NO_PROGRESS, Progress, tracked
from scidex.store import Store
from scidex.store.schema import edge as edge_table
from scidex.store.schema import (
    edge_kgx,
    entity,
    entity_kgx,
    entity_name,
    entity_xref,
    source_release,
)


def _kept(
    conn: Connection, table: Table, only: set[str] | None = None
) -> dict[str, dict[str, Any]]:
    """The columns an import kept beyond the store's fields, by entity or edge id."""
    key = table.c.entity_id if "entity_id" in table.c else table.c.edge_id
    kept = {}
    for k, columns in conn.execute(select(key, table.c.columns)):
        if only is None or k in only:
            kept[k] = json.loads(columns)
    return kept


def _slot_keys(conn: Connection) -> list[str]:
    """The Biolink qualifier and count slots some stored edge's qualifiers use."""
    slots = biolink.qualifier_slots() | biolink.statistic_slots()
    used: set[str] = set()
    for (text,) in conn.execute(
        select(edge_table.c.qualifiers).where(edge_table.c.qualifiers != "{}").distinct()
    ):
        used.update(k for k in json.loads(text) if k in slots)
    return sorted(used)


def _node_rows(
    conn: Connection, kept: dict[str, dict[str, Any]], only: set[str] | None = None
) -> Iterator[dict[str, Any]]:
    names: dict[str, dict[str, list[str]]] = {}
    for r in conn.execute(
        select(entity_name.c.entity_id, entity_name.c.name, entity_name.c.kind).where(
            entity_name.c.kind.in_(("synonym", "previous_symbol"))
        )
    ):
        if only is None or r.entity_id in only:
            names.setdefault(r.entity_id, {}).setdefault(r.kind, []).append(r.name)
    xrefs: dict[str, list[str]] = {}
    for x in conn.execute(select(entity_xref.c.entity_id, entity_xref.c.xref)):
        if only is None or x.entity_id in only:
            xrefs.setdefault(x.entity_id, []).append(x.xref)
    # A merged entity is no node of the graph: the survivor carries its id as an xref.
    for r in conn.execute(
        select(entity).where(entity.c.lifecycle == "active").order_by(entity.c.id)
    ):
        if only is not None and r.id not in only:
            continue
        n = names.get(r.id, {})
        row = {
            "id": r.id,
            "category": [r.category],
            "name": r.name,
            "symbol": r.symbol,
            "description": r.description,
            "synonym": sorted(n.get("synonym", [])),
            "previous_symbol": sorted(n.get("previous_symbol", [])),
            "xref": sorted(xrefs.get(r.id, [])),
            "provided_by": [r.source_release] if r.source_release else [],
            "attributes": json.loads(r.attributes),
        }
        row.update(kept.get(r.id, ()))
        yield row


def _edge_rows(
    conn: Connection,
    kept: dict[str, dict[str, Any]],
    slots: list[str],
    only: set[str] | None = None,
) -> Iterator[dict[str, Any]]:
    # Spelled out rather than looped over the declaration (kg.fields): it runs per
    # edge. tests/test_fields.py exports every declared field and reads it back.
    rows = conn.execution_options(stream_results=True, yield_per=10_000).execute(
        select(edge_table).order_by(edge_table.c.id)
    )
    as_column = frozenset(slots)
    for r in rows:
        if only is not None and (r.subject not in only or r.object not in only):
            continue
        qualifiers = json.loads(r.qualifiers)
        row = {
            "id": r.id,
            "subject": r.subject,
            "predicate": r.predicate,
            "object": r.object,
            "primary_knowledge_source": r.primary_knowledge_source,
            "aggregator_knowledge_source": json.loads(r.aggregator_knowledge_sources),
            "knowledge_level": r.knowledge_level,
            "agent_type": r.agent_type,
            "publications": json.loads(r.publications),
            "has_evidence": json.loads(r.evidence_codes),
            "qualifiers": qualifiers,
            "confidence": r.confidence,
            "provided_by": [r.source_release] if r.source_release else [],
        }
        if as_column and qualifiers.keys() & as_column:
            row["qualifiers"] = {k: v for k, v in qualifiers.items() if k not in as_column}
            row.update((k, v) for k, v in qualifiers.items() if k in as_column)
        extra = kept.get(r.id)
        if extra:
            row.update(extra)
        yield row


@dataclass
class ExportReport:
    nodes: int
    edges: int
    files: list[Path]
    # Nodes whose prefixes the Biolink model does not register, by prefix: all
    # exported as they are, or with ``biolink_ids`` the ones the plan touched.
    unregistered: Counter[str] = field(default_factory=Counter)
    plan: conform.IdPlan | None = None


def _columns(base: list[str], *more: Any) -> list[str]:
    seen = dict.fromkeys(base)
    for keys in more:
        seen.update(dict.fromkeys(sorted(k for k in keys if k not in seen)))
    return list(seen)


def export_kgx(
    store: Store,
    directory: Path,
    *,
    fmt: str = "tsv",
    only: set[str] | None = None,
    biolink_ids: bool = False,
    progress: Progress = NO_PROGRESS,
) -> ExportReport:
    """Write nodes, edges and sources.json into ``directory``, streaming from the store.

    ``fmt`` is ``tsv`` or ``jsonl`` (``nodes.tsv`` and ``edges.tsv``) or
    ``json`` (one KGX JSON document, ``graph.json``). With ``only``, just
    those entities and the edges between them (a subgraph). With
    ``biolink_ids``, nodes whose prefixes the Biolink model does not register
    are exported under a registered equivalent or left out
    (:mod:`scidex.interchange.conform`), and ``biolink-ids.tsv`` says which.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")
    directory.mkdir(parents=True, exist_ok=True)
    sources_path = directory / "sources.json"
    with store.read() as conn:
        node_kept = _kept(conn, entity_kgx, only)
        edge_kept = _kept(conn, edge_kgx)
        slots = _slot_keys(conn)
        plan = conform.plan(conn, only) if biolink_ids else None
        renames = ["original_subject", "original_object"] if plan and plan.renamed else []
        node_columns = _columns(NODE_COLUMNS, *(k.keys() for k in node_kept.values()))
        edge_columns = _columns(
            EDGE_COLUMNS, slots, renames, *(k.keys() for k in edge_kept.values())
        )
        n_entities = conn.execute(
            select(func.count()).select_from(entity).where(entity.c.lifecycle == "active")
        ).scalar_one()
        n_edges = conn.execute(select(func.count()).select_from(edge_table)).scalar_one()
        unregistered: Counter[str] = Counter()
        node_rows = _counting_unregistered(_node_rows(conn, node_kept, only), unregistered)
        edge_rows = _edge_rows(conn, edge_kept, slots, only)
        if plan is not None:
            node_rows, edge_rows = plan.nodes(node_rows), plan.edges(edge_rows)
        nodes = _advancing(
            node_rows,
            progress,
            "exporting nodes",
            len(only) if only else n_entities,
        )
        edges = _advancing(
            edge_rows,
            progress,
            "exporting edges",
            None if only else n_edges,
        )
        if fmt == "json":
            graph_path = directory / "graph.json"
            counts = kgxjson.write_graph(
                graph_path, {"nodes": (node_columns, nodes), "edges": (edge_columns, edges)}
            )
            written, files = (counts["nodes"], counts["edges"]), [graph_path]
        else:
            writer = FORMATS[fmt][1]
            nodes_path, edges_path = directory / f"nodes.{fmt}", directory / f"edges.{fmt}"
            written = (
                writer(nodes_path, node_columns, nodes),
                writer(edges_path, edge_columns, edges),
            )
            files = [nodes_path, edges_path]
        releases = [
            {k: (json.loads(v) if k == "counts" else v) for k, v in r._mapping.items()}
            for r in conn.execute(select(source_release).order_by(source_release.c.id))
        ]
    sources_path.write_text(json.dumps(releases, indent=1, sort_keys=True) + "\n", "utf-8")
    files.append(sources_path)
    if plan is not None:
        plan.write(directory / conform.FILE)
        files.append(directory / conform.FILE)
    return ExportReport(written[0], written[1], files, unregistered, plan)


def _counting_unregistered(
    rows: Iterator[dict[str, Any]], counts: Counter[str]
) -> Iterator[dict[str, Any]]:
    """``rows``, counting by prefix the ids whose prefixes Biolink does not register."""
    for row in rows:
        prefix = conform.prefix_of(row["id"])
        if not biolink.registers_prefix(prefix):
            counts[prefix] += 1
        yield row


def _advancing(
    rows: Iterator[dict[str, Any]], progress: Progress, description: str, total: int | None
) -> Iterator[dict[str, Any]]:
    """``rows`` as they are written, reported as one step that starts with the first."""
    with progress.task(description, total=total) as task:
        yield from tracked(rows, task, step=10_000)
