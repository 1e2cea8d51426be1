"""Cut the test sample (tests/data/atlas-sample) out of a built default atlas.

    .venv/bin/scidex --db sqlite:///var/atlas.db build
    .venv/bin/python scripts/make_sample.py sqlite:///var/atlas.db

The sample is real data from the pinned sources: the entities of the curated
pages, their one-hop neighbourhoods (capped per entity), and the edges among
them, with the source releases they came from.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import select

from scidex.graph import neighbours
from scidex.interchange.kgx import export_kgx
from scidex.store import Store
from scidex.store.schema import entity

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "atlas-sample"
SEEDS = [
    "HGNC:935",  # BACH1
    "HGNC:7782",  # NFE2L2
    "HGNC:23177",  # KEAP1
    "HGNC:5013",  # HMOX1
    "HGNC:2874",  # NQO1
    "HGNC:6782",  # MAFK
    "HGNC:11179",  # SOD1 (previous symbol ALS: an ambiguous name)
    "HGNC:5468",  # IGFALS (synonym ALS)
    "HGNC:9508",  # PSEN1
    "MONDO:0004975",  # Alzheimer disease
    "MONDO:0005180",  # Parkinson disease
    "MONDO:0004976",  # amyotrophic lateral sclerosis
    "MONDO:0007088",  # Alzheimer disease type 1 (OMIM:104300)
    "HP:0002511",  # Alzheimer disease, the phenotype (same label as the disease)
    "HP:0007354",  # Amyotrophic lateral sclerosis, the phenotype
    "GO:0006979",  # response to oxidative stress
]
PER_ENTITY = 40


def main(url: str) -> None:
    store = Store.open(url)
    keep = set(SEEDS)
    with store.read() as conn:
        for seed in SEEDS:
            page = neighbours(conn, seed, limit=PER_ENTITY)
            keep.update(e.other_id for e in page.edges)
        known = set(conn.execute(select(entity.c.id).where(entity.c.id.in_(keep))).scalars())
    missing = set(SEEDS) - known
    if missing:
        raise SystemExit(f"seeds missing from {url}: {sorted(missing)}")
    report = export_kgx(store, OUT, only=known)
    print(f"{OUT}: {report.nodes} nodes, {report.edges} edges")


if __name__ == "__main__":
    main(sys.argv[1])
