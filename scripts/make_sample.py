"""Cut the test sample (tests/data/atlas-sample) out of a built default atlas.

    .venv/bin/scidex --db sqlite:///var/atlas.db build
    .venv/bin/python scripts/make_sample.py sqlite:///var/atlas.db

The sample is real data from the pinned sources: the seeds below and the
entities of the curated pages with their one-hop neighbourhoods (capped per
entity), the entities those pages mention, and the edges among them all, with
the source releases they came from.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import select

from scidex.interchange.kgx import export_kgx
from scidex.pages.store_links import link_resolver
from scidex.queries.graph import neighbours
from scidex.queries.resolve import resolve
from scidex.registry.curated import default_content_dir
from scidex.store import Store
from scidex.store.schema import entity
from scidex.wiki.content import load_pages
from scidex.wiki.links import Resolved
from scidex.wiki.render import RenderContext, render_markdown

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
    "UniProtKB:O14867",  # the BACH1 protein
    "REACT:R-HSA-9708530",  # Regulation of BACH1 activity
    "REACT:R-HSA-9707616",  # Heme signaling
    "FPLX:MAF",  # the MAF family (small Maf proteins among them)
    "CHEBI:30413",  # heme
    "CL:0000129",  # microglial cell
    "UBERON:0002421",  # hippocampal formation (a brain region)
    "UBERON:0002038",  # substantia nigra
    "GO:0005515",  # protein binding, the atlas's largest hub
]
# The ranking file's expected results and what competes with them in the full atlas.
RANKINGS = Path(__file__).resolve().parents[1] / "tests" / "data" / "search-rankings.tsv"
COMPETITORS = 5
PER_ENTITY = 40


def curated_mentions(conn) -> set[str]:  # type: ignore[no-untyped-def]
    """Every entity the curated pages link to or state an edge about."""
    found: set[str] = set()
    for page in load_pages(default_content_dir()):
        rendered = render_markdown(page.markdown, RenderContext(resolve_link=link_resolver(conn)))
        found.update(
            u.resolution.curie for u in rendered.links if isinstance(u.resolution, Resolved)
        )
        for ce in page.curated_edges:
            match = resolve(conn, ce.object)
            if match.entity:
                found.add(match.entity.id)
    return found


def linked_by_attributes(conn, ids: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """Terms the kept entities' pages link from their attributes (a disease's inheritance)."""
    found: set[str] = set()
    rows = conn.execute(select(entity.c.attributes).where(entity.c.id.in_(sorted(ids))))
    for (attributes,) in rows:
        for value in json.loads(attributes).get("inheritance") or []:
            if isinstance(value, dict) and value.get("id"):
                found.add(value["id"])
    return found


def ranking_entities(conn) -> set[str]:  # type: ignore[no-untyped-def]
    """Each ranking query's expected result and the first few the full atlas answers."""
    from scidex.queries.search import search

    found: set[str] = set()
    for line in RANKINGS.read_text().splitlines()[1:]:
        if not line.strip() or line.startswith("#") or line.startswith("query\t"):
            continue
        query, expected, _why = line.split("\t")
        found.add(expected)
        found.update(
            h.id for h in search(conn, query, limit=COMPETITORS).hits if h.kind == "entity"
        )
    return found


def main(url: str) -> None:
    store = Store.open(url)
    # The seeds and the curated pages' own entities come with their neighbourhoods;
    # what the pages mention, and the ranking queries' competitors, come alone.
    keep = set(SEEDS) | {page.entity for page in load_pages(default_content_dir())}
    with store.read() as conn:
        mentioned = curated_mentions(conn)
        ranked = ranking_entities(conn)
        for seed in sorted(keep):
            page = neighbours(conn, seed, limit=PER_ENTITY)
            keep.update(e.other_id for e in page.edges)
        keep |= mentioned | ranked
        keep |= linked_by_attributes(conn, keep)
        known = set(conn.execute(select(entity.c.id).where(entity.c.id.in_(keep))).scalars())
    missing = set(SEEDS) - known
    if missing:
        raise SystemExit(f"seeds missing from {url}: {sorted(missing)}")
    report = export_kgx(store, OUT, only=known)
    # Curated statements come from content/pages when a test loads them, not from the sample.
    edges = (OUT / "edges.tsv").read_text().splitlines(keepends=True)
    kept = [edges[0]] + [e for e in edges[1:] if "\tinfores:scidex\t" not in e]
    (OUT / "edges.tsv").write_text("".join(kept))
    sources = json.loads((OUT / "sources.json").read_text())
    sources = [s for s in sources if s["name"] != "curated"]
    (OUT / "sources.json").write_text(json.dumps(sources, indent=1, sort_keys=True) + "\n")
    print(f"{OUT}: {report.nodes} nodes, {len(kept) - 1} of {report.edges} edges")


if __name__ == "__main__":
    main(sys.argv[1])
