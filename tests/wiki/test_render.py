"""Rendering a wiki page: what the reader sees, and the problems a curator is told about."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from scidex.wiki import RenderContext, TableResolver, render_markdown

REFERENCES = {
    "igarashi2014": {
        "id": "igarashi2014",
        "type": "article-journal",
        "title": "Transcription regulation by BACH1",
        "author": [
            {"family": "Igarashi", "given": "Kazuhiko"},
            {"family": "Sun", "given": "Jiying"},
        ],
        "issued": {"date-parts": [[2014]]},
        "container-title": "Free Radic Biol Med",
        "PMID": "24362264",
        "DOI": "10.1016/j.freeradbiomed.2013.12.011",
        "supports": "BACH1 is a heme-regulated repressor",
    },
    "sun2002": {
        "id": "sun2002",
        "title": "Hemoprotein Bach1 regulates enhancer availability",
        "author": [{"family": "Sun", "given": "Jiying"}],
        "issued": {"date-parts": [[2002, 3]]},
        "container-title": "EMBO J",
    },
    "casares2024": {"id": "casares2024", "title": "BACH1 in neurodegeneration"},
}

RESOLVER = TableResolver(
    [
        ("HGNC:935", "BACH1", "/genes/bach1", ["BTB domain and CNC homolog 1"]),
        ("MONDO:0004975", "Alzheimer disease", "/diseases/alzheimer-disease", ["AD"]),
        ("MONDO:0004976", "amyotrophic lateral sclerosis", "/diseases/als", ["ALS"]),
        ("SCIDEX:als-society", "ALS Society", "/entity/SCIDEX:als-society", ["ALS"]),
    ]
)

ARTIFACTS = {"wiki-genes-nfe2l2": "NFE2L2"}


def embed(artifact_id: str, mode: str) -> str | None:
    label = ARTIFACTS.get(artifact_id)
    if label is None:
        return None
    return f'<a href="/artifact/{artifact_id}">{label}</a> ({mode})'


CTX = RenderContext(resolve_link=RESOLVER, embed=embed, references=REFERENCES)


class Elements(HTMLParser):
    """Every element as (tag, attrs, text inside it), enough to assert what a reader sees."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None], list[str]]] = []
        self._open: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text: list[str] = []
        self.found.append((tag, dict(attrs), text))
        if tag not in ("br", "hr", "img"):
            self._open.append(text)

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for text in self._open:
            text.append(data)

    def select(self, tag: str, cls: str | None = None) -> list[tuple[dict[str, str | None], str]]:
        return [
            (attrs, "".join(text))
            for t, attrs, text in self.found
            if t == tag and (cls is None or cls in (attrs.get("class") or "").split())
        ]


def cite_links(html: str) -> list[tuple[dict[str, str | None], str]]:
    """The numbered citation links (not the PMID/DOI links inside their popovers)."""
    return [(a, text) for a, text in Elements(html).select("a") if "data-ref" in a]


def test_citations_are_numbered_by_first_use_and_reuse_keeps_the_number() -> None:
    page = render_markdown(
        "BACH1 binds heme [@sun2002]. It represses HMOX1 [@igarashi2014].\n\n"
        "Heme exports it from the nucleus [@sun2002].",
        CTX,
    )
    links = cite_links(page.html)
    assert [text for _, text in links] == ["[1]", "[2]", "[1]"]
    assert [a["href"] for a, _ in links] == ["#ref-sun2002", "#ref-igarashi2014", "#ref-sun2002"]
    assert [a["id"] for a, _ in links] == [
        "cite-sun2002-1",
        "cite-igarashi2014-1",
        "cite-sun2002-2",
    ]
    assert [(c.key, c.number, c.uses) for c in page.citations] == [
        ("sun2002", 1, 2),
        ("igarashi2014", 2, 1),
    ]


def test_multi_key_citation_numbers_each_key() -> None:
    page = render_markdown("Shown twice [@igarashi2014; @sun2002].", CTX)
    sups = Elements(page.html).select("sup", "cite")
    assert len(sups) == 2
    assert [text for _, text in cite_links(page.html)] == ["[1]", "[2]"]


