"""No content, reference, link label or injected callable can put executable HTML on a page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from scidex.wiki import RenderContext, Resolved, TableResolver, render_markdown
from scidex.wiki.render import sanitize

FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta", "base",
    "form", "input", "button", "textarea", "frame", "frameset", "applet",
}  # fmt: skip
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}
# Browsers ignore ASCII whitespace and control characters inside a scheme.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]+")


class Audit(HTMLParser):
    """Collect every way the parsed output could run script."""

    def __init__(self) -> None:
        super().__init__()
        self.violations: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.violations.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.violations.append(f"{tag}[{name}]")
            if name in URL_ATTRS:
                scheme = _IGNORED_IN_SCHEME.sub("", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:")):
                    self.violations.append(f"{tag}[{name}={value}]")
            if name == "style" and not re.fullmatch(r"text-align:\s*\w+;?", value):
                self.violations.append(f"{tag}[style={value}]")
            if name == "srcdoc":
                self.violations.append(f"{tag}[srcdoc]")


def assert_inert(html: str) -> None:
    assert "<script" not in html.lower()
    audit = Audit()
    audit.feed(html)
    audit.close()
    assert audit.violations == [], html


PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    "[[BACH1|<img src=x onerror=alert(1)>]]",
    "[[<script>alert(1)</script>]]",
    '[[x" onmouseover="alert(1)]]',
    '[@a"onmouseover="alert(1)]',
    "[@x'><script>alert(1)</script>]",
    '{{artifact:x" onload="alert(1)}}',
    "```mermaid\ngraph TD\nA</pre><script>alert(1)</script>\n```",
    '```"><script>alert(1)</script>\nx\n```',
    "# <img src=x onerror=alert(1)>\n\ntext",
    "| <script>alert(1)</script> | [x](javascript:alert(1)) |\n|---|---|\n| a | b |",
    "- <iframe src=//evil.example></iframe>\n- [[BACH1|</a><script>alert(1)</script>]]",
]

RESOLVER = TableResolver([("HGNC:935", "BACH1", "/genes/bach1", [])])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_content_renders_inert(payload: str) -> None:
    page = render_markdown(f"Text before.\n\n{payload}\n\nText after.", RenderContext(RESOLVER))
    assert_inert(page.html)
    assert_inert(page.references_html)


def test_hostile_references_render_inert() -> None:
    evil = "<img src=x onerror=alert(1)>"
    references = {
        'k"><script>': {
            "title": f"<script>alert(1)</script>{evil}",
            "author": [{"family": evil, "given": "<b>"}],
            "container-title": '"><svg onload=alert(1)>',
            "DOI": "javascript:alert(1)",
            "PMID": "1 onerror=alert(1)",
            "supports": evil,
            "checked": "javascript:alert(1)",
        },
        "ok": {"title": "fine", "DOI": '10.1/"><script>alert(1)</script>'},
    }
    page = render_markdown('Claim [@k"><script>; @ok].', RenderContext(references=references))
    assert_inert(page.html)
    assert_inert(page.references_html)


def test_hostile_callables_are_sanitised_too() -> None:
    """Resolver and embedder are trusted code, but a bug there must not become XSS."""

    def resolver(target: str) -> Resolved:
        return Resolved("javascript:alert(1)", '"><script>', "<svg onload=alert(1)>")

    def embed(artifact_id: str, mode: str) -> str:
        return '<script>alert(1)</script><iframe src="//evil"></iframe><img src=x onerror=alert(1)>'

    page = render_markdown(
        "[[anything]]\n\n{{artifact:a}}\n\nInline {{artifact:a:link}}.",
        RenderContext(resolve_link=resolver, embed=embed),
    )
    assert_inert(page.html)
    assert 'class="embed embed-summary"' in page.html


def test_the_sanitiser_keeps_only_the_attributes_the_renderer_writes() -> None:
    """A span carries a class, an id or a title; nothing rendered hides one or gives it a role
    (the citation popover is made in the browser, from the References list)."""
    html = sanitize('<span class="x" id="y" title="z" role="tooltip" hidden>t</span>')
    assert html == '<span class="x" id="y" title="z">t</span>'


def test_audit_catches_what_it_should() -> None:
    """Guard the guard: the audit flags live payloads."""
    for html in (
        "<script>x</script>",
        '<a href=" jav\tascript:x">',
        "<img src=x onerror=y>",
        "<svg>",
        '<td style="color:red">',
    ):
        audit = Audit()
        audit.feed(html)
        assert audit.violations or "<script" in html
