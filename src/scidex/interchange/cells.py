"""TSV lines straight to ``edge`` rows, for lines made only of parts already validated.

A large graph repeats a handful of predicates, sources, knowledge levels and
agent types millions of times. :func:`cells_to_row` reads such a line's cells
into a table row without building a record; anything it cannot vouch for it
leaves to the record path (``records.EdgeRows``), which validates in full.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable
from typing import Any

from scidex.interchange import tsv
from scidex.kg import biolink, fields
from scidex.kg.model import evidence_score
from scidex.store import bulk

Row = tuple[Any, ...]

# The edge columns the edge table has a field for (the id is derived: records.edge_key).
EDGE_FIELDS = frozenset(fields.KGX_COLUMNS)


def statistic(value: Any) -> Any:
    """A count slot's cell as a number where the number writes back as the same text."""
    if not isinstance(value, str):
        return value
    for kind in (int, float):
        try:
            number = kind(value)
        except ValueError:
            continue
        if str(number) == value:
            return number
    return value


# Encoded parts kept by the cell path before its cache starts again.
_ENCODED_MAX = 100_000

# The edge fields the cell path reads, in the order it unpacks them: every
# declared KGX column but the id, which the store derives (model.edge_id).
_CELL_FIELDS = fields.KGX_READ


def cells_to_row(
    header: list[str],
    checked: dict[tuple[str, str, str, str], tuple[str, str, str, str]],
    known: set[str],
    release_id: str,
) -> Callable[[list[str]], Row | None]:
    """A function from one TSV line's cells to its row, or None where the record path must decide.

    ``checked`` holds the combinations of predicate, source, knowledge level
    and agent type the record path has validated, ``known`` the entity ids.
    It gives a row only where the record path would give the same one:
    the line has the header's width, qualifiers that are a JSON object
    (qualifier and count slot columns join them), a confidence that is a
    number, known endpoints, an already validated combination, at most one
    ``provided_by``, and an ``id`` that is the stored one (which a qualified
    edge must give: see ``records.edge_key``). A header with any other column
    leaves every line to the record path, which keeps that column.
    Multi-valued cells are split as :class:`tsv.Decoder` splits them.
    """
    width = len(header)
    slots, statistics = biolink.qualifier_slots(), biolink.statistic_slots()
    if len(set(header)) != width or not set(header) <= EDGE_FIELDS | slots | statistics:
        # A repeated column: the record keeps its last non-empty cell; a column
        # beyond the edge's fields is kept by the record path. Leave both to it.
        return lambda values: None
    # Qualifier and count slots given as columns (as the export writes them).
    slot_at = [
        (name, i, name in statistics) for i, name in enumerate(header) if name not in EDGE_FIELDS
    ]
    column = {name: i for i, name in enumerate(header)}
    # An absent column reads an empty cell added after the line's own.
    pick = operator.itemgetter(*(column.get(f, width) for f in _CELL_FIELDS))
    pick_id = operator.itemgetter(column.get("id", width))
    pad = any(f not in column for f in (*_CELL_FIELDS, "id"))
    split = tsv.split_multi
    isfinite = math.isfinite
    sep = tsv.SEP

    def values_of(cell: str) -> list[str]:
        if not cell:
            return []
        return split(cell) if sep in cell else [cell]

    # A graph repeats a few sources, evidence codes and qualifiers millions of
    # times: their JSON and the evidence score are computed once per combination.
    encoded: dict[tuple[Any, ...], tuple[str, str, str, float]] = {}

    def encode(
        combination: tuple[str, str, str, str],
        aggregators: str,
        evidence: str,
        qualifiers: str,
        slot_cells: tuple[str, ...],
        n_publications: int,
    ) -> tuple[str, str, str, float] | None:
        _predicate, source, level, agent = combination
        parsed: Any = {}
        if qualifiers:
            try:
                parsed = json.loads(qualifiers)
            except ValueError:
                return None
            if type(parsed) is not dict:
                return None
        for (name, _i, is_statistic), cell in zip(slot_at, slot_cells, strict=True):
            if cell:
                parsed[name] = statistic(cell) if is_statistic else cell
        codes = values_of(evidence)
        # The score reads only the number of publications, not which they are.
        score = evidence_score(level, agent, ("",) * n_publications, codes, source)
        return (
            bulk.json_list(values_of(aggregators)),
            bulk.json_list(codes),
            bulk.dumps(parsed),
            score,
        )

    def row(values: list[str]) -> Row | None:
        if len(values) != width:
            return None
        if pad:
            values = [*values, ""]
        (
            subject,
            predicate,
            obj,
            source,
            aggregators,
            level,
            agent,
            pubs,
            evidence,
            qualifiers,
            conf,
            provided,
        ) = pick(values)
        level = level or "not_provided"
        agent = agent or "not_provided"
        combination = checked.get((predicate, source, level, agent))
        if combination is None or subject not in known or obj not in known:
            return None
        predicate, source, level, agent = combination
        publications = values_of(pubs)
        slot_cells = tuple([values[i] for _name, i, _s in slot_at]) if slot_at else ()
        key = (combination, aggregators, evidence, qualifiers, slot_cells, len(publications))
        parts = encoded.get(key)
        if parts is None:
            parts = encode(
                combination, aggregators, evidence, qualifiers, slot_cells, len(publications)
            )
            if parts is None:
                return None
            if len(encoded) >= _ENCODED_MAX:
                encoded.clear()
            encoded[key] = parts
        aggregators_json, evidence_json, qualifiers_json, score = parts
        if conf:
            try:
                number = float(conf)
            except ValueError:
                return None
            if not isfinite(number):
                return None
            confidence: float | None = number
        else:
            confidence = None
        named = values_of(provided)
        if len(named) > 1:
            return None  # the list is kept as a column by the record path
        out = bulk.encoded_edge_values(
            subject,
            predicate,
            obj,
            source,
            aggregators_json,
            level,
            agent,
            bulk.json_list(publications),
            evidence_json,
            qualifiers_json,
            confidence,
            named[0] if named else release_id,
            score,
        )
        # An id the file gives must be the one stored; qualified edges need it (edge_key).
        given = pick_id(values)
        if (given and given != out[0]) or (not given and qualifiers_json != "{}"):
            return None
        return out

    return row
