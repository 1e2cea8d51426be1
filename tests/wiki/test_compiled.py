"""A page compiled once per text shows the same thing as a full render, links resolved now."""

from __future__ import annotations

import pytest

from scidex.config import default_content_dir
from scidex.wiki import RenderContext, TableResolver, render_markdown
from scidex.wiki.compiled import CompiledCache, render_page
from scidex.wiki.content import load_pages

BEFORE = TableResolver([("HGNC:935", "BACH1", "/genes/bach1", [])])
# The store after a write: BACH1's page moved, and MAFK now exists.
AFTER = TableResolver(
    [
        ("HGNC:935", "BACH1", "/artifact/wiki-genes-bach1", []),
        ("HGNC:6782", "MAFK", "/genes/mafk", []),
    ]
)
REFS = {"sun2002": {"id": "sun2002", "title": "Hemoprotein Bach1", "PMID": "11875056"}}
TEXT = "## Partners\n\n[[BACH1]] pairs with [[MAFK]] [@sun2002].\n"


def _key(page):  # type: ignore[no-untyped-def]
    return (
        page.html,
        page.toc,
        page.citations,
        page.references_html,
        page.links,
        sorted(page.problems, key=lambda p: (p.line, p.kind, p.message)),
        page.diagrams,
    )


@pytest.mark.parametrize("page", load_pages(default_content_dir()), ids=lambda p: p.path.stem)
def test_every_curated_page_reads_the_same_compiled_as_rendered_in_full(page) -> None:  # type: ignore[no-untyped-def]
    cache = CompiledCache()
    ctx = RenderContext(resolve_link=AFTER, references=page.references, line_offset=7)
    first = render_page(page.markdown, ctx, cache)
    again = render_page(page.markdown, ctx, cache)
    assert _key(first) == _key(again) == _key(render_markdown(page.markdown, ctx))


def test_links_are_resolved_on_every_view_from_one_compiled_text() -> None:
    cache = CompiledCache()
    before = render_page(TEXT, RenderContext(resolve_link=BEFORE, references=REFS), cache)
    assert 'href="/genes/bach1"' in before.html
    assert [p.kind for p in before.problems] == ["broken-link"]  # no MAFK yet
    after = render_page(TEXT, RenderContext(resolve_link=AFTER, references=REFS), cache)
    assert cache.stats()["size"] == 1  # the text was compiled once
    assert 'href="/artifact/wiki-genes-bach1"' in after.html
    assert 'href="/genes/mafk"' in after.html
    assert after.problems == []
    assert [u.target for u in after.links] == ["BACH1", "MAFK"]
    assert after.links[1].line == 3


def test_pages_whose_output_needs_more_than_links_are_rendered_in_full() -> None:
    cache = CompiledCache()
    embeds = "Intro.\n\n{{artifact:wiki-genes-nfe2l2}}\n"
    ctx = RenderContext(resolve_link=AFTER, embed=lambda i, m: f"<b>{i}</b>", references=REFS)
    assert render_page(embeds, ctx, cache).embeds[0].found
    heading = "## About [[BACH1]]\n\nText.\n"
    page = render_page(heading, RenderContext(resolve_link=AFTER), cache)
    assert page.toc[0].text == "About BACH1"
    # Both are remembered as not compilable, and render the same as in full.
    assert cache.stats()["size"] == 2
    assert _key(page) == _key(render_markdown(heading, RenderContext(resolve_link=AFTER)))


def test_text_that_looks_like_a_slot_is_never_taken_for_one() -> None:
    text = "A private-use \ue0000\ue001 character, and [[BACH1]].\n"
    page = render_page(text, RenderContext(resolve_link=AFTER), CompiledCache())
    assert "\ue0000\ue001" in page.html
    assert 'href="/artifact/wiki-genes-bach1"' in page.html


def test_the_cache_keeps_only_its_bound() -> None:
    cache = CompiledCache(size=2)
    for n in range(5):
        render_page(f"Page {n} about [[BACH1]].\n", RenderContext(resolve_link=AFTER), cache)
    assert cache.stats() == {"limit": 2, "size": 2}


def test_a_content_hash_keys_the_compiled_page_in_place_of_the_text() -> None:
    cache = CompiledCache()
    ctx = RenderContext(resolve_link=AFTER, references=REFS)
    first = render_page(TEXT, ctx, cache, content_hash="h1")
    again = render_page(TEXT, ctx, cache, content_hash="h1")
    assert cache.stats()["size"] == 1
    assert _key(first) == _key(again) == _key(render_markdown(TEXT, ctx))
    # Without a hash the text and references are the key: a second entry, the same page.
    assert _key(render_page(TEXT, ctx, cache)) == _key(first)
    assert cache.stats()["size"] == 2
