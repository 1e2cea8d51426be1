"""KGX JSON is read a record at a time: a document larger than memory still imports.

The reader decodes each record as it meets it and passes over the other part
record by record, so memory holds one chunk and one record. These tests shrink
the chunk to a few characters so that every value crosses chunk boundaries.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange import kgxjson

NODES = [
    {"id": f"HGNC:{i}", "category": ["biolink:Gene"], "name": f"gene {i}", "rank": i * 1001}
    for i in range(1, 40)
]
EDGES = [
    {
        "subject": f"HGNC:{i}",
        "predicate": "biolink:interacts_with",
        "object": f"HGNC:{i + 1}",
        "has_count": 12345 + i,
        "has_percentage": 47.41035856573705,
        "negated": False,
    }
    for i in range(1, 39)
]


def _records(path: Path, part: str) -> list[dict[str, object]]:
    out = []
    for _where, record in kgxjson.read_records(path, part):
        assert isinstance(record, dict)
        out.append(record)
    return out


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
@pytest.mark.parametrize("indent", [None, 2])
def test_records_come_back_whole_whatever_the_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, indent: int | None
) -> None:
    monkeypatch.setattr(kgxjson, "_CHUNK", chunk)
    path = tmp_path / "graph.json"
    # Other top-level members, before and between the parts, are passed over.
    document = {"name": "g", "nodes": NODES, "version": 12345, "edges": EDGES, "meta": {"a": []}}
    path.write_text(json.dumps(document, indent=indent))
    expected = {
        part: [kgxjson.normalised(r) for r in document[part]] for part in ("nodes", "edges")
    }
    assert _records(path, "nodes") == expected["nodes"]
    assert _records(path, "edges") == expected["edges"]


def test_memory_holds_a_chunk_and_a_record_not_the_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kgxjson, "_CHUNK", 256)
    path = tmp_path / "graph.json"
    path.write_text(json.dumps({"nodes": NODES * 50, "edges": EDGES * 50}))
    largest = 0
    more = kgxjson._Cursor._more

    def watched(self: kgxjson._Cursor) -> bool:
        nonlocal largest
        largest = max(largest, len(self.buf))
        return more(self)

    monkeypatch.setattr(kgxjson._Cursor, "_more", watched)
    assert len(_records(path, "edges")) == len(EDGES) * 50
    record = max(len(json.dumps(r)) for r in [*NODES, *EDGES])
    assert path.stat().st_size > 100 * (256 + record)
    assert largest <= 256 + record


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ('{\n "nodes": [\n  {"id": "HGNC:1"},\n  {"id": "HGNC:2"\n', 4, "ends before this value"),
        ('{\n "nodes": [\n  {"id": "HGNC:1"},\n  {"id" "HGNC:2"}\n ]\n}', 4, "Expecting ':'"),
        ('{\n "nodes": [\n  {"id": "HGNC:1"}\n  {"id": "HGNC:2"}\n ]\n}\n', 4, "',' or ']'"),
        ('[{"id": "HGNC:1"}]', 1, "expected an object with nodes and edges"),
        ('{"nodes": []}\n{"edges": []}\n', 2, "text after the document's end"),
    ],
)
def test_a_broken_document_names_its_line(tmp_path: Path, text: str, line: int, says: str) -> None:
    path = tmp_path / "graph.json"
    path.write_text(text)
    with pytest.raises(SourceFormatError) as caught:
        list(kgxjson.read_records(path, "nodes"))
    assert caught.value.line == line
    assert says in str(caught.value)


def test_a_part_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "graph.json"
    path.write_text('{"nodes": {"id": "HGNC:1"}}')
    with pytest.raises(SourceFormatError, match="expected a list of records"):
        list(kgxjson.read_records(path, "nodes"))


def test_a_minified_document_is_told_from_json_lines_by_its_first_mib(tmp_path: Path) -> None:
    path = tmp_path / "graph.json"
    path.write_text(json.dumps({"nodes": NODES * 2000, "edges": []}))
    assert path.stat().st_size > 2 * (1 << 20)
    assert kgxjson.is_graph_document(path)
    lines = tmp_path / "nodes.json"
    lines.write_text("".join(json.dumps(r) + "\n" for r in NODES))
    assert not kgxjson.is_graph_document(lines)
