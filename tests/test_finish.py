"""The closing steps after a write (registry/finish.py): what each does, and what it reports."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, text

from scidex.registry.finish import finish
from scidex.store import Store


def _rows(conn: Connection, sql: str) -> list[tuple[object, ...]]:
    return sorted(tuple(r) for r in conn.execute(text(sql)))


def test_finishing_a_finished_import_changes_nothing_and_reports_it(sample_store: Store) -> None:
    counts = "SELECT entity_id, direction, predicate, source_release, n FROM edge_count"
    docs = "SELECT doc_id, kind FROM search_doc"
    with sample_store.read() as conn:
        before = _rows(conn, counts), _rows(conn, docs)
        active = conn.execute(
            text("SELECT count(*) FROM entity WHERE lifecycle = 'active'")
        ).scalar_one()
    with sample_store.atomic() as conn:
        done = finish(conn, counts="all")
        after = _rows(conn, counts), _rows(conn, docs)
    assert after == before
    assert done.counted == "all"
    assert done.pages == Counter({"unchanged": active})
    assert done.entity_docs == active and done.search_docs == len(before[1])
    assert set(done.seconds) == {"edge counts", "pages", "search index"}


def test_finish_recounts_only_the_entities_named(sample_store: Store) -> None:
    with sample_store.atomic() as conn:
        hub, other = conn.execute(
            text("SELECT entity_id FROM edge_count GROUP BY entity_id ORDER BY sum(n) DESC LIMIT 2")
        ).scalars()
        conn.execute(
            text("DELETE FROM edge_count WHERE entity_id IN (:a, :b)"), {"a": hub, "b": other}
        )
        done = finish(
            conn, counts=[hub], pages=False, datasets=False, entity_docs=False, page_docs=False
        )
        left = set(conn.execute(text("SELECT DISTINCT entity_id FROM edge_count")).scalars())
    assert done.counted == 1 and set(done.seconds) == {"edge counts"}
    assert done.pages == Counter() and done.search_docs == 0
    assert hub in left and other not in left
