"""Markdown -> safe HTML for wiki pages, with everything the lint needs to know.

Syntax on top of CommonMark (+ tables, strikethrough; raw HTML is disabled, so
tags in content render as inert text and are reported as ``raw-html``):

- ``[@key]``, ``[@key1; @key2]``: numbered citations (see ``citations``).
- ``[[target]]``, ``[[target|label]]``: wikilinks resolved through
  ``RenderContext.resolve_link`` (see ``links``). Without a label the entity's
  own label is shown, so every spelling of one entity reads the same.
- ``{{artifact:ID}}`` / ``{{artifact:ID:summary|link|full}}`` on a line of its
  own: a block embed (default ``summary``), wrapped in
  ``<div class="embed embed-MODE" data-artifact=ID>``. Inside running text only
  ``{{artifact:ID:link}}`` is allowed (``<span class="embed embed-link">``);
  a block mode inline is a ``broken-embed`` problem. An unknown artifact shows
  ``<div|span class="embed-missing" data-artifact=ID>``.
- fenced ``mermaid`` blocks: a ``<figure class="diagram">`` holding the escaped
  source in ``<pre class="mermaid" hidden>`` (the browser's mermaid unhides and
  draws it) and the diagram as text (``diagram_text.describe``: its title,
  description and edges), which is what a reader without JavaScript sees.

Extensions are markdown-it inline/block rules, so nothing fires inside code.
A core rule then walks the tokens once, in source order: it numbers citations
by first use, resolves links, calls the embedder, gives headings stable ids and
records problems with their source line. The output is sanitised with nh3
against an allow-list of exactly the markup produced here.

A render may be given a budget of CPU seconds (``RenderContext.budget``): the parser
checks the time as it goes (block rules, inline positions, core steps) and stops with
``RenderBudgetExceeded`` once it is spent. Previews and saves have one
(``RENDER_BUDGET_SECONDS``), so no text an editor sends costs more than that much CPU
per render; markdown-it is linear on ordinary text, but hostile runs of markup cost
tens of microseconds per character.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from scidex.wiki.citations import (
    Citation,
    citation_html,
    citation_rule,
    citation_title,
    missing_citation_html,
    references_html,
)
from scidex.wiki.diagram_text import describe
from scidex.wiki.links import (
    EMBED_MODES,
    Ambiguous,
    Embedder,
    EmbedUse,
    LinkResolution,
    LinkUse,
    Resolver,
    Unresolved,
    display_label,
    embed_block_rule,
    embed_html,
    embed_inline_rule,
    embed_nothing,
    missing_embed_html,
    resolve_nothing,
    wikilink_html,
    wikilink_rule,
)


@dataclass(frozen=True, slots=True)
class RenderContext:
    """What a page is rendered against; all lookups are injected callables."""

    resolve_link: Resolver = resolve_nothing
    embed: Embedder = embed_nothing
    """``(artifact id, mode) -> already-safe HTML``, or ``None`` for an unknown artifact."""
    references: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """CSL-JSON items by citation key."""
    line_offset: int = 0
    """Added to every problem's line (the body's position in its file, minus one)."""
    budget: float | None = None
    """CPU seconds the render may take (``RenderBudgetExceeded`` past it); ``None``: no limit."""


# What a preview or a save may spend rendering (CPU seconds of the rendering thread). The
# longest curated page takes a few milliseconds, 200,000 characters of ordinary prose about
# a tenth of a second; hostile markup of the same length took seconds.
RENDER_BUDGET_SECONDS = 1.0


class RenderBudgetExceeded(Exception):
    """The markdown needs more CPU time to render than its budget allows."""

    def __init__(self, budget: float) -> None:
        super().__init__(
            f"the markdown needs more than {budget:g} s of CPU to render (long runs of "
            "brackets, emphasis or other markup, or very deep nesting); simplify it"
        )
        self.budget = budget


class _Budget:
    """The CPU time left to a render, checked every few parser steps (the clock costs a
    system call; a step between two checks costs microseconds).

    The parser's checks stop it at 60 % of the budget: what follows its last check (the
    pairing of emphasis delimiters, writing the HTML, sanitising it) costs up to about half
    of the parsing before it, so a render stopped there stays within the whole budget. The
    last check, once the HTML is written, holds the render to the whole budget.
    """

    __slots__ = ("budget", "ends", "parse_ends", "steps")
    EVERY = 64
    PARSE_SHARE = 0.6

    def __init__(self, budget: float) -> None:
        now = time.thread_time()
        self.budget = budget
        self.ends = now + budget
        self.parse_ends = now + budget * self.PARSE_SHARE
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps % self.EVERY == 0:
            self.check_parse()

    def check_parse(self) -> None:
        if time.thread_time() > self.parse_ends:
            raise RenderBudgetExceeded(self.budget)

    def check(self) -> None:
        if time.thread_time() > self.ends:
            raise RenderBudgetExceeded(self.budget)


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class TocEntry:
    id: str
    text: str
    level: int


@dataclass(frozen=True, slots=True)
class MermaidBlock:
    source: str
    line: int
    """Line of the opening fence; the source starts on the next line."""


@dataclass(slots=True)
class RenderedPage:
    html: str
    toc: list[TocEntry]
    citations: list[Citation]
    """Cited keys in number order (first use)."""
    references_html: str
    """The numbered References list; empty when the page has no references."""
    links: list[LinkUse]
    embeds: list[EmbedUse]
    diagrams: list[MermaidBlock]
    problems: list[Problem]

    @property
    def mermaid(self) -> list[str]:
        return [d.source for d in self.diagrams]


_ENV_KEY = "scidex_page"
_BUDGET_KEY = "scidex_budget"
# A tag-like run in text: what raw HTML in content looks like once it is inert.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


def slugify(text: str) -> str:
    """``"Alzheimer's Disease"`` -> ``"alzheimers-disease"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"[^\w\s-]", "", plain)
    return re.sub(r"[\s_-]+", "-", plain).strip("-") or "section"


