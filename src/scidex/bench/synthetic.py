"""Synthetic Biolink graphs with the degree skew of real ones, written as KGX TSV.

The mix of predicates, sources and provenance fields follows the default
atlas (half disease-phenotype annotations, a third gene-GO annotations, the
rest ontology hierarchy and gene-disease associations). Endpoints are drawn
from Zipf-like distributions, so a few hub genes and hub terms carry tens of
thousands of edges at a million edges (hundreds of thousands at ten million)
while most nodes have a handful: the shape that makes per-entity work that
grows with degree visible. Node counts grow with the square root of the edge
count, as vocabularies grow more slowly than annotations.

Run ``python -m scidex.bench.synthetic DIR --edges N`` to write one.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scidex.interchange.kgx import EDGE_COLUMNS, NODE_COLUMNS
from scidex.interchange.tsv import write_rows
from scidex.kg.model import edge_id

# Nodes per million edges, per vocabulary: (prefix, category, count, zipf exponent).
VOCABULARIES: dict[str, tuple[str, str, int, float]] = {
    "gene": ("HGNC", "biolink:Gene", 20_000, 1.1),
    "process": ("GO", "biolink:BiologicalProcess", 12_000, 0.9),
    "component": ("GO", "biolink:CellularComponent", 2_000, 1.1),
    "activity": ("GO", "biolink:MolecularActivity", 5_000, 1.0),
    "disease": ("MONDO", "biolink:Disease", 20_000, 0.7),
    "phenotype": ("HP", "biolink:PhenotypicFeature", 16_000, 1.0),
}
# Local-id offsets keep the GO sub-vocabularies apart and away from real ids.
_OFFSET = {"gene": 900_000, "process": 9_000_000, "component": 9_500_000}
_OFFSET |= {"activity": 9_700_000, "disease": 9_000_000, "phenotype": 9_000_000}

# (share of edges, subject vocabulary, predicate, object vocabulary, source, aggregator)
EDGE_KINDS: list[tuple[float, str, str, str, str, str | None]] = [
    (0.42, "disease", "biolink:has_phenotype", "phenotype", "infores:hpo-annotations", None),
    (0.12, "gene", "biolink:participates_in", "process", "infores:goa", "infores:ncbi-gene"),
    (0.07, "gene", "biolink:located_in", "component", "infores:goa", "infores:ncbi-gene"),
    (0.06, "gene", "biolink:enables", "activity", "infores:goa", "infores:ncbi-gene"),
    # Interaction networks are what give real hub genes (TP53, APP) their degree.
    (0.15, "gene", "biolink:physically_interacts_with", "gene", "infores:biogrid", None),
    (0.07, "process", "biolink:subclass_of", "process", "infores:go", None),
    (0.04, "disease", "biolink:subclass_of", "disease", "infores:mondo", None),
    (0.03, "phenotype", "biolink:subclass_of", "phenotype", "infores:hpo", None),
    (0.02, "gene", "biolink:gene_associated_with_condition", "disease", "infores:omim", None),
    (0.01, "process", "biolink:regulates", "process", "infores:go", None),
    (0.01, "process", "biolink:part_of", "process", "infores:go", None),
]
GO_EVIDENCE = ("IEA", "IEA", "IEA", "IBA", "IDA", "ISS", "TAS", "IMP", "IPI")
HPO_EVIDENCE = ("TAS", "TAS", "IEA", "PCS")
FREQUENCIES = ("HP:0040281", "HP:0040282", "HP:0040283", "HP:0040284")


@dataclass
class SyntheticGraph:
    """What was written: counts, files, and the best-connected nodes with their degree."""

    directory: Path
    nodes: int
    edges: int
    hubs: list[tuple[str, int]] = field(default_factory=list)
    median_gene: str = ""

    @property
    def nodes_path(self) -> Path:
        return self.directory / "nodes.tsv"

    @property
    def edges_path(self) -> Path:
        return self.directory / "edges.tsv"


def node_counts(edges: int) -> dict[str, int]:
    scale = math.sqrt(max(edges, 1) / 1_000_000)
    return {k: max(50, int(v[2] * scale)) for k, v in VOCABULARIES.items()}


def _node_id(kind: str, i: int) -> str:
    prefix = VOCABULARIES[kind][0]
    local = _OFFSET[kind] + i
    return f"GO:{local:07d}" if prefix == "GO" else f"{prefix}:{local}"


def _nodes(counts: dict[str, int]) -> Iterator[dict[str, Any]]:
    for kind, n in counts.items():
        _prefix, category, _size, _alpha = VOCABULARIES[kind]
        for i in range(n):
            row: dict[str, Any] = {"id": _node_id(kind, i), "category": [category]}
            if kind == "gene":
                row |= {
                    "name": f"synthetic gene {i}",
                    "symbol": f"SYN{i}",
                    "synonym": [f"SYNG{i}", f"synthetic protein {i}"],
                    "xref": [f"NCBIGene:{8_000_000 + i}"],
                    "attributes": {"locus_group": "protein-coding gene"},
                }
            else:
                row |= {
                    "name": f"synthetic {kind} {i}",
                    "description": f"A synthetic {kind} term number {i}, for benchmarks.",
                    "synonym": [f"{kind} term {i}"],
                }
            yield row


def _sampler(rng: random.Random, n: int, alpha: float) -> Any:
    """Draw indexes 0..n-1 with weight 1/(rank+1)^alpha: index 0 is the biggest hub."""
    cum = list(itertools.accumulate(1.0 / (r + 1) ** alpha for r in range(n)))

    def draw(k: int) -> list[int]:
        return rng.choices(range(n), cum_weights=cum, k=k)

    return draw


def _edges(
    edges: int, counts: dict[str, int], rng: random.Random, degree: Counter[str]
) -> Iterator[dict[str, Any]]:
    samplers = {k: _sampler(rng, counts[k], VOCABULARIES[k][3]) for k in counts}
    wants = [round(edges * kind[0]) for kind in EDGE_KINDS]
    wants[0] += edges - sum(wants)  # rounding leftovers: exactly ``edges`` in all
    for want, (_share, subj_kind, predicate, obj_kind, source, aggregator) in zip(
        wants, EDGE_KINDS, strict=True
    ):
        seen: set[int] = set()
        n_obj = counts[obj_kind]
        made = 0
        while made < want:
            batch = min(100_000, (want - made) * 2)
            pairs = zip(samplers[subj_kind](batch), samplers[obj_kind](batch), strict=True)
            for s, o in pairs:
                key = s * n_obj + o
                # One statement per (subject, predicate, object): ids are unique, as in a
                # real export; ontology edges never point at themselves.
                if key in seen or (subj_kind == obj_kind and s == o):
                    continue
                seen.add(key)
                subject, obj = _node_id(subj_kind, s), _node_id(obj_kind, o)
                degree[subject] += 1
                degree[obj] += 1
                yield _edge_row(rng, subject, predicate, obj, source, aggregator)
                made += 1
                if made == want:
                    break


def _edge_row(
    rng: random.Random, subject: str, predicate: str, obj: str, source: str, aggregator: str | None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": edge_id(subject, predicate, obj, source),
        "subject": subject,
        "predicate": predicate,
        "object": obj,
        "primary_knowledge_source": source,
        "knowledge_level": "knowledge_assertion",
    }
    if aggregator:
        row["aggregator_knowledge_source"] = [aggregator]
    if source == "infores:goa":
        code = rng.choice(GO_EVIDENCE)
        row["agent_type"] = "automated_agent" if code == "IEA" else "manual_agent"
        row["has_evidence"] = [code]
        if code != "IEA" and rng.random() < 0.5:
            row["publications"] = [f"PMID:{rng.randrange(1_000_000, 38_000_000)}"]
    elif source == "infores:biogrid":
        row["agent_type"] = "manual_agent"
        row["has_evidence"] = ["IPI"]
        row["publications"] = [f"PMID:{rng.randrange(1_000_000, 38_000_000)}"]
    elif source == "infores:hpo-annotations":
        row["agent_type"] = "manual_agent"
        row["has_evidence"] = [rng.choice(HPO_EVIDENCE)]
        if rng.random() < 0.35:
            row["publications"] = [
                f"PMID:{rng.randrange(1_000_000, 38_000_000)}" for _ in range(rng.randint(1, 3))
            ]
        if rng.random() < 0.6:
            row["qualifiers"] = {"frequency": rng.choice(FREQUENCIES)}
    else:
        row["agent_type"] = "manual_agent"
    return row


def write_synthetic_kgx(directory: Path, edges: int, *, seed: int = 7) -> SyntheticGraph:
    """Write ``nodes.tsv`` and ``edges.tsv`` (KGX) with exactly ``edges`` unique edges."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = node_counts(edges)
    rng = random.Random(seed)
    degree: Counter[str] = Counter()
    n_nodes = write_rows(directory / "nodes.tsv", NODE_COLUMNS, _nodes(counts))
    n_edges = write_rows(directory / "edges.tsv", EDGE_COLUMNS, _edges(edges, counts, rng, degree))
    genes = sorted(
        (degree[_node_id("gene", i)], _node_id("gene", i)) for i in range(counts["gene"])
    )
    return SyntheticGraph(
        directory,
        n_nodes,
        n_edges,
        hubs=[(node, n) for node, n in degree.most_common(5)],
        median_gene=genes[len(genes) // 2][1],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    g = write_synthetic_kgx(args.directory, args.edges, seed=args.seed)
    print(f"wrote {g.nodes:,} nodes and {g.edges:,} edges to {g.directory}")
    print("hubs: " + ", ".join(f"{n} ({d:,} edges)" for n, d in g.hubs))


if __name__ == "__main__":
    main()
