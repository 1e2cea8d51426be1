"""ETags: every successful GET carries one, a matching If-None-Match gets 304, and the tag
changes whenever the answer does (here: an edge added to the neighbourhood)."""

from __future__ import annotations

from typing import Any

from scidex.kg.model import Edge
from scidex.store import Store
from scidex.store.bulk import insert_edges
from scidex.web.etag import body_etag, matches

URLS = [
    "/api/entities/HGNC:935",
    "/api/entities/HGNC:935/neighbours?limit=5",
    "/api/artifacts/wiki-genes-bach1",
    "/api/search?q=bach1",
    "/artifact/wiki-genes-bach1",
    "/search?q=bach1",
    "/",
]


def test_pages_and_answers_carry_an_etag_and_revalidate_to_304(shared_client: Any) -> None:
    for url in URLS:
        first = shared_client.get(url)
        tag = first.headers["etag"]
        assert first.status_code == 200 and tag.startswith('W/"'), url
        again = shared_client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304, url
        assert again.content == b"" and again.headers["etag"] == tag
        assert "content-type" not in again.headers
        # The same content gets the same tag; another tag in the list still matches.
        assert shared_client.get(url).headers["etag"] == tag
        listed = shared_client.get(url, headers={"If-None-Match": f'"other", {tag}'})
        assert listed.status_code == 304


def test_a_stale_tag_gets_the_full_answer(shared_client: Any) -> None:
    answer = shared_client.get("/api/entities/HGNC:935", headers={"If-None-Match": 'W/"stale"'})
    assert answer.status_code == 200 and answer.json()["id"] == "HGNC:935"


def test_the_tag_changes_when_the_answer_does(client: Any, atlas_store: Store) -> None:
    urls = ["/api/entities/HGNC:935/neighbours?limit=500", "/artifact/wiki-genes-bach1"]
    before = {url: client.get(url).headers["etag"] for url in urls}
    with atlas_store.atomic() as conn:
        insert_edges(
            conn,
            [
                Edge(
                    subject="HGNC:935",
                    predicate="biolink:interacts_with",
                    object="HGNC:11179",
                    primary_knowledge_source="infores:test",
                    knowledge_level="knowledge_assertion",
                    agent_type="manual_agent",
                )
            ],
        )
    for url in urls:
        answer = client.get(url, headers={"If-None-Match": before[url]})
        assert answer.status_code == 200, url
        assert answer.headers["etag"] != before[url]


def test_errors_redirects_and_static_files_keep_their_own_headers(shared_client: Any) -> None:
    missing = shared_client.get("/api/entities/no-such-thing-at-all")
    assert missing.status_code == 404 and "etag" not in missing.headers
    moved = shared_client.get("/genes/bach1", follow_redirects=False)
    assert moved.status_code == 308 and "etag" not in moved.headers
    css = shared_client.get(
        shared_client.get("/").text.split('rel="stylesheet" href="')[1].split('"')[0]
    )
    # Starlette's own tag for files, made weak (gzip may change the bytes sent).
    assert css.status_code == 200 and css.headers["etag"].startswith('W/"')
    assert (
        shared_client.get(css.url, headers={"If-None-Match": css.headers["etag"]}).status_code
        == 304
    )


def test_tags_hash_the_representation() -> None:
    assert body_etag(b"{}", b"application/json") == body_etag(b"{}", b"application/json")
    assert body_etag(b"{}", b"application/json") != body_etag(b"{}", b"text/plain")
    assert body_etag(b"{}", b"application/json") != body_etag(b"[]", b"application/json")
    tag = body_etag(b"x")
    assert matches(tag, tag) and matches(tag.removeprefix("W/"), tag)
    assert matches("*", tag) and matches(f'"a", {tag}', tag)
    assert not matches('"a", "b"', tag)