def link_problem(target: str, resolution: LinkResolution, line: int) -> Problem | None:
    """The problem a wikilink to ``target`` on ``line`` (1-based, in the file) has: an
    ambiguous or a broken link; None for a link that resolves."""
    if isinstance(resolution, Ambiguous):
        options = ", ".join(f"{c.curie} ({c.label})" for c in resolution.candidates)
        return Problem(line, "ambiguous-link", f"[[{target}]] is ambiguous: {options}")
    if isinstance(resolution, Unresolved):
        return Problem(line, "broken-link", f"[[{target}]] matches no entity")
    return None


@dataclass(slots=True)
class _Section:
    level: int
    line: int
    text: str
    has_content: bool = False


class PageState:
    """Per-render accumulator, carried in markdown-it's ``env`` (see :func:`render_with`)."""

    def __init__(self, ctx: RenderContext) -> None:
        self.ctx = ctx
        self.numbers: dict[str, int] = {}
        self.uses: dict[str, int] = {}
        self.titles: dict[str, str] = {}
        self.slugs: set[str] = set()
        self.toc: list[TocEntry] = []
        self.links: list[LinkUse] = []
        self.embeds: list[EmbedUse] = []
        self.diagrams: list[MermaidBlock] = []
        self.problems: list[Problem] = []

    def problem(self, line: int, kind: str, message: str) -> None:
        # Token maps are 0-based; problems speak in 1-based lines of the file.
        self.problems.append(Problem(line + 1 + self.ctx.line_offset, kind, message))

    def citations(self) -> list[Citation]:
        return [Citation(k, n, self.uses[k]) for k, n in self.numbers.items()]

    def annotate(self, tokens: list[Token]) -> None:
        # A resolver that can look many targets up at once (the store's) gets
        # them all first: a page's links cost a few queries, not a few each.
        prefetch = getattr(self.ctx.resolve_link, "prefetch", None)
        if prefetch is not None:
            prefetch(
                [
                    child.meta["target"]
                    for token in tokens
                    if token.type == "inline"
                    for child in token.children or ()
                    if child.type == "wikilink"
                ]
            )
        line = 0
        heading: Token | None = None
        for token in tokens:
            if token.map:
                line = token.map[0]
            if token.type == "heading_open":
                heading = token
            elif token.type == "inline":
                self.inline(token, line)
                if heading is not None:
                    self.heading(heading, token)
                    heading = None
            elif token.type == "fence" and _is_mermaid(token):
                self.diagrams.append(MermaidBlock(token.content, line + 1 + self.ctx.line_offset))
            elif token.type == "artifact_embed":
                token.meta["html"] = self.embed(
                    token.meta["id"], token.meta["mode"] or "summary", line, inline=False
                )
        self.empty_sections(tokens)
        self.problems.sort(key=lambda p: p.line)

    def inline(self, token: Token, base: int) -> None:
        content = token.content
        for child in token.children or ():
            if child.type not in ("citation", "wikilink", "artifact_embed_inline"):
                continue
            line = base + content.count("\n", 0, child.meta["offset"])
            if child.type == "citation":
                child.meta["html"] = self.cite(child.meta["keys"], line)
            elif child.type == "wikilink":
                self.wikilink(child, line)
            else:
                mode = child.meta["mode"]
                child.meta["html"] = self.embed(child.meta["id"], mode, line, inline=True)
        if "<" in content:
            self.raw_html(token, base)

    def cite(self, keys: list[str], line: int) -> str:
        out: list[str] = []
        for key in keys:
            item = self.ctx.references.get(key)
            if item is None:
                self.problem(line, "unknown-citation", f"unknown citation key @{key}")
                out.append(missing_citation_html(key))
                continue
            number = self.numbers.setdefault(key, len(self.numbers) + 1)
            use = self.uses[key] = self.uses.get(key, 0) + 1
            title = self.titles.get(key)
            if title is None:
                title = self.titles[key] = citation_title(item)
            out.append(citation_html(key, number, use, item, title))
        return "".join(out)

    def wikilink(self, token: Token, line: int) -> None:
        target, label = token.meta["target"], token.meta["label"]
        resolution = self.ctx.resolve_link(target)
        at = line + 1 + self.ctx.line_offset
        self.links.append(LinkUse(target, label, resolution, at))
        if (problem := link_problem(target, resolution, at)) is not None:
            self.problems.append(problem)
        token.meta["html"] = wikilink_html(target, label, resolution)
        token.meta["display"] = display_label(target, label, resolution)

    def embed(self, artifact_id: str, mode: str | None, line: int, *, inline: bool) -> str:
        source = f"{{{{artifact:{artifact_id}{':' + mode if mode else ''}}}}}"
        error = None
        if mode is not None and mode not in EMBED_MODES:
            error = f"{source}: unknown embed mode {mode!r} (use {', '.join(EMBED_MODES)})"
        elif inline and mode != "link":
            error = f"{source}: only :link embeds may sit inside text; put it on its own line"
        else:
            mode = mode or "summary"
            html = self.ctx.embed(artifact_id, mode)
            at = line + 1 + self.ctx.line_offset
            self.embeds.append(EmbedUse(artifact_id, mode, at, html is not None))
            if html is not None:
                return embed_html(artifact_id, mode, html, inline=inline)
            error = f"{source}: no artifact with id {artifact_id!r}"
        self.problem(line, "broken-embed", error)
        return missing_embed_html(artifact_id, inline=inline)

    def heading(self, heading: Token, inline: Token) -> None:
        parts: list[str] = []
        for child in inline.children or ():
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type == "wikilink":
                parts.append(child.meta["display"])
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        text = " ".join("".join(parts).split())
        slug = base = slugify(text)
        n = 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        heading.attrSet("id", slug)
        heading.meta["text"] = text
        self.toc.append(TocEntry(slug, text, int(heading.tag[1:])))

    def empty_sections(self, tokens: list[Token]) -> None:
        """A section with nothing but headings before the next same-or-higher heading."""
        open_sections: list[_Section] = []

        def close(section: _Section) -> None:
            if not section.has_content:
                msg = f'section "{section.text}" is empty'
                self.problem(section.line, "empty-section", msg)

        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "heading_open":
                level = int(token.tag[1:])
                while open_sections and open_sections[-1].level >= level:
                    close(open_sections.pop())
                line = token.map[0] if token.map else 0
                open_sections.append(_Section(level, line, token.meta.get("text", "")))
                i += 3  # heading_open, inline, heading_close
                continue
            if token.nesting != -1 and open_sections and not open_sections[-1].has_content:
                # Content inside a subsection is content of every enclosing section.
                for section in open_sections:
                    section.has_content = True
            i += 1
        for section in reversed(open_sections):
            close(section)

    def raw_html(self, token: Token, base: int) -> None:
        pieces: list[str] = []
        for child in token.children or ():
            if child.type == "text":
                pieces.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append("\n")
            else:
                pieces.append(" ")  # code spans and our own tokens never count
        text = "".join(pieces)
        seen: set[int] = set()
        for match in _TAG.finditer(text):
            line = base + text.count("\n", 0, match.start())
            if line not in seen:
                seen.add(line)
                tag = match[0] if len(match[0]) <= 40 else match[0][:37] + "..."
                self.problem(line, "raw-html", f"raw HTML {tag} shows as text; use markdown")


