"""Artifact pages as a reader sees them: the BACH1 page of the seed, right, on both backends."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, func, or_, select

from scidex.pages.store_links import link_resolver
from scidex.registry.curated import default_content_dir
from scidex.store import Store
from scidex.store.schema import edge
from scidex.wiki.content import load_pages
from scidex.wiki.render import RenderContext, render_markdown


class Page(HTMLParser):
    """Just enough of a DOM: links, elements by class, text of elements by id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.classes: dict[str, int] = {}
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        for c in (a.get("class") or "").split():
            self.classes[c] = self.classes.get(c, 0) + 1
        if a.get("id"):
            self.ids.add(a["id"] or "")


def infobox_rows(html: str) -> dict[str, str]:
    box = html.split('<aside class="infobox"', 1)[1].split("</aside>", 1)[0]
    rows = re.findall(
        r'<tr data-key="([^"]+)"><th scope="row">[^<]*</th>\s*<td>(.*?)</td></tr>', box, re.S
    )
    return {k: re.sub(r"<[^>]+>", "", v).strip() for k, v in rows}


@pytest.mark.parametrize(
    "url",
    [
        "/genes/bach1",
        "/wiki/genes-bach1",
        "/entity/HGNC:935",
        "/entity/NCBIGene:571",
        "/genes/BACH1",
    ],
)
def test_every_way_to_bach1_redirects_to_one_canonical_url(shared_client, url: str) -> None:
    answer = shared_client.get(url, follow_redirects=False)
    assert answer.status_code == 308
    assert answer.headers["location"] == "/artifact/wiki-genes-bach1"


def test_bach1_infobox_has_the_identifiers_of_the_seed_page(shared_client) -> None:
    html = shared_client.get("/artifact/wiki-genes-bach1").text
    rows = infobox_rows(html)
    assert rows["symbol"] == "BACH1"
    assert rows["chromosome"] == "21q21.3"
    assert rows["ncbigene"] == "571"
    assert rows["ensembl"] == "ENSG00000156273"
    assert rows["omim"] == "602751"
    assert rows["uniprot"] == "O14867"
    assert rows["hgnc"] == "HGNC:935"
    links = Page(html).links
    assert "https://www.ncbi.nlm.nih.gov/gene/571" in links
    assert "https://www.omim.org/entry/602751" in links
    # The infobox is rendered once: the seed page showed it twice.
    assert html.count('<aside class="infobox"') == 1


def test_kg_connections_is_computed_and_matches_the_store_and_the_api(
    shared_client, shared_atlas: Store
) -> None:
    with shared_atlas.read() as conn:
        direct = conn.execute(
            select(func.count())
            .select_from(edge)
            .where(or_(edge.c.subject == "HGNC:935", edge.c.object == "HGNC:935"))
        ).scalar_one()
    rows = infobox_rows(shared_client.get("/artifact/wiki-genes-bach1").text)
    assert rows["kg_connections"] == f"{direct:,} edges"
    api = shared_client.get("/api/artifacts/wiki-genes-bach1").json()
    assert api["entity"]["degree"] == direct


def test_citations_are_numbered_links_to_a_listed_reference(shared_client) -> None:
    html = shared_client.get("/artifact/wiki-genes-bach1").text
    numbers = [int(n) for n in re.findall(r'<sup class="cite"><a [^>]*>\[(\d+)\]</a>', html)]
    assert numbers, "the curated BACH1 page cites its references"
    # Numbered by first use: each new number is one more than the highest so far.
    highest = 0
    for n in numbers:
        assert n <= highest + 1
        highest = max(highest, n)
    refs = re.findall(r'<li class="reference" id="ref-([^"]+)"', html)
    assert len(refs) == highest  # every number has its reference, no empty list
    cited = set(re.findall(r'<sup class="cite"><a href="#ref-([^"]+)"', html))
    assert cited == set(refs)
    assert "cite-missing" not in html


