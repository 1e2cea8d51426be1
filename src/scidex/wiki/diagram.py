"""An entity's knowledge-graph neighbourhood as a mermaid flowchart.

``pathway_mermaid`` is pure: it takes the centre entity and candidate edges
(already read from the store by the caller) and returns mermaid source plus a
plain-text fallback for readers without JavaScript. The same input always gives
byte-identical output, so pages cache well and tests can compare sources.

Everything that comes from data (labels, URLs) is reduced to characters that
cannot end a mermaid string, open a directive (``%%{...}%%``), trip mermaid's
entity pre-pass, or reach the SVG as markup: labels use mermaid's ``#NN;``
entity codes, URLs are percent-encoded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from scidex.kg.biolink import predicate_label
from scidex.kg.categories import diagram_class

__all__ = [
    "CLASS_STYLES",
    "Diagram",
    "DiagramEdge",
    "DiagramNode",
    "FallbackRow",
    "category_class",
    "mermaid_label",
    "pathway_mermaid",
]


@dataclass(frozen=True, slots=True)
class DiagramNode:
    """A node to draw: ``id`` is its CURIE, ``category`` its Biolink class, ``url`` its page."""

    id: str
    label: str
    category: str
    url: str


@dataclass(frozen=True, slots=True)
class DiagramEdge:
    """A candidate edge; ``predicate`` is a Biolink predicate such as ``biolink:has_phenotype``."""

    subject: DiagramNode
    predicate: str
    object: DiagramNode
    curated: bool = False
    evidence_score: float = 0.0


class FallbackRow(NamedTuple):
    """One drawn edge as text: raw labels (the template escapes them) and both pages."""

    subject: str
    predicate: str
    object: str
    urls: tuple[str, str]  # (subject page, object page)


@dataclass(frozen=True, slots=True)
class Diagram:
    """Mermaid source for a neighbourhood and what it shows.

    ``nodes[i]`` is drawn as mermaid node ``n{i}``; ``nodes[0]`` is the centre.
    ``edges`` are the drawn edges in drawing order (grouped by predicate),
    ``edges_total`` counts the distinct edges offered, and ``truncated`` says
    that some were left out for legibility.
    """

    source: str
    nodes: list[DiagramNode]
    edges: list[DiagramEdge]
    edges_shown: int
    edges_total: int
    truncated: bool
    text_fallback: list[FallbackRow] = field(default_factory=list)


# Light fills with dark text and a saturated border: readable on light and dark
# page backgrounds, and distinguishable without relying on hue alone (borders differ).
CLASS_STYLES: dict[str, str] = {
    "gene": "fill:#dbeafe,stroke:#1d4ed8,color:#0b1f4d",
    "disease": "fill:#fee2e2,stroke:#b91c1c,color:#450a0a",
    "phenotype": "fill:#fef3c7,stroke:#b45309,color:#422006",
    "process": "fill:#dcfce7,stroke:#15803d,color:#052e16",
    "activity": "fill:#ede9fe,stroke:#6d28d9,color:#2e1065",
    "component": "fill:#cffafe,stroke:#0e7490,color:#083344",
    "other": "fill:#f3f4f6,stroke:#4b5563,color:#111827",
    # Added on top of the centre's category class, so it only thickens the border.
    "center": "stroke-width:3px,font-weight:bold",
    # The predicate boxes: quiet, so the nodes carry the colour.
    "group": "fill:#fafafa,stroke:#d1d5db,color:#374151",
}

MAX_LABEL = 60  # characters; longer names (GO terms, mostly) are shortened with an ellipsis

# Characters a label may keep as they are. Everything else becomes an entity
# code: quotes and brackets would end the node text, '%' could open a
# directive, ':' ';' '#' feed mermaid's style/entity pre-pass, '<' '>' '&'
# would reach the SVG as markup, and '`' would switch on markdown strings.
_LABEL_SAFE = re.compile(r"[\w \-.,'/+]", re.UNICODE)
_SPACES = re.compile(r"\s+")
# Kept verbatim in URLs; everything else is percent-encoded. Notably not '"'
# (ends the string), ';' (mermaid's entity pre-pass) or whitespace.
_URL_SAFE = "/:?=&%#@!$'()*+,~-._"
_TOOLTIP_UNSAFE = re.compile(r"[^\w:.,' -]")


def category_class(category: str) -> str:
    """The style class for a Biolink category: ``gene``, ``disease``, ... or ``other``."""
    return diagram_class(category)


def mermaid_label(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` as the inside of a double-quoted mermaid label.

    Whitespace runs (newlines included) collapse to one space, control
    characters go, long text is shortened, and every character outside a
    small safe set becomes ``#quot;`` or a numeric ``#NN;`` code, which mermaid
    turns back into the character as *text*.
    """
    text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    out = []
    for ch in text:
        if ch == '"':
            out.append("#quot;")
        elif _LABEL_SAFE.fullmatch(ch):
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


