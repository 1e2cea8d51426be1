"""The record of how each curated reference was checked matches the pages that cite it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from scidex.config import default_content_dir
from scidex.wiki.citations import normalize_doi, normalize_pmid
from scidex.wiki.content import load_pages
from scidex.wiki.policy import policy_issues

RECORD = Path(__file__).parents[1] / "content" / "references-checked.toml"


def _record() -> dict[str, dict[str, object]]:
    data = tomllib.loads(RECORD.read_text("utf-8"))
    return {r["key"]: r for r in data["reference"]}


def test_every_cited_reference_is_recorded_with_its_identifiers_and_where_it_was_checked() -> None:
    record = _record()
    cited: dict[str, set[str]] = {}
    for page in load_pages(default_content_dir()):
        for key, ref in page.references.items():
            cited.setdefault(key, set()).add(page.path.stem)
            entry = record.get(key)
            assert entry is not None, f"{key} (cited on {page.path.name}) is not recorded"
            assert entry.get("pmid") == normalize_pmid(ref.get("PMID")), key
            assert entry.get("doi") == normalize_doi(ref.get("DOI")), key
            assert entry.get("pmcid") == ref.get("PMCID"), key
    assert set(record) == set(cited), "recorded references that no page cites"
    for key, entry in record.items():
        assert set(entry["pages"]) == cited[key], key  # type: ignore[arg-type]
        assert entry["verified_at"], f"{key}: where was it checked?"
        assert entry.get("pmid") or entry.get("doi"), key


def test_the_curated_pages_follow_the_reference_policy() -> None:
    # The store-free part of `scidex lint`: identifiers, links, species, no self-reference.
    problems = [
        (page.path.name, *issue)
        for page in load_pages(default_content_dir())
        for issue in policy_issues(page)
    ]
    assert problems == []
