"""How a page points elsewhere: wikilinks to entities and embeds of artifacts.

The wiki layer never looks anything up itself: the caller injects a
``Resolver`` (``target text -> LinkResolution``) and an ``Embedder``
(``(artifact id, mode) -> HTML | None``), so the page renderer and the lint
share one code path and neither touches the store.

Markup produced (the web layer styles these classes):

- resolved: ``<a class="wikilink" href=URL data-curie=CURIE title="Label (CURIE)">``
- ambiguous: ``<span class="wikilink-ambiguous" data-target=T>label
  <span class="wikilink-candidates">(ambiguous: <a class="wikilink" ...>..</a>; ...)</span></span>``
- unresolved: ``<span class="wikilink-missing" data-target=T title=...>label</span>``
- embed: ``<div class="embed embed-MODE" data-artifact=ID>`` (block) or
  ``<span class="embed embed-link" data-artifact=ID>`` (inline);
  unknown: ``<div|span class="embed-missing" data-artifact=ID>``
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from typing import NamedTuple

from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

from scidex.kg.names import normalize_name


@dataclass(frozen=True, slots=True)
class Resolved:
    """The target names exactly one entity."""

    url: str
    curie: str
    label: str


class Candidate(NamedTuple):
    """One of several entities an ambiguous target could mean."""

    curie: str
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """The target names several entities; the author must pick one (by CURIE)."""

    candidates: tuple[Candidate, ...]

    def __post_init__(self) -> None:
        # Accept plain (curie, label, url) tuples or a list, as resolvers build them.
        object.__setattr__(self, "candidates", tuple(Candidate(*c) for c in self.candidates))


@dataclass(frozen=True, slots=True)
class Unresolved:
    """No entity matches the target."""


LinkResolution = Resolved | Ambiguous | Unresolved
Resolver = Callable[[str], LinkResolution]
UNRESOLVED = Unresolved()


def resolved(url: str, curie: str, label: str) -> Resolved:
    return Resolved(url, curie, label)


def ambiguous(candidates: Iterable[tuple[str, str, str]]) -> Ambiguous:
    return Ambiguous(tuple(Candidate(*c) for c in candidates))


def unresolved() -> Unresolved:
    return UNRESOLVED


def resolve_nothing(target: str) -> LinkResolution:
    """Default resolver: every target is unresolved."""
    return UNRESOLVED


@dataclass(frozen=True, slots=True)
class LinkUse:
    """One wikilink on a rendered page, as resolved, with its source line."""

    target: str
    label: str | None
    resolution: LinkResolution
    line: int


@dataclass(frozen=True, slots=True)
class WikiTarget:
    """A parsed wikilink: ``target`` is looked up, ``label`` (if any) is shown instead."""

    target: str
    label: str | None = None


def parse_wikilink(inner: str) -> WikiTarget | None:
    """Parse the text between ``[[`` and ``]]``; ``None`` when there is no target.

    Whitespace runs (including a line wrap inside the link) collapse to one space,
    so a target wrapped across lines resolves like the unwrapped one.
    """
    target, sep, label = inner.partition("|")
    target = " ".join(target.split())
    if not target:
        return None
    shown = " ".join(label.split()) if sep else ""
    return WikiTarget(target, shown or None)


# Target: anything but brackets and the pipe; label: anything but brackets.
_WIKILINK = re.compile(r"\[\[([^\[\]|]+(?:\|[^\[\]]*)?)\]\]")


def wikilink_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it inline rule: ``[[...]]`` becomes a ``wikilink`` token.

    Resolution happens later (a core rule), once per document, in source order.
    """
    if not state.src.startswith("[[", state.pos):
        return False
    match = _WIKILINK.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    parsed = parse_wikilink(match[1])
    if parsed is None:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = {"target": parsed.target, "label": parsed.label, "offset": state.pos}
    state.pos = match.end()
    return True


def display_label(target: str, label: str | None, resolution: LinkResolution) -> str:
    """What the reader sees: the author's label, else the entity's own label, else the target."""
    if label:
        return label
    if isinstance(resolution, Resolved) and resolution.label:
        return resolution.label
    return target


def _a(url: str, curie: str, text: str, title: str) -> str:
    return (
        f'<a class="wikilink" href="{escape(url)}" data-curie="{escape(curie)}" '
        f'title="{escape(title)}">{escape(text)}</a>'
    )


