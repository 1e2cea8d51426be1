"""Where a graph to import is: files, directories, archives and URLs, as nodes and edges files.

Published KGX releases come as ``.tar.gz`` (or ``.tar``, ``.zip``) archives
holding a nodes file and an edges file (sometimes several node files), as a
single KGX JSON ``graph.json``, and from ``https://`` URLs. :func:`opened`
turns any mix of those into the lists of nodes and edges files the import
reads, downloading (streamed, with progress) and unpacking into a temporary
directory that is removed afterwards. Whether a file holds nodes or edges is
read from its header (``subject``/``object`` columns make edges), not guessed
from its name. A release's ingest metadata (the Biolink KGX ingest-metadata
schema: ``target_data_model_version``, ``target_license``, ...), in YAML or
JSON beside the graph or given as a place, is read into :attr:`Graph.metadata`.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scidex.interchange import format_of, jsonl, tsv
from scidex.progress import NO_PROGRESS, Progress

ARCHIVES = (".tar.gz", ".tgz", ".tar", ".zip")
_KGX_NAMES = (".tsv", ".txt", ".jsonl", ".ndjson", ".json")
_METADATA_NAMES = (".yaml", ".yml", ".json")
# Slots of the Biolink ingest-metadata schemas (KGX IngestMetadataFile, IngestMetadata)
# that say what the graph is; a mapping holding any of them is a release's metadata.
INGEST_METADATA_SLOTS = frozenset(
    {
        "target_data_model",
        "target_data_model_version",
        "target_data_version",
        "target_license",
        "target_title",
        "target_name",
        "source_infores_id",
        "source_license",
        "source_data_version",
    }
)
_METADATA_MAX_BYTES = 1_000_000
# Files an export or a release writes next to the graph that are not part of it.
_NOT_GRAPH = {"sources.json"}


class PlaceError(ValueError):
    """A place that holds no graph to import: missing, unreadable, or of unknown shape."""


@dataclass
class Graph:
    """The files of one import, by part; a KGX JSON document is in both lists."""

    nodes: list[Path] = field(default_factory=list)
    edges: list[Path] = field(default_factory=list)
    name: str = ""  # a release name the places suggest (an archive's or URL's stem)
    metadata: dict[str, Any] = field(default_factory=dict)
    """The release's ingest metadata, when a place holds it (see :func:`ingest_metadata`)."""


def is_url(place: str) -> bool:
    return place.startswith(("https://", "http://"))


def _stem(name: str) -> str:
    lower = name.lower()
    for suffix in (*ARCHIVES, ".gz"):
        if lower.endswith(suffix):
            name, lower = name[: -len(suffix)], lower[: -len(suffix)]
    for suffix in _KGX_NAMES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def download(url: str, directory: Path, progress: Progress = NO_PROGRESS) -> Path:
    """Fetch ``url`` into ``directory`` in chunks, reporting bytes as they come."""
    name = Path(urllib.parse.urlparse(url).path).name or "download"
    target = directory / name
    try:
        with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as fh:
            size = response.headers.get("Content-Length")
            with progress.task(
                f"downloading {name}", total=int(size) if size else None, unit="bytes"
            ) as task:
                while chunk := response.read(1 << 20):
                    fh.write(chunk)
                    task.advance(len(chunk))
    except (urllib.error.URLError, OSError) as exc:
        raise PlaceError(f"{url}: could not be downloaded: {exc}") from exc
    return target


def _unpack(archive: Path, directory: Path) -> Path:
    directory.mkdir(parents=True)
    name = archive.name.lower()
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(directory)  # zipfile keeps members inside directory
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(directory, filter="data")  # no links out, no absolute paths
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as exc:
        raise PlaceError(f"{archive}: not a readable archive: {exc}") from exc
    return directory


def _graph_files(directory: Path) -> list[Path]:
    """The files in a directory (or unpacked archive) that may hold nodes or edges."""
    found = []
    for path in sorted(directory.rglob("*")):
        plain = path.name.lower().removesuffix(".gz")
        wanted = plain.endswith(_KGX_NAMES) or plain.endswith(_METADATA_NAMES)
        if path.is_file() and wanted and path.name not in _NOT_GRAPH:
            found.append(path)
    return found


def ingest_metadata(path: Path) -> dict[str, Any] | None:
    """The ingest metadata a YAML or JSON file holds (a mapping with at least one of the
    schema's slots), else None: a graph file, or anything else, is not metadata."""
    name = path.name.lower()
    if not name.endswith(_METADATA_NAMES):
        return None
    try:
        if path.stat().st_size > _METADATA_MAX_BYTES:
            return None
        data = yaml.safe_load(path.read_text("utf-8"))  # YAML reads JSON too
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if isinstance(data, dict) and INGEST_METADATA_SLOTS & set(data):
        return {str(k): v for k, v in data.items()}
    return None


def part_of(path: Path) -> str | None:
    """``nodes``, ``edges`` or ``graph`` (KGX JSON: both), from the file's own header."""
    try:
        fmt = format_of(path)
    except ValueError:
        return None
    if fmt == "json":
        return "graph"
    if fmt == "tsv":
        try:
            columns = set(tsv.columns_of(path))
        except (ValueError, OSError, UnicodeDecodeError):
            return None
    else:
        columns = set()
        try:
            for _line, record in jsonl.read_records(path):
                columns = set(record) if isinstance(record, dict) else set()
                break
        except (OSError, UnicodeDecodeError):
            return None
    if {"subject", "object"} <= columns:
        return "edges"
    if "id" in columns:
        return "nodes"
    return None


@contextmanager
def opened(places: Sequence[str | Path], progress: Progress = NO_PROGRESS) -> Iterator[Graph]:
    """The nodes and edges files of ``places``; downloads and unpacked archives last as long
    as the ``with`` block."""
    work = Path(tempfile.mkdtemp(prefix="scidex-kgx-"))
    try:
        graph = Graph()
        for i, place in enumerate(places):
            text = str(place)
            if is_url(text):
                path = download(text, work, progress)
            else:
                path = Path(text)
                if not path.exists():
                    raise PlaceError(f"{path}: no such file or directory")
            if not graph.name and (
                path.is_dir() or is_url(text) or path.name.lower().endswith(ARCHIVES)
            ):
                graph.name = _stem(path.resolve().name)
            if path.is_dir():
                candidates, explicit = _graph_files(path), False
            elif path.name.lower().endswith(ARCHIVES):
                candidates, explicit = _graph_files(_unpack(path, work / f"archive-{i}")), False
            else:
                candidates, explicit = [path], True
            for candidate in candidates:
                if (found := ingest_metadata(candidate)) is not None:
                    graph.metadata.update(found)
                    continue
                part = part_of(candidate)
                if part is None:
                    if explicit:
                        raise PlaceError(
                            f"{candidate}: neither a KGX nodes file (an id column) nor an "
                            "edges file (subject and object columns) nor KGX JSON"
                        )
                    continue  # a README or metadata file beside the graph
                if part in ("nodes", "graph"):
                    graph.nodes.append(candidate)
                if part in ("edges", "graph"):
                    graph.edges.append(candidate)
        if not graph.nodes and not graph.edges:
            raise PlaceError(f"{', '.join(map(str, places))}: no KGX nodes or edges file found")
        yield graph
    finally:
        shutil.rmtree(work, ignore_errors=True)


def describe(places: Sequence[str | Path]) -> str:
    """How the places are named in a release record's ``fetch``."""
    return "scidex import kgx " + " ".join(
        json.dumps(str(p)) if " " in str(p) else str(p) for p in places
    )
