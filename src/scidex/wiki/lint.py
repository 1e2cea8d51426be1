"""Lint for curated pages: everything that would make a page read like the seed page.

Kinds: ``broken-link``, ``ambiguous-link``, ``unknown-citation``, ``broken-embed``,
``empty-section``, ``raw-html`` (reported by the renderer, so a page and its lint
can never disagree), and ``uncited-reference``, ``duplicate-mention``,
``diagram-error``, ``unknown-predicate`` (checked here), and the reference
policy's ``reference-id``, ``reference-link``, ``retracted-citation``,
``species-context`` and ``self-reference`` (see :mod:`scidex.wiki.policy`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass, replace

from scidex.wiki.content import CuratedPage
from scidex.wiki.links import Resolved
from scidex.wiki.policy import KINDS as POLICY_KINDS
from scidex.wiki.policy import policy_issues
from scidex.wiki.render import RenderContext, RenderedPage, render_markdown

KINDS = (
    frozenset(
        {
            "broken-link",
            "ambiguous-link",
            "unknown-citation",
            "broken-embed",
            "uncited-reference",
            "empty-section",
            "duplicate-mention",
            "diagram-error",
            "unknown-predicate",
            "raw-html",
        }
    )
    | POLICY_KINDS
)

DIAGRAM_TYPES = frozenset(
    {
        "flowchart",
        "graph",
        "sequenceDiagram",
        "classDiagram",
        "classDiagram-v2",
        "stateDiagram",
        "stateDiagram-v2",
        "erDiagram",
        "pie",
        "mindmap",
        "gantt",
        "journey",
        "timeline",
        "gitGraph",
        "quadrantChart",
        "requirementDiagram",
    }
)

_CLOSERS = {")": "(", "]": "[", "}": "{"}
# In flowcharts `id>label]` is the asymmetric shape: a '>' right after a node id opens
# it (but not the '>' of an arrow `-->` or of `<br>` inside a label).
_ASYMMETRIC = re.compile(r"(?:^|(?<=[\s;&|>]))\w+(>)")


@dataclass(frozen=True, order=True, slots=True)
class Finding:
    path: str
    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.message}"


def check_mermaid(source: str) -> tuple[int, str] | None:
    """A cheap static check: ``(line within the source, message)`` or ``None``.

    Catches what breaks most hand-written diagrams (a missing diagram type,
    unbalanced brackets or quotes) without a JavaScript engine.
    """
    lines = source.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":  # mermaid's own front matter (title, config)
        ends = [i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"]
        start = ends[0] + 1 if ends else len(lines)
    body = [(i, line) for i, line in enumerate(lines) if i >= start]
    statements = [(i, s) for i, s in ((i, line.strip()) for i, line in body) if s]
    statements = [(i, s) for i, s in statements if not s.startswith("%%")]
    if not statements:
        return 0, "empty diagram"
    first_line, first = statements[0]
    kind = first.split()[0].rstrip(";")
    if kind not in DIAGRAM_TYPES:
        known = ", ".join(sorted(DIAGRAM_TYPES))
        return first_line, f"diagram must start with its type ({known}), not {kind!r}"
    flowchart = kind in ("flowchart", "graph")
    stack: list[tuple[str, int]] = []
    quote_line: int | None = None
    for lineno, text in statements:
        openers = {m.start(1) for m in _ASYMMETRIC.finditer(text)} if flowchart else set()
        for col, ch in enumerate(text):
            if quote_line is not None:
                if ch == '"':
                    quote_line = None
                continue
            if ch == '"':
                quote_line = lineno
            elif ch in "([{" or col in openers:
                stack.append((ch, lineno))
            elif ch in _CLOSERS:
                expected = {_CLOSERS[ch]} | ({">"} if ch == "]" else set())
                if not stack or stack[-1][0] not in expected:
                    return lineno, f"unmatched {ch!r}"
                stack.pop()
    if quote_line is not None:
        return quote_line, 'unclosed quote (")'
    if stack:
        char, lineno = stack[-1]
        return lineno, f"unclosed {char!r}"
    return None


def lint_page(
    page: CuratedPage,
    ctx: RenderContext,
    *,
    is_predicate: Callable[[str], bool],
    retracted: Set[str] = frozenset(),
) -> list[Finding]:
    """Render the page against ``ctx`` (plus the page's own references) and lint it.

    The page's references are merged over ``ctx.references`` and the line offset
    is set from ``page.body_line``, so findings point at lines of the file.
    ``retracted`` holds the retracted PMIDs among the page's references.
    """
    ctx = replace(
        ctx,
        references={**ctx.references, **page.references},
        line_offset=page.body_line - 1,
    )
    rendered = render_markdown(page.markdown, ctx)
    return lint_rendered(page, rendered, is_predicate=is_predicate, retracted=retracted)


def lint_rendered(
    page: CuratedPage,
    rendered: RenderedPage,
    *,
    is_predicate: Callable[[str], bool],
    retracted: Set[str] = frozenset(),
) -> list[Finding]:
    """Lint a page already rendered (with ``line_offset = page.body_line - 1``)."""
    path = str(page.path)
    findings = [Finding(path, p.line, p.kind, p.message) for p in rendered.problems]
    findings += [Finding(path, *issue) for issue in policy_issues(page, retracted)]
    findings += _uncited(page, rendered, path)
    findings += _duplicate_mentions(rendered, path)
    for diagram in rendered.diagrams:
        problem = check_mermaid(diagram.source)
        if problem is not None:
            offset, message = problem
            # diagram.line is the opening fence; the source starts on the next line.
            findings.append(Finding(path, diagram.line + 1 + offset, "diagram-error", message))
    for edge in page.curated_edges:
        if not is_predicate(edge.predicate):
            message = f"{edge.predicate!r} is not a Biolink predicate"
            findings.append(Finding(path, edge.line, "unknown-predicate", message))
    return sorted(findings)


def _uncited(page: CuratedPage, rendered: RenderedPage, path: str) -> Iterable[Finding]:
    # A reference backing a curated edge is used even if the prose never cites it.
    used = {c.key for c in rendered.citations}
    used.update(key for edge in page.curated_edges for key in edge.publications)
    for key in page.references:
        if key not in used:
            line = page.reference_lines.get(key, 1)
            yield Finding(path, line, "uncited-reference", f"reference {key!r} is never cited")


def _duplicate_mentions(rendered: RenderedPage, path: str) -> Iterable[Finding]:
    """The same entity reached through different spellings ("ALS", "Als")."""
    first: dict[str, tuple[str, int]] = {}
    reported: set[tuple[str, str]] = set()
    for link in rendered.links:
        if not isinstance(link.resolution, Resolved):
            continue
        curie = link.resolution.curie
        seen = first.setdefault(curie, (link.target, link.line))
        if seen[0] != link.target and (curie, link.target) not in reported:
            reported.add((curie, link.target))
            yield Finding(
                path,
                link.line,
                "duplicate-mention",
                f"[[{link.target}]] and [[{seen[0]}]] (line {seen[1]}) both link {curie}; "
                "use one spelling",
            )
