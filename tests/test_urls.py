"""The URL builder (kg/urls.py) and the routes agree: every link it builds is served."""

from __future__ import annotations

import pytest

from scidex.kg.urls import Urls, urls

BACH1 = "HGNC:935"
PAGE = "wiki-genes-bach1"


def test_paths_and_query_strings() -> None:
    assert urls.artifact(PAGE) == "/artifact/wiki-genes-bach1"
    assert urls.artifact(PAGE, 2) == "/artifact/wiki-genes-bach1?version=2"
    assert urls.entity(BACH1) == "/entity/HGNC:935"
    assert urls.explorer(BACH1, {"predicate": "biolink:regulates", "cap": None}) == (
        "/atlas/entity/HGNC:935?predicate=biolink:regulates"
    )
    assert urls.cite(PAGE, "bib", 3) == "/artifact/wiki-genes-bach1/cite.bib?version=3"
    assert urls.login("/artifact/a b") == "/login?next=/artifact/a%20b"
    assert urls.search("alzheimer disease") == "/search?q=alzheimer+disease"
    assert urls.about("hgnc@2026-06") == "/about#hgnc@2026-06"


def test_absolute_links_for_citations() -> None:
    site = Urls("https://atlas.example.org/")
    assert site.artifact(PAGE, 1) == "https://atlas.example.org/artifact/wiki-genes-bach1?version=1"
    assert site.embed(PAGE) == "https://atlas.example.org/artifact/wiki-genes-bach1?embed=1"


@pytest.mark.parametrize(
    "url",
    [
        urls.home(),
        urls.about(),
        urls.search("bach1"),
        urls.login(),
        urls.artifact(PAGE),
        urls.artifact(PAGE, 1),
        urls.embed(PAGE),
        urls.history(PAGE),
        urls.edges(PAGE),
        urls.edges_tsv(PAGE, {"limit": 5}),
        urls.publications(PAGE, {"limit": 5}),
        urls.provenance(PAGE),
        urls.cite(PAGE, "bib"),
        urls.cite(PAGE, "ris", 1),
        urls.atlas(),
        urls.atlas_entities({"category": "biolink:Gene"}),
        urls.atlas_edges({"predicate": "biolink:has_phenotype"}),
        urls.explorer(BACH1),
        urls.paths({"from": "BACH1", "to": "HP:0002511"}),
        urls.api_artifact(PAGE),
        urls.api_artifacts({"type": "wiki_page"}),
        urls.api_entity(BACH1),
        urls.api_neighbours(BACH1, {"limit": 5}),
        urls.api_xrefs(BACH1),
        urls.api_publications(BACH1, {"limit": 5}),
        urls.api_atlas(),
        urls.api_explorer(BACH1),
        urls.api_paths({"from": "BACH1", "to": "HP:0002511"}),
        urls.api_docs(),
    ],
)
def test_every_built_link_is_served(shared_client, url: str) -> None:
    response = shared_client.get(url, follow_redirects=False)
    assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize("url", [urls.entity(BACH1)])
def test_entity_links_redirect_to_the_page(shared_client, url: str) -> None:
    response = shared_client.get(url, follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == urls.artifact(PAGE)


def test_links_to_the_edit_side_are_served(shared_client) -> None:
    # Without a session the edit form sends the reader to sign in, and back.
    response = shared_client.get(urls.edit(PAGE), follow_redirects=False)
    assert response.status_code in (303, 401)
    assert shared_client.get(urls.diff(PAGE, {"from": 1, "to": 1})).status_code == 200