def _mermaid_url(url: str) -> str:
    """A page URL fit for a mermaid ``click`` line; only http(s) and site paths are allowed."""
    parts = urlsplit(url)
    site_path = url.startswith("/") and not url.startswith("//")
    if not (site_path or (parts.scheme in ("http", "https") and parts.netloc)):
        raise ValueError(f"diagram links must be http(s) URLs or site paths, not {url!r}")
    return quote(url, safe=_URL_SAFE)


def _tooltip(text: str) -> str:
    return _TOOLTIP_UNSAFE.sub("", text)[:MAX_LABEL]


def _score(edge: DiagramEdge) -> float:
    # NaN would make the sort order depend on input order; rank it last.
    s = edge.evidence_score
    return -math.inf if math.isnan(s) else s


# What a researcher looks for first in a neighbourhood: regulation and
# interactions, then products, families, diseases and pathways, then
# classification and phenotypes; ontology annotations (GO) fill what is left.
_FIRST = {
    "biolink:regulates": 0,
    "biolink:regulated_by": 0,
    "biolink:physically_interacts_with": 0,
    "biolink:interacts_with": 0,
    "biolink:genetically_interacts_with": 0,
    "biolink:has_gene_product": 1,
    "biolink:gene_product_of": 1,
    "biolink:member_of": 1,
    "biolink:gene_associated_with_condition": 1,
    "biolink:associated_with": 1,
}
_ANNOTATION = frozenset(
    {"biolink:BiologicalProcess", "biolink:MolecularActivity", "biolink:CellularComponent"}
)


def _topic(edge: DiagramEdge) -> int:
    if edge.predicate in _FIRST:
        return _FIRST[edge.predicate]
    categories = {edge.subject.category, edge.object.category}
    if "biolink:Pathway" in categories:
        return 1
    if categories & _ANNOTATION:
        return 3
    return 2


def _rank_key(edge: DiagramEdge) -> tuple[object, ...]:
    # Curated first, then by what the statement is about, then strongest
    # evidence; the rest only makes ties deterministic.
    return (
        not edge.curated,
        _topic(edge),
        -_score(edge),
        edge.predicate,
        edge.subject.id,
        edge.object.id,
    )


def _group_key(edge: DiagramEdge, center_id: str) -> tuple[str, str]:
    if edge.subject.id == center_id:
        return edge.predicate, "out"
    if edge.object.id == center_id:
        return edge.predicate, "in"
    return edge.predicate, "between"  # an edge among neighbours


