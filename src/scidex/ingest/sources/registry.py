"""Source name -> Source: the modules of the pinned sources, listed once, and ``register``.

The build looks sources up here by name and orders them by their manifest
``order``. A source kept outside this package (or a test's) joins with
:func:`register`.
"""

from __future__ import annotations

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
from scidex.ingest.sources.base import Source

_SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    """Make ``source`` known to the build by its name; a name is taken only once."""
    held = _SOURCES.get(source.name)
    if held is not None and held is not source:
        raise ValueError(f"a source named {source.name!r} is already registered")
    _SOURCES[source.name] = source
    return source


def unregister(name: str) -> None:
    """Forget the source ``name`` (a test's, say); unknown names are ignored."""
    _SOURCES.pop(name, None)


def get_source(name: str) -> Source:
    try:
        return _SOURCES[name]
    except KeyError:
        raise KeyError(
            f"no source {name!r} is registered; known: {', '.join(build_order())}"
        ) from None


def registered() -> list[Source]:
    """Every registered source, in build order (manifest ``order``, then name)."""
    return sorted(_SOURCES.values(), key=lambda s: (s.spec.order, s.name))


def build_order() -> tuple[str, ...]:
    """The names of the default build's sources, in the order they are parsed."""
    return tuple(s.name for s in registered())


for _module in (
    hgnc,
    mondo,
    go,
    hpo,
    ncbi_gene,
    uniprot,
    reactome,
    cl,
    uberon,
    chebi,
    famplex,
    omnipath,
    retractions,
):
    register(_module.SOURCE)