def test_wikilinks_go_to_canonical_pages_and_a_disease_is_linked_one_way(shared_client) -> None:
    html = shared_client.get("/artifact/wiki-genes-bach1").text
    wikilinks = re.findall(r'<a class="wikilink" href="([^"]+)" data-curie="([^"]+)"', html)
    assert wikilinks
    by_curie: dict[str, set[str]] = {}
    for href, curie in wikilinks:
        by_curie.setdefault(curie, set()).add(href)
    # One URL per entity (the seed linked Alzheimer disease three ways).
    assert all(len(hrefs) == 1 for hrefs in by_curie.values())
    assert all(h.startswith("/artifact/") for hs in by_curie.values() for h in hs)
    assert "wikilink-missing" not in html and "wikilink-ambiguous" not in html


def test_no_empty_sections_and_no_raw_html_from_content(shared_client) -> None:
    html = shared_client.get("/artifact/wiki-genes-bach1").text
    article = html.split('<div class="article">', 1)[1].split("</div>\n  </div>", 1)[0]
    # Every heading in the article is followed by content before the next heading.
    assert not re.search(r"</h[23]>\s*<h[23]", article)
    assert '<table class="infobox' not in article  # no HTML infobox inside content


def test_pathway_diagram_comes_from_the_graph_with_links(shared_client) -> None:
    html = shared_client.get("/artifact/wiki-genes-bach1").text
    diagram = html.split('<figure class="pathway"', 1)[1].split("</figure>", 1)[0]
    source = diagram.split('<pre class="mermaid"', 1)[1].split("</pre>", 1)[0]
    assert "flowchart" in source
    assert "BACH1" in source and "MAFK" in source  # the curated partner is drawn
    assert "click n1" in source
    fallback = Page(diagram.split('class="diagram-text"', 1)[1]).links
    assert fallback and all(link.startswith(("/artifact/", "/entity/")) for link in fallback)


def test_provenance_names_sources_revisions_and_never_says_none(shared_client) -> None:
    html = shared_client.get("/artifact/wiki-genes-bach1").text
    prov = html.split('<section class="provenance"', 1)[1].split("</section>", 1)[0]
    assert "hgnc 2026-06" in prov and "defines this entity" in prov
    assert "curated" in prov
    assert "version 2" in prov and "version 1" in prov  # backfill, then the curated article
    assert "No provenance" not in html


def test_metadata_table_like_the_seed(shared_client) -> None:
    html = shared_client.get("/artifact/wiki-genes-bach1").text
    meta = html.split('class="metadata-table"', 1)[1].split("</table>", 1)[0]
    for key in (
        "slug",
        "kg_node_id",
        "entity_type",
        "origin_type",
        "source_table",
        "wiki_page_id",
        "merged_from",
        "schema_version",
        "version",
        "content_hash",
    ):
        assert f">{key}<" in meta
    assert "genes-bach1" in meta and "HGNC:935" in meta and "curated" in meta


def test_embed_mode_has_no_site_chrome_and_may_be_framed(shared_client) -> None:
    normal = shared_client.get("/artifact/wiki-genes-bach1")
    embed = shared_client.get("/artifact/wiki-genes-bach1?embed=1")
    assert 'class="site-search"' in normal.text and 'class="site-search"' not in embed.text
    assert normal.headers["x-frame-options"] == "DENY"
    assert "x-frame-options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["content-security-policy"]


def test_a_past_version_is_read_only_with_a_banner(shared_client) -> None:
    old = shared_client.get("/artifact/wiki-genes-bach1?version=1").text
    assert "You are reading version 1" in old
    assert shared_client.get("/artifact/wiki-genes-bach1?version=99").status_code == 404


def test_unknown_page_is_a_404_with_suggestions(shared_client) -> None:
    answer = shared_client.get("/artifact/wiki-genes-bach")
    assert answer.status_code == 404
    assert "Did you mean" in answer.text and "BACH1" in answer.text
    assert shared_client.get("/genes/no-such-gene").status_code == 404
    assert shared_client.get("/entity/HGNC:99999999").status_code == 404


