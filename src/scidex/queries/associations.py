"""Genes of a disease, direct and through its subtypes, read from ``disease_gene_rollup``.

Two indexed reads per page of genes (the table's primary key leads with the
disease): the genes, direct ones first, then the subtypes and edges behind
each; and one for the counts.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, literal_column, or_, select

from scidex.store.schema import disease_gene_rollup as r
from scidex.store.schema import edge, entity


@dataclass(frozen=True, slots=True)
class Via:
    """One edge behind a gene: the disease it names (this one or a subtype) and its source."""

    disease_id: str
    disease_name: str
    edge_id: str
    source: str


@dataclass(slots=True)
class DiseaseGene:
    gene_id: str
    symbol: str | None
    name: str
    direct: bool  # some edge names the disease itself
    direct_edges: list[Via] = field(default_factory=list)
    subtypes: list[Via] = field(default_factory=list)  # edges naming a subtype

    @property
    def label(self) -> str:
        return self.symbol or self.name

    def as_json(self) -> dict[str, Any]:
        """As the API and the page JSON give it."""
        return {
            "id": self.gene_id,
            "symbol": self.symbol,
            "name": self.name,
            "direct": self.direct,
            "direct_edges": [asdict(v) for v in self.direct_edges],
            "subtypes": [asdict(v) for v in self.subtypes],
        }

    @property
    def via_names(self) -> list[str]:
        """The subtypes behind the gene, each once, in order."""
        return list(dict.fromkeys(v.disease_name for v in self.subtypes))


@dataclass(frozen=True, slots=True)
class GeneCounts:
    total: int  # distinct genes, direct or through subtypes
    direct: int  # distinct genes with an edge to the disease itself

    @property
    def through_subtypes(self) -> int:
        """Genes reached only through subtypes."""
        return self.total - self.direct

    def as_json(self) -> dict[str, int]:
        return {
            "total": self.total,
            "direct": self.direct,
            "through_subtypes": self.through_subtypes,
        }


@dataclass(slots=True)
class DiseaseGenePage:
    genes: list[DiseaseGene]
    next_cursor: str | None


def encode_cursor(inherited: int, gene_id: str) -> str:
    raw = json.dumps([inherited, gene_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[int, str]:
    """Raises ValueError on a token this module did not make."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inherited, gene_id = json.loads(raw)
    except Exception as exc:  # any malformed token is the caller's error
        raise ValueError("bad cursor") from exc
    if not isinstance(inherited, int) or not isinstance(gene_id, str):
        raise ValueError("bad cursor")
    return inherited, gene_id


def gene_counts(conn: Connection, disease_id: str) -> GeneCounts:
    direct = func.count(func.distinct(r.c.gene_id)).filter(r.c.inherited == 0)
    row = conn.execute(
        select(func.count(func.distinct(r.c.gene_id)), direct).where(r.c.disease_id == disease_id)
    ).one()
    return GeneCounts(int(row[0] or 0), int(row[1] or 0))


def disease_genes(
    conn: Connection,
    disease_id: str,
    *,
    limit: int = 20,
    cursor: str | None = None,
    direct_only: bool = False,
) -> DiseaseGenePage:
    """The genes associated with ``disease_id`` or any subtype, direct first, then by id.

    Each gene carries the edges behind it: those naming the disease itself and
    those naming a subtype (with the subtype's name and the edge's source).
    ``direct_only``: only the genes, and edges, naming the disease itself.
    """
    first = func.min(r.c.inherited).label("first")
    q = (
        select(r.c.gene_id, first)
        .where(r.c.disease_id == disease_id)
        .group_by(r.c.gene_id)
        .order_by(first, r.c.gene_id)
        .limit(limit + 1)
    )
    if direct_only:
        q = q.where(r.c.inherited == 0)
    if cursor:
        inh, gid = decode_cursor(cursor)
        q = q.having(or_(first > inh, and_(first == inh, r.c.gene_id > gid)))
    keys = conn.execute(q).all()
    more = len(keys) > limit
    keys = keys[:limit]
    if not keys:
        return DiseaseGenePage([], None)
    genes = _with_edges(conn, disease_id, keys, direct_only=direct_only)
    last = keys[-1]
    return DiseaseGenePage(genes, encode_cursor(last.first, last.gene_id) if more else None)


def leading_genes(conn: Connection, disease_id: str, *, limit: int = 6) -> list[DiseaseGene]:
    """The genes a summary names first: direct ones, then those with the most statements
    behind them (edges and subtypes), then by id."""
    first = func.min(r.c.inherited).label("first")
    behind = func.count().label("behind")
    keys = conn.execute(
        select(r.c.gene_id, first, behind)
        .where(r.c.disease_id == disease_id)
        .group_by(r.c.gene_id)
        .order_by(first, behind.desc(), r.c.gene_id)
        .limit(limit)
    ).all()
    return _with_edges(conn, disease_id, keys) if keys else []


@functools.cache
def _edges_behind_stmt(direct_only: bool) -> Any:
    """The roll-up rows of some genes of a disease with their edges' sources and names;
    built once (its aliases and joins cost more to build than to run)."""
    # Core aliases: importing sqlalchemy.orm for ``aliased`` costs every command ~0.1 s.
    gene, via = entity.alias(), entity.alias()
    return (
        select(
            r.c.gene_id,
            r.c.via_id,
            r.c.edge_id,
            r.c.inherited,
            edge.c.primary_knowledge_source,
            gene.c.symbol,
            gene.c.name,
            func.coalesce(via.c.name, r.c.via_id),
        )
        .select_from(r)
        .join(edge, edge.c.id == r.c.edge_id)
        .outerjoin(gene, gene.c.id == r.c.gene_id)
        .outerjoin(via, via.c.id == r.c.via_id)
        .where(
            r.c.disease_id == bindparam("disease"),
            r.c.gene_id.in_(bindparam("genes", expanding=True)),
            *([r.c.inherited == 0] if direct_only else []),
        )
        .order_by(r.c.gene_id, r.c.inherited, literal_column("8"), r.c.edge_id)
    )


def _with_edges(
    conn: Connection, disease_id: str, keys: Sequence[Any], *, direct_only: bool = False
) -> list[DiseaseGene]:
    """The genes of ``keys`` (rows of gene_id and first, in order) with the edges behind
    each: those naming the disease itself and those naming a subtype."""
    rows = conn.execute(
        _edges_behind_stmt(direct_only),
        {"disease": disease_id, "genes": [k.gene_id for k in keys]},
    ).all()
    genes = {k.gene_id: DiseaseGene(k.gene_id, None, k.gene_id, k.first == 0) for k in keys}
    for gid, via_id, eid, inherited, source, symbol, name, via_name in rows:
        g = genes[gid]
        g.symbol, g.name = symbol, name or gid
        (g.subtypes if inherited else g.direct_edges).append(Via(via_id, via_name, eid, source))
    return list(genes.values())