def wikilink_html(target: str, label: str | None, resolution: LinkResolution) -> str:
    """HTML for one wikilink; every piece of text is escaped here."""
    shown = display_label(target, label, resolution)
    if isinstance(resolution, Resolved):
        title = f"{resolution.label} ({resolution.curie})"
        return _a(resolution.url, resolution.curie, shown, title)
    if isinstance(resolution, Ambiguous):
        options = "; ".join(
            _a(c.url, c.curie, f"{c.label} ({c.curie})", f"{c.label} ({c.curie})")
            for c in resolution.candidates
        )
        return (
            f'<span class="wikilink-ambiguous" data-target="{escape(target)}" '
            f'title="Ambiguous link: {escape(target)}">{escape(shown)} '
            f'<span class="wikilink-candidates">(ambiguous: {options})</span></span>'
        )
    return (
        f'<span class="wikilink-missing" data-target="{escape(target)}" '
        f'title="No entity matches {escape(target)}">{escape(shown)}</span>'
    )


Embedder = Callable[[str, str], str | None]
EMBED_MODES = ("summary", "link", "full")
# Artifact ids never hold ':' (it separates the mode).
_EMBED = re.compile(r"\{\{artifact:([A-Za-z0-9][A-Za-z0-9_.\-]*)(?::([A-Za-z]+))?\}\}")


@dataclass(frozen=True, slots=True)
class EmbedUse:
    """One artifact embed on a rendered page; ``found`` is false for unknown artifacts."""

    artifact_id: str
    mode: str
    line: int
    found: bool


def embed_nothing(artifact_id: str, mode: str) -> str | None:
    """Default embedder: no artifact is known."""
    return None


def embed_inline_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it inline rule: ``{{artifact:ID[:mode]}}`` inside text."""
    if not state.src.startswith("{{artifact:", state.pos):
        return False
    match = _EMBED.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        token = state.push("artifact_embed_inline", "", 0)
        token.meta = {"id": match[1], "mode": match[2], "offset": state.pos}
    state.pos = match.end()
    return True


def embed_block_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it block rule: a line holding nothing but ``{{artifact:ID[:mode]}}``."""
    if state.is_code_block(start):
        return False
    begin = state.bMarks[start] + state.tShift[start]
    match = _EMBED.fullmatch(state.src[begin : state.eMarks[start]].rstrip())
    if match is None:
        return False
    if silent:
        return True
    token = state.push("artifact_embed", "div", 0)
    token.map = [start, start + 1]
    token.meta = {"id": match[1], "mode": match[2]}
    state.line = start + 1
    return True


def embed_html(artifact_id: str, mode: str, html: str, *, inline: bool) -> str:
    tag = "span" if inline else "div"
    return f'<{tag} class="embed embed-{mode}" data-artifact="{escape(artifact_id)}">{html}</{tag}>'


def missing_embed_html(artifact_id: str, *, inline: bool) -> str:
    tag, text = ("span", f"[artifact:{artifact_id}?]") if inline else ("div", "Unknown artifact: ")
    text = text if inline else text + artifact_id
    return (
        f'<{tag} class="embed-missing" data-artifact="{escape(artifact_id)}">{escape(text)}</{tag}>'
    )


class TableResolver:
    """Resolve targets against an in-memory table of entities.

    For tests and offline tools; the web app resolves against the store.
    A CURIE resolves exactly; a name resolves through ``normalize_name`` so
    "ALS", "Als" and "A.L.S." reach the same entity.
    """

    def __init__(self, entries: Iterable[tuple[str, str, str, Iterable[str]]]) -> None:
        """``entries``: ``(curie, label, url, other names)`` rows."""
        self._by_curie: dict[str, Candidate] = {}
        self._by_name: dict[str, dict[str, Candidate]] = {}
        for curie, label, url, names in entries:
            candidate = Candidate(curie, label, url)
            self._by_curie[curie] = candidate
            for name in (label, *names):
                self._by_name.setdefault(normalize_name(name), {})[curie] = candidate

    def __call__(self, target: str) -> LinkResolution:
        exact = self._by_curie.get(target)
        if exact is not None:
            return Resolved(exact.url, exact.curie, exact.label)
        found = self._by_name.get(normalize_name(target), {})
        if len(found) == 1:
            (only,) = found.values()
            return Resolved(only.url, only.curie, only.label)
        if found:
            return Ambiguous(tuple(sorted(found.values())))
        return UNRESOLVED
