"""Fixtures for source parser tests: the real pinned archives, fetched once into the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from scidex.sources.fetch import fetch_archive


@pytest.fixture(scope="session")
def source_archive():
    """Return a function mapping a manifest source name to its verified archive path."""
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            cache[name] = fetch_archive(name)
        return cache[name]

    return get
