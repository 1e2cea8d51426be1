"""Pathological markdown renders, and a run of brackets costs no link-label scans."""

from __future__ import annotations

import pytest

from scidex.wiki import render
from scidex.wiki.render import render_markdown


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
