"""The generated pathway diagram: which edges, in what order, and safe mermaid source."""

from __future__ import annotations

import random
import re

import pytest

from scidex.wiki.diagram import (
    CLASS_STYLES,
    DiagramEdge,
    DiagramNode,
    category_class,
    mermaid_label,
    pathway_mermaid,
)

BACH1 = DiagramNode("HGNC:935", "BACH1", "biolink:Gene", "/genes/bach1")
HOSTILE = [
    '"]) --> x[',
    "<script>alert(1)</script>",
    'a"b',
    "x]\nclick n0 call alert()",
    "%%{init: {'securityLevel': 'loose'}}%%",
    "50% #quot; &amp; ; : `markdown` {curly} (round) |pipe|",
    "style n0 fill:#f00;",
]
NODE_LINE = re.compile(r'^\s*(n\d+)\["([^"]*)"\]$')


def node(i: int, category: str = "biolink:Disease", label: str | None = None) -> DiagramNode:
    return DiagramNode(
        f"MONDO:{i:07d}", label or f"disease {i}", category, f"/entity/MONDO:{i:07d}"
    )


def edge(other: DiagramNode, predicate: str = "biolink:related_to", **kw: object) -> DiagramEdge:
    return DiagramEdge(BACH1, predicate, other, **kw)  # type: ignore[arg-type]


def declared_nodes(source: str) -> dict[str, str]:
    return {m[1]: m[2] for line in source.splitlines() if (m := NODE_LINE.match(line))}


def test_cap_is_respected_and_truncation_reported() -> None:
    edges = [edge(node(i), evidence_score=i / 100) for i in range(40)]
    d = pathway_mermaid(BACH1, edges, cap=10)
    assert d.edges_shown == len(d.edges) == 10
    assert d.edges_total == 40
    assert d.truncated
    assert len(d.nodes) == 11
    assert d.source.count("-->") == 10
    assert len(d.text_fallback) == 10

    small = pathway_mermaid(BACH1, edges[:5])
    assert (small.edges_shown, small.edges_total, small.truncated) == (5, 5, False)


def test_default_cap_and_zero_cap() -> None:
    edges = [edge(node(i)) for i in range(30)]
    assert pathway_mermaid(BACH1, edges).edges_shown == 20
    empty = pathway_mermaid(BACH1, edges, cap=0)
    assert empty.nodes == [BACH1] and empty.edges == [] and empty.truncated
    assert "n0[" in empty.source and "click n0" in empty.source
    with pytest.raises(ValueError):
        pathway_mermaid(BACH1, edges, cap=-1)


def test_curated_first_then_evidence_score() -> None:
    strong = [edge(node(i), evidence_score=0.9 + i / 1000) for i in range(5)]
    curated = [edge(node(100 + i), curated=True, evidence_score=0.1) for i in range(3)]
    weak = [edge(node(200 + i), evidence_score=float("nan")) for i in range(2)]
    d = pathway_mermaid(BACH1, weak + strong + curated, cap=6)
    shown = [e.object.id for e in d.edges]
    assert shown[:3] == [e.object.id for e in curated]
    assert shown[3:] == [e.object.id for e in sorted(strong, key=lambda e: -e.evidence_score)][:3]
    # NaN scores rank last rather than scrambling the order.
    assert all(e not in d.edges for e in weak)


def test_duplicate_statements_are_drawn_once_best_kept() -> None:
    other = node(1)
    d = pathway_mermaid(BACH1, [edge(other, evidence_score=0.2), edge(other, curated=True)])
    assert d.edges_total == d.edges_shown == 1
    assert d.edges[0].curated


