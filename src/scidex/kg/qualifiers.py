"""An edge's qualifiers in words: "occasional (HPO), in 16 of 18 patients, adult onset".

Sources qualify statements with ontology terms (HPO frequency and onset
classes), counts ("16/18"), percentages, Biolink 4 qualifier slots (direction,
aspect, species, context) and the diseases a gene's phenotype comes from. A
reader sees words, never the JSON they are stored as: :func:`describe` turns
them into short phrases, given the names of the terms they cite
(:func:`curies_in` lists those, so a caller can look all of a page's up at once).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

_CURIE = re.compile(r"^[A-Za-z][\w.]*:[^\s:]+$")
_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)\s*%$")

# Taxa a species qualifier most often names; others are shown by their id.
TAXA = {
    "NCBITaxon:9606": "human",
    "NCBITaxon:10090": "mouse",
    "NCBITaxon:10116": "rat",
    "NCBITaxon:7955": "zebrafish",
    "NCBITaxon:7227": "fruit fly",
    "NCBITaxon:6239": "C. elegans",
    "NCBITaxon:4932": "yeast",
    "NCBITaxon:559292": "yeast",
}
_SEX = {"FEMALE": "in females", "MALE": "in males"}
_DIRECTION = {
    "increased": "increases",
    "upregulated": "increases",
    "decreased": "decreases",
    "downregulated": "decreases",
    "positive": "positively",
    "negative": "negatively",
}
# Keys that only index other keys, or that the table shows elsewhere.
_SILENT = {"diseases"}


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def curies_in(qualifiers: Mapping[str, Any]) -> Iterator[str]:
    """Every CURIE a qualifier value (or a per-disease key) cites."""
    for key, value in qualifiers.items():
        if isinstance(value, Mapping):
            for k, v in value.items():
                if _CURIE.match(str(k)):
                    yield str(k)
                for x in _values(v):
                    if isinstance(x, str) and _CURIE.match(x):
                        yield x
            continue
        for x in _values(value):
            if isinstance(x, str) and _CURIE.match(x) and key not in {"references"}:
                yield x


def _term(value: str, names: Mapping[str, str]) -> str:
    return names.get(value, value)


def _frequency(value: Any, names: Mapping[str, str]) -> str:
    text = str(value)
    if m := _FRACTION.match(text):
        return f"in {m[1]} of {m[2]} patients"
    if m := _PERCENT.match(text):
        return f"in {m[1]}% of patients"
    return _term(text, names).lower() if text in names else text


def describe(qualifiers: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """Short phrases for ``qualifiers``; ``names`` maps cited CURIEs to their labels."""
    out: list[str] = []
    by_disease = qualifiers.get("frequency_by_disease")
    if isinstance(by_disease, Mapping):
        for disease, freq in by_disease.items():
            out.append(f"{_frequency(freq, names)} in {_term(str(disease), names)}")
    elif qualifiers.get("diseases"):
        listed = [_term(str(d), names) for d in _values(qualifiers["diseases"])]
        out.append("seen in " + _join(listed))
    for key, value in qualifiers.items():
        if key in _SILENT or key == "frequency_by_disease":
            continue
        values = _values(value)
        if key in {"frequency", "frequency_qualifier"}:
            out.append(_join([_frequency(v, names) for v in values]))
        elif key in {"onset", "onset_qualifier"}:
            out.append("onset: " + _join([_term(str(v), names).lower() for v in values]))
        elif key == "sex":
            out.append(_join([_SEX.get(str(v), str(v).lower()) for v in values]))
        elif key == "modifiers":
            out.append(_join([_term(str(v), names).lower() for v in values]))
        elif key == "references":
            out.append("per " + _join([str(v) for v in values]))
        elif key in {"direction", "object_direction_qualifier"}:
            out.append(_join([_DIRECTION.get(str(v), str(v)) for v in values]))
        elif key == "qualified_predicate":
            out.append("qualified as " + _join([_predicate(str(v)) for v in values]))
        elif key == "object_aspect_qualifier":
            out.append("of " + _join([str(v).replace("_", " ") for v in values]))
        elif key == "species_context_qualifier":
            out.append("in " + _join([TAXA.get(str(v), _term(str(v), names)) for v in values]))
        elif key.endswith("_context_qualifier"):
            what = key.removesuffix("_context_qualifier").replace("_", " ")
            out.append(f"{what} context: " + _join([_term(str(v), names) for v in values]))
        elif key in {"has_count", "has_total", "has_percentage", "has_quotient"}:
            continue  # said together below
        else:
            label = key.removesuffix("_qualifier").replace("_", " ")
            out.append(f"{label}: " + _join([_term(str(v), names) for v in values]))
    count, total = qualifiers.get("has_count"), qualifiers.get("has_total")
    if count is not None and total is not None:
        out.append(f"in {count} of {total} patients")
    elif qualifiers.get("has_percentage") is not None:
        out.append(f"in {qualifiers['has_percentage']}% of patients")
    return [p for p in out if p]


def _predicate(name: str) -> str:
    """``biolink:causes`` -> ``causes``."""
    return name.removeprefix("biolink:").replace("_", " ")


def _join(items: Iterable[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
