"""Every place that lists an edge's fields agrees with their one declaration (kg.fields).

A field added to the declaration and nowhere else fails here, and so does
one added anywhere else but the declaration: the table, the bulk writer, the
model record, KGX (names, multi-valued and JSON sets, read and written), the
query records, the API models, an artifact's edges TSV and the explorer's
KGX download. Also: bulk-written artifact and revision rows match their tables.
"""

from __future__ import annotations

import json
import re
import typing
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import Float, Table, Text, select

from scidex.interchange import FORMATS, records, tsv
from scidex.interchange.kgx import export_kgx, import_kgx
from scidex.kg.fields import (
    COLUMNS,
    EDGE_FIELD,
    EDGE_FIELDS,
    KGX_COLUMNS,
    KGX_JSON,
    KGX_MULTI,
    KGX_READ,
)
from scidex.kg.model import Edge, edge_id
from scidex.queries.graph import NeighbourEdge
from scidex.queries.paths import Statement
from scidex.registry.ids import ARTIFACT_COLUMNS, REVISION_COLUMNS, ArtifactRow, RevisionRow
from scidex.store import Store, bulk, schema
from scidex.web.routes import artifacts
from scidex.web.routes.atlas import ExplorerEdgeOut
from scidex.web.schemas import EdgeOut

EXPLORER_JS = Path(__file__).parents[1] / "src" / "scidex" / "web" / "static" / "explorer.js"


def test_the_declaration_is_consistent() -> None:
    assert len(set(COLUMNS)) == len(COLUMNS)
    assert len(set(KGX_COLUMNS)) == len(KGX_COLUMNS)
    assert [f.name for f in EDGE_FIELDS if f.derived] == ["id", "score"]
    assert KGX_COLUMNS[1:] == KGX_READ  # every KGX column but the id
    for f in EDGE_FIELDS:
        assert f.description.endswith(".") and "\n" not in f.description, f.name
        if f.kind == "list":
            assert f.multi and not f.optional, f.name


def test_the_edge_table_has_the_declared_columns() -> None:
    assert tuple(c.name for c in schema.edge.columns) == COLUMNS
    for column in schema.edge.columns:
        f = EDGE_FIELD[column.name]
        assert column.nullable == f.optional, f.name
        if f.kind == "float":
            assert isinstance(column.type, Float), f.name
        if f.kind in ("list", "json"):  # stored as JSON text, empty by default
            assert isinstance(column.type, Text), f.name
            assert column.default.arg == ("[]" if f.kind == "list" else "{}"), f.name


def test_the_bulk_writer_puts_each_field_in_its_column() -> None:
    assert bulk.EDGE_COLUMNS == COLUMNS
    e = Edge(
        subject="HGNC:935",
        predicate="biolink:regulates",
        object="HGNC:5013",
        primary_knowledge_source="infores:goa",
        knowledge_level="knowledge_assertion",
        agent_type="manual_agent",
        aggregator_knowledge_sources=("infores:ncbi-gene",),
        publications=("PMID:1", "PMID:2"),
        evidence_codes=("IDA",),
        qualifiers={"negated": True},
        confidence=0.5,
        source_release="goa@2026-01",
    )
    row = dict(zip(COLUMNS, bulk.edge_row(e), strict=True))
    for f in EDGE_FIELDS:
        value = getattr(e, f.name)
        expected = bulk.json_list(value) if f.kind == "list" else value
        assert row[f.name] == (bulk.dumps(value) if f.kind == "json" else expected), f.name


def test_the_model_record_has_the_fields_it_is_given() -> None:
    given = [f.name for f in dataclass_fields(Edge)]
    assert sorted(given) == sorted(f.name for f in EDGE_FIELDS if not f.derived)
    hints = typing.get_type_hints(Edge)
    for name in given:
        f = EDGE_FIELD[name]
        # The model keeps its lists as tuples; everything else as the API has it.
        assert hints[name] == (tuple[str, ...] if f.kind == "list" else f.annotation), name
    assert isinstance(Edge.id, property) and isinstance(Edge.score, property)


def test_kgx_columns_and_their_multi_valued_and_json_sets_are_the_declared_ones() -> None:
    assert list(KGX_COLUMNS) == records.EDGE_COLUMNS
    assert [f.kgx for f in EDGE_FIELDS if f.kgx] == records.EDGE_COLUMNS
    assert tsv.MULTI & set(KGX_COLUMNS) == KGX_MULTI
    assert tsv.JSON_FIELDS & set(KGX_COLUMNS) == KGX_JSON


def _kgx_record(subject: str) -> dict[str, Any]:
    """An edge record with every declared KGX column set, none to its default."""
    record = {
        "subject": subject,
        "predicate": "biolink:participates_in",
        "object": "GO:0006979",
        "primary_knowledge_source": "infores:goa",
        "aggregator_knowledge_source": ["infores:ncbi-gene", "infores:uniprot"],
        "knowledge_level": "knowledge_assertion",
        "agent_type": "manual_agent",
        "publications": ["PMID:12345", "PMID:67890"],
        "has_evidence": ["IDA", "IEA"],
        "qualifiers": {"negated": True},
        "confidence": 0.75,
        "provided_by": ["goa@2026-01"],
    }
    record["id"] = edge_id(subject, record["predicate"], record["object"], "infores:goa")
    assert set(record) == set(KGX_COLUMNS), "a declared KGX column is missing here"
    return record