def test_edges_tsv_has_exactly_the_rows_shown(shared_client) -> None:
    page = shared_client.get(
        "/artifact/wiki-genes-bach1/edges?direction=out&predicate=biolink:participates_in&limit=3"
    )
    tsv = shared_client.get(
        "/artifact/wiki-genes-bach1/edges.tsv?direction=out"
        "&predicate=biolink:participates_in&limit=3"
    )
    rows = tsv.text.strip().splitlines()
    assert rows[0].startswith("subject\tpredicate\tobject")
    assert len(rows) == 4
    for row in rows[1:]:
        assert row.split("\t")[2] in page.text


def test_a_symmetric_predicate_is_one_table_for_both_directions(shared_client) -> None:
    # BACH1 and MAFK each state that they physically interact with the other.
    html = shared_client.get("/artifact/wiki-genes-bach1").text
    sections = re.findall(r'<section class="edge-group" id="([^"]+)"', html)
    interacts = [s for s in sections if s.endswith("-physically_interacts_with")]
    assert interacts == ["edges-both-physically_interacts_with"]
    start = html.index('id="edges-both-physically_interacts_with"')
    table = html[start : html.index("</section>", start)]
    assert '<span class="self">BACH1</span> physically interacts with' in table
    assert 'physically interacts with <span class="self">BACH1</span>' in table
    # The download holds every row of the table, in both directions.
    link = re.search(r'href="([^"]+edges\.tsv[^"]+)"', table)
    assert link is not None
    rows = shared_client.get(link[1].replace("&amp;", "&")).text.strip().splitlines()[1:]
    assert len(rows) == table.count("<tr") - 1  # less the header row
    # The generated article's sentence points at that table, and the page's count of
    # edges by predicate names the predicate once.
    assert 'href="#edges-both-physically_interacts_with"' in html
    counts = re.search(r"takes part in <strong>[\d,]+</strong> edges\s*\(([^)]*)\)", html)
    assert counts is not None
    assert counts[1].count("physically interacts with") == 1


@pytest.mark.parametrize(
    "category",
    [
        "biolink:Gene",
        "biolink:Disease",
        "biolink:PhenotypicFeature",
        "biolink:BiologicalProcess",
        "biolink:MolecularActivity",
        "biolink:CellularComponent",
    ],
)
def test_backfill_pages_of_every_category_render(
    shared_client, shared_atlas: Store, category: str
) -> None:
    from scidex.store.schema import artifact

    with shared_atlas.read() as conn:
        ids = (
            conn.execute(
                select(artifact.c.id)
                .where(artifact.c.entity_type == category, artifact.c.origin_type == "backfill")
                .order_by(artifact.c.id)
                .limit(3)
            )
            .scalars()
            .all()
        )
    assert ids
    for aid in ids:
        html = shared_client.get(f"/artifact/{aid}").text
        assert '<aside class="infobox"' in html
        assert "KG connections" in html
        # The generated article stands in for the stub the build stored.
        assert 'class="generated-summary"' in html
        assert "This page was generated from" not in html


def test_every_internal_link_on_the_curated_pages_answers(shared_client, shared_atlas) -> None:
    from scidex.registry.curated import vocabulary_loaded

    seen: dict[str, int] = {}
    pages = load_pages(default_content_dir())
    with shared_atlas.read() as conn:
        # A page whose vocabulary is not in the store waits for it (scidex lint notes it).
        pages = [p for p in pages if vocabulary_loaded(conn, p.entity.split(":", 1)[0])]
    for page in pages:
        start = shared_client.get(f"/entity/{page.entity}")
        assert start.status_code == 200, page.path
        for link in Page(start.text).links:
            if link.startswith("/") and not link.startswith("/static/"):
                url = link.split("#", 1)[0]
                if url and url not in seen:
                    seen[url] = shared_client.get(url).status_code
    broken = {u: s for u, s in seen.items() if s != 200}
    assert not broken
    assert len(seen) > 50


