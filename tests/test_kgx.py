"""KGX in and out: round trips, and bad rows named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange.kgx import export_kgx, import_kgx
from scidex.store import Store
from scidex.store.schema import edge, entity, entity_name, entity_xref

NODES = """id\tcategory\tname\tsymbol\tsynonym\txref\tdescription
HGNC:935\tbiolink:Gene|biolink:NamedThing\tBACH transcriptional regulator 1\tBACH1\tBTB domain and CNC homolog 1\tNCBIGene:571|UniProtKB:O14867\t
HGNC:5013\tbiolink:Gene\theme oxygenase 1\tHMOX1\t\tNCBIGene:3162\t
GO:0006979\tbiolink:BiologicalProcess\tresponse to oxidative stress\t\t\t\tAny process that results in a change in state.
"""
EDGES = """subject\tpredicate\tobject\tprimary_knowledge_source\tknowledge_level\tagent_type\tpublications\thas_evidence
HGNC:935\tbiolink:participates_in\tGO:0006979\tinfores:goa\tknowledge_assertion\tmanual_agent\tPMID:12345\tIDA
HGNC:5013\tbiolink:participates_in\tGO:0006979\tinfores:goa\tknowledge_assertion\tautomated_agent\t\tIEA
"""


def write(tmp_path: Path, nodes: str = NODES, edges: str = EDGES) -> tuple[Path, Path]:
    n, e = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    n.write_text(nodes)
    e.write_text(edges)
    return n, e


def counts(store: Store) -> tuple[int, int]:
    with store.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(entity)).scalar_one(),
            conn.execute(select(func.count()).select_from(edge)).scalar_one(),
        )


def snapshot(store: Store) -> dict[str, set[tuple[object, ...]]]:
    with store.read() as conn:
        return {
            "entity": {tuple(r) for r in conn.execute(select(entity))},
            "edge": {tuple(r) for r in conn.execute(select(edge))},
            "names": {tuple(r) for r in conn.execute(select(entity_name))},
            "xrefs": {tuple(r) for r in conn.execute(select(entity_xref))},
        }


def test_import_then_export_then_import_gives_the_same_graph(
    store: Store, tmp_path: Path, other_sqlite: str
) -> None:
    report = import_kgx(store, *write(tmp_path))
    assert (report.nodes, report.edges) == (3, 2)
    assert report.categories["biolink:Gene"] == 2
    export_kgx(store, tmp_path / "out")
    copy = Store.open(other_sqlite)
    try:
        import_kgx(copy, tmp_path / "out" / "nodes.tsv", tmp_path / "out" / "edges.tsv")
        assert snapshot(copy) == snapshot(store)
    finally:
        copy.close()


def test_json_lines_round_trip(store: Store, tmp_path: Path, other_sqlite: str) -> None:
    import_kgx(store, *write(tmp_path))
    export_kgx(store, tmp_path / "out", fmt="jsonl")
    copy = Store.open(other_sqlite)
    try:
        import_kgx(copy, tmp_path / "out" / "nodes.jsonl", tmp_path / "out" / "edges.jsonl")
        assert snapshot(copy) == snapshot(store)
    finally:
        copy.close()


def test_importing_the_same_files_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    files = write(tmp_path)
    import_kgx(store, *files)
    first = snapshot(store)
    import_kgx(store, *files)
    assert snapshot(store) == first


@pytest.mark.parametrize(
    ("bad_edge", "field", "message"),
    [
        ("HGNC:935\tbiolink:cures\tGO:0006979\tinfores:x\t\t\t\t", "predicate", "not a Biolink"),
        (
            "HGNC:999\tbiolink:participates_in\tGO:0006979\tinfores:x\t\t\t\t",
            "subject",
            "unknown node",
        ),
        (
            "FOO:1\tbiolink:participates_in\tGO:0006979\tinfores:x\t\t\t\t",
            "subject",
            "unknown CURIE prefix",
        ),
        (
            "HGNC:935\tbiolink:participates_in\tGO:0006979\tPMID:1\t\t\t\t",
            "primary_knowledge_source",
            "infores",
        ),
        (
            "HGNC:935\tbiolink:participates_in\tGO:0006979\tinfores:x\tsure\t\t\t",
            "knowledge_level",
            "unknown value",
        ),
        # A short row takes its missing cells as empty; then the source is missing.
        (
            "HGNC:935\tbiolink:participates_in\tGO:0006979",
            "primary_knowledge_source",
            "--default-knowledge-source",
        ),
        ("HGNC:935\tbiolink:participates_in\tGO:0006979" + "\tx" * 6, "row", "9 fields"),
    ],
)
def test_a_bad_edge_names_file_line_and_field_and_stores_nothing(
    store: Store, tmp_path: Path, bad_edge: str, field: str, message: str
) -> None:
    import_kgx(store, *write(tmp_path))
    before = snapshot(store)
    nodes, edges = write(
        tmp_path / "bad" if (tmp_path / "bad").mkdir() is None else tmp_path,
        NODES.replace("HMOX1", "HMOX1-new"),
        EDGES + bad_edge + "\n",
    )
    with pytest.raises(SourceFormatError) as info:
        import_kgx(store, nodes, edges)
    assert info.value.file == str(edges)
    assert info.value.line == 4
    assert info.value.field == field
    assert message in info.value.message
    assert snapshot(store) == before  # the valid rows before it were rolled back too


def test_lenient_import_counts_and_lists_bad_rows(store: Store, tmp_path: Path) -> None:
    bad = "HGNC:935\tbiolink:cures\tGO:0006979\tinfores:x\t\t\t\t\n"
    report_file = tmp_path / "rejected.tsv"
    report = import_kgx(
        store, *write(tmp_path, edges=EDGES + bad), lenient=True, report_path=report_file
    )
    assert report.edges == 2
    assert sum(report.rejected.values()) == 1
    lines = report_file.read_text().splitlines()
    assert lines[0] == "file\tline\tfield\tproblem"
    assert "\t4\tpredicate\t" in lines[1]


def test_a_node_without_a_biolink_category_is_rejected(store: Store, tmp_path: Path) -> None:
    nodes = NODES + "HGNC:1\tgene\tthing\t\t\t\t\n"
    with pytest.raises(SourceFormatError, match=r"nodes.tsv:5: category"):
        import_kgx(store, *write(tmp_path, nodes=nodes))
    assert counts(store) == (0, 0)
