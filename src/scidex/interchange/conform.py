"""Biolink identifiers for an export: every node under a prefix the model registers.

Some vocabularies the atlas holds have no prefix in the Biolink model's prefix
map (FamPlex's ``FPLX`` among them), so Biolink tools, the KGX validator among
them, reject a node or edge that names them. ``scidex export kgx --biolink-ids``
exports such a node under an identifier it already carries as an xref, as
Translator's node normalisation chooses one: a prefix the model lists for the
node's class (``id_prefixes``), most preferred first, and never an identifier
another node has or that two nodes could claim. A prefix the map registers
under another spelling is respelt (``Orphanet:558`` -> ``ORDO:558``), in ids
and xrefs alike: it is the same identifier. The native id joins the
node's xrefs, and its edges keep it in ``original_subject`` or
``original_object``. A node with no such identifier is left out with its edges.
Every decision is listed in ``biolink-ids.tsv`` beside the export.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from scidex.kg import biolink
from scidex.store.schema import entity, entity_xref

FILE = "biolink-ids.tsv"


def prefix_of(curie: str) -> str:
    return curie.split(":", 1)[0] if ":" in curie else ""


def respelt(curie: str) -> str:
    """``curie`` with its prefix as the Biolink map spells it (``Orphanet:558`` ->
    ``ORDO:558``), or as it is when the map does not register it."""
    prefix, _, local = curie.partition(":")
    spelling = biolink.registered_spelling(prefix) if local else None
    return f"{spelling}:{local}" if spelling and spelling != prefix else curie


@dataclass
class IdPlan:
    """What an export does with the nodes whose prefixes Biolink does not register."""

    renamed: dict[str, str] = field(default_factory=dict)
    left_out: set[str] = field(default_factory=set)
    edges_left_out: int = 0

    def prefixes(self) -> Counter[str]:
        """The unregistered prefixes met, with how many nodes carried each."""
        return Counter(prefix_of(i) for i in [*self.renamed, *self.left_out])

    def write(self, path: Path) -> None:
        """``id``, ``exported_as`` (empty when left out) for every node the plan touches."""
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, delimiter="\t", lineterminator="\n")
            out.writerow(["id", "exported_as"])
            for native in sorted([*self.renamed, *self.left_out]):
                out.writerow([native, self.renamed.get(native, "")])

    def nodes(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            native = row["id"]
            if native in self.left_out:
                continue
            exported = self.renamed.get(native)
            xrefs = {respelt(x) for x in row.get("xref") or []}
            if exported is not None:
                xrefs = {*xrefs, native} - {exported}
                row = {**row, "id": exported}
            yield {**row, "xref": sorted(xrefs)}

    def edges(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            s, o = row["subject"], row["object"]
            if s in self.left_out or o in self.left_out:
                self.edges_left_out += 1
                continue
            if s in self.renamed or o in self.renamed:
                row = dict(row)
                for end in ("subject", "object"):
                    native = row[end]
                    if native in self.renamed:
                        row[end] = self.renamed[native]
                        # An import's own original id, when it kept one, stays.
                        if not row.get(f"original_{end}"):
                            row[f"original_{end}"] = native
            yield row


def plan(conn: Connection, only: set[str] | None = None) -> IdPlan:
    """Choose an exported id for every node whose prefix Biolink does not register."""
    taken: set[str] = set()
    foreign: dict[str, str] = {}
    for r in conn.execute(select(entity.c.id, entity.c.category, entity.c.lifecycle)):
        taken.add(r.id)
        if r.lifecycle != "active" or (only is not None and r.id not in only):
            continue
        if not biolink.registers_prefix(prefix_of(r.id)):
            foreign[r.id] = r.category
    result = IdPlan()
    if not foreign:
        return result
    # The node's own id respelt comes first: it is the same identifier.
    candidates: dict[str, list[str]] = {
        native: [respelt(native)] for native in foreign if respelt(native) != native
    }
    for x in conn.execute(select(entity_xref.c.entity_id, entity_xref.c.xref)):
        category = foreign.get(x.entity_id)
        xref = respelt(x.xref)
        if category is None or not biolink.registers_prefix(prefix_of(xref)):
            continue
        allowed = biolink.id_prefixes(category)
        if not allowed or prefix_of(xref) in allowed:
            candidates.setdefault(x.entity_id, []).append(xref)
    claims = Counter(x for xs in candidates.values() for x in set(xs))
    for native in sorted(foreign):
        allowed = biolink.id_prefixes(foreign[native])

        def rank(x: str, allowed: tuple[str, ...] = allowed) -> tuple[int, str]:
            p = prefix_of(x)
            return (allowed.index(p) if p in allowed else len(allowed), x)

        usable = [x for x in candidates.get(native, []) if x not in taken and claims[x] == 1]
        if usable and usable[0] == respelt(native):
            result.renamed[native] = usable[0]
        elif usable:
            result.renamed[native] = min(usable, key=rank)
        else:
            result.left_out.add(native)
    return result