def test_grouped_by_predicate_and_direction() -> None:
    genes = [node(i, "biolink:Gene", f"G{i}") for i in range(4)]
    phenos = [node(10 + i, "biolink:PhenotypicFeature", f"P{i}") for i in range(2)]
    edges = [
        edge(genes[0], "biolink:interacts_with", evidence_score=0.9),
        edge(phenos[0], "biolink:has_phenotype", evidence_score=0.8),
        edge(genes[1], "biolink:interacts_with", evidence_score=0.7),
        edge(phenos[1], "biolink:has_phenotype", evidence_score=0.6),
        DiagramEdge(genes[2], "biolink:regulates", BACH1, evidence_score=0.5),
        edge(genes[3], "biolink:regulates", evidence_score=0.4),
        # A second predicate to a node already boxed: labelled on the arrow.
        edge(genes[0], "biolink:regulates", evidence_score=0.1),
    ]
    d = pathway_mermaid(BACH1, edges)
    # Regulation and interactions come before phenotypes, whatever the scores.
    assert [e.predicate for e in d.edges] == [
        "biolink:interacts_with",
        "biolink:interacts_with",
        "biolink:regulates",  # incoming
        "biolink:regulates",  # outgoing
        "biolink:regulates",  # outgoing, to G0
        "biolink:has_phenotype",
        "biolink:has_phenotype",
    ]
    titles = re.findall(r'^\s*subgraph g\d+\["([^"]*)"\]$', d.source, re.M)
    assert titles == ["interacts with", "regulates BACH1", "regulates", "has phenotype"]
    arrows = [line.strip() for line in d.source.splitlines() if "-->" in line]
    labelled = [a for a in arrows if "|" in a]
    assert labelled == ['n0 -->|"regulates"| n1']
    assert "n3 --> n0" in arrows  # incoming edges point at the centre


def test_every_node_has_a_click_link_and_a_class() -> None:
    edges = [
        edge(node(1, "biolink:Gene")),
        edge(node(2, "biolink:Disease")),
        edge(node(3, "biolink:PhenotypicFeature")),
        edge(node(4, "biolink:BiologicalProcess")),
        edge(node(5, "biolink:MolecularActivity")),
        edge(node(6, "biolink:CellularComponent")),
        edge(node(7, "biolink:CellType")),
    ]
    d = pathway_mermaid(BACH1, edges)
    clicks = dict(re.findall(r'^\s*click (n\d+) "([^"]*)"', d.source, re.M))
    assert clicks == {f"n{i}": n.url for i, n in enumerate(d.nodes)}
    assert set(declared_nodes(d.source)) == set(clicks)
    classes: dict[str, set[str]] = {}
    for ids, name in re.findall(r"^\s*class (\S+) (\w+)$", d.source, re.M):
        for i in ids.split(","):
            classes.setdefault(i, set()).add(name)
    expected = {
        "biolink:Gene": "gene",
        "biolink:Disease": "disease",
        "biolink:PhenotypicFeature": "phenotype",
        "biolink:BiologicalProcess": "process",
        "biolink:MolecularActivity": "activity",
        "biolink:CellularComponent": "component",
        "biolink:CellType": "other",
    }
    for i, n in enumerate(d.nodes):
        assert expected[n.category] in classes[f"n{i}"]
    # Ontology annotations are drawn after everything else.
    assert [n.category for n in d.nodes[-3:]] == [
        "biolink:BiologicalProcess",
        "biolink:MolecularActivity",
        "biolink:CellularComponent",
    ]
    assert "center" in classes["n0"]
    for name in CLASS_STYLES:
        assert re.search(rf"^\s*classDef {name} \S+$", d.source, re.M)
    assert category_class("biolink:Protein") == "gene"
    assert category_class("biolink:Unknown") == "other"


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_cannot_break_out(label: str) -> None:
    hostile = DiagramNode("HP:0000001", label, "biolink:PhenotypicFeature", "/entity/HP:0000001")
    d = pathway_mermaid(BACH1, [edge(hostile, "biolink:has_phenotype")])
    lines = d.source.splitlines()
    # Nothing injected: the same statements as for a harmless label.
    plain = pathway_mermaid(BACH1, [edge(node(1), "biolink:has_phenotype")]).source.splitlines()
    assert len(lines) == len(plain)
    assert declared_nodes(d.source).keys() == {"n0", "n1"}
    text = declared_nodes(d.source)["n1"]
    for bad in '"<>[](){}|`%:\n':
        assert bad not in text
    # '#' and ';' only as entity codes, which mermaid decodes back to text.
    assert re.fullmatch(r"([^#;]|#(quot|\d+);)*", text)
    # The fallback keeps the raw label: the template escapes it for HTML.
    assert d.text_fallback[0].object == label


