"""The source contract: a Source is a parser plus a manifest table; the build finds it by name.

A toy source is added the way a real one is (a manifest table, a parse
function, one registration) and built by the default build into a real store
on each backend, from an archive already in the cache that the build still
verifies against the manifest's sha256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scidex.ingest import build
from scidex.ingest.build import build_default_atlas
from scidex.ingest.sources import (
    chebi,
    cl,
    famplex,
    go,
    hgnc,
    hpo,
    mondo,
    ncbi_gene,
    omnipath,
    reactome,
    retractions,
    uberon,
    uniprot,
)
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.base import PinnedSource, Record, Source
from scidex.ingest.sources.fetch import ManifestError, load_manifest, parse_manifest
from scidex.ingest.sources.registry import (
    build_order,
    get_source,
    register,
    registered,
    unregister,
)
from scidex.kg.model import Edge, Entity
from scidex.pages.artifact_page import artifact_page
from scidex.queries.artifacts import get_artifact, page_for_entity
from scidex.queries.graph import get_entity, get_release
from scidex.queries.search import search
from scidex.registry.provenance import release_artifact_id
from scidex.store import Store

# --- the pinned sources ----------------------------------------------------------


def test_every_manifest_table_has_a_registered_source_and_back() -> None:
    assert set(build_order()) == set(load_manifest())
    assert list(build_order()) == list(load_manifest())  # both in manifest `order`


def test_build_order_comes_from_the_manifest() -> None:
    assert build_order() == (
        "hgnc",
        "mondo",
        "go",
        "hpo",
        "ncbi_gene",
        "uniprot",
        "reactome",
        "cl",
        "uberon",
        "chebi",
        "famplex",
        "omnipath",
        "retractions",
    )
    assert build_order() == build.BUILD_ORDER
    assert [s.spec.order for s in registered()] == sorted(s.spec.order for s in registered())


def test_each_source_is_its_module_parse_with_its_manifest_spec() -> None:
    for module in (
        go,
        hgnc,
        hpo,
        mondo,
        ncbi_gene,
        reactome,
        uniprot,
        famplex,
        omnipath,
        cl,
        uberon,
        chebi,
        retractions,
    ):
        source = get_source(module.SOURCE.name)
        assert source is module.SOURCE
        assert isinstance(source, Source)
        assert source.parser is module.parse  # type: ignore[attr-defined]
        assert source.spec == load_manifest()[source.name]
        assert source.spec.without  # the build's warning has something to say


def test_a_name_is_registered_once() -> None:
    other = PinnedSource("hgnc", hgnc.parse)
    with pytest.raises(ValueError, match="already registered"):
        register(other)
    assert get_source("hgnc") is hgnc.SOURCE
    with pytest.raises(KeyError, match="no source 'nope' is registered; known: hgnc, mondo"):
        get_source("nope")


def test_manifest_checks_order_and_without() -> None:
    good = (Path(__file__).parents[2] / "src/scidex/ingest/sources/manifest.toml").read_text(
        "utf-8"
    )
    with pytest.raises(ManifestError, match=r"\[mondo\]: order 1 is also that of \[hgnc\]"):
        parse_manifest(good.replace("order = 2\n", "order = 1\n"))
    with pytest.raises(ManifestError, match=r"\[go\]: missing key 'order'"):
        parse_manifest(good.replace("order = 3\n", ""))
    with pytest.raises(ManifestError, match=r"\[hgnc\]: order must be a positive integer"):
        parse_manifest(good.replace("order = 1\n", "order = 0\n"))
    with pytest.raises(ManifestError, match=r"\[hpo\]: missing key 'without'"):
        parse_manifest(re.sub(r'(?m)^without = "no phenotypes.*\n', "", good))


# --- a toy source, added the way a real one is ------------------------------------

TOY_MANIFEST = """
[toy]
name = "toy"
order = 90
without = "no toy chemicals: chemical pages lack their toy classes"
infores = "infores:toy"
version = "2026-02"
license = "CC-BY-4.0"
attribution = "Toy Chemical Classes, a test fixture of SciDEX. CC BY 4.0."
homepage = "https://example.org/toy"
kind = "pypi"
package = "toy-chemicals"
package_version = "1.0"
archive = "toy_chemicals-1.0-py3-none-any.whl"
sha256 = "{sha256}"
members = ["toy_chemicals/data/classes.tsv"]
"""

TOY_ROWS = [
    ("CHEBI:15377", "water", "CHEBI:33693"),
    ("CHEBI:33693", "oxygen hydride", ""),
]


def parse_toy(archive: Path, release_id: str) -> Iterator[Record]:
    """The toy parser: an entity per row, then a subclass_of edge per parent."""
    with open_member(archive, "toy_chemicals/data/classes.tsv") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, "utf-8"), delimiter="\t"))
    for r in rows:
        yield Entity(r["id"], "biolink:ChemicalEntity", r["name"], source_release=release_id)
    for r in rows:
        if r["parent"]:
            yield Edge(
                r["id"],
                "biolink:subclass_of",
                r["parent"],
                "infores:toy",
                source_release=release_id,
            )


def _toy_wheel(path: Path) -> bytes:
    table = "id\tname\tparent\n" + "".join(f"{i}\t{n}\t{p}\n" for i, n, p in TOY_ROWS)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("toy_chemicals/data/classes.tsv", table)
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


@pytest.fixture
def toy(tmp_path: Path) -> Iterator[Source]:
    """The toy source, registered; its archive already verified-to-be in the cache."""
    cache = tmp_path / "cache"
    cache.mkdir()
    wheel = _toy_wheel(cache / "toy_chemicals-1.0-py3-none-any.whl")
    specs = parse_manifest(TOY_MANIFEST.format(sha256=hashlib.sha256(wheel).hexdigest()))
    source = register(PinnedSource("toy", parse_toy, specs["toy"]))
    try:
        yield source
    finally:
        unregister("toy")


def _build(store: Store, tmp_path: Path, log: list[str]) -> build.BuildResult:
    return build_default_atlas(
        store,
        cache_dir=tmp_path / "cache",
        sources=("toy",),
        content_dir=tmp_path / "no-content",
        log=log.append,
    )


def test_a_registered_source_joins_the_build_order(toy: Source) -> None:
    assert build_order() == (*load_manifest(), "toy")  # order 90: after every pinned source
    assert get_source("toy") is toy


def test_a_toy_source_is_built_into_pages_with_its_release_and_licence(
    store: Store, toy: Source, tmp_path: Path
) -> None:
    log: list[str] = []
    result = _build(store, tmp_path, log)

    assert result.failed == {} and log == []
    assert [r.id for r in result.releases] == ["toy@2026-02"]
    assert result.pages == {"new": 2}
    with store.read() as conn:
        water = get_entity(conn, "CHEBI:15377")
        assert water is not None
        assert (water.name, water.category) == ("water", "biolink:ChemicalEntity")
        assert water.source_release == "toy@2026-02"

        # Its generated page, as a reader gets it: text, edges, provenance.
        art = page_for_entity(conn, "CHEBI:15377")
        assert art is not None and art.origin_type == "backfill"
        page = artifact_page(conn, art.id)
        assert "generated from toy release 2026-02" in page.revision.markdown
        assert [(g.direction, g.predicate, [e.other_id for e in g.edges]) for g in page.groups] == [
            ("out", "biolink:subclass_of", ["CHEBI:33693"])
        ]
        [use] = page.provenance.releases
        assert use.release.id == "toy@2026-02" and use.defines_entity
        assert use.release.license == "CC-BY-4.0"

        # The release, as recorded: licence, attribution, how it was fetched, counts.
        release = get_release(conn, "toy@2026-02")
        assert release is not None
        assert release.license == "CC-BY-4.0"
        assert release.attribution.startswith("Toy Chemical Classes")
        assert release.fetch == "pip download --no-deps toy-chemicals==1.0"
        assert release.sha256 == toy.spec.sha256
        assert release.counts == {"entities": 2, "edges": 1}
        dataset = get_artifact(conn, release_artifact_id("toy@2026-02"))
        assert dataset is not None and dataset.metadata["license"] == "CC-BY-4.0"

        # And search finds it.
        assert [h.id for h in search(conn, "water").hits][:1] == ["CHEBI:15377"]


def test_a_toy_archive_that_fails_its_checksum_is_left_out_with_the_manifest_warning(
    store: Store, toy: Source, tmp_path: Path
) -> None:
    (tmp_path / "cache" / toy.spec.archive).write_bytes(b"not the pinned wheel")
    log: list[str] = []
    result = _build(store, tmp_path, log)

    assert list(result.failed) == ["toy"] and "sha256 mismatch" in result.failed["toy"]
    assert log[-1] == (
        "warning: building without toy: no toy chemicals: chemical pages lack their toy classes"
    )
    with store.read() as conn:
        assert get_entity(conn, "CHEBI:15377") is None
        assert get_release(conn, "toy@2026-02") is None
