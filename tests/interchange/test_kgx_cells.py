"""The fast path from a TSV line's cells to an edge row agrees with full validation when
qualifier and count slots come as columns (as an export writes them)."""

from __future__ import annotations

from pathlib import Path

from helpers import record_path
from scidex.interchange.records import EdgeRows, edge_rows
from scidex.kg.model import edge_id

KNOWN = {"MONDO:0007947", "HP:0001166", "HP:0001083"}
HEADER = (
    "id\tsubject\tpredicate\tobject\tprimary_knowledge_source\tqualifiers\t"
    "frequency_qualifier\thas_count\thas_total\tprovided_by\n"
)
PLAIN = edge_id("MONDO:0007947", "biolink:has_phenotype", "HP:0001166", "infores:hpo")
LINES = [
    # An export of an edge whose id never held its qualifiers: that id is kept.
    f'{PLAIN}\tMONDO:0007947\tbiolink:has_phenotype\tHP:0001166\tinfores:hpo\t{{"sex": "FEMALE"}}'
    "\tHP:0040282\t119\t251\thpo@1\n",
    # The same again: now the combination is known, the cells give the row.
    f"{PLAIN}\tMONDO:0007947\tbiolink:has_phenotype\tHP:0001166\tinfores:hpo\t"
    "\tHP:0040283\t3\t20\thpo@1\n",
    # No id: a qualified edge's identity holds its qualifiers.
    "\tMONDO:0007947\tbiolink:has_phenotype\tHP:0001166\tinfores:hpo\t\tHP:0040283\t3\t20\t\n",
    # No qualifiers at all, no id.
    "\tMONDO:0007947\tbiolink:has_phenotype\tHP:0001083\tinfores:hpo\t\t\t\t\thpo@1\n",
    # A publisher's own id: kept as a column by the record path.
    "uuid:7\tMONDO:0007947\tbiolink:has_phenotype\tHP:0001083\tinfores:hpo\t\t\t4x\t\t\n",
]


def test_slot_columns_take_the_cell_path_to_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "edges.tsv"
    path.write_text(HEADER + "".join(LINES))
    expected = record_path(path, KNOWN)
    to_row = EdgeRows(path, "kgx@test", set(KNOWN))
    assert list(edge_rows(path, "kgx@test", set(KNOWN), to_row)) == expected
    assert expected[0][0] == expected[1][0] == PLAIN  # the given id, qualifiers or not
    assert expected[2][0] != PLAIN
    assert expected[1][10] == '{"frequency_qualifier":"HP:0040283","has_count":3,"has_total":20}'
    assert to_row.columns == {expected[4][0]: {"id": "uuid:7"}}
    assert expected[4][10] == '{"has_count":"4x"}'  # not a number: kept as written


def test_the_cells_of_a_known_combination_give_the_row_directly(tmp_path: Path) -> None:
    from scidex.interchange.cells import cells_to_row

    path = tmp_path / "edges.tsv"
    path.write_text(HEADER + LINES[0])
    to_row = EdgeRows(path, "kgx@test", set(KNOWN))
    list(edge_rows(path, "kgx@test", set(KNOWN), to_row))  # validates the combination
    header = HEADER.rstrip("\n").split("\t")
    cells = cells_to_row(header, to_row._checked, to_row.known, to_row.release_id)
    assert (
        cells(LINES[1].rstrip("\n").split("\t"))
        == record_path(_write(tmp_path / "one.tsv", LINES[1]), KNOWN)[0]
    )
    assert cells(LINES[2].rstrip("\n").split("\t")) is None  # no id: the record path decides


def _write(path: Path, line: str) -> Path:
    path.write_text(HEADER + line)
    return path
