"""Pathological markdown renders, and a run of brackets costs no link-label scans."""

from __future__ import annotations

from pathlib import Path

import pytest

from scidex.wiki import render
from scidex.wiki.content import parse_page
from scidex.wiki.render import (
    RENDER_BUDGET_SECONDS,
    RenderBudgetExceeded,
    RenderContext,
    render_markdown,
)

CONTENT = Path(__file__).resolve().parents[2] / "content" / "pages"


@pytest.mark.parametrize(
    "markdown",
    ["[" * 499_000, "> " * 10_000, "*" * 100_000, "[" * 100_000 + "]" * 100_000, "![" * 50_000],
)
def test_pathological_inputs_render_as_text(markdown: str) -> None:
    page = render_markdown(markdown)
    assert 0 < len(page.html) < 2 * len(markdown) + 100  # bounded output
    assert "<a " not in page.html


def test_brackets_that_open_no_link_are_never_scanned_for_their_label(monkeypatch) -> None:
    calls = 0
    scan = render._MD.helpers.parseLinkLabel

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return scan(*args, **kwargs)

    monkeypatch.setattr(render._MD.helpers, "parseLinkLabel", counted)
    assert render_markdown("[" * 100_000).html == "<p>" + "[" * 100_000 + "</p>\n"
    assert calls == 0
    # Links, wikilinks and citations at the end of a run still parse.
    html = render_markdown("[[[HMOX1]] [x](/y) ![i](/z) [[[@k]").html
    assert 'href="/y"' in html and 'src="/z"' in html
    assert 'data-target="HMOX1"' in html and 'data-ref="k"' in html
    assert calls > 0


# The inputs that cost seconds of CPU per request before rendering had a budget: runs of
# brackets, deep nesting (quotes, lists, emphasis), runs of link ends and images, tables.
HOSTILE = {
    "brackets": "[" * 499_000,
    "quotes": ">" * 100_000,
    "stars": "*" * 200_000,
    "link ends": "](" * 100_000,
    "open links": "[a](" * 50_000,
    "bracket pairs": "[]" * 100_000,
    "brackets then a link end": "[" * 100_000 + "](x)",
    "images": "![a](" * 40_000,
    "nested lists": "".join("  " * i + "- a\n" for i in range(2_000)),
    "nested emphasis": "*a **b " * 28_000,
    "mixed delimiters": "*_" * 100_000,
    "table": "|a|\n|-|\n" + "|b|\n" * 50_000,
}


@pytest.mark.parametrize("markdown", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_or_is_refused_with_the_edit_budget(markdown: str) -> None:
    """With the budget previews and saves have, each input ends: a page, or the refusal that
    names the budget (never another error, such as too deep a recursion)."""
    try:
        page = render_markdown(markdown, RenderContext(budget=RENDER_BUDGET_SECONDS))
    except RenderBudgetExceeded as exc:
        assert f"more than {RENDER_BUDGET_SECONDS:g} s" in str(exc)
    else:
        assert page.html


@pytest.mark.parametrize("markdown", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_is_refused_once_a_tiny_budget_is_spent(markdown: str) -> None:
    """A microsecond of CPU is spent before any of these renders ends, so each is refused:
    whichever parsing path the input takes, it reaches a budget check."""
    with pytest.raises(RenderBudgetExceeded, match=r"more than 1e-06 s of CPU to render"):
        render_markdown(markdown, RenderContext(budget=1e-6))


def test_a_render_over_its_budget_stops_and_says_why() -> None:
    with pytest.raises(RenderBudgetExceeded, match=r"more than 0\.01 s of CPU to render"):
        render_markdown("![a](" * 40_000, RenderContext(budget=0.01))
    # Block-level work counts too: a long table with almost no inline markup.
    with pytest.raises(RenderBudgetExceeded):
        render_markdown("|a|\n|-|\n" + "|b|\n" * 100_000, RenderContext(budget=0.01))
    # Without a budget (curated pages, reads of saved pages) the same markdown renders.
    assert render_markdown("![a](" * 2_000).html.startswith("<p>")


def test_every_curated_page_renders_within_the_edit_budget() -> None:
    """Each curated page could be saved from the editor: none is refused by the budget."""
    paths = sorted(CONTENT.glob("*.md"))
    assert paths
    for path in paths:
        page = parse_page(path.read_text(), path)
        assert render_markdown(page.markdown, RenderContext(budget=RENDER_BUDGET_SECONDS)).html
