"""Hand-written mermaid diagrams as text: what a page shows a reader without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scidex.wiki.diagram_text import describe
from scidex.wiki.render import render_markdown

CONTENT = Path(__file__).resolve().parents[2] / "content" / "pages"


def edges(source: str) -> list[tuple[str, str, str, bool]]:
    return [(e.source, e.target, e.label, e.directed) for e in describe(source).edges]


def test_node_shapes_and_quoted_labels() -> None:
    source = """flowchart TD
      A[Square] --> B(Round)
      B --> C((Circle)) --> D{Decision?}
      D --> E>Flag] --> F[["Sub #quot;routine#quot;"]]
      F --> G[(Database)] --> H{{Hexagon}} --> I[/Lean/] --> J(((Double)))
      J --> K["Line<br/>break"]
    """
    labels = [e[0] for e in edges(source)] + [edges(source)[-1][1]]
    assert labels == [
        "Square",
        "Round",
        "Circle",
        "Decision?",
        "Flag",
        'Sub "routine"',
        "Database",
        "Hexagon",
        "Lean",
        "Double",
        "Line break",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("A --> B", ("A", "B", "", True)),
        ("A --- B", ("A", "B", "", False)),
        ("A ---> B", ("A", "B", "", True)),
        ("A -.-> B", ("A", "B", "", True)),
        ("A ==> B", ("A", "B", "", True)),
        ("A === B", ("A", "B", "", False)),
        ("A <--> B", ("A", "B", "", True)),
        ("A --o B", ("A", "B", "", True)),
        ("A --x B", ("A", "B", "", True)),
        ("A-->B", ("A", "B", "", True)),
        ("A -->|inhibits| B", ("A", "B", "inhibits", True)),
        ("A -- inhibits --> B", ("A", "B", "inhibits", True)),
        ("A -. maybe .-> B", ("A", "B", "maybe", True)),
        ("A == strongly ==> B", ("A", "B", "strongly", True)),
        ("A -- binds --- B", ("A", "B", "binds", False)),
    ],
)
def test_every_arrow_style(line: str, expected: tuple[str, str, str, bool]) -> None:
    assert edges(f"flowchart LR\n  {line}\n") == [expected]


def test_chains_ampersands_and_skipped_lines() -> None:
    source = """graph LR; X --> Y
      A & B --> C & D
      %% a comment
      subgraph S [Group]
        C --> E
      end
      E ~~~ F
      click A call alert()
      style A fill:#f9f
      classDef hot fill:#f00
      class A hot
    """
    assert edges(source) == [
        ("X", "Y", "", True),
        ("A", "C", "", True),
        ("A", "D", "", True),
        ("B", "C", "", True),
        ("B", "D", "", True),
        ("C", "E", "", True),
    ]
    assert describe(source).lone_nodes == ["F"]  # an invisible link draws no edge


def test_titles_and_accessible_descriptions() -> None:
    text = describe(
        "---\ntitle: The switch\n---\nflowchart LR\n"
        "  accTitle: Ignored title\n  accDescr: How heme turns BACH1 off\n  A --> B\n"
    )
    assert (text.title, text.description) == ("Ignored title", "How heme turns BACH1 off")
    sequence = describe("sequenceDiagram\n accDescr {\n  Two lines\n  of text\n }\n A->>B: hi")
    assert (sequence.kind, sequence.description, sequence.edges) == (
        "sequenceDiagram",
        "Two lines of text",
        [],
    )


def test_malformed_sources_never_raise() -> None:
    for source in ["", "flowchart", "flowchart LR\n A[unclosed", "flowchart LR\n --> B", "pie"]:
        describe(source)
    assert describe("flowchart LR\n A[unclosed --> B").edges == []


def test_a_rendered_diagram_hides_its_source_and_shows_its_text() -> None:
    rendered = render_markdown(
        '```mermaid\nflowchart LR\n  A["1 < 2 & 3"] -->|"<b>x</b>"| B[Heme]\n```\n'
    )
    html = rendered.html
    assert '<pre class="mermaid" hidden="">' in html  # drawn by JavaScript, unseen without it
    text = html.split("<details", 1)[1]
    assert "<li>1 &lt; 2 &amp; 3 → Heme" in text and "(x)" in text
    assert "-->" not in text and "flowchart" not in text
    assert rendered.mermaid == ['flowchart LR\n  A["1 < 2 & 3"] -->|"<b>x</b>"| B[Heme]\n']


def test_every_node_of_the_curated_diagrams_is_in_their_text() -> None:
    """Each box label of every curated diagram, read from the file, appears in the text."""
    fence = re.compile(r"```mermaid\n(.*?)```", re.S)
    seen = 0
    for path in sorted(CONTENT.glob("*.md")):
        for source in fence.findall(path.read_text()):
            html = render_markdown(f"```mermaid\n{source}```\n").html
            text = html.split("<details", 1)[1]
            for label in re.findall(r"\[([^\]\"]+)\]", source):
                assert label in text, (path.name, label)
                seen += 1
            # Every kind of link: solid, dotted and thick arrows.
            arrows = len(re.findall(r"--+>|-\.+->|==+>", source))
            assert text.count("<li>") == arrows
    assert seen > 0