def pathway_mermaid(center: DiagramNode, edges: Sequence[DiagramEdge], *, cap: int = 20) -> Diagram:
    """Draw ``center``'s neighbourhood from ``edges`` as a ``flowchart LR``.

    At most ``cap`` edges are drawn: curated ones first, then regulation and
    interactions, products, families, diseases and pathways, then the rest,
    with ontology annotations last; within each, by evidence score, highest
    first. The same statement offered twice (same subject, predicate and
    object) is drawn once, and a neighbour linked both ways by one predicate
    is drawn once, its arrow in the direction of the stronger statement.
    Drawn edges are grouped by predicate and direction: each neighbour sits
    in a box (subgraph) titled by the predicate that first links it ("has
    phenotype", or "regulates BACH1" for incoming edges), and only arrows
    that box does not already name carry a label.
    Every node links to its page with a ``click`` line.

    Raises ``ValueError`` for a negative ``cap`` or a node URL that is neither
    an http(s) URL nor a site path.
    """
    if cap < 0:
        raise ValueError(f"cap must be >= 0, not {cap}")

    def canonical(node: DiagramNode) -> DiagramNode:
        # The centre object given wins over any other value with its CURIE.
        return center if node.id == center.id else node

    best: dict[tuple[str, str, str], DiagramEdge] = {}
    for edge in sorted(edges, key=_rank_key):
        if canonical(edge.subject) is not edge.subject or canonical(edge.object) is not edge.object:
            edge = replace(edge, subject=canonical(edge.subject), object=canonical(edge.object))
        pair = tuple(sorted((edge.subject.id, edge.object.id)))
        best.setdefault((pair[0], edge.predicate, pair[1]), edge)
    ranked = list(best.values())  # dicts keep insertion order: still ranked
    chosen = ranked[:cap]

    # Group by predicate and direction ("BACH1 regulates X" and "Y regulates
    # BACH1" are different boxes), groups in the order of their best edge.
    groups: dict[tuple[str, str], list[DiagramEdge]] = {}
    for edge in chosen:
        groups.setdefault(_group_key(edge, center.id), []).append(edge)
    drawn = [edge for group in groups.values() for edge in group]

    # Number the nodes: centre first, then by first appearance.
    index: dict[str, int] = {center.id: 0}
    nodes: list[DiagramNode] = [center]
    home: dict[int, tuple[str, str]] = {}  # node index -> the group whose box it sits in
    for edge in drawn:
        for node in (edge.subject, edge.object):
            if node.id not in index:
                index[node.id] = len(nodes)
                nodes.append(node)
                home[index[node.id]] = _group_key(edge, center.id)

    urls = [_mermaid_url(node.url) for node in nodes]

    def node_line(i: int) -> str:
        return f'n{i}["{mermaid_label(nodes[i].label)}"]'

    lines = ["flowchart LR"]
    lines.append(f"  accTitle: {_tooltip('Knowledge-graph neighbourhood of ' + center.label)}")
    lines.append(f"  {node_line(0)}")
    boxes: list[str] = []
    for g, key in enumerate(groups):
        members = [i for i, k in home.items() if k == key]
        if not members:
            continue  # every node of these edges already sits in an earlier box
        boxes.append(f"g{g}")
        predicate, direction = key
        title = predicate_label(predicate)
        if direction == "in":
            title = f"{title} {center.label}"
        lines.append(f'  subgraph g{g}["{mermaid_label(title)}"]')
        lines.extend(f"    {node_line(i)}" for i in members)
        lines.append("  end")
    for edge in drawn:
        s, o = index[edge.subject.id], index[edge.object.id]
        # An arrow between the centre and a node in the box for this very edge
        # is already named by the box title; repeating it only adds clutter.
        far = o if s == 0 else s if o == 0 else None
        if far is not None and home.get(far) == _group_key(edge, center.id):
            lines.append(f"  n{s} --> n{o}")
        else:
            label = mermaid_label(predicate_label(edge.predicate))
            lines.append(f'  n{s} -->|"{label}"| n{o}')
    for name, style in CLASS_STYLES.items():
        lines.append(f"  classDef {name} {style}")
    by_class: dict[str, list[str]] = {}
    for i, node in enumerate(nodes):
        by_class.setdefault(category_class(node.category), []).append(f"n{i}")
    for name in CLASS_STYLES:
        if name in by_class:
            lines.append(f"  class {','.join(by_class[name])} {name}")
    lines.append("  class n0 center")
    if boxes:
        lines.append(f"  class {','.join(boxes)} group")
    for i, node in enumerate(nodes):
        lines.append(f'  click n{i} "{urls[i]}" "{_tooltip(node.id)}"')

    fallback = [
        FallbackRow(
            e.subject.label,
            predicate_label(e.predicate),
            e.object.label,
            (e.subject.url, e.object.url),
        )
        for e in drawn
    ]
    return Diagram(
        source="\n".join(lines) + "\n",
        nodes=nodes,
        edges=drawn,
        edges_shown=len(drawn),
        edges_total=len(ranked),
        truncated=len(ranked) > len(drawn),
        text_fallback=fallback,
    )
