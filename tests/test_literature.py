"""Papers linked to genes (``entity_publication``): how the build stores them, what the gene
page shows, and the paged list with its JSON twin, on both backends.

The store is written by the build's own write path (``write_graph``) from a few genes and
their NCBI Gene publication lists (PubMed ids NCBI links to BACH1 and HMOX1); every
expectation is computed from those inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from scidex.config import Settings
from scidex.ingest.stored import stored_entities
from scidex.ingest.write import SourceInput, prune_stale, write_graph
from scidex.kg.model import Edge, Entity, EntityPublications, SourceRelease
from scidex.kg.xrefs import external_url
from scidex.queries.literature import RECENT, Publication, decode_cursor, encode_cursor
from scidex.registry.finish import finish
from scidex.store import Store
from scidex.store.schema import entity_publication
from scidex.web import create_app

# PubMed ids NCBI Gene (2022-09) links to BACH1 (NCBIGene:571) and HMOX1 (NCBIGene:3162):
# the highest of each, as listed in org.Hs.eg.db's pubmed table.
BACH1_PMIDS = (
    35563538, 35532539, 35406740, 35395473, 35283228, 35271311,
    35154476, 35141006, 35067159, 34949193, 34923423, 34863556,
)  # fmt: skip
HMOX1_PMIDS = (36001619, 35821281, 35551540, 35470713)
UNMAPPED = EntityPublications("NCBIGene:999999999", (1, 2, 3))
BACH1, HMOX1, AD = "HGNC:935", "HGNC:5013", "MONDO:0004975"
BACH1_PAGE, AD_PAGE = "wiki-genes-bach1", "wiki-diseases-alzheimer-disease"


def _release(name: str, version: str, infores: str) -> SourceRelease:
    return SourceRelease(f"{name}@{version}", name, infores, version, "CC0")


def sources(version: str = "1", bach1: tuple[int, ...] = BACH1_PMIDS) -> list[SourceInput]:
    genes = SourceInput(
        _release("hgnc", "1", "infores:hgnc"),
        [
            Entity(BACH1, "biolink:Gene", "BACH transcriptional regulator 1", symbol="BACH1",
                   xrefs=("NCBIGene:571",)),
            # Two NCBI ids name one gene: their papers are merged, each kept once.
            Entity(HMOX1, "biolink:Gene", "heme oxygenase 1", symbol="HMOX1",
                   xrefs=("NCBIGene:3162", "NCBIGene:3163")),
            Entity(AD, "biolink:Disease", "Alzheimer disease"),
        ],
    )  # fmt: skip
    ncbi = SourceInput(
        _release("ncbi_gene", version, "infores:ncbi-gene"),
        [
            Edge("NCBIGene:571", "biolink:gene_associated_with_condition", AD, "infores:test"),
            EntityPublications("NCBIGene:571", tuple(sorted(bach1))),
            EntityPublications("NCBIGene:3162", tuple(sorted(HMOX1_PMIDS[:3]))),
            EntityPublications("NCBIGene:3163", tuple(sorted(HMOX1_PMIDS[1:]))),
            UNMAPPED,
        ],
    )
    return [genes, ncbi]


def build(store: Store, inputs: list[SourceInput]) -> Any:
    """Write ``inputs`` as ``scidex build --source`` does: against the stored rest."""
    with store.atomic() as conn:
        anchors = stored_entities(conn, {i.release.name for i in inputs})
        report = write_graph(conn, inputs, anchors=anchors)
        prune_stale(conn, [i.release for i in inputs])
        finish(conn, rollup=True)
    return report


def stored(store: Store) -> dict[tuple[str, int], str]:
    with store.read() as conn:
        rows = conn.execute(select(entity_publication)).all()
    return {(e, pmid): release for e, pmid, release in rows}


@pytest.fixture
def built(store: Store) -> Store:
    build(store, sources())
    return store


@pytest.fixture
def client(built: Store) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=built.url), built)) as c:
        yield c


def newest_first(pmids: tuple[int, ...]) -> list[int]:
    return sorted(set(pmids), reverse=True)


# --- the build ---------------------------------------------------------------------


def test_links_are_stored_under_the_canonical_gene_and_unmapped_ids_counted(
    store: Store,
) -> None:
    report = build(store, sources())
    # HMOX1's two NCBI ids share two papers: sent once per id (3 + 3 links below), each stored
    # once under HMOX1 (a second row for the same gene and paper would break the primary key).
    want = {(BACH1, p) for p in BACH1_PMIDS} | {(HMOX1, p) for p in HMOX1_PMIDS}
    assert set(stored(store)) == want
    assert set(stored(store).values()) == {"ncbi_gene@1"}
    pubs = report.publications
    assert pubs.links["ncbi_gene@1"] == len(BACH1_PMIDS) + 3 + 3  # rows sent, per list
    assert pubs.unmapped["ncbi_gene@1"] == 1
    assert pubs.unmapped_links["ncbi_gene@1"] == len(UNMAPPED.pmids)
    assert pubs.examples["ncbi_gene@1"] == UNMAPPED.id
    assert report.release_counts["ncbi_gene@1"]["publication links"] == pubs.links["ncbi_gene@1"]
    # The edge went to the edge table, the papers did not.
    assert report.edges_by_source["ncbi_gene@1"] == 1


def test_a_rebuild_is_idempotent_and_a_new_release_replaces_the_old_links(store: Store) -> None:
    build(store, sources())
    first = stored(store)
    build(store, sources())
    assert stored(store) == first
    # A new release drops some of BACH1's papers: they are pruned, the rest re-tagged.
    kept = BACH1_PMIDS[3:]
    build(store, sources("2", kept))
    after = stored(store)
    assert {p for (e, p) in after if e == BACH1} == set(kept)
    assert set(after.values()) == {"ncbi_gene@2"}


def test_rebuilding_ncbi_gene_alone_maps_its_papers_onto_the_stored_genes(store: Store) -> None:
    build(store, sources())
    first = stored(store)
    _genes, ncbi = sources("2")
    with store.atomic() as conn:
        anchors = stored_entities(conn, {"ncbi_gene"})
        report = write_graph(conn, [ncbi], anchors=anchors)
        prune_stale(conn, [ncbi.release])
    assert stored(store) == {key: "ncbi_gene@2" for key in first}
    assert report.publications.unmapped["ncbi_gene@2"] == 1


def test_a_source_that_yields_an_edge_after_its_papers_is_refused(store: Store) -> None:
    genes, ncbi = sources()
    records = list(ncbi.records)
    bad = SourceInput(ncbi.release, [*records[1:], records[0]])
    with pytest.raises(TypeError, match="Edge after a publication list"):
        build(store, [genes, bad])
    assert stored(store) == {}  # nothing written: the transaction rolled back


def test_paper_links_are_those_of_the_identifier_links() -> None:
    for pmid in (1, *BACH1_PMIDS):
        assert Publication(pmid, "ncbi_gene@1").url == external_url(f"PMID:{pmid}")


def test_cursors_round_trip_and_refuse_what_they_did_not_make() -> None:
    assert decode_cursor(encode_cursor(35563538)) == 35563538
    for bad in ("", "x", encode_cursor(0), encode_cursor(2**31), "WyJhIl0"):
        with pytest.raises(ValueError):
            decode_cursor(bad)


# --- the gene page -----------------------------------------------------------------


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_the_gene_page_shows_the_count_and_the_most_recently_indexed_papers(
    client: TestClient,
) -> None:
    html = client.get(f"/artifact/{BACH1_PAGE}").text
    lit = _section(html, "literature")
    assert f"NCBI Gene links {len(BACH1_PMIDS)} papers to BACH1" in _text(lit)
    shown = [int(p) for p in re.findall(r">PMID (\d+)</a>", lit)]
    assert shown == newest_first(BACH1_PMIDS)[:RECENT]
    for p in shown:
        assert f'href="https://pubmed.ncbi.nlm.nih.gov/{p}/"' in lit
    assert 'href="/artifact/wiki-genes-bach1/publications"' in lit
    assert 'href="/api/entities/HGNC:935/publications"' in lit
    # The provenance names the release behind them.
    assert f"links {len(BACH1_PMIDS)} papers to it" in _text(_section(html, "provenance"))
    # The page's JSON twin carries the same.
    twin = client.get(f"/api/artifacts/{BACH1_PAGE}").json()["literature"]
    assert twin["count"] == len(BACH1_PMIDS)
    assert [x["pmid"] for x in twin["recent"]] == shown
    assert twin["sources"] == [
        {"release": "ncbi_gene@1", "label": "NCBI Gene", "version": "1", "count": len(BACH1_PMIDS)}
    ]


def test_two_ncbi_ids_of_one_gene_count_each_paper_once(client: TestClient) -> None:
    html = client.get("/genes/hmox1", follow_redirects=True).text
    assert f"NCBI Gene links {len(HMOX1_PMIDS)} papers to HMOX1" in _text(
        _section(html, "literature")
    )


def test_papers_from_two_sources_are_counted_per_source(built: Store) -> None:
    other = SourceInput(
        _release("pubtest", "1", "infores:pubtest"),
        [EntityPublications("HGNC:935", (1, 2))],
    )
    build(built, [other])
    with TestClient(create_app(Settings(database_url=built.url), built)) as c:
        answer = c.get(f"/api/entities/{BACH1}/publications?limit=100").json()
        html = c.get(f"/artifact/{BACH1_PAGE}").text
    total = len(BACH1_PMIDS) + 2
    assert answer["count"] == total
    assert [(s["label"], s["count"]) for s in answer["sources"]] == [
        ("NCBI Gene", len(BACH1_PMIDS)),
        ("pubtest", 2),
    ]
    assert [x["pmid"] for x in answer["publications"]][-2:] == [2, 1]
    assert answer["publications"][-1]["source_release"] == "pubtest@1"
    assert (
        f"{total} papers are linked to BACH1: NCBI Gene links {len(BACH1_PMIDS)}, pubtest links 2"
        in _text(_section(html, "literature"))
    )


def test_a_page_without_papers_has_no_literature_section(client: TestClient) -> None:
    html = client.get(f"/artifact/{AD_PAGE}").text
    assert 'id="literature"' not in html
    assert client.get(f"/api/artifacts/{AD_PAGE}").json()["literature"] is None


# --- the paged list and its JSON twin -------------------------------------------------


def test_the_json_list_pages_through_every_paper_newest_first(client: TestClient) -> None:
    url: str | None = "/api/entities/BACH1/publications?limit=5"
    seen: list[int] = []
    pages = 0
    while url:
        answer = client.get(url).json()
        assert answer["entity"]["id"] == BACH1
        assert answer["count"] == len(BACH1_PMIDS)
        for x in answer["publications"]:
            assert x["id"] == f"PMID:{x['pmid']}"
            assert x["url"] == f"https://pubmed.ncbi.nlm.nih.gov/{x['pmid']}/"
            assert x["source_release"] == "ncbi_gene@1"
        seen += [x["pmid"] for x in answer["publications"]]
        url = answer["next"]
        assert (url is None) == (answer["next_cursor"] is None)
        pages += 1
    assert seen == newest_first(BACH1_PMIDS)
    assert pages == -(-len(BACH1_PMIDS) // 5)


def test_the_html_list_pages_through_the_same_papers(client: TestClient) -> None:
    url: str | None = f"/artifact/{BACH1_PAGE}/publications?limit=5"
    seen: list[int] = []
    while url:
        html = client.get(url).text
        assert f"links {len(BACH1_PMIDS)} papers to BACH1" in _text(html)
        page = [int(p) for p in re.findall(r">PMID (\d+)</a>", html)]
        # The same rows as the JSON twin it links to.
        twin = re.search(r'href="(/api/entities/[^"]+)" type="application/json"', html)
        assert twin is not None
        json_page = client.get(twin.group(1).replace("&amp;", "&")).json()
        assert [x["pmid"] for x in json_page["publications"]] == page
        seen += page
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert seen == newest_first(BACH1_PMIDS)


def test_a_non_gene_entity_has_an_empty_list(client: TestClient) -> None:
    answer = client.get(f"/api/entities/{AD}/publications").json()
    assert answer["entity"]["category"] == "biolink:Disease"
    assert (answer["count"], answer["sources"], answer["publications"]) == (0, [], [])
    assert answer["next"] is None
    page = client.get(f"/artifact/{AD_PAGE}/publications")
    assert page.status_code == 200
    assert "No papers are linked to Alzheimer disease." in _text(page.text)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/entities/NOSUCHGENE1/publications", 404),
        ("/api/entities/HGNC:99999999/publications", 404),
        ("/artifact/wiki-genes-nosuchgene/publications", 404),
        ("/api/entities/BACH1/publications?cursor=nonsense", 400),
        ("/api/entities/BACH1/publications?cursor=" + encode_cursor(0), 400),
        ("/api/entities/BACH1/publications?limit=0", 400),
        ("/api/entities/BACH1/publications?limit=1001", 400),
        ("/api/entities/BACH1/publications?limt=5", 400),
        (f"/artifact/{BACH1_PAGE}/publications?cursor=nonsense", 400),
    ],
)
def test_bad_requests(client: TestClient, url: str, status: int) -> None:
    answer = client.get(url)
    assert answer.status_code == status, answer.text
    if url.startswith("/api/"):
        assert answer.json()["error"]["code"] == status


def test_answers_revalidate_and_answer_head(client: TestClient) -> None:
    for url in (f"/api/entities/{BACH1}/publications", f"/artifact/{BACH1_PAGE}/publications"):
        first = client.get(url)
        tag = first.headers["etag"]
        assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
        head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == tag


def test_the_api_describes_the_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/entities/{key}/publications"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"key", "limit", "cursor"}
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert schema.endswith("/PublicationsOut")


def test_a_merge_brings_the_duplicates_papers_and_undo_takes_them_back(built: Store) -> None:
    from scidex.registry.merge import merge_entities, unmerge
    from scidex.registry.revisions import Actor

    def papers(gene: str) -> set[int]:
        return {p for (e, p) in stored(built) if e == gene}

    before = {BACH1: papers(BACH1), HMOX1: papers(HMOX1)}
    actor = Actor("system", "test", "test", "admin")
    with built.atomic() as conn:
        result = merge_entities(conn, HMOX1, BACH1, actor=actor)
    assert papers(BACH1) == before[BACH1] | before[HMOX1]
    with built.atomic() as conn:
        unmerge(conn, result.merge_id, actor=actor)
    assert {BACH1: papers(BACH1), HMOX1: papers(HMOX1)} == before