def test_citation_links_its_reference_once_written_with_a_title_for_readers_without_js() -> None:
    page = render_markdown("Repressor [@igarashi2014]. Again [@igarashi2014].", CTX)
    doc = Elements(page.html)
    (link, _), (again, _) = cite_links(page.html)
    assert link["data-ref"] == "igarashi2014"
    assert link["href"] == again["href"] == "#ref-igarashi2014"
    assert link["title"].startswith("Igarashi K, Sun J (2014). Transcription regulation by BACH1.")
    assert "Supports: BACH1 is a heme-regulated repressor" in link["title"]
    # The reference is written once, in the list (the popover is made from it in the
    # browser), not once per citation.
    assert doc.select("span", "cite-popover") == []
    assert "ref-journal" not in page.html
    refs = Elements(page.references_html)
    item, text = refs.select("li", "reference")[0]
    assert item["id"] == "ref-igarashi2014"
    assert "Free Radic Biol Med" in text
    hrefs = [a["href"] for a, _ in refs.select("a")]
    assert "https://pubmed.ncbi.nlm.nih.gov/24362264/" in hrefs
    assert "https://doi.org/10.1016/j.freeradbiomed.2013.12.011" in hrefs


def test_references_list_numbers_cited_first_then_uncited() -> None:
    page = render_markdown("A [@sun2002]. B [@igarashi2014]. C [@sun2002].", CTX)
    doc = Elements(page.references_html)
    items = doc.select("li", "reference")
    assert [li["id"] for li, _ in items] == ["ref-sun2002", "ref-igarashi2014", "ref-casares2024"]
    assert "reference-uncited" in items[2][0]["class"]
    assert items[1][1].startswith("Igarashi K, Sun J (2014). Transcription regulation by BACH1.")
    backlinks = [a["href"] for a, _ in doc.select("a", "ref-backlink")]
    assert backlinks == ["#cite-sun2002-1", "#cite-sun2002-2", "#cite-igarashi2014-1"]


def test_no_references_means_no_references_list() -> None:
    assert render_markdown("Plain text.", RenderContext()).references_html == ""


def test_unknown_citation_key_is_a_visible_marker_and_a_problem_on_its_line() -> None:
    ctx = RenderContext(references=REFERENCES, line_offset=10)
    page = render_markdown("# Title\n\nFirst line\nsecond [@nobody2020] line.\n", ctx)
    ((_attrs, text),) = Elements(page.html).select("span", "cite-missing")
    assert text == "[@nobody2020?]"
    assert [(p.line, p.kind) for p in page.problems] == [(14, "unknown-citation")]
    assert "nobody2020" in page.problems[0].message


@pytest.mark.parametrize(
    ("markdown", "href", "curie", "label"),
    [
        ("[[BACH1]]", "/genes/bach1", "HGNC:935", "BACH1"),
        ("[[HGNC:935]]", "/genes/bach1", "HGNC:935", "BACH1"),
        ("[[Alzheimer disease|AD]]", "/diseases/alzheimer-disease", "MONDO:0004975", "AD"),
        ("[[alzheimer  DISEASE]]", "/diseases/alzheimer-disease", "MONDO:0004975", None),
    ],
)
def test_wikilinks_resolve_to_canonical_entity_urls(
    markdown: str, href: str, curie: str, label: str | None
) -> None:
    page = render_markdown(f"See {markdown}.", CTX)
    ((attrs, text),) = Elements(page.html).select("a", "wikilink")
    assert (attrs["href"], attrs["data-curie"]) == (href, curie)
    # Without an explicit label the entity's own label shows, whatever the spelling.
    assert text == (label or "Alzheimer disease")
    assert page.problems == []
    assert page.links[0].resolution.curie == curie


def test_ambiguous_wikilink_lists_candidates_and_is_a_problem() -> None:
    page = render_markdown("Intro\n\nMotor neurons in [[ALS]].", CTX)
    doc = Elements(page.html)
    ((marker, text),) = doc.select("span", "wikilink-ambiguous")
    assert marker["data-target"] == "ALS"
    assert "ambiguous" in text
    candidates = [a["data-curie"] for a, _ in doc.select("a", "wikilink")]
    assert candidates == ["MONDO:0004976", "SCIDEX:als-society"]
    assert [(p.line, p.kind) for p in page.problems] == [(3, "ambiguous-link")]


def test_unresolved_wikilink_is_marked_and_is_a_problem() -> None:
    page = render_markdown("See [[No Such Gene|that gene]].", CTX)
    ((attrs, text),) = Elements(page.html).select("span", "wikilink-missing")
    assert (attrs["data-target"], text) == ("No Such Gene", "that gene")
    assert [(p.line, p.kind) for p in page.problems] == [(1, "broken-link")]


def test_nothing_renders_inside_code() -> None:
    markdown = (
        "Inline `[[BACH1]] [@nobody] {{artifact:x}}` stays literal.\n\n"
        "```\n[[BACH1]] [@nobody]\n{{artifact:x}}\n```\n\n"
        "    [[BACH1]] [@nobody]\n"
    )
    page = render_markdown(markdown, CTX)
    assert page.problems == []
    assert page.links == [] and page.citations == [] and page.embeds == []
    codes = [text for _, text in Elements(page.html).select("code")]
    assert codes[0] == "[[BACH1]] [@nobody] {{artifact:x}}"
    assert "{{artifact:x}}" in codes[1]
    assert "[[BACH1]] [@nobody]" in codes[2]


