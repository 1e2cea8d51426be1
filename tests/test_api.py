"""The JSON API as an agent uses it, on both backends: entities, neighbourhoods, edges,
artifact listings, history, provenance, typeahead; and every kind of bad input."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from sqlalchemy import func, or_, select

from scidex.store import Store
from scidex.store.schema import artifact, edge


def get_ok(client: Any, url: str) -> Any:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.text[:500])
    return answer.json()


def error_of(client: Any, url: str, status: int) -> dict[str, Any]:
    answer = client.get(url)
    assert answer.status_code == status, (url, answer.text[:500])
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == status and body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


# -- entities ---------------------------------------------------------------------


KEYS = {
    "HGNC:935": "id",
    "hgnc:935": "id",
    "NCBIGene:571": "xref",
    "BACH1": "symbol",
    "bach1": "symbol",
    "BTB domain and CNC homolog 1": "synonym",
}


def test_an_entity_by_curie_or_any_name(shared_client: Any) -> None:
    for key, how in KEYS.items():
        bach1 = get_ok(shared_client, f"/api/entities/{key}")
        assert (bach1["id"], bach1["matched_by"]) == ("HGNC:935", how), key
    assert {"id": "OMIM:602751", "namespace": "OMIM", "local_id": "602751"}.items() <= next(
        x for x in bach1["xrefs"] if x["id"] == "OMIM:602751"
    ).items()
    assert bach1["degree"] == sum(c["count"] for c in bach1["predicate_counts"]) > 0
    assert bach1["urls"]["page"] == "/artifact/wiki-genes-bach1"


def test_the_entity_answer_agrees_with_its_page(shared_client: Any) -> None:
    bach1 = get_ok(shared_client, "/api/entities/HGNC:935")
    page = get_ok(shared_client, "/api/artifacts/wiki-genes-bach1")
    assert bach1["degree"] == page["entity"]["degree"]
    assert [x["id"] for x in bach1["xrefs"]] == [x["id"] for x in page["entity"]["xrefs"]]


def test_an_ambiguous_name_answers_300_with_the_candidates(shared_client: Any) -> None:
    # The disease and the phenotype share this label.
    error = error_of(shared_client, "/api/entities/Alzheimer disease", 300)
    candidates = [c["id"] for c in error["details"]["candidates"]]
    assert {"HP:0002511", "MONDO:0004975"} <= set(candidates)
    assert all(c["url"] == f"/api/entities/{c['id']}" for c in error["details"]["candidates"])
    # Asking by one of their ids settles it.
    assert get_ok(shared_client, "/api/entities/MONDO:0004975")["name"] == "Alzheimer disease"


def test_a_curated_alias_names_its_entity(shared_client: Any) -> None:
    # "ALS" is also SOD1's previous symbol and a synonym of IGFALS; the curated
    # page's alias says what researchers mean by it.
    assert get_ok(shared_client, "/api/entities/ALS")["id"] == "MONDO:0004976"
    assert get_ok(shared_client, "/api/entities/PD")["id"] == "MONDO:0005180"


def test_an_unknown_entity_answers_404_with_suggestions(shared_client: Any) -> None:
    error = error_of(shared_client, "/api/entities/bach", 404)
    assert "HGNC:935" in [s["id"] for s in error["details"]["suggestions"]]
    error_of(shared_client, "/api/entities/NOSUCH:1", 404)


def test_malformed_entity_keys_are_400(shared_client: Any) -> None:
    for key in ("%00", "%20", "a%09b", "x" * 201):
        for suffix in ("", "/neighbours", "/xrefs"):
            error_of(shared_client, f"/api/entities/{key}{suffix}", 400)


def test_xrefs_have_links(shared_client: Any) -> None:
    answer = get_ok(shared_client, "/api/entities/bach1/xrefs")
    by_id = {x["id"]: x for x in answer["xrefs"]}
    assert answer["entity"]["id"] == "HGNC:935"
    assert by_id["NCBIGene:571"]["url"].endswith("/571")
    assert by_id["UniProtKB:O14867"]["namespace"] == "UniProt"


# -- neighbourhoods -----------------------------------------------------------------


def walk(client: Any, url: str) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    while url:
        page = get_ok(client, url)
        edges += page["edges"]
        url = page["next"]
    return edges


def degree(store: Store, curie: str) -> int:
    with store.read() as conn:
        return conn.execute(
            select(func.count())
            .select_from(edge)
            .where(or_(edge.c.subject == curie, edge.c.object == curie))
        ).scalar_one()


def test_paging_walks_a_whole_neighbourhood_without_repeats_or_gaps(
    shared_client: Any, shared_atlas: Store
) -> None:
    for curie in ("MONDO:0004975", "HGNC:935", "HGNC:11179", "GO:0005515"):
        edges = walk(shared_client, f"/api/entities/{curie}/neighbours?limit=7")
        ids = [e["id"] for e in edges]
        first = get_ok(shared_client, f"/api/entities/{curie}/neighbours?limit=7")
        assert len(ids) == len(set(ids)) == first["degree"] == degree(shared_atlas, curie)
        assert first["degree"] == sum(c["count"] for c in first["counts"])
        # Outgoing first, then incoming, as the page lists them.
        directions = [e["direction"] for e in edges]
        assert directions == sorted(directions, key=lambda d: d != "out")


def test_filters_narrow_the_walk_and_keep_paging_exact(shared_client: Any) -> None:
    base = "/api/entities/HGNC:11179/neighbours"
    everything = walk(shared_client, f"{base}?limit=500")
    cases: dict[str, Any] = {
        "predicate=biolink:has_phenotype": lambda e: e["predicate"] == "biolink:has_phenotype",
        "direction=out": lambda e: e["direction"] == "out",
        "category=biolink:PhenotypicFeature": lambda e: (
            e["other_category"] == "biolink:PhenotypicFeature"
        ),
        "source=infores:goa": lambda e: e["primary_knowledge_source"] == "infores:goa",
        "category=biolink:Disease&direction=out": lambda e: (
            e["other_category"] == "biolink:Disease" and e["direction"] == "out"
        ),
    }
    for query, keep in cases.items():
        expected = [e["id"] for e in everything if keep(e)]
        got = [e["id"] for e in walk(shared_client, f"{base}?{query}&limit=3")]
        assert got == expected and expected, query


def test_neighbours_answer_counts_and_a_next_link(shared_client: Any) -> None:
    page = get_ok(shared_client, "/api/entities/MONDO:0004975/neighbours?limit=2&direction=out")
    assert page["entity"]["id"] == "MONDO:0004975"
    assert page["filters"]["direction"] == "out"
    assert len(page["edges"]) == 2 and page["next_cursor"]
    assert page["next"].startswith("/api/entities/MONDO:0004975/neighbours?")
    assert "direction=out" in page["next"] and "limit=2" in page["next"]


BAD_NEIGHBOURHOOD_QUERIES = [
    "limit=0",
    "limit=-1",
    "limit=501",
    "limit=99999999999999999999999",
    "limit=ten",
    "cursor=abc",
    "cursor=" + "A" * 501,
    "cursor=WyJ4IiwgInAiLCAxLCAiaSJd",
    "direction=sideways",
    "predicate=has_phenotype",
    "predicate=biolink:has_no_such_thing",
    "category=biolink:Nonsense",
    "source=hpo",
    "limt=5",
    "limit=5&extra=1",
]


def test_bad_neighbourhood_parameters_are_400_with_a_message(shared_client: Any) -> None:
    for query in BAD_NEIGHBOURHOOD_QUERIES:
        error = error_of(shared_client, f"/api/entities/HGNC:935/neighbours?{query}", 400)
        if "limt" in query or "extra" in query:
            assert "unknown query parameter" in error["message"]
            assert "limit" in error["details"]["allowed"]


# -- edges --------------------------------------------------------------------------


def test_edges_between_two_entities_in_both_directions(shared_client: Any) -> None:
    there = get_ok(shared_client, "/api/edges/between?subject=BACH1&object=HMOX1")
    back = get_ok(shared_client, "/api/edges/between?subject=HGNC:5013&object=HGNC:935")
    assert there["subject"]["id"] == "HGNC:935" and there["object"]["id"] == "HGNC:5013"
    assert there["count"] == len(there["edges"]) > 0
    assert sorted(e["id"] for e in there["edges"]) == sorted(e["id"] for e in back["edges"])
    flip = {"out": "in", "in": "out"}
    by_id = {e["id"]: e["direction"] for e in back["edges"]}
    assert all(by_id[e["id"]] == flip[e["direction"]] for e in there["edges"])
    curated = next(e for e in there["edges"] if e["curated"])
    assert curated["publications"] and curated["primary_knowledge_source"] == "infores:scidex"


def test_edges_between_bad_input(shared_client: Any) -> None:
    error_of(shared_client, "/api/edges/between?subject=BACH1", 400)
    error_of(shared_client, "/api/edges/between?subject=BACH1&object=nosuchthing", 404)
    error_of(shared_client, "/api/edges/between?subject=BACH1&object=Alzheimer disease", 300)
    error_of(shared_client, "/api/edges/between?subject=BACH1&object=HMOX1&limit=0", 400)


def test_one_edge_with_its_provenance_and_release(shared_client: Any, shared_atlas: Store) -> None:
    with shared_atlas.read() as conn:
        row = conn.execute(
            select(edge.c.id, edge.c.source_release).where(
                edge.c.subject == "HGNC:935", edge.c.primary_knowledge_source == "infores:goa"
            )
        ).first()
    assert row is not None
    answer = get_ok(shared_client, f"/api/edges/{row.id}")
    assert answer["edge"]["id"] == row.id and answer["subject"]["id"] == "HGNC:935"
    assert answer["edge"]["evidence_codes"] and answer["object"]["id"].startswith("GO:")
    assert answer["release"]["id"] == row.source_release
    assert answer["release"]["license"] and answer["release"]["sha256"] is not None
    error_of(shared_client, "/api/edges/E000000000000000000000000", 404)
    for bad in ("abc", "E123", "e00a43a87960d8fad3d6602f2", "E" + "g" * 24):
        error_of(shared_client, f"/api/edges/{bad}", 400)


def test_edge_publications_have_links(shared_client: Any) -> None:
    there = get_ok(shared_client, "/api/edges/between?subject=BACH1&object=HMOX1")
    curated = next(e for e in there["edges"] if e["curated"])
    answer = get_ok(shared_client, f"/api/edges/{curated['id']}")
    links = {p["id"]: p["url"] for p in answer["publications"]}
    assert set(links) == set(curated["publications"])
    assert all(u and "pubmed" in u for k, u in links.items() if k.startswith("PMID:"))


# -- artifacts ----------------------------------------------------------------------


def walk_artifacts(client: Any, query: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        url = f"/api/artifacts?{query}" + (f"&cursor={cursor}" if cursor else "")
        page = get_ok(client, url)
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_artifact_listing_pages_through_every_artifact_once(
    shared_client: Any, shared_atlas: Store
) -> None:
    with shared_atlas.read() as conn:
        total = conn.execute(select(func.count()).select_from(artifact)).scalar_one()
    for sort in ("id", "-id", "title", "-title", "updated", "-updated"):
        items = walk_artifacts(shared_client, f"sort={sort}&limit=97")
        ids = [a["id"] for a in items]
        assert len(ids) == len(set(ids)) == total, sort
        key = {"id": "id", "title": "title", "updated": "updated_at"}[sort.lstrip("-")]
        pairs = [(a[key], a["id"]) for a in items]
        assert pairs == sorted(pairs, reverse=sort.startswith("-")), sort


def test_artifact_listing_filters(shared_client: Any) -> None:
    curated = walk_artifacts(shared_client, "origin=curated&limit=2")
    assert curated and all(a["origin_type"] == "curated" for a in curated)
    assert "wiki-genes-bach1" in [a["id"] for a in curated]
    genes = get_ok(
        shared_client, "/api/artifacts?entity_category=biolink:Gene&type=wiki_page&limit=5"
    )
    assert all(a["entity_type"] == "biolink:Gene" for a in genes["items"])
    assert genes["items"][0]["urls"]["json"] == f"/api/artifacts/{genes['items'][0]['id']}"
    assert get_ok(shared_client, "/api/artifacts?lifecycle=merged")["items"] == []


BAD_LISTING_QUERIES = [
    "sort=random",
    "origin=elsewhere",
    "lifecycle=dead",
    "limit=0",
    "limit=100000",
    "cursor=%%%",
    "cursor=bm90IGpzb24",
    "entity_category=biolink:Nope",
    "type=Wiki%20Page",
    "kind=wiki_page",
]


def test_bad_listing_parameters_are_400(shared_client: Any) -> None:
    for query in BAD_LISTING_QUERIES:
        error_of(shared_client, f"/api/artifacts?{query}", 400)


def test_a_cursor_continues_the_order_it_was_made_in(shared_client: Any) -> None:
    cursor = get_ok(shared_client, "/api/artifacts?sort=title&limit=3")["next_cursor"]
    by_title = get_ok(shared_client, f"/api/artifacts?sort=title&limit=3&cursor={cursor}")
    assert get_ok(shared_client, f"/api/artifacts?sort=id&limit=3&cursor={cursor}") == by_title
    assert get_ok(shared_client, f"/api/artifacts?limit=3&cursor={cursor}") == by_title


def test_history_lists_revisions_newest_first_without_content(shared_client: Any) -> None:
    history = get_ok(shared_client, "/api/artifacts/wiki-genes-bach1/history")
    assert history["artifact"]["id"] == "wiki-genes-bach1"
    versions = [r["version"] for r in history["revisions"]]
    assert (
        versions == sorted(versions, reverse=True)
        and versions[0] == (history["artifact"]["current_version"])
    )
    assert all("markdown" not in r for r in history["revisions"])
    # The slug works as the page's does; a missing artifact is a 404.
    assert get_ok(shared_client, "/api/artifacts/genes-bach1/history")["artifact"]["id"] == (
        "wiki-genes-bach1"
    )
    error_of(shared_client, "/api/artifacts/wiki-nothing-here/history", 404)
    error_of(shared_client, "/api/artifacts/wiki-genes-bach1/history?before=0", 400)


def test_provenance_names_the_releases_revisions_and_links(shared_client: Any) -> None:
    prov = get_ok(shared_client, "/api/artifacts/wiki-genes-bach1/provenance")
    page = get_ok(shared_client, "/api/artifacts/wiki-genes-bach1")
    assert prov["entity"]["id"] == "HGNC:935"
    releases = {r["id"]: r for r in prov["source_releases"]}
    assert releases["hgnc@2026-06"]["defines_entity"] is True
    expected = {r["id"]: r["edges"] for r in page["provenance"]["source_releases"]}
    assert {k: v["edges"] for k, v in releases.items()} == expected
    assert [r["version"] for r in prov["revisions"]] == [
        r["version"] for r in page["provenance"]["revisions"]
    ]


# -- JSON twins: every HTML page of an artifact or entity has one, with the same data ----


def test_json_twins_show_what_the_pages_show(shared_client: Any) -> None:
    # The neighbourhood page and its twin list the same edges.
    html = shared_client.get("/atlas/entity/MONDO:0004975?limit=20").text
    api = get_ok(shared_client, "/api/entities/MONDO:0004975/neighbours?limit=20")
    shown = re.findall(r'<span class="muted curie">([^<]+)</span>', html)
    assert shown == [e["other_id"] for e in api["edges"]]
    # The history page and its twin list the same versions.
    html = shared_client.get("/artifact/wiki-genes-bach1/history").text
    api = get_ok(shared_client, "/api/artifacts/wiki-genes-bach1/history")
    for r in api["revisions"]:
        assert f"?version={r['version']}" in html
    # The entity page is the artifact page; its twin names the same entity.
    page = shared_client.get("/entity/HGNC:935", follow_redirects=False).headers["location"]
    assert get_ok(shared_client, "/api/entities/HGNC:935")["urls"]["page"] == page
    # Search: the page and the API rank alike.
    html = shared_client.get("/search?q=alzh").text
    api = get_ok(shared_client, "/api/search?q=alzh&limit=50")
    hits = html.split('<ol class="hits">', 1)[1].split("</ol>", 1)[0]
    listed = re.findall(r'<li>\s*<a href="([^"]+)">', hits)
    assert listed[: len(api["hits"])] == [h["url"] for h in api["hits"]]


# -- typeahead ----------------------------------------------------------------------


def test_typeahead_answers_eight_from_the_first_keystroke(shared_client: Any) -> None:
    for q in ("b", "ba", "bac", "bach"):
        hits = get_ok(shared_client, f"/api/typeahead?q={q}")["hits"]
        assert 0 < len(hits) <= 8
    top = get_ok(shared_client, "/api/typeahead?q=bach1")["hits"][0]
    assert (top["id"], top["tier"], top["url"]) == ("HGNC:935", "exact", "/entity/HGNC:935")
    assert get_ok(shared_client, "/api/typeahead?q=")["hits"] == []
    genes = get_ok(shared_client, "/api/typeahead?q=alz&category=biolink:Gene")["hits"]
    assert all(h["category"] == "biolink:Gene" for h in genes)
    for query in ("q=a&limit=0", "q=a&limit=21", "limit=5", "q=a&category=gene", "q=a&kind=x"):
        error_of(shared_client, f"/api/typeahead?{query}", 400)


def test_openapi_describes_the_new_endpoints_with_schemas(shared_client: Any) -> None:
    spec = get_ok(shared_client, "/openapi.json")
    paths = spec["paths"]
    for path in (
        "/api/entities/{key}",
        "/api/entities/{key}/xrefs",
        "/api/entities/{key}/neighbours",
        "/api/edges/between",
        "/api/edges/{edge_id}",
        "/api/artifacts",
        "/api/artifacts/{artifact_id}/history",
        "/api/artifacts/{artifact_id}/provenance",
        "/api/typeahead",
    ):
        answers = paths[path]["get"]["responses"]
        assert "$ref" in str(answers["200"]["content"]["application/json"]["schema"]), path
        assert "400" in answers and "304" in answers and "422" not in answers, path
        assert answers["400"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorOut")
    assert "300" in paths["/api/entities/{key}"]["get"]["responses"]
    schemas = spec["components"]["schemas"]
    assert schemas["EntityOut"]["properties"]["id"]["examples"] == ["HGNC:935"]


def test_cursors_that_decode_to_nonsense_are_400_never_500(shared_client: Any) -> None:
    def enc(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    for cursor in (
        enc(["out", "p\u0000", 1, "x"]),
        enc(["out", "biolink:x", 10**309, "x"]),
        enc(["out", "biolink:x", "score", "x"]),
        enc({"direction": "out"}),
        enc(["sideways", "biolink:x", 1, "x"]),
    ):
        error_of(shared_client, f"/api/entities/HGNC:935/neighbours?cursor={cursor}", 400)
    for cursor in (enc(["out", "biolink:x", "nan", "x"]), enc(["in", "biolink:x", 1e308, "x"])):
        assert (
            shared_client.get(f"/api/entities/HGNC:935/neighbours?cursor={cursor}").status_code
            == 200
        )
    for cursor in (enc(["id", "a\u0000", "b"]), enc(["title", 1, "b"]), enc(["nope", "a", "b"])):
        error_of(shared_client, f"/api/artifacts?cursor={cursor}", 400)
