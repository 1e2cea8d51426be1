"""The curator's lint: one fixture per kind of defect the seed page shows."""

from __future__ import annotations

import pytest

from scidex.kg.biolink import is_predicate
from scidex.wiki import (
    Finding,
    RenderContext,
    TableResolver,
    check_mermaid,
    lint_page,
    parse_page,
)

RESOLVER = TableResolver(
    [
        ("HGNC:935", "BACH1", "/genes/bach1", []),
        ("HGNC:5013", "HMOX1", "/genes/hmox1", []),
        ("MONDO:0004976", "amyotrophic lateral sclerosis", "/diseases/als", ["ALS"]),
        ("SCIDEX:als-society", "ALS Society", "/entity/SCIDEX:als-society", ["ALS"]),
        ("MONDO:0004975", "Alzheimer disease", "/diseases/alzheimer-disease", ["AD"]),
    ]
)
CTX = RenderContext(
    resolve_link=RESOLVER,
    embed=lambda artifact_id, mode: "<a href='/x'>x</a>" if artifact_id == "known" else None,
)

FRONT = """\
---
entity: HGNC:935
references:
  - id: igarashi2014
    title: Transcription regulation by BACH1
    PMID: "24362264"
    species: [NCBITaxon:9606]
curated_edges:
  - predicate: biolink:regulates
    object: HMOX1
    publications: [igarashi2014]
---
"""
BODY_LINE = FRONT.count("\n") + 1


def lint(body: str, front: str = FRONT) -> list[Finding]:
    page = parse_page(front + body, "genes/bach1.md")
    return lint_page(page, CTX, is_predicate=is_predicate)


def kinds(findings: list[Finding]) -> list[tuple[int, str]]:
    return [(f.line - BODY_LINE + 1, f.kind) for f in findings]


CLEAN = """\
# BACH1

BACH1 represses [[HMOX1]] [@igarashi2014] in [[Alzheimer disease|AD]].

```mermaid
flowchart LR
  BACH1["BACH1"] -->|represses| HMOX1(HMOX1)
  HMOX1 --> Heme>heme]
```

{{artifact:known}}
"""


def test_a_clean_page_has_no_findings() -> None:
    assert lint(CLEAN) == []


@pytest.mark.parametrize(
    ("body", "line", "kind"),
    [
        ("Intro.\n\nSee [[No Such Gene]].\n", 3, "broken-link"),
        ("See [[ALS]] [@igarashi2014].\n", 1, "ambiguous-link"),
        ("Claim [@igarashi2014].\nOther [@nobody2020].\n", 2, "unknown-citation"),
        ("Claim [@igarashi2014].\n\n{{artifact:unknown}}\n", 3, "broken-embed"),
        ("# A\n\nText [@igarashi2014].\n\n## Empty\n\n## B\n\nText.\n", 5, "empty-section"),
        (
            "Motor neurons [[amyotrophic lateral sclerosis]] [@igarashi2014].\n"
            "Aging, [[Amyotrophic Lateral  Sclerosis|Als]].\n",
            2,
            "duplicate-mention",
        ),
        ("[@igarashi2014]\n\n```mermaid\nBACH1 --> HMOX1\n```\n", 4, "diagram-error"),
        (
            "[@igarashi2014]\n\n```mermaid\ngraph TD\n  A[BACH1 --> B\n```\n",
            5,
            "diagram-error",
        ),
        (
            '[@igarashi2014]\n\n```mermaid\ngraph TD\n  A["BACH1] --> B\n```\n',
            5,
            "diagram-error",
        ),
        ('Claim [@igarashi2014].\n\n<td class="label">Chromosome</td>\n', 3, "raw-html"),
    ],
)
def test_each_defect_is_reported_at_its_line(body: str, line: int, kind: str) -> None:
    findings = lint(body)
    assert kinds(findings) == [(line, kind)], [str(f) for f in findings]
    assert all(f.path == "genes/bach1.md" for f in findings)


def test_uncited_reference_is_reported_at_its_front_matter_line() -> None:
    front = FRONT.replace(
        "curated_edges:", "  - id: unused\n    title: Unused\n    DOI: 10.1/x\ncurated_edges:"
    )
    findings = lint("Claim [@igarashi2014].\n", front)
    assert [(f.line, f.kind) for f in findings] == [(8, "uncited-reference")]
    assert "unused" in findings[0].message


def test_reference_backing_a_curated_edge_counts_as_used() -> None:
    assert lint("No citations in the prose.\n") == []


def test_unknown_predicate_is_reported_at_the_edge() -> None:
    front = FRONT.replace("biolink:regulates", "biolink:represses")
    findings = lint("Claim [@igarashi2014].\n", front)
    assert [(f.line, f.kind) for f in findings] == [(9, "unknown-predicate")]


def test_findings_sort_by_line_and_print_like_compiler_errors() -> None:
    findings = lint("## Empty\n\n## Also\n\n[[Nope]] [@missing]\n")
    assert [f.line for f in findings] == sorted(f.line for f in findings)
    assert str(findings[0]).startswith("genes/bach1.md:")
    assert {f.kind for f in findings} == {"empty-section", "broken-link", "unknown-citation"}


@pytest.mark.parametrize(
    "source",
    [
        "graph TD\n  A --> B\n",
        "%%{init: {'theme': 'dark'}}%%\nsequenceDiagram\n  Alice->>Bob: hi (there)\n",
        "---\ntitle: BACH1\n---\nflowchart LR\n  A{decide} --> B[(db)] --> C((c))\n",
        "flowchart LR\n  A[line<br>two] --> B\n",
        'pie\n  "heme" : 3\n',
    ],
)
def test_valid_mermaid_passes(source: str) -> None:
    assert check_mermaid(source) is None


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("", 0, "empty"),
        ("BACH1 --> HMOX1\n", 0, "must start with its type"),
        ("graph TD\n  A[x --> B\n", 1, "unclosed '['"),
        ("graph TD\n  A --> B)\n", 1, "unmatched ')'"),
        ('graph TD\n  A["x] --> B\n', 1, "unclosed quote"),
    ],
)
def test_invalid_mermaid(source: str, line: int, message: str) -> None:
    problem = check_mermaid(source)
    assert problem is not None
    assert problem[0] == line and message in problem[1]
