"""A rich published graph goes in and comes back out of ``scidex export kgx`` column for column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import RecordingProgress
from scidex.interchange.export import export_kgx
from scidex.interchange.kgx import import_kgx
from scidex.store import Store
from scidex.store.schema import edge, edge_kgx, entity, entity_kgx

DATA = Path(__file__).parent / "data"
NODES, EDGES = DATA / "marfan_nodes.tsv", DATA / "marfan_edges.tsv"
# Kept by the store as sets (one row per name or xref): their order is not kept.
UNORDERED = {"xref", "synonym", "previous_symbol"}


def _cells(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    """The header, and each row's non-empty cells by column, keyed by the row's id."""
    with path.open(newline="") as fh:
        lines = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    header = lines[0]
    rows = {}
    for values in lines[1:]:
        row = {k: v for k, v in zip(header, values, strict=False) if v}
        rows[row["id"]] = row
    return header, rows


def _same(column: str, given: str, exported: str) -> bool:
    if column in UNORDERED:
        return set(given.split("|")) == set(exported.split("|"))
    return given == exported


@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
@pytest.mark.parametrize("name", ["nodes", "edges"])
def test_every_column_comes_back_with_the_same_values(
    store: Store, tmp_path: Path, name: str, parallel: bool
) -> None:
    """Every published column comes back, also when the edge rows are built in a second
    process (``parallel``, as for large files)."""
    import_kgx(store, NODES, EDGES, parallel=parallel)
    export_kgx(store, tmp_path / "out")
    given_header, given = _cells(NODES if name == "nodes" else EDGES)
    out_header, exported = _cells(tmp_path / "out" / f"{name}.tsv")
    assert set(given_header) <= set(out_header)
    assert set(given) == set(exported)  # the publisher's edge ids, not ours
    for row_id, row in given.items():
        for column, value in row.items():
            assert _same(column, value, exported[row_id].get(column, "")), (row_id, column)


def _snapshot(store: Store) -> dict[str, set[tuple[object, ...]]]:
    with store.read() as conn:
        return {
            t.name: {tuple(r) for r in conn.execute(select(t))}
            for t in (entity, edge, entity_kgx, edge_kgx)
        }


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "json"])
def test_an_export_imports_to_the_same_store(
    store: Store, tmp_path: Path, other_sqlite: str, fmt: str
) -> None:
    import_kgx(store, NODES, EDGES)
    out = tmp_path / "out"
    export_kgx(store, out, fmt=fmt)
    files = (
        [out / "graph.json"] * 2 if fmt == "json" else [out / f"nodes.{fmt}", out / f"edges.{fmt}"]
    )
    copy = Store.open(other_sqlite)
    try:
        import_kgx(copy, files[0], files[1])
        assert _snapshot(copy) == _snapshot(store)
    finally:
        copy.close()


def test_import_and_export_report_their_progress(store: Store, tmp_path: Path) -> None:
    steps = RecordingProgress()
    import_kgx(store, NODES, EDGES, progress=steps)
    export_kgx(store, tmp_path / "out", progress=steps)
    assert steps.open == [] and all(s.closed for s in steps.steps)
    assert steps.done() == {
        "reading nodes from marfan_nodes.tsv": 8,
        "writing edges": 5,
        "exporting nodes": 8,
        "exporting edges": 5,
    }


def test_a_later_release_without_a_column_drops_what_was_kept(store: Store, tmp_path: Path) -> None:
    import_kgx(store, NODES, EDGES)
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    # The next release: no in_taxon, iri or full_name; no original_subject or negated.
    for given, path, drop in (
        (NODES, nodes, {"in_taxon", "in_taxon_label", "iri", "full_name"}),
        (EDGES, edges, {"original_subject", "original_predicate", "negated"}),
    ):
        with given.open(newline="") as fh:
            lines = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
        keep = [i for i, name in enumerate(lines[0]) if name not in drop]
        path.write_text("".join("\t".join(v[i] for i in keep if i < len(v)) + "\n" for v in lines))
    import_kgx(store, nodes, edges)
    export_kgx(store, tmp_path / "out")
    node_header, _ = _cells(tmp_path / "out" / "nodes.tsv")
    edge_header, exported = _cells(tmp_path / "out" / "edges.tsv")
    assert not {"in_taxon", "iri", "full_name"} & set(node_header)
    assert not {"original_subject", "negated"} & set(edge_header)
    assert exported["uuid:1a2b-0001"]["category"] == "biolink:DiseaseToPhenotypicFeatureAssociation"


def test_a_merge_moves_the_kept_columns_with_their_edges_and_undo_restores_them(
    store: Store, tmp_path: Path
) -> None:
    from scidex.registry.merge import merge_entities, unmerge
    from scidex.registry.revisions import Actor

    import_kgx(store, NODES, EDGES)
    export_kgx(store, tmp_path / "before")
    before = _snapshot(store)
    actor = Actor("system", "test", "test", "admin")
    # Arachnodactyly's two phenotype edges differ only in their frequency and counts.
    with store.atomic() as conn:
        done = merge_entities(conn, "HP:0001166", "HP:0001083", actor=actor)
    assert done.edges_moved == 2

    export_kgx(store, tmp_path / "merged")
    _, given = _cells(EDGES)
    _, merged = _cells(tmp_path / "merged" / "edges.tsv")
    for row_id in ("uuid:1a2b-0001", "uuid:1a2b-0002"):
        assert merged[row_id]["object"] == "HP:0001083"
        for column in ("category", "has_count", "has_total", "frequency_qualifier"):
            assert merged[row_id][column] == given[row_id][column], (row_id, column)
        assert merged[row_id]["original_subject"] == "OMIM:154700"
    with store.read() as conn:
        kept = set(conn.execute(select(edge_kgx.c.edge_id)).scalars())
        assert kept == set(conn.execute(select(edge.c.id)).scalars())
    # The duplicate is no node of the exported graph; the survivor names it.
    _, nodes = _cells(tmp_path / "merged" / "nodes.tsv")
    assert "HP:0001166" not in nodes
    assert "HP:0001166" in nodes["HP:0001083"]["xref"].split("|")

    with store.atomic() as conn:
        unmerge(conn, done.merge_id, actor=actor)
    after = _snapshot(store)
    for table in ("edge", "edge_kgx", "entity_kgx"):
        assert after[table] == before[table], table