def _is_mermaid(token: Token) -> bool:
    return token.info.strip().split(maxsplit=1)[:1] == ["mermaid"]


def _annotate(state: StateCore) -> None:
    page = state.env.setdefault(_ENV_KEY, PageState(RenderContext()))
    page.annotate(state.tokens)


def _render_prepared(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    html: str = tokens[idx].meta.get("html", "")
    return html + "\n" if tokens[idx].block else html


def _render_fence(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if _is_mermaid(token):
        return diagram_html(token.content)
    fence: str = self.fence(tokens, idx, options, env)
    return fence


def diagram_html(source: str) -> str:
    """A content diagram: its source for mermaid (hidden until drawn) and its text."""
    text = describe(source)
    parts = ['<figure class="diagram">']
    if text.title:
        parts.append(f"<figcaption>{escape(text.title)}</figcaption>")
    parts.append(f'<pre class="mermaid" hidden>{escape(source)}</pre>')
    parts.append('<details class="diagram-text" open><summary>Diagram as text</summary>')
    if text.description:
        parts.append(f"<p>{escape(text.description)}</p>")
    items = [
        f"<li>{escape(e.source)} {'→' if e.directed else '—'} {escape(e.target)}"
        + (f' <span class="muted">({escape(e.label)})</span>' if e.label else "")
        + "</li>"
        for e in text.edges
    ]
    items += [f"<li>{escape(node)}</li>" for node in text.lone_nodes]
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    elif not text.description:
        kind = escape(text.kind or "diagram")
        parts.append(f"<p>A {kind} without a text description; JavaScript draws it.</p>")
    parts.append("</details></figure>")
    return "".join(parts) + "\n"


_LINK_ENDS = "scidex_link_ends"
_BRACKET_RUN = re.compile(r"\[+")


def _last_link_end(state: StateInline) -> int:
    """Where the last ``](`` of this inline run is (or its last ``]`` when the page defines
    references, which make ``[label]`` a link too); -1 without one. Computed once per run and
    span (a link's text is parsed again within narrower bounds), kept in the render's env."""
    closer = "]" if state.env.get("references") else "]("
    ends: dict[tuple[int, int, str], int] = state.env.setdefault(_LINK_ENDS, {})
    key = (id(state.src), state.posMax, closer)
    if key not in ends:
        ends[key] = state.src.rfind(closer, 0, state.posMax)
    return ends[key]


def inert_bracket_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it inline rule: a ``[`` (or the ``!`` of ``![``) that no ``](`` follows is text.

    Such a bracket can open no link or image, but markdown-it would still look for its closing
    bracket (``parseLinkLabel``) at each one, through every inline rule at every character up
    to the end of the run: a run of 500,000 ``[`` took seconds of CPU. Taking it as text at
    once keeps rendering linear. Runs before ``link`` and ``image``, after the wikilink,
    citation and embed rules, which need no ``(``.
    """
    pos = state.pos
    char = state.src[pos]
    opener = pos + 1 if char == "!" else pos
    if char not in "[!" or not state.src.startswith("[", opener):
        return False
    if _last_link_end(state) > opener:
        return False
    end = pos + 1
    if char == "[":
        # The whole run at once (one string operation, not one per bracket), but for its last
        # two brackets, where a wikilink ``[[`` or a citation ``[@`` may still begin.
        run = _BRACKET_RUN.match(state.src, pos, state.posMax)
        end = max(end, run.end() - 2) if run else end
    if not silent:
        state.pending += state.src[pos:end]
    state.pos = end
    return True


def _budget_inline_rule(state: StateInline, silent: bool) -> bool:
    """First inline rule: runs at every position the inline parser tries (link label scans
    included), spends a step of the render's budget, and matches nothing."""
    budget: _Budget | None = state.env.get(_BUDGET_KEY)
    if budget is not None:
        budget.step()
    return False


def _budget_block_rule(state: Any, start_line: int, end_line: int, silent: bool) -> bool:
    """First block rule (and first in the paragraph, list and quote terminator chains)."""
    budget: _Budget | None = state.env.get(_BUDGET_KEY)
    if budget is not None:
        budget.step()
    return False


def _budget_core_rule(state: StateCore) -> None:
    budget: _Budget | None = state.env.get(_BUDGET_KEY)
    if budget is not None:
        budget.check_parse()


def _budget_post_rule(state: StateInline) -> None:
    """First of the inline post-processing rules (delimiter pairing), run per inline run."""
    budget: _Budget | None = state.env.get(_BUDGET_KEY)
    if budget is not None:
        budget.check_parse()


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.inline.ruler.before("text", "scidex_budget", _budget_inline_rule)
    md.inline.ruler2.before("balance_pairs", "scidex_budget", _budget_post_rule)
    md.block.ruler.before(
        "table",
        "scidex_budget",
        _budget_block_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    # After the block parse and after the inline parse: a check between the two phases.
    md.core.ruler.after("block", "scidex_budget_block", _budget_core_rule)
    md.core.ruler.after("inline", "scidex_budget_inline", _budget_core_rule)
    md.inline.ruler.before("link", "wikilink", wikilink_rule)
    md.inline.ruler.before("link", "citation", citation_rule)
    md.inline.ruler.before("link", "artifact_embed_inline", embed_inline_rule)
    md.inline.ruler.before("link", "inert_bracket", inert_bracket_rule)
    md.block.ruler.before(
        "paragraph",
        "artifact_embed",
        embed_block_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.core.ruler.push("scidex_annotate", _annotate)
    for name in ("citation", "wikilink", "artifact_embed_inline", "artifact_embed"):
        md.add_render_rule(name, _render_prepared)
    md.add_render_rule("fence", _render_fence)
    return md


_HEADINGS = {f"h{n}" for n in range(1, 7)}
_CLEANER = nh3.Cleaner(
    tags=_HEADINGS
    | {"p", "a", "sup", "sub", "ol", "ul", "li", "table", "thead", "tbody", "tr", "th", "td"}
    | {"code", "pre", "blockquote", "em", "strong", "s", "del", "span", "div", "br", "hr"}
    | {"figure", "figcaption", "details", "summary", "img"},
    clean_content_tags={"script", "style"},
    attributes={
        **{h: {"id"} for h in _HEADINGS},
        "a": {"href", "title", "class", "id"},
        "sup": {"class", "id"},
        "span": {"class", "id", "title"},
        "div": {"class"},
        "em": {"class"},
        "li": {"class", "id"},
        "ol": {"class", "start"},
        "ul": {"class"},
        "pre": {"class", "hidden"},
        "code": {"class"},
        "th": {"style"},
        "td": {"style"},
        "img": {"src", "alt", "title"},
        "figure": {"class"},
        "details": {"class", "open"},
    },
    generic_attribute_prefixes={"data-", "aria-"},
    # Tables align cells with inline style; nothing else may style content.
    filter_style_properties={"text-align"},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
)
_MD = _build_markdown()


def sanitize(html: str) -> str:
    """Keep only the markup this module produces, with http(s)/mailto/relative URLs."""
    return _CLEANER.clean(html)


def render_markdown(markdown: str, ctx: RenderContext | None = None) -> RenderedPage:
    """Render one page; the MarkdownIt instance and the sanitiser are built once per process.

    Raises ``RenderBudgetExceeded`` when ``ctx.budget`` is set and the render spends it.
    """
    ctx = ctx or RenderContext()
    return render_with(markdown, PageState(ctx))


def render_with(markdown: str, page: PageState) -> RenderedPage:
    """Render ``markdown`` with ``page`` collecting what the render finds (a subclass of
    :class:`PageState` may render wikilinks or embeds its own way): the parse, the HTML,
    the References list and the sanitiser, within the budget of ``page.ctx``."""
    ctx = page.ctx
    env: dict[str, Any] = {_ENV_KEY: page}
    budget = _Budget(ctx.budget) if ctx.budget is not None else None
    if budget is not None:
        env[_BUDGET_KEY] = budget
    tokens = _MD.parse(markdown, env)
    body = _MD.renderer.render(tokens, _MD.options, env)
    if budget is not None:
        budget.check()
    citations = page.citations()
    refs = references_html(ctx.references, [(c.key, c.uses) for c in citations])
    return RenderedPage(
        html=sanitize(body),
        toc=page.toc,
        citations=citations,
        references_html=sanitize(refs),
        links=page.links,
        embeds=page.embeds,
        diagrams=page.diagrams,
        problems=page.problems,
    )


# Block tokens after which plain text starts a new line.
_BLOCK_ENDS = {"paragraph_close", "heading_close", "list_item_close", "td_close", "th_close"}


def plain_text(markdown: str, resolve_link: Resolver = resolve_nothing) -> str:
    """A page as the plain text a reader sees, for search documents and their snippets.

    No markdown syntax is left: headings, emphasis and links become their text, a
    wikilink its label (``resolve_link`` supplies an entity's own label when the
    link has none), a diagram its text description; citations, embeds and code
    fences other than diagrams are left out. Blocks end with a newline.
    """
    page = PageState(RenderContext(resolve_link=resolve_link))
    env: dict[str, Any] = {_ENV_KEY: page}
    out: list[str] = []
    for token in _MD.parse(markdown, env):
        if token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    out.append(child.content)
                elif child.type == "wikilink":
                    out.append(child.meta.get("display") or child.meta["target"])
                elif child.type in ("softbreak", "hardbreak"):
                    out.append(" ")
                elif child.type == "image":
                    out.append(child.content)
                elif child.type == "citation" and out:
                    out[-1] = out[-1].rstrip()  # "MAFK [@oyake1996]." reads "MAFK."
        elif token.type == "fence" and _is_mermaid(token):
            text = describe(token.content)
            lines = [text.title, text.description, *text.lone_nodes]
            lines += [f"{e.source} → {e.target}" for e in text.edges]
            out.append("\n".join(line for line in lines if line) + "\n")
        elif token.type in ("code_block", "fence"):
            out.append(token.content)
        elif token.type in _BLOCK_ENDS or token.type == "hr":
            out.append("\n")
    words = (" ".join(line.split()) for line in "".join(out).splitlines())
    return "\n".join(line for line in words if line)