def test_label_encoding_round_trips() -> None:
    raw = 'A "q" <b> #1; 100% [x] é \u03b2'
    encoded = mermaid_label(raw)
    decoded = re.sub(r"#(quot|\d+);", lambda m: '"' if m[1] == "quot" else chr(int(m[1])), encoded)
    assert decoded == raw
    assert "é" in encoded and "\u03b2" in encoded  # letters stay readable in the source
    assert mermaid_label("  two\n\tlines  ") == "two lines"
    long = mermaid_label("x" * 200)
    assert len(long) <= 60 + len("#8230;") and long.endswith("#8230;")


def test_urls_are_quoted_and_checked() -> None:
    odd = DiagramNode("X:1", "odd", "biolink:Gene", '/entity/a b"c;d')
    d = pathway_mermaid(BACH1, [edge(odd)])
    assert 'click n1 "/entity/a%20b%22c%3Bd"' in d.source
    for url in ("javascript:alert(1)", "//evil.example/x", "data:text/html,x", "relative"):
        bad = DiagramNode("X:2", "bad", "biolink:Gene", url)
        with pytest.raises(ValueError):
            pathway_mermaid(BACH1, [edge(bad)])
    ok = DiagramNode("X:3", "ok", "biolink:Gene", "https://example.org/x?a=1&b=2#frag")
    assert (
        'click n1 "https://example.org/x?a=1&b=2#frag"' in pathway_mermaid(BACH1, [edge(ok)]).source
    )


def test_output_is_deterministic_whatever_the_input_order() -> None:
    edges = [
        edge(
            node(i, random.Random(i).choice(["biolink:Gene", "biolink:Disease"])),
            random.Random(i).choice(["biolink:related_to", "biolink:regulates"]),
            curated=i % 7 == 0,
            evidence_score=round(random.Random(i).random(), 1),
        )
        for i in range(50)
    ]
    first = pathway_mermaid(BACH1, edges)
    for seed in range(5):
        shuffled = edges[:]
        random.Random(seed).shuffle(shuffled)
        again = pathway_mermaid(BACH1, shuffled)
        assert again == first
    assert first.source.startswith("flowchart LR\n")


def test_centre_node_wins_and_fallback_rows() -> None:
    stale = DiagramNode(BACH1.id, "old name", "biolink:Gene", "/old")
    other = node(1, label="Alzheimer disease")
    d = pathway_mermaid(BACH1, [DiagramEdge(other, "biolink:related_to", stale)])
    assert d.nodes == [BACH1, other]
    assert "old name" not in d.source
    assert d.edges[0].object is BACH1
    row = d.text_fallback[0]
    assert (row.subject, row.predicate, row.object) == ("Alzheimer disease", "related to", "BACH1")
    assert row.urls == (other.url, BACH1.url)


def test_a_neighbour_linked_both_ways_is_drawn_once() -> None:
    mafk = node(1, "biolink:Gene", "MAFK")
    both = [
        edge(mafk, "biolink:physically_interacts_with", evidence_score=0.9),
        DiagramEdge(mafk, "biolink:physically_interacts_with", BACH1, evidence_score=0.5),
    ]
    d = pathway_mermaid(BACH1, both)
    assert d.edges_shown == 1 and d.edges[0].subject == BACH1
    assert [n.label for n in d.nodes] == ["BACH1", "MAFK"]
