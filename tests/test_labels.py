"""Labels read as words for a researcher on the home, atlas, path and About pages and in the
edge tables: category names from the categories table, predicates from the Biolink model
(edges pointing at an entity by the predicate's inverse), no internal names; and the About
page counts what the store holds, as /atlas does."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import func, select

from scidex.kg.biolink import inverse_predicate, is_predicate, predicate_label, predicate_phrase
from scidex.kg.categories import label_for
from scidex.kg.model import CURATED_SOURCE
from scidex.pages.summary import SYMMETRIC
from scidex.store import Store
from scidex.store.schema import entity

BACH1 = "/artifact/wiki-genes-bach1"


def visible(page: str) -> str:
    """The text a reader sees: no scripts, no tags (so no attribute values), entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def row_headers(page: str) -> list[str]:
    return [visible(h) for h in re.findall(r'<th scope="row"[^>]*>(.*?)</th>', page, re.S)]


def test_home_and_atlas_name_categories_in_words(shared_client: Any) -> None:
    categories = shared_client.get("/api/stats").json()["entities_by_category"]
    assert len(categories) >= 5
    for url in ("/", "/atlas"):
        page = shared_client.get(url).text
        text = visible(page)
        assert "biolink:" not in text and "Store:" not in text, url
        headers = row_headers(page)
        for category in categories:
            assert label_for(category) in headers, (url, category)
    atlas = visible(shared_client.get("/atlas").text)
    assert "generated from the graph" in atlas and "written by editors" in atlas
    assert "backfill" not in atlas


def test_about_counts_what_the_store_holds_as_the_atlas_does(shared_client: Any) -> None:
    edges_by_release = {
        r["release"]: r["count"] for r in shared_client.get("/api/atlas").json()["edges_by_release"]
    }
    about = shared_client.get("/about").text
    sources = shared_client.get("/api/sources").json()
    store = shared_client.app.state.store
    differ = 0
    for release in sources:
        with store.read() as conn:
            entities = conn.execute(
                select(func.count()).where(
                    entity.c.source_release == release["id"], entity.c.lifecycle == "active"
                )
            ).scalar_one()
        edges = edges_by_release.get(release["id"], 0)
        assert release["in_atlas"] == {"entities": entities, "edges": edges}, release["id"]
        section = about.split(f'id="{release["id"]}"', 1)[1].split("</section>", 1)[0]
        held = visible(section.split("<dt>In the atlas</dt>", 1)[1].split("</dd>", 1)[0])
        numbers = [int(n.replace(",", "")) for n in re.findall(r"[\d,]+", held)]
        assert numbers == [n for n in (entities, edges) if n], (release["id"], held)
        if release["counts"].get("edges", edges) != edges:
            differ += 1  # what the build read is not what the atlas holds
            assert f"{release['counts']['edges']:,}" not in section
    assert differ, "the sample should show a release whose build counts differ from the store's"


def test_paths_describe_their_evidence_in_words(shared_client: Any) -> None:
    query = "from=BACH1&to=MONDO:0004975"
    body = shared_client.get(f"/api/atlas/path?{query}").json()
    page = shared_client.get(f"/atlas/path?{query}").text
    headings = [visible(h) for h in re.findall(r"<h3>(.*?)</h3>", page, re.S)]
    assert len(headings) == len(body["paths"]) >= 1
    for heading, path in zip(headings, body["paths"], strict=True):
        assert str(path["weakest"]) not in heading and "weakest" not in heading
        curated = sum(
            any(s["primary_knowledge_source"] == CURATED_SOURCE for s in h["statements"])
            for h in path["hops"]
        )
        published = sum(any(s["publications"] for s in h["statements"]) for h in path["hops"])
        n = len(path["hops"])
        if n > 1:
            assert f"{curated} of {n} hops curated, {published} with publications" in heading
    assert "biolink:" not in visible(page)