@pytest.mark.parametrize("fmt", ["tsv", "jsonl"])
def test_every_declared_field_survives_a_kgx_import_and_export(
    store: Store, tmp_path: Path, fmt: str
) -> None:
    nodes = [
        {"id": "HGNC:935", "category": ["biolink:Gene"], "name": "BACH1"},
        {"id": "HGNC:5013", "category": ["biolink:Gene"], "name": "HMOX1"},
        {"id": "GO:0006979", "category": ["biolink:BiologicalProcess"], "name": "stress"},
    ]
    # The second record comes after its combination is validated: the short path.
    edges = [_kgx_record("HGNC:935"), _kgx_record("HGNC:5013")]
    write = FORMATS[fmt][1]
    write(tmp_path / f"nodes.{fmt}", ["id", "category", "name"], nodes)
    write(tmp_path / f"edges.{fmt}", list(KGX_COLUMNS), edges)
    import_kgx(store, tmp_path / f"nodes.{fmt}", tmp_path / f"edges.{fmt}", pages=False)
    with store.read() as conn:
        stored = {r.id: r._mapping for r in conn.execute(select(schema.edge))}
    for record in edges:
        row = stored[record["id"]]
        for f in EDGE_FIELDS:
            if f.kgx is None or f.derived:
                continue
            value = record[f.kgx]
            if f.kind == "list":
                value = bulk.json_list(value)
            elif f.kind == "json":
                value = bulk.dumps(value)
            elif f.multi:  # provided_by: the store keeps the first
                value = value[0]
            assert row[f.name] == value, f.name
    export_kgx(store, tmp_path / "out", fmt=fmt)
    exported = [row for _line, row in FORMATS[fmt][0](tmp_path / "out" / f"edges.{fmt}")]
    if fmt == "tsv":  # TSV has no types: the reader gives numbers as text
        for row in exported:
            row["confidence"] = float(row["confidence"])
    assert sorted(exported, key=lambda r: r["id"]) == sorted(edges, key=lambda r: r["id"])


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@pytest.mark.parametrize("record", [NeighbourEdge, Statement])
def test_query_records_hold_declared_fields_with_their_types(record: type) -> None:
    hints = _hints(record)
    declared = {name: hint for name, hint in hints.items() if name in EDGE_FIELD}
    if record is NeighbourEdge:  # every field; Statement, a path's step, a few
        assert set(declared) == set(COLUMNS)
    for name, hint in declared.items():
        assert hint == EDGE_FIELD[name].annotation, name


@pytest.mark.parametrize("model", [EdgeOut, ExplorerEdgeOut])
def test_api_models_hold_every_declared_field_described(model: type[BaseModel]) -> None:
    declared = {k: v for k, v in model.model_fields.items() if k in EDGE_FIELD}
    assert set(declared) == set(COLUMNS)
    for name, info in declared.items():
        f = EDGE_FIELD[name]
        assert info.annotation == f.annotation, name
        assert info.description == f.description, name
        assert info.is_required(), name
    # Fields not declared here are views of the edge, not fields of it.
    assert set(model.model_fields) - set(declared) <= {
        "direction",
        "other_id",
        "other_name",
        "other_symbol",
        "other_category",
        "curated",
    }


def test_an_artifacts_edges_tsv_gives_the_listed_fields() -> None:
    assert artifacts.TSV_COLUMNS == [
        "subject",
        "predicate",
        "object",
        "object_name",
        "primary_knowledge_source",
        "knowledge_level",
        "agent_type",
        "publications",
        "evidence_codes",
        "source_release",
        "edge_id",
    ]
    listed = [f.name for f in EDGE_FIELDS if f.listed]
    # The id comes last, as ``edge_id``.
    assert ["id", *(c for c in artifacts.TSV_COLUMNS if c in EDGE_FIELD)] == listed
    e = NeighbourEdge(
        id="E1",
        subject="HGNC:935",
        predicate="biolink:regulates",
        object="HGNC:5013",
        direction="out",
        other_id="HGNC:5013",
        other_name="heme oxygenase 1",
        other_symbol="HMOX1",
        other_category="biolink:Gene",
        primary_knowledge_source="infores:goa",
        aggregator_knowledge_sources=["infores:ncbi-gene"],
        knowledge_level="knowledge_assertion",
        agent_type="manual_agent",
        publications=["PMID:1", "PMID:2"],
        evidence_codes=["IDA", "IEA"],
        qualifiers={},
        confidence=None,
        score=3.5,
        source_release=None,
    )
    assert [cell(e) for _, cell in artifacts._TSV] == [
        "HGNC:935",
        "biolink:regulates",
        "HGNC:5013",
        "heme oxygenase 1",
        "infores:goa",
        "knowledge_assertion",
        "manual_agent",
        "PMID:1|PMID:2",
        "IDA|IEA",
        None,  # csv writes an empty cell
        "E1",
    ]


def test_the_explorers_kgx_download_maps_each_declared_field_to_its_kgx_column() -> None:
    script = EXPLORER_JS.read_text("utf-8")
    block = script[script.index('"kgx-edges"') :]
    block = block[: block.index("download(")]
    mapping = dict(re.findall(r"(\w+): e\.(\w+)", block))
    cols = json.loads(re.search(r"var cols = (\[[^\]]*\])", block).group(1))  # type: ignore[union-attr]
    assert cols == list(KGX_COLUMNS)
    assert mapping == {f.kgx: f.name for f in EDGE_FIELDS if f.kgx}


@pytest.mark.parametrize(
    ("row", "columns", "table"),
    [
        (ArtifactRow, ARTIFACT_COLUMNS, schema.artifact),
        (RevisionRow, REVISION_COLUMNS, schema.revision),
    ],
)
def test_bulk_written_artifact_rows_match_their_tables(
    row: type[tuple[Any, ...]], columns: tuple[str, ...], table: Table
) -> None:
    assert columns == tuple(c.name for c in table.columns)
    hints = _hints(row)
    for column in table.columns:
        optional = type(None) in typing.get_args(hints[column.name])
        assert optional == column.nullable, column.name
