"""Search snippets are plain text with the match marked: page text is indexed as a reader
sees it, so no markdown syntax (``**``, ``[[BACH1]]``, ``## Overview``, ``[@key]``) leaks."""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

from scidex.queries.search import search
from scidex.store import Store
from scidex.wiki.content import load_pages
from scidex.wiki.render import plain_text

CONTENT = Path(__file__).resolve().parents[1] / "content" / "pages"
MARKDOWN = re.compile(
    r"\*\*|__|\[\[|\]\]|\[@|\{\{|\}\}|```|\]\(|(?:^|\s)#{1,6}\s|^\s*[-*+]\s|\|\s*:?-{3}"
    r"|-->|flowchart|<(?!/?mark>)"
)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]{3,}")


def _queries() -> list[str]:
    """Words that sit in or next to markdown syntax in the curated pages (headings, bold
    text, wikilinks, citations, diagrams), sampled with a fixed seed, plus a few phrases."""
    near_syntax: set[str] = set()
    for page in load_pages(CONTENT):
        for line in page.markdown.splitlines():
            if re.search(r"^#|\*\*|\[\[|\[@|-->", line):
                near_syntax.update(w.lower() for w in WORD.findall(line) if "--" not in w)
    sample = random.Random(17).sample(sorted(near_syntax), 40)
    return [*sample, "heme", "oxidative stress", "small Maf", "Down syndrome", "overview"]


def _visible(snippet: str) -> str:
    return html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))


def test_snippets_of_a_sample_of_queries_hold_no_markdown(shared_atlas: Store) -> None:
    page_snippets = 0
    with shared_atlas.read() as conn:
        for q in _queries():
            for hit in search(conn, q, limit=50).hits:
                text = _visible(hit.snippet)
                assert not MARKDOWN.search(text), (q, hit.id, hit.snippet)
                if hit.kind == "artifact" and "<mark>" in hit.snippet:
                    page_snippets += 1
    # The sample reaches the curated pages' text, where markdown would show.
    assert page_snippets >= 30


def test_plain_text_reads_like_the_page() -> None:
    markdown = (
        "## Overview\n\n"
        "**BACH1** binds [[MAFK]] and [[MONDO:0008608|Down syndrome]] genes [@sun2004; @x].\n"
        "See [the review](https://example.org) and `code`.\n\n"
        "- a *listed* item\n\n"
        "| Gene | Role |\n|---|---|\n| HMOX1 | target |\n\n"
        "{{artifact:wiki-genes-hmox1}}\n\n"
        "```mermaid\nflowchart LR\n  A[Heme rises] -->|inactivates| B[BACH1 released]\n```\n"
    )
    assert plain_text(markdown).splitlines() == [
        "Overview",
        "BACH1 binds MAFK and Down syndrome genes. See the review and code.",
        "a listed item",
        "Gene",
        "Role",
        "HMOX1",
        "target",
        "Heme rises → BACH1 released",
    ]


def test_plain_text_names_a_linked_entity_by_its_label() -> None:
    from scidex.wiki.links import Resolved

    def resolve(target: str) -> Resolved:
        label = "BACH transcriptional regulator 1"
        return Resolved("/artifact/wiki-genes-bach1", "HGNC:935", label)

    assert plain_text("Read [[HGNC:935]].", resolve) == "Read BACH transcriptional regulator 1."
