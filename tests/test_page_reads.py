"""An artifact page reads each thing once: its artifact, its entity, each linked entity's page."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from scidex.config import Settings
from scidex.store import Store
from scidex.web import create_app


@contextmanager
def statements(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the store runs inside the block, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((" ".join(statement.split()), parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def _params(parameters: Any) -> list[Any]:
    if isinstance(parameters, dict):
        return list(parameters.values())
    return list(parameters or ())


def test_a_page_reads_its_artifact_entity_and_linked_pages_once(shared_atlas: Store) -> None:
    # A fresh app has an empty page cache, so the page is assembled from the store.
    app = create_app(Settings(database_url=shared_atlas.url), shared_atlas)
    with TestClient(app) as client, statements(shared_atlas) as seen:
        response = client.get("/artifact/wiki-genes-bach1")
    assert response.status_code == 200
    assert "NFE2L2" in response.text

    by_id = [
        s
        for s, p in seen
        if re.match(r"SELECT artifact\.id\b", s) and "wiki-genes-bach1" in _params(p)
    ]
    assert len(by_id) == 1, by_id
    entity_reads = [
        s
        for s, p in seen
        if re.search(r"FROM entity WHERE entity\.id = ", s) and "HGNC:935" in _params(p)
    ]
    assert len(entity_reads) == 1, entity_reads
    # Pages of entities (the links in the text, the edges shown, the entity
    # itself) are looked up once each, however many parts of the page show them.
    page_lookups: Counter[str] = Counter()
    for s, p in seen:
        if re.search(r"FROM artifact WHERE artifact\.kg_node_id IN", s):
            page_lookups.update(v for v in _params(p) if isinstance(v, str) and ":" in v)
    assert page_lookups, "the page looks up its entities' pages"
    assert max(page_lookups.values()) == 1, page_lookups.most_common(3)


def test_the_json_twin_reads_its_artifact_once(
    shared_client: TestClient, shared_atlas: Store
) -> None:
    with statements(shared_atlas) as seen:
        response = shared_client.get("/api/artifacts/wiki-genes-bach1")
    assert response.status_code == 200
    by_id = [
        s
        for s, p in seen
        if re.match(r"SELECT artifact\.id\b", s) and "wiki-genes-bach1" in _params(p)
    ]
    assert len(by_id) == 1, by_id
