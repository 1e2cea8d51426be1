"""The Atlas explorer on both backends: statistics equal direct counts, the lists they link to
hold exactly what they count, the neighbourhood view is capped and filtered, its URL state
round-trips, path queries resolve names or offer candidates, and bad input is 4xx, never 500."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, union_all

from scidex.kg.model import Edge, Entity
from scidex.queries.atlas_stats import (
    DEFAULT_CAP,
    ExplorerState,
    Filters,
    atlas_stats,
    neighbourhood,
)
from scidex.queries.graph import neighbours, predicate_counts
from scidex.store import Store
from scidex.store.bulk import insert_edges, insert_entities
from scidex.store.schema import artifact, edge, entity


def get_ok(client: Any, url: str) -> Any:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.text[:500])
    return answer.json()


def error_of(client: Any, url: str, status: int) -> dict[str, Any]:
    answer = client.get(url)
    assert answer.status_code == status, (url, answer.text[:500])
    return answer.json()["error"]  # type: ignore[no-any-return]


def embedded(page: str) -> dict[str, Any]:
    """The explorer data a page embeds for its script."""
    found = re.search(
        r'<script type="application/json" id="explorer-data">(.*?)</script>', page, re.S
    )
    assert found
    return json.loads(found.group(1))  # type: ignore[no-any-return]


# -- statistics ----------------------------------------------------------------------------


def test_statistics_equal_direct_counts(shared_atlas: Store) -> None:
    with shared_atlas.read() as conn:
        stats = atlas_stats(conn)
        categories = dict(
            conn.execute(
                select(entity.c.category, func.count())
                .where(entity.c.lifecycle == "active")
                .group_by(entity.c.category)
            ).all()
        )
        predicates = dict(
            conn.execute(select(edge.c.predicate, func.count()).group_by(edge.c.predicate)).all()
        )
        releases = dict(
            conn.execute(
                select(edge.c.source_release, func.count()).group_by(edge.c.source_release)
            ).all()
        )
        origins = {
            (t, o): n
            for t, o, n in conn.execute(
                select(artifact.c.type, artifact.c.origin_type, func.count()).group_by(
                    artifact.c.type, artifact.c.origin_type
                )
            )
        }
        ends = union_all(
            select(edge.c.subject.label("e")), select(edge.c.object.label("e"))
        ).subquery()
        degree = dict(conn.execute(select(ends.c.e, func.count()).group_by(ends.c.e)).all())
        total = conn.execute(select(func.count()).select_from(edge)).scalar_one()
    assert dict(stats.entities_by_category) == categories
    assert stats.entities == sum(categories.values())
    assert dict(stats.edges_by_predicate) == predicates
    assert stats.edges == total
    assert {r.id or None: r.edges for r in stats.edges_by_release} == releases
    assert {(a.type, a.origin_type): a.count for a in stats.artifacts_by_origin} == origins
    top = sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    assert [(c.entity.id, c.degree) for c in stats.most_connected] == top
    assert all(c.entity.name for c in stats.most_connected)


def test_every_number_on_the_statistics_page_links_to_its_list(shared_client: Any) -> None:
    stats = get_ok(shared_client, "/api/atlas")
    page = shared_client.get("/atlas").text
    numbers = re.findall(r">(\d[\d,]*)<", page)
    linked = re.findall(r'<a href="([^"]+)">(\d[\d,]*)</a>', page)
    assert numbers and len(linked) == len(numbers)  # no number without its link
    assert f">{stats['edges']['count']:,}</a>" in page
    # Each link lists exactly what its number counts.
    for row in stats["entities_by_category"]:
        listed = walk(shared_client, "/api" + row["url"], "entities", "after", "next_after")
        assert len(listed) == row["count"] and all(e["category"] == row["category"] for e in listed)
    for row in stats["edges_by_predicate"] + [r for r in stats["edges_by_release"] if r["url"]]:
        listed = walk(shared_client, "/api" + row["url"], "edges", "cursor", "next_cursor")
        assert len(listed) == len({e["id"] for e in listed}) == row["count"], row["url"]
    assert (
        len(walk(shared_client, "/api/atlas/entities", "entities", "after", "next_after"))
        == (stats["entities"]["count"])
    )
    for row in stats["most_connected"][:3]:
        assert shared_client.get(row["url"]).status_code == 200
    for row in stats["artifacts_by_origin"]:
        items = get_ok(shared_client, row["url"] + "&limit=500")["items"]
        assert items and all(i["origin_type"] == row["origin_type"] for i in items)


def walk(client: Any, url: str, key: str, param: str, nxt: str) -> list[dict[str, Any]]:
    """Every item of a paged listing, following its next cursor."""
    items: list[dict[str, Any]] = []
    page = get_ok(client, f"{url}{'&' if '?' in url else '?'}limit=37")
    while True:
        items += page[key]
        if not page[nxt]:
            return items
        page = get_ok(
            client, f"{url}{'&' if '?' in url else '?'}limit=37&{param}={quote(page[nxt])}"
        )


def test_edge_lists_are_grouped_by_subject_strongest_first(shared_client: Any) -> None:
    edges = walk(
        shared_client,
        "/api/atlas/edges?predicate=biolink:has_phenotype",
        "edges",
        "cursor",
        "next_cursor",
    )
    keys = [(e["subject"], -e["score"]) for e in edges]
    assert keys == sorted(keys)  # by subject, then strongest first
    first = shared_client.get("/api/atlas/edges?predicate=biolink:regulates").json()["edges"][0]
    page = shared_client.get("/atlas/edges?predicate=biolink:regulates").text
    assert "regulates" in page and first["subject"] in page and first["object"] in page


# -- the neighbourhood view ----------------------------------------------------------------


def test_the_first_screen_is_the_strongest_few_of_each_predicate(shared_atlas: Store) -> None:
    with shared_atlas.read() as conn:
        hood = neighbourhood(conn, "MONDO:0004975", cap=3)
        for g in hood.groups:
            page = neighbours(conn, g.node, predicate=g.predicate, direction=g.direction, limit=4)
            shown = [
                e.id
                for e in hood.edges
                if e.predicate == g.predicate and e.direction == g.direction
            ]
            assert shown == [e.id for e in page.edges[:3]]
            assert g.shown == len(shown) and g.more == (len(page.edges) > 3)
        counts = {
            (c.direction, c.predicate): c.count for c in predicate_counts(conn, "MONDO:0004975")
        }
        assert {(g.direction, g.predicate): g.total for g in hood.groups} == counts
        assert hood.nodes["MONDO:0004975"].expanded
        ends = {e.subject for e in hood.edges} | {e.object for e in hood.edges}
        assert ends == set(hood.nodes)


def test_filters_keep_only_what_they_name(shared_atlas: Store) -> None:
    with shared_atlas.read() as conn:
        f = Filters(
            predicates=("biolink:participates_in", "biolink:located_in"),
            categories=("biolink:BiologicalProcess",),
            sources=("infores:goa",),
            levels=("knowledge_assertion",),
        )
        hood = neighbourhood(conn, "HGNC:935", filters=f, cap=50)
        assert hood.edges
        for e in hood.edges:
            assert e.predicate == "biolink:participates_in"  # no located_in reaches a process
            assert e.other_category == "biolink:BiologicalProcess"
            assert e.primary_knowledge_source == "infores:goa"
            assert e.knowledge_level == "knowledge_assertion"


def test_expanding_adds_a_neighbourhood_and_unknown_ids_are_reported(shared_atlas: Store) -> None:
    with shared_atlas.read() as conn:
        alone = neighbourhood(conn, "HGNC:935")
        grown = neighbourhood(conn, "HGNC:935", expand=["HGNC:5013", "NOPE:1"])
    assert set(alone.nodes) < set(grown.nodes)
    assert grown.nodes["HGNC:5013"].expanded and not alone.nodes["HGNC:5013"].expanded
    assert grown.unknown == ["NOPE:1"] and "NOPE:1" not in grown.nodes
    assert len({e.id for e in grown.edges}) == len(grown.edges)


def test_a_hub_first_screen_never_loads_all_its_edges(store: Store) -> None:
    with store.atomic() as conn:
        insert_entities(conn, [Entity("T:HUB", "biolink:CellularComponent", "hub")])
        insert_entities(conn, [Entity(f"T:{i}", "biolink:Gene", f"g{i}") for i in range(600)])
        insert_edges(
            conn,
            [Edge(f"T:{i}", "biolink:located_in", "T:HUB", "infores:test") for i in range(600)],
        )
    with store.read() as conn:
        hood = neighbourhood(conn, "T:HUB")
    (group,) = hood.groups
    assert (group.total, group.shown, group.more) == (600, DEFAULT_CAP, True)
    assert len(hood.edges) == DEFAULT_CAP and len(hood.nodes) == DEFAULT_CAP + 1
    assert hood.nodes["T:HUB"].degree == 600


CANONICAL = [
    "",
    "cap=25",
    "predicate=biolink:has_phenotype",
    "category=biolink:Disease&category=biolink:Gene&source=infores:goa&level=observation",
    "predicate=biolink:located_in&predicate=biolink:regulates&expand=GO:0005634&expand=HGNC:5013&cap=4",
]


@pytest.mark.parametrize("query", CANONICAL)
def test_url_state_round_trips(query: str) -> None:
    state = ExplorerState.parse("HGNC:935", query)
    assert state.query() == query
    assert ExplorerState.parse("HGNC:935", state.query()) == state
    assert state.url() == "/atlas/entity/HGNC:935" + (f"?{query}" if query else "")


def test_url_state_is_canonical_whatever_the_order() -> None:
    messy = (
        "expand=HGNC:5013&predicate=biolink:regulates&expand=GO:0005634&cap=4&expand=HGNC:5013&x=1"
    )
    messy += "&predicate=biolink:located_in&expand=HGNC:935"
    state = ExplorerState.parse("HGNC:935", messy)
    assert state.query() == CANONICAL[-1]  # sorted, deduplicated, the centre never "expanded"
    assert state.query(cap=DEFAULT_CAP, expand=()) == (
        "predicate=biolink:located_in&predicate=biolink:regulates"
    )


def test_the_page_embeds_the_api_answer_and_renders_the_same_url(shared_client: Any) -> None:
    query = CANONICAL[-1]
    api = get_ok(shared_client, f"/api/atlas/entity/HGNC:935?{query}")
    page = shared_client.get(f"/atlas/entity/HGNC:935?{query}").text
    assert embedded(page) == api
    assert api["url"] == f"/atlas/entity/HGNC:935?{query}"
    assert ExplorerState.parse("HGNC:935", api["url"].split("?", 1)[1]).query() == query
    # The text alternative holds every statement drawn, in its real direction.
    rows = re.findall(r"<tr><td><a href=\"/entity/([^\"]+)\">", page)
    assert {e["subject"] for e in api["edges"]} <= set(rows)
    assert page.count('<tr><td><a href="/entity/') >= len(api["edges"])
    # Names reach the page escaped (they come from data).
    assert "<script>" not in html.unescape(page.split("explorer-data")[0]).split("<main>")[1]


def test_the_listing_stays_reachable_page_by_page(shared_client: Any) -> None:
    page = shared_client.get("/atlas/entity/MONDO:0004975?limit=20").text
    api = get_ok(shared_client, "/api/entities/MONDO:0004975/neighbours?limit=20")
    assert re.findall(r'<span class="muted curie">([^<]+)</span>', page) == [
        e["other_id"] for e in api["edges"]
    ]
    nxt = re.search(
        r'rel="next" href="([^"]+)"', shared_client.get("/atlas/entity/HGNC:935?limit=5").text
    )
    assert nxt and shared_client.get(html.unescape(nxt.group(1))).status_code == 200
    # A name works as the centre, as before.
    assert "Neighbourhood of BACH1" in shared_client.get("/atlas/entity/BACH1").text


def test_labels_from_data_are_escaped(store: Store) -> None:
    from fastapi.testclient import TestClient

    from scidex.config import Settings
    from scidex.web import create_app

    evil = '</script><script>window.x=1</script><img src=x onerror="alert(1)">'
    with store.atomic() as conn:
        insert_entities(
            conn,
            [Entity("T:A", "biolink:Gene", evil, symbol=evil), Entity("T:B", "biolink:Gene", "b")],
        )
        insert_edges(conn, [Edge("T:A", "biolink:regulates", "T:B", "infores:test")])
    with TestClient(create_app(Settings(database_url=store.url), store)) as c:
        for url in ("/atlas/entity/T:B", "/atlas/path?from=T:A&to=T:B", "/atlas", "/atlas/edges"):
            page = c.get(url).text
            assert "<script>window.x" not in page and "<img src=x" not in page, url
        data = embedded(c.get("/atlas/entity/T:B").text)
        assert data["nodes"][1]["name"] == evil  # intact once parsed


# -- paths ---------------------------------------------------------------------------------


def test_a_path_query_names_entities_by_name(shared_client: Any) -> None:
    body = get_ok(shared_client, "/api/atlas/path?from=BACH1&to=HP:0002511")
    assert body["source"]["id"] == "HGNC:935" and body["outcome"] == "found"
    first = body["paths"][0]
    assert first["nodes"][0] == "HGNC:935" and first["nodes"][-1] == "HP:0002511"
    assert len(first["hops"]) == body["length"] <= 3
    assert set(first["nodes"]) <= set(body["entities"])
    page = shared_client.get("/atlas/path?from=BACH1&to=HP:0002511").text
    assert "shortest path" in page and 'href="/api/edges/E' in page


def test_ambiguous_and_unknown_names_offer_candidates(shared_client: Any) -> None:
    err = error_of(shared_client, "/api/atlas/path?from=BACH1&to=Alzheimer%20disease", 300)
    to = err["details"]["names"]["to"]
    assert to["status"] == "ambiguous"
    assert {c["id"] for c in to["candidates"]} == {"MONDO:0004975", "HP:0002511"}
    err = error_of(shared_client, "/api/atlas/path?from=BACHH1&to=APOE", 404)
    assert err["details"]["names"]["from"]["status"] == "unknown"
    page = shared_client.get("/atlas/path?from=BACH1&to=Alzheimer%20disease")
    assert page.status_code == 300
    assert "/atlas/path?from=BACH1&amp;to=MONDO:0004975" in page.text
    err = error_of(shared_client, "/api/atlas/path?from=BACH1&to=APOE&exclude=zzqqx", 404)
    assert err["details"]["names"]["exclude.0"]["status"] == "unknown"


def test_no_path_is_a_clear_answer_with_the_reach(shared_client: Any) -> None:
    body = get_ok(shared_client, "/api/atlas/path?from=BACH1&to=HP:0002511&max_hops=1")
    assert body["outcome"] in ("none_within_hops", "disconnected") and body["paths"] == []
    assert body["message"] and body["reach"]["from"][0] == 1
    page = shared_client.get("/atlas/path?from=BACH1&to=HP:0002511&max_hops=1").text
    assert "How far the search reached" in page


def test_the_form_alone_and_hub_exclusion(shared_client: Any) -> None:
    assert "Find paths" in shared_client.get("/atlas/path").text
    hubs = get_ok(
        shared_client, "/api/atlas/path?from=BACH1&to=APOE&exclude_hubs=true&hub_degree=20"
    )
    for p in hubs["paths"]:
        inner = p["nodes"][1:-1]
        assert all(n not in ("GO:0005634", "GO:0005829") for n in inner)  # hubs of the sample


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/atlas/entity/HGNC:935?predicate=biolink:nope",
        "/api/atlas/entity/HGNC:935?category=gene",
        "/api/atlas/entity/HGNC:935?level=certain",
        "/api/atlas/entity/HGNC:935?source=goa",
        "/api/atlas/entity/HGNC:935?expand=not%20a%20curie",
        "/api/atlas/entity/HGNC:935?cap=0",
        "/api/atlas/entity/HGNC:935?cap=201",
        "/api/atlas/entity/HGNC:935?depth=2",
        "/api/atlas/entities?category=biolink:Nope",
        "/api/atlas/entities?limit=0",
        "/api/atlas/edges?predicate=biolink:nope",
        "/api/atlas/edges?cursor=bm9wZQ",
        "/api/atlas/path?from=BACH1",
        "/api/atlas/path?from=BACH1&to=BACH1",
        "/api/atlas/path?from=BACH1&to=APOE&max_hops=5",
        "/api/atlas/path?from=BACH1&to=APOE&hub_degree=0",
        "/api/atlas?x=1",
    ],
)
def test_bad_parameters_are_400(shared_client: Any, url: str) -> None:
    error_of(shared_client, url, 400)


def test_bad_parameters_on_pages_are_400_pages(shared_client: Any) -> None:
    for url in (
        "/atlas/entity/HGNC:935?predicate=biolink:nope",
        "/atlas/entity/HGNC:935?after=garbage",
        "/atlas/edges?cursor=garbage",
        "/atlas/path?from=BACH1&to=APOE&max_hops=9",
    ):
        answer = shared_client.get(url)
        assert answer.status_code == 400 and "text/html" in answer.headers["content-type"], url
    assert shared_client.get("/atlas/entity/NOPE:404").status_code == 404
    error_of(shared_client, "/api/atlas/entity/NOPE:404", 404)


def test_openapi_describes_the_atlas(shared_client: Any) -> None:
    spec = get_ok(shared_client, "/openapi.json")
    for path in ("/api/atlas", "/api/atlas/entity/{curie}", "/api/atlas/path"):
        op = spec["paths"][path]["get"]
        assert op["tags"] == ["atlas"]
        assert "$ref" in str(op["responses"]["200"]["content"]["application/json"]["schema"])
        assert {"304", "400", "404"} <= set(op["responses"]) or path == "/api/atlas"
        assert "422" not in op["responses"]
    assert "300" in spec["paths"]["/api/atlas/path"]["get"]["responses"]
    params = {p["name"] for p in spec["paths"]["/api/atlas/path"]["get"]["parameters"]}
    assert {"from", "to", "max_hops", "exclude_hubs", "exclude"} <= params
    assert not [p for p in spec["paths"] if p.startswith("/atlas")]  # pages are not the API


def test_the_statistics_follow_every_write(store: Store) -> None:
    from fastapi.testclient import TestClient

    from scidex.config import Settings
    from scidex.web import create_app

    with TestClient(create_app(Settings(database_url=store.url), store)) as c:
        assert get_ok(c, "/api/atlas")["entities"]["count"] == 0
        assert get_ok(c, "/api/atlas") == get_ok(c, "/api/atlas")  # counted once, kept
        with store.atomic() as conn:
            insert_entities(conn, [Entity("T:1", "biolink:Gene", "one")])
        after = get_ok(c, "/api/atlas")
        assert after["entities"]["count"] == 1
        assert after["entities_by_category"][0]["category"] == "biolink:Gene"
        assert ">1</a>" in c.get("/atlas").text
