"""The slice of the Biolink model the atlas validates against (kg/biolink.json).

Generated from the biolink-model wheel by scripts/update_biolink.py, so the
predicate and category names here are Biolink's own, at a pinned version.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from scidex.kg.curies import is_known_prefix


@cache
def _model() -> dict[str, Any]:
    text = resources.files("scidex.kg").joinpath("biolink.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    data["prefix_set"] = {p.lower() for p in data["prefixes"]}
    return data


def version() -> str:
    return str(_model()["version"])


def is_predicate(name: str) -> bool:
    return name in _model()["predicates"]


def is_category(name: str) -> bool:
    return name in _model()["categories"]


def is_known_curie_prefix(prefix: str) -> bool:
    """A prefix Biolink's prefix map or the atlas's own CURIE table knows."""
    return is_known_prefix(prefix) or prefix.lower() in _model()["prefix_set"]


def predicate_label(name: str) -> str:
    """``biolink:has_phenotype`` -> ``has phenotype``."""
    return name.removeprefix("biolink:").replace("_", " ")


def inverse_predicate(name: str) -> str | None:
    """The predicate that states the same edge the other way round (``biolink:regulates``
    -> ``biolink:regulated_by``); a symmetric predicate is its own inverse; None when
    the model declares none."""
    if name in _model()["symmetric"]:
        return name
    inverse: str | None = _model()["inverses"].get(name)
    return inverse


def predicate_phrase(name: str, direction: str) -> str:
    """How edges of ``name`` read from one entity's side: its own edges (``out``) by the
    predicate's label, edges pointing at it (``in``) by the label of the inverse
    (``regulated by``); without a declared inverse, ``"<label> (reverse)"``."""
    if direction == "out":
        return predicate_label(name)
    inverse = inverse_predicate(name)
    return predicate_label(inverse) if inverse else f"{predicate_label(name)} (reverse)"


def _depth(name: str) -> int:
    """How many classes lie between ``name`` and ``biolink:NamedThing``."""
    parents: dict[str, str | None] = _model()["categories"]
    depth, cur = 0, parents.get(name)
    while cur is not None:
        depth, cur = depth + 1, parents.get(cur)
    return depth


def most_specific_category(names: list[str]) -> str | None:
    """The deepest Biolink class among ``names``, by the model's is_a hierarchy.

    Published graphs list a node's ancestors too, often alphabetically
    (``[BiologicalEntity, Disease, DiseaseOrPhenotypicFeature, NamedThing]``):
    the answer is ``biolink:Disease`` whatever the order. Mixins
    (``GeneOrGeneProduct``), ``Entity`` and names Biolink does not know are
    ignored; among equally deep classes the first listed wins. None when no
    listed name is a class.
    """
    best: str | None = None
    best_depth = -1
    for name in names:
        if is_category(name) and (d := _depth(name)) > best_depth:
            best, best_depth = name, d
    return best


def registers_prefix(prefix: str) -> bool:
    """Whether the model's prefix map has ``prefix``, spelt exactly so.

    Biolink tools (the KGX validator among them) compare spellings exactly:
    ``interpro`` is registered, ``INTERPRO`` is not.
    """
    return prefix in _frozen("prefixes")


def registered_spelling(prefix: str) -> str | None:
    """How the model's prefix map spells ``prefix``, if it registers it at all.

    The same prefix in another case (``INTERPRO``, ``MEDGEN``) is the map's own
    spelling; Orphanet's codes are ``ORDO`` in Biolink 4. None when unregistered.
    """
    if prefix in _frozen("prefixes"):
        return prefix
    return _spellings().get(prefix.lower())


@cache
def _spellings() -> dict[str, str]:
    spellings = {p.lower(): p for p in _model()["prefixes"]}
    if "ORDO" in spellings.values():
        spellings.update(orphanet="ORDO", orpha="ORDO")
    return spellings


def id_prefixes(category: str) -> tuple[str, ...]:
    """The identifier prefixes the model lists for ``category``, most preferred first.

    A class that lists none takes its nearest ancestor's list, as identifiers
    of a ``GeneFamily`` serve a subclass; empty when no ancestor lists any.
    """
    parents: dict[str, str | None] = _model()["categories"]
    listed: dict[str, list[str]] = _model()["id_prefixes"]
    cur: str | None = category
    while cur is not None:
        if cur in listed:
            return tuple(listed[cur])
        cur = parents.get(cur)
    return ()


def symmetric_predicates() -> frozenset[str]:
    """The predicates the model declares symmetric (``physically_interacts_with``)."""
    return _frozen("symmetric")


def qualifier_slots() -> frozenset[str]:
    """Biolink's qualifier slots (``frequency_qualifier``, ``qualified_predicate``, ...)."""
    return _frozen("qualifiers")


def statistic_slots() -> frozenset[str]:
    """Biolink's count slots (``has_count``, ``has_total``, ``has_percentage``, ...)."""
    return _frozen("statistics")


@cache
def _frozen(key: str) -> frozenset[str]:
    return frozenset(_model()[key])


def predicates() -> list[str]:
    """Every predicate of the pinned model, sorted (the API's enum of predicates)."""
    return sorted(_model()["predicates"])


def categories() -> list[str]:
    """Every category of the pinned model, sorted (the API's enum of categories)."""
    return sorted(_model()["categories"])
