"""Large loads: deferred indexes, edge rows without repeated validation, counts kept on the way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from helpers import record_path
from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange import FORMATS
from scidex.interchange.kgx import import_kgx
from scidex.interchange.parallel import EdgeRowProcess
from scidex.interchange.records import EdgeRows, edge_record, edge_rows
from scidex.interchange.tsv import read_rows
from scidex.kg.model import Edge
from scidex.store import Store, bulk
from scidex.store.schema import edge
from test_kgx import snapshot

KNOWN = {"HGNC:935", "HGNC:5013", "GO:0006979", "MONDO:0004975"}
ROWS: list[dict[str, Any]] = [
    {
        "subject": "HGNC:935",
        "predicate": "biolink:participates_in",
        "object": "GO:0006979",
        "primary_knowledge_source": "infores:goa",
        "knowledge_level": "knowledge_assertion",
        "agent_type": "manual_agent",
        "publications": ["PMID:12345", "PMID:67890"],
        "has_evidence": ["IDA", "IEA"],
        "aggregator_knowledge_source": ["infores:ncbi-gene"],
    },
    {
        "subject": "HGNC:5013",
        "predicate": "biolink:participates_in",
        "object": "GO:0006979",
        "primary_knowledge_source": "infores:goa",
        "knowledge_level": "knowledge_assertion",
        "agent_type": "manual_agent",
        "confidence": "0.75",
        "provided_by": ["goa@2026-01"],
        "qualifiers": {"frequency_qualifier": "HP:0040283", "negated": False},
    },
    {
        # Text that JSON must escape, and text that it must not.
        "subject": "HGNC:935",
        "predicate": "biolink:participates_in",
        "object": "MONDO:0004975",
        "primary_knowledge_source": "infores:goa",
        "knowledge_level": "knowledge_assertion",
        "agent_type": "manual_agent",
        "publications": ['doi:10.1000/"quoted"', "doi:10.1000/back\\slash", "PMID:1\t2"],
        "has_evidence": ["Évidence", "証拠"],
    },
    {
        "subject": "HGNC:5013",
        "predicate": "biolink:participates_in",
        "object": "MONDO:0004975",
        "primary_knowledge_source": "infores:goa",
        "knowledge_level": "knowledge_assertion",
        "agent_type": "manual_agent",
        "confidence": 1,
    },
]


@pytest.mark.parametrize("row", ROWS, ids=range(len(ROWS)))
def test_rows_built_from_validated_parts_equal_fully_validated_rows(row: dict[str, Any]) -> None:
    to_row = EdgeRows(Path("edges.tsv"), "kgx@test", KNOWN)
    edge, key, _columns = edge_record(row, Path("edges.tsv"), 2, "kgx@test", KNOWN)
    full = (key, *bulk.edge_row(edge)[1:])
    assert to_row._fast(row) is None  # nothing validated yet: the full path
    assert to_row(2, row) == full
    # Its parts are known now: the short path, but for qualified edges the file
    # gives no id for (their identity holds the qualifiers: the full path decides).
    assert to_row._fast(row) == (None if row.get("qualifiers") else full)
    assert to_row(3, row) == full


def test_json_lists_are_the_encoders_text() -> None:
    for values in (
        [],
        ["IEA"],
        ["PMID:1", "PMID:2"],
        ['a "quote"', "back\\slash", "tab\there", "nl\nx", "\x00", "ünïcode", "\u2028"],
    ):
        assert bulk.json_list(values) == bulk.dumps(list(values))
        assert json.loads(bulk.json_list(values)) == values
    assert bulk.json_list((1, "x")) == '[1,"x"]'  # not all strings: the encoder's text


def test_an_edge_seen_first_with_a_bad_part_is_still_refused_later(tmp_path: Path) -> None:
    to_row = EdgeRows(tmp_path / "edges.tsv", "kgx@test", KNOWN)
    to_row(2, ROWS[0])
    unknown = dict(ROWS[0], object="GO:9999999")
    with pytest.raises(ValueError, match="unknown node 'GO:9999999'"):
        to_row(3, unknown)
    bad_confidence = dict(ROWS[0], confidence="high")
    with pytest.raises(ValueError, match="confidence"):
        to_row(4, bad_confidence)
    bad_level = dict(ROWS[0], knowledge_level="sure")
    with pytest.raises(ValueError, match="knowledge_level"):
        to_row(5, bad_level)


def _index_names(conn: Any) -> set[str]:
    return {i["name"] for i in inspect(conn).get_indexes("edge")}


def _edge_rows(n: int) -> list[tuple[Any, ...]]:
    return [
        bulk.edge_row(Edge(f"T:{i}", "biolink:related_to", f"T:{i + 1}", "infores:test"))
        for i in range(n)
    ]


INDEXES = {"ix_edge_subject", "ix_edge_object", "ix_edge_release", "ux_edge_id"}


def test_a_large_load_rebuilds_the_indexes_it_deferred(store: Store) -> None:
    expected = INDEXES
    with store.atomic() as conn:
        assert _index_names(conn) == expected
        with bulk.loading(conn, edge) as load:  # an empty table: always deferred
            assert load.deferred and load.was_empty
            assert _index_names(conn) == set()
            load.write(bulk.EDGE_COLUMNS, _edge_rows(100))
        assert _index_names(conn) == expected
    with store.read() as conn:
        assert _index_names(conn) == expected
        assert conn.execute(text("SELECT count(*) FROM edge")).scalar_one() == 100


def test_a_failed_large_load_leaves_rows_and_indexes_as_they_were(store: Store) -> None:
    with store.atomic() as conn:
        bulk.upsert_rows(conn, "edge", bulk.EDGE_COLUMNS, ("id",), _edge_rows(3))
    with (
        pytest.raises(RuntimeError, match="half-way"),
        store.atomic() as conn,
        bulk.loading(conn, edge, expected_rows=1_000_000) as load,
    ):
        assert not load.was_empty
        load.write(bulk.EDGE_COLUMNS, _edge_rows(50))
        raise RuntimeError("load failed half-way")
    with store.read() as conn:
        assert _index_names(conn) == INDEXES
        assert conn.execute(text("SELECT count(*) FROM edge")).scalar_one() == 3


def test_a_small_load_into_a_filled_table_keeps_the_indexes(store: Store) -> None:
    with store.atomic() as conn:
        bulk.upsert_rows(conn, "edge", bulk.EDGE_COLUMNS, ("id",), _edge_rows(3))
        with bulk.loading(conn, edge, expected_rows=10) as load:
            assert not load.deferred and not load.was_empty
            assert _index_names(conn) == INDEXES
            # With the unique index in place a repeated id updates its row.
            load.write(bulk.EDGE_COLUMNS, [_scored(_edge_rows(1)[0], 9.0)])
        assert _stored(conn) == {
            r[0]: 9.0 if r[0] == _edge_rows(1)[0][0] else r[-1] for r in _edge_rows(3)
        }


def _scored(row: tuple[Any, ...], score: float) -> tuple[Any, ...]:
    return (*row[:-1], score)


def _stored(conn: Any) -> dict[str, float]:
    return dict(conn.execute(text("SELECT id, score FROM edge")).all())


def test_a_deferred_load_keeps_the_last_row_of_a_repeated_id(store: Store) -> None:
    rows = _edge_rows(5)
    again = [_scored(rows[1], 7.0), _scored(rows[3], 8.0), _scored(rows[1], 9.0)]
    with store.atomic() as conn, bulk.loading(conn, edge) as load:
        assert load.deferred
        assert load.write(bulk.EDGE_COLUMNS, rows + again) == 8
    with store.read() as conn:
        assert _index_names(conn) == INDEXES
        assert _stored(conn) == {
            rows[0][0]: rows[0][-1],
            rows[1][0]: 9.0,
            rows[2][0]: rows[2][-1],
            rows[3][0]: 8.0,
            rows[4][0]: rows[4][-1],
        }


def test_a_large_load_over_stored_rows_replaces_the_ones_it_repeats(store: Store) -> None:
    rows = _edge_rows(4)
    with store.atomic() as conn:
        bulk.upsert_rows(conn, "edge", bulk.EDGE_COLUMNS, ("id",), rows)
    newer = [_scored(r, 5.0) for r in _edge_rows(6)[2:]]
    with store.atomic() as conn, bulk.loading(conn, edge, expected_rows=100_000) as load:
        # SQLite defers for a load bigger than the table; PostgreSQL only into an empty one.
        assert load.deferred == (store.dialect == "sqlite")
        load.write(bulk.EDGE_COLUMNS, newer)
    with store.read() as conn:
        assert _stored(conn) == {**{r[0]: r[-1] for r in rows[:2]}, **{r[0]: 5.0 for r in newer}}
        assert _index_names(conn) == INDEXES


def _counts_by_query(store: Store) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    with store.read() as conn:
        summary = {tuple(r) for r in conn.execute(text("SELECT * FROM edge_count"))}
        direct: set[tuple[Any, ...]] = set()
        for side, direction in (("subject", "out"), ("object", "in")):
            direct |= {
                (r[0], direction, r[1], r[2] or "", r[3])
                for r in conn.execute(
                    text(
                        f"SELECT {side}, predicate, source_release, count(*) FROM edge "
                        f"GROUP BY {side}, predicate, source_release"
                    )
                )
            }
    return summary, direct


EDGES = (
    "subject\tpredicate\tobject\tprimary_knowledge_source\tprovided_by\n"
    "HGNC:935\tbiolink:participates_in\tGO:0006979\tinfores:goa\tgoa@1\n"
    "HGNC:5013\tbiolink:participates_in\tGO:0006979\tinfores:goa\tgoa@1\n"
    "HGNC:935\tbiolink:related_to\tHGNC:5013\tinfores:string\t\n"
)
NODES = (
    "id\tcategory\tname\n"
    "HGNC:935\tbiolink:Gene\tBACH1\n"
    "HGNC:5013\tbiolink:Gene\tHMOX1\n"
    "GO:0006979\tbiolink:BiologicalProcess\tresponse to oxidative stress\n"
)


@pytest.mark.parametrize("repeat", [False, True], ids=["distinct", "an edge twice"])
def test_counts_kept_during_an_import_equal_counts_by_query(
    store: Store, tmp_path: Path, repeat: bool
) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text(NODES)
    # A repeated edge is one stored edge: the tally would count it twice.
    edges.write_text(EDGES + EDGES.splitlines(keepends=True)[1] if repeat else EDGES)
    import_kgx(store, nodes, edges, pages=False)
    summary, direct = _counts_by_query(store)
    assert summary == direct
    assert ("HGNC:935", "out", "biolink:participates_in", "goa@1", 1) in summary
    # A second import into the now non-empty store recounts.
    import_kgx(store, nodes, edges, pages=False)
    assert _counts_by_query(store)[0] == direct


def test_the_tsv_reader_gives_multi_valued_fields_as_lists(tmp_path: Path) -> None:
    path = tmp_path / "edges.tsv"
    path.write_text(
        "subject\tpublications\thas_evidence\tqualifiers\n"
        'A:1\tPMID:1||PMID:2\tIEA\t{"b": 1}\n'
        "A:2\t\t\t\n"
    )
    rows = list(read_rows(path))
    assert rows == [
        (
            2,
            {
                "subject": "A:1",
                "publications": ["PMID:1", "PMID:2"],
                "has_evidence": ["IEA"],
                "qualifiers": {"b": 1},
            },
        ),
        (3, {"subject": "A:2"}),
    ]


@pytest.mark.parametrize("fmt", ["tsv", "jsonl"])
def test_rows_built_in_a_second_process_give_the_same_store(
    store: Store, tmp_path: Path, other_sqlite: str, fmt: str
) -> None:
    nodes, edges = tmp_path / f"nodes.{fmt}", tmp_path / f"edges.{fmt}"
    for path, text_ in ((nodes, NODES), (edges, EDGES)):
        tsv = tmp_path / f"{path.stem}.source.tsv"
        tsv.write_text(text_)
        header = text_.split("\n", 1)[0].split("\t")
        FORMATS[fmt][1](path, header, (record for _line, record in read_rows(tsv)))
    report = import_kgx(store, nodes, edges, parallel=True)
    here = Store.open(other_sqlite)
    try:
        assert import_kgx(here, nodes, edges, parallel=False).predicates == report.predicates
        assert snapshot(store) == snapshot(here)
    finally:
        here.close()
    assert report.edges == 3


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("HGNC:935\tbiolink:participates_in\tGO:0000001\tinfores:goa\t\n", "object"),
        ("HGNC:935\tbiolink:participates_in" + "\tx" * 9 + "\n", "row"),
        ("HGNC:935\tbiolink:participates_in\n", "object"),  # short: the rest taken as empty
    ],
)
def test_a_bad_row_found_by_the_second_process_stops_the_import(
    store: Store, tmp_path: Path, bad: str, field: str
) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text(NODES)
    edges.write_text(EDGES + bad + EDGES.split("\n", 1)[1])
    with pytest.raises(SourceFormatError) as info:
        import_kgx(store, nodes, edges, parallel=True)
    assert (info.value.file, info.value.line, info.value.field) == (str(edges), 5, field)
    with store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM entity")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM edge")).scalar_one() == 0


def test_rows_rejected_by_the_second_process_are_listed_in_order(
    store: Store, tmp_path: Path
) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text(NODES + "HGNC:1\tgene\tno category\n")
    bad = "HGNC:935\tbiolink:cures\tGO:0006979\tinfores:goa\t\n"
    edges.write_text(EDGES + bad + bad)
    listed = tmp_path / "rejected.tsv"
    report = import_kgx(store, nodes, edges, parallel=True, lenient=True, report_path=listed)
    assert report.edges == 3
    assert sum(report.rejected.values()) == 3
    lines = [line.split("\t")[:3] for line in listed.read_text().splitlines()[1:]]
    assert lines == [
        [str(nodes), "5", "category"],
        [str(edges), "5", "predicate"],
        [str(edges), "6", "predicate"],
    ]


def _cell_path(path: Path, known: set[str]) -> list[Any]:
    return [
        (x.line, x.field, x.message) if isinstance(x, SourceFormatError) else x
        for x in edge_rows(path, "kgx@test", known)
    ]


FULL_HEADER = (
    "subject\tpredicate\tobject\tprimary_knowledge_source\taggregator_knowledge_source\t"
    "knowledge_level\tagent_type\tpublications\thas_evidence\tqualifiers\tconfidence\tprovided_by\n"
)
GOA = "biolink:participates_in\tGO:0006979\tinfores:goa"
TRICKY_LINES = [
    f"HGNC:935\t{GOA}\t\tknowledge_assertion\tmanual_agent\tPMID:1\tIDA\t\t\t\n",
    # The same combination again: these take the cell path.
    f"HGNC:5013\t{GOA}\tinfores:a|infores:b\tknowledge_assertion\tmanual_agent\t"
    "PMID:1||PMID:2\tIDA|IEA\t\t0.75\tgoa@1\n",
    f"HGNC:935\t{GOA}\t\tknowledge_assertion\tmanual_agent\t|\t\t"
    '{"negated": false, "frequency_qualifier": "HP:0040283"}\t 1e-3 \t|goa@2\n',
    "\n",  # a blank line is no record
    f'HGNC:5013\t{GOA}\t\tknowledge_assertion\tmanual_agent\tdoi:10.1/"q"\t証拠\t{{}}\t2\t\n',
    # Refused, each with its own field; the cell path must not accept any of them.
    f"HGNC:935\t{GOA}\t\tknowledge_assertion\tmanual_agent\t\t\t\thigh\t\n",
    f"HGNC:935\t{GOA}\t\tknowledge_assertion\tmanual_agent\t\t\t\tnan\t\n",
    # Not a JSON object: Biolink's own qualifiers slot, a list of terms, kept as a column.
    f'HGNC:935\t{GOA}\t\tknowledge_assertion\tmanual_agent\t\t\t["x"]\t\t\n',
    "HGNC:935\tbiolink:participates_in\tGO:9999999\tinfores:goa\t\tknowledge_assertion\t"
    "manual_agent\t\t\t\t\t\n",
    f"HGNC:935\t{GOA}\t\tknowledge_assertion\trobot\t\t\t\t\t\n",
    # Empty level and agent mean not_provided: a new combination, validated in full.
    f"HGNC:935\t{GOA}\t\t\t\t\t\t\t\t\n",
    f"HGNC:5013\t{GOA}\t\t\t\t\t\t\t\t\n",
]


def test_lines_read_cell_by_cell_give_the_rows_of_full_validation(tmp_path: Path) -> None:
    path = tmp_path / "edges.tsv"
    path.write_text(FULL_HEADER + "".join(TRICKY_LINES), encoding="utf-8")
    expected = record_path(path, KNOWN)
    assert len(expected) == 11
    assert [x[:2] for x in expected if len(x) == 3] == [
        (7, "confidence"),
        (8, "confidence"),
        (10, "object"),
        (11, "agent_type"),
    ]
    assert _cell_path(path, KNOWN) == expected


@pytest.mark.parametrize(
    "header",
    [
        # Columns left out read as empty cells, in any order.
        "object\tsubject\tprimary_knowledge_source\tpredicate\n",
        # A repeated column: the record keeps its last non-empty cell.
        "subject\tpredicate\tobject\tprimary_knowledge_source\tpredicate\n",
    ],
)
def test_any_header_gives_the_rows_of_full_validation(tmp_path: Path, header: str) -> None:
    path = tmp_path / "edges.tsv"
    names = header.split()
    cells = {
        "subject": "HGNC:935",
        "object": "GO:0006979",
        "primary_knowledge_source": "infores:goa",
        "predicate": "biolink:participates_in",
    }
    line = "\t".join(cells[n] for n in names) + "\n"
    last_empty = "\t".join("" if i == len(names) - 1 else cells[n] for i, n in enumerate(names))
    path.write_text(header + line * 3 + last_empty + "\n", encoding="utf-8")
    expected = record_path(path, KNOWN)
    assert len(expected) == 4
    assert _cell_path(path, KNOWN) == expected


def test_a_line_longer_than_the_header_is_refused_by_the_cell_path_too(tmp_path: Path) -> None:
    path = tmp_path / "edges.tsv"
    path.write_text(
        FULL_HEADER + TRICKY_LINES[0] * 2 + TRICKY_LINES[0].rstrip("\n") + "\tx\n" + TRICKY_LINES[0]
    )
    rows = _cell_path(path, KNOWN)
    assert len(rows) == 4
    assert rows[2][:2] == (4, "row")  # refused in its place; the next line is read on


def test_the_second_process_knows_the_nodes_this_one_refused(store: Store, tmp_path: Path) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text(NODES + "HGNC:1\tgene\tno category\n")
    edges.write_text(EDGES + "HGNC:935\tbiolink:related_to\tHGNC:1\tinfores:string\t\n")
    report = import_kgx(store, nodes, edges, parallel=True, lenient=True)
    assert report.edges == 3
    assert report.rejected == {
        "category: no Biolink category in": 1,
        "object: unknown node": 1,
    }


def test_a_second_process_that_dies_is_reported_with_its_exit_code(tmp_path: Path) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text(NODES)
    edges.write_text(EDGES)
    with EdgeRowProcess(nodes, edges, "kgx@test") as child:
        child._proc.kill()
        child._proc.wait()
        with pytest.raises(RuntimeError, match=r"stopped \(exit code -9\)"):
            child.start(set())
            list(child.rows(print))


def test_an_edges_file_the_second_process_cannot_read_raises_its_error(tmp_path: Path) -> None:
    nodes = tmp_path / "nodes.tsv"
    nodes.write_text(NODES)
    with EdgeRowProcess(nodes, tmp_path / "missing.tsv", "kgx@test") as child:
        child.start(set())
        with pytest.raises(FileNotFoundError, match=r"missing\.tsv"):
            list(child.rows(print))