def test_block_embed_on_its_own_line_defaults_to_summary() -> None:
    page = render_markdown("Competes with NRF2:\n{{artifact:wiki-genes-nfe2l2}}\n", CTX)
    ((attrs, text),) = Elements(page.html).select("div", "embed")
    assert attrs["class"] == "embed embed-summary"
    assert attrs["data-artifact"] == "wiki-genes-nfe2l2"
    assert text == "NFE2L2 (summary)"
    assert [(e.artifact_id, e.mode, e.line, e.found) for e in page.embeds] == [
        ("wiki-genes-nfe2l2", "summary", 2, True)
    ]


def test_full_and_inline_link_embeds() -> None:
    page = render_markdown(
        "{{artifact:wiki-genes-nfe2l2:full}}\n\nSee {{artifact:wiki-genes-nfe2l2:link}}.", CTX
    )
    doc = Elements(page.html)
    assert [a["class"] for a, _ in doc.select("div", "embed")] == ["embed embed-full"]
    assert [t for _, t in doc.select("span", "embed-link")] == ["NFE2L2 (link)"]
    assert page.problems == []


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("{{artifact:wiki-nothing}}", "no artifact"),
        ("{{artifact:wiki-genes-nfe2l2:huge}}", "unknown embed mode"),
        ("Text {{artifact:wiki-genes-nfe2l2}} inline.", "own line"),
    ],
)
def test_bad_embeds_show_a_marker_and_a_problem(markdown: str, message: str) -> None:
    page = render_markdown(markdown, CTX)
    assert (
        len(Elements(page.html).select("div", "embed-missing"))
        + len(Elements(page.html).select("span", "embed-missing"))
        == 1
    )
    ((problem),) = page.problems
    assert problem.kind == "broken-embed" and message in problem.message


def test_mermaid_blocks_are_escaped_pre_and_listed() -> None:
    source = 'graph TD\n  BACH1 -->|represses| HMOX1["HMOX1 <b>"]\n'
    page = render_markdown(f"# Diagram\n\n```mermaid\n{source}```\n\n```python\nx = 1\n```\n", CTX)
    ((_attrs, text),) = Elements(page.html).select("pre", "mermaid")
    assert text == source
    assert "&lt;b&gt;" in page.html
    assert page.mermaid == [source]
    assert page.diagrams[0].line == 3
    assert Elements(page.html).select("code", "language-python")


def test_headings_get_stable_deduplicated_ids_and_a_toc() -> None:
    page = render_markdown(
        "# BACH1\n\nx\n\n## Alzheimer's Disease\n\nx\n\n## Overview\n\nx\n\n## Overview\n\nx\n"
        "### Links to [[BACH1|the gene]] `code`\n\nx\n",
        CTX,
    )
    ids = [a["id"] for a, _ in Elements(page.html).select("h2")]
    assert ids == ["alzheimers-disease", "overview", "overview-2"]
    assert [(t.id, t.text, t.level) for t in page.toc][-1] == (
        "links-to-the-gene-code",
        "Links to the gene code",
        3,
    )


def test_empty_sections_are_problems() -> None:
    markdown = (
        "# BACH1\n\nIntro.\n\n"
        "## Heme-Dependent Regulation\n\nSix CP motifs.\n\n"
        "### NRF2-BACH1 Switching Model\n\n"
        "## Disease Associations\n\n### Alzheimer disease\n\nText.\n\n"
        "## Pathway Diagram\n"
    )
    page = render_markdown(markdown, CTX)
    empty = [(p.line, p.message) for p in page.problems if p.kind == "empty-section"]
    assert empty == [
        (9, 'section "NRF2-BACH1 Switching Model" is empty'),
        (17, 'section "Pathway Diagram" is empty'),
    ]


def test_raw_html_renders_inert_and_is_a_problem() -> None:
    page = render_markdown('Text\n\n<table class="infobox"><tr><td>x</td></tr></table>\n', CTX)
    assert "<table" not in page.html
    assert "&lt;table" in page.html
    assert [(p.line, p.kind) for p in page.problems] == [(3, "raw-html")]


def test_markdown_tables_and_strikethrough_render() -> None:
    page = render_markdown("| Gene | Role |\n|:--|--:|\n| [[BACH1]] | ~~old~~ |\n", CTX)
    doc = Elements(page.html)
    assert [a["style"] for a, _ in doc.select("th")] == ["text-align:left", "text-align:right"]
    assert doc.select("a", "wikilink") and doc.select("s")
