"""How well search ranks: a file of queries and the result a researcher expects first.

``tests/data/search-rankings.tsv`` (query, expected CURIE, why) is the
reference; :func:`evaluate` runs each query through the same search the site
uses and reports hit@1 (the expected entity is the first result) and hit@5.
``scidex rankings`` prints the figures and every miss for any store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection

from scidex.queries.search import search

DEPTH = 10  # results read per query


@dataclass(frozen=True, slots=True)
class Expectation:
    query: str
    expected: str
    why: str
    line: int


@dataclass(frozen=True, slots=True)
class Outcome:
    expectation: Expectation
    rank: int | None  # 1-based; None when not among the first DEPTH
    first: tuple[str, ...]  # the first few results


@dataclass(slots=True)
class RankingReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def hit_at(self, k: int) -> float:
        if not self.outcomes:
            return 0.0
        hits = sum(1 for o in self.outcomes if o.rank is not None and o.rank <= k)
        return hits / len(self.outcomes)

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.rank != 1]


class RankingFileError(ValueError):
    pass


def load_rankings(path: Path) -> list[Expectation]:
    """Rows of a rankings file: ``#`` comments, a header, then query TAB expected TAB why."""
    out: list[Expectation] = []
    header_seen = False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            if cells[:2] != ["query", "expected"]:
                raise RankingFileError(f"{path}:{n}: header: expected 'query<TAB>expected<TAB>why'")
            header_seen = True
            continue
        if len(cells) != 3 or not cells[0].strip() or ":" not in cells[1]:
            raise RankingFileError(
                f"{path}:{n}: row: expected a query, a CURIE and a reason, tab-separated"
            )
        out.append(Expectation(cells[0], cells[1], cells[2], n))
    return out


def evaluate(conn: Connection, expectations: Iterable[Expectation]) -> RankingReport:
    report = RankingReport()
    for e in expectations:
        ids = [h.id for h in search(conn, e.query, limit=DEPTH).hits]
        rank = ids.index(e.expected) + 1 if e.expected in ids else None
        report.outcomes.append(Outcome(e, rank, tuple(ids[:3])))
    return report
