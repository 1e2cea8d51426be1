"""`scidex lint` over the curated pages and over a page with every kind of mistake."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scidex.registry.content_check import lint_content, name_clashes
from scidex.store import Store

BAD_PAGE = """---
entity: HGNC:935
references:
  - id: used2001
    title: A used reference
  - id: unused2002
    title: Never cited
curated_edges:
  - predicate: biolink:cures
    object: HGNC:5013
---
## Overview

BACH1 binds [[MAFK]] and [[no such gene]] [@used2001; @missing2003] and <b>bold</b>.

## Empty

## Diagram

```mermaid
flowchart LR
  a[open --> b
```
"""


def test_the_curated_pages_have_no_findings(shared_atlas: Store) -> None:
    with shared_atlas.read() as conn:
        findings = lint_content(conn)
    assert findings == []


def test_a_page_with_mistakes_gets_one_finding_each_with_file_and_line(
    shared_atlas: Store, tmp_path: Path
) -> None:
    (tmp_path / "genes-bach1.md").write_text(BAD_PAGE)
    with shared_atlas.read() as conn:
        findings = lint_content(conn, tmp_path)
    kinds = {f.kind: f for f in findings}
    assert {
        "broken-link",
        "unknown-citation",
        "uncited-reference",
        "empty-section",
        "diagram-error",
        "unknown-predicate",
        "raw-html",
    } <= set(kinds)
    assert kinds["broken-link"].line == 14
    assert kinds["empty-section"].line == 16
    assert all(f.path.endswith("genes-bach1.md") for f in findings)


def test_lint_command_exits_non_zero_on_findings(shared_atlas: Store, tmp_path: Path) -> None:
    (tmp_path / "genes-bach1.md").write_text(BAD_PAGE)
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "scidex",
            "--db",
            shared_atlas.url,
            "lint",
            "--content",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "genes-bach1.md:14: broken-link" in bad.stdout
    good = subprocess.run(
        [sys.executable, "-m", "scidex", "--db", shared_atlas.url, "lint"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert good.returncode == 0, good.stdout + good.stderr


def test_name_clashes_are_listed(shared_atlas: Store) -> None:
    with shared_atlas.read() as conn:
        total, clashes = name_clashes(conn)
    assert total == len(clashes)
    for c in clashes:
        assert len(c.entities) >= 2