def test_edge_tables_name_the_entity_and_read_each_edge_from_its_side(shared_client: Any) -> None:
    page = shared_client.get(BACH1).text
    groups = shared_client.get(f"/api/artifacts/{BACH1.rsplit('/', 1)[1]}").json()["edges"]
    assert {g["direction"] for g in groups} == {"in", "out"}
    text = visible(page)
    assert "(incoming)" not in text
    assert '<span class="self">this' not in page
    for group in groups:
        predicate, direction = group["predicate"], group["direction"]
        # A symmetric predicate's two directions share one table; this group's rows are
        # those of its direction there.
        symmetric = predicate in SYMMETRIC
        shown = "both" if symmetric else direction
        anchor = f'id="edges-{shown}-{predicate.removeprefix("biolink:")}"'
        section = page.split(anchor, 1)[1].split("</section>", 1)[0]
        heading = visible(section.split("<h3>", 1)[1].split("</h3>", 1)[0])
        label = predicate_label(predicate)
        # An edge pointing at BACH1 is read from BACH1's side, by the Biolink inverse.
        expected = (
            label
            if direction == "out" or symmetric
            else predicate_label(inverse_predicate(predicate))
        )
        assert heading.lower().startswith(expected.lower()), (heading, predicate, direction)
        rows = re.findall(r"<tr[^>]*>\s*<td>(.*?)</td>", section, re.S)
        if symmetric:
            own = "BACH1 " if direction == "out" else " BACH1"
            rows = [
                r
                for r in rows
                if (visible(r).startswith(own) if direction == "out" else own in visible(r))
            ]
        assert len(rows) == len(group["edges"])
        for row, edge in zip(rows, group["edges"], strict=True):
            statement = visible(row.split('<span class="muted curie">', 1)[0])
            other = edge["other_symbol"] or edge["other_name"]
            if direction == "out":
                assert statement == f"BACH1 {label} {other}"
            else:
                assert statement == f"{other} {label} BACH1"


def test_the_explorer_names_categories_in_words(shared_client: Any) -> None:
    page = shared_client.get("/atlas/entity/HGNC:935").text
    facets = page.split('data-facet="category"', 1)[1].split("</fieldset>", 1)[0]
    values = re.findall(r'value="([^"]+)"', facets)
    assert values
    shown = visible(facets)
    for value in values:
        assert label_for(value) in shown
    assert not re.search(r"\b[A-Z][a-z]+[A-Z][a-z]+", shown)  # no CamelCase class names
    assert "(incoming)" not in visible(page)


def test_the_explorer_answer_carries_the_words_its_script_shows(shared_client: Any) -> None:
    data = shared_client.get("/api/atlas/entity/HGNC:935").json()
    words = data["words"]
    for node in data["nodes"]:
        assert words["categories"][node["category"]] == label_for(node["category"])
    for edge in data["edges"]:
        predicate = edge["predicate"]
        assert words["predicates"][predicate]["out"] == predicate_label(predicate)
        inverse = inverse_predicate(predicate)
        if inverse:
            assert words["predicates"][predicate]["in"] == predicate_label(inverse)


def test_biolink_inverses_read_both_ways() -> None:
    pairs = {
        "biolink:regulates": "biolink:regulated_by",
        "biolink:has_phenotype": "biolink:phenotype_of",
        "biolink:subclass_of": "biolink:superclass_of",
        "biolink:gene_associated_with_condition": "biolink:condition_associated_with_gene",
        "biolink:participates_in": "biolink:has_participant",
    }
    for a, b in pairs.items():
        assert (inverse_predicate(a), inverse_predicate(b)) == (b, a)
    for symmetric in ("biolink:physically_interacts_with", "biolink:associated_with"):
        assert inverse_predicate(symmetric) == symmetric
        assert predicate_phrase(symmetric, "in") == predicate_label(symmetric)
    assert predicate_phrase("biolink:regulates", "in") == "regulated by"
    assert predicate_phrase("biolink:regulates", "out") == "regulates"
    assert inverse_predicate("biolink:not_a_predicate") is None


def test_every_declared_inverse_is_a_predicate_and_its_inverse_points_back() -> None:
    from scidex.kg.biolink import _model

    inverses: dict[str, str] = _model()["inverses"]
    assert len(inverses) > 100
    for name, inverse in inverses.items():
        assert is_predicate(name) and is_predicate(inverse)
        assert inverses.get(inverse) == name or inverse in _model()["symmetric"]


def test_about_counts_on_an_empty_store(store: Store) -> None:
    from fastapi.testclient import TestClient

    from scidex.config import Settings
    from scidex.web import create_app

    with TestClient(create_app(Settings(database_url=store.url), store)) as client:
        assert client.get("/about").status_code == 200
        assert client.get("/api/sources").json() == []