def test_a_disease_stated_by_two_sources_is_listed_once(shared_client) -> None:
    # PSEN1 -> Alzheimer disease 3 comes from both OMIM and HPO annotations.
    rows = infobox_rows(shared_client.get("/entity/HGNC:9508", follow_redirects=True).text)
    names = [n.strip() for n in rows["diseases"].split(",")]
    assert names.count("Alzheimer disease 3") == 1
    assert len(names) == len(set(names))


def test_citation_downloads_parse_and_validate(shared_client) -> None:
    import json
    from pathlib import Path

    import jsonschema
    from pybtex.database import parse_string

    bib = shared_client.get("/artifact/wiki-genes-bach1/cite.bib?version=2")
    assert bib.status_code == 200
    entry = next(iter(parse_string(bib.text, "bibtex").entries.values()))
    assert "version=2" in entry.fields["url"]
    assert "BACH1" in entry.fields["title"]
    csl = shared_client.get("/artifact/wiki-genes-bach1/cite.json").json()
    schema = json.loads((Path(__file__).parent / "data" / "csl-data.json").read_text())
    jsonschema.validate(csl, schema)
    ris = shared_client.get("/artifact/wiki-genes-bach1/cite.ris").text
    assert ris.startswith("TY  - ") and ris.rstrip().endswith("ER  -")
    page = shared_client.get("/artifact/wiki-genes-bach1").text
    assert "/artifact/wiki-genes-bach1?version=2" in page  # the version-pinned permalink


def test_content_can_embed_another_artifact(atlas_store: Store, client, tmp_path) -> None:
    from scidex.registry.curated import load_curated

    (tmp_path / "genes-hmox1.md").write_text(
        "---\nentity: HGNC:5013\n---\n## Related\n\nThe repressor of this gene:\n\n"
        "{{artifact:wiki-genes-bach1}}\n\nAs a link: {{artifact:wiki-genes-bach1:link}}.\n"
    )
    with atlas_store.atomic() as conn:
        load_curated(conn, tmp_path)
    html = client.get("/artifact/wiki-genes-hmox1").text
    article = html.split('<div class="article">', 1)[1]
    assert 'class="artifact-card"' in article
    assert article.count('href="/artifact/wiki-genes-bach1"') >= 2


def test_a_cached_page_never_outlives_a_write(client, atlas_store: Store) -> None:
    from scidex.registry.tokens import create_token

    first = client.get("/artifact/wiki-genes-nqo1").text
    assert client.get("/artifact/wiki-genes-nqo1").text == first  # served again, same bytes
    _info, secret = create_token(atlas_store, role="editor", label="cache test")
    page = client.get("/api/artifacts/wiki-genes-nqo1").json()
    edit = client.put(
        "/api/artifacts/wiki-genes-nqo1",
        json={
            "base_version": page["current_version"],
            "summary": "cache",
            "markdown": page["content"]["markdown"] + "\nA line after caching.\n",
        },
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert edit.status_code == 200, edit.text
    assert "A line after caching." in client.get("/artifact/wiki-genes-nqo1").text


def test_a_pages_wikilinks_cost_a_few_queries_whatever_their_number(
    shared_sample: Store,
) -> None:
    targets = ["BACH1", "HMOX1", "HGNC:5013", "NCBIGene:571", "Alzheimer disease", "nosuchthing"]
    markdown = "\n\n".join(f"See [[{t}]] and [[{t}|again]]." for t in targets * 3)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with shared_sample.read() as conn:
        one_by_one = {t: link_resolver(conn)(t) for t in targets}
        event.listen(conn, "before_cursor_execute", count)
        try:
            page = render_markdown(markdown, RenderContext(resolve_link=link_resolver(conn)))
        finally:
            event.remove(conn, "before_cursor_execute", count)
    # By id, by xref, by name, then the pages of what was found.
    assert len(statements) <= 4
    assert {use.target: use.resolution for use in page.links} == one_by_one
    assert one_by_one["nosuchthing"].__class__.__name__ == "Unresolved"
    assert one_by_one["NCBIGene:571"] == one_by_one["BACH1"]
