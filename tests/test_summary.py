"""Generated articles: every entity's page reads as sentences, each traceable to stored edges."""

from __future__ import annotations

import re

from sqlalchemy import and_, func, or_, select

from scidex.pages.artifact_page import artifact_page
from scidex.pages.summary import Mention, Sentence
from scidex.store import Store
from scidex.store.schema import artifact, edge

ANCHOR = re.compile(r"^#edges-(out|in|both)-(\w+)$")


def _named(sentence: Sentence) -> list[Mention]:
    return [p for p in sentence.parts if isinstance(p, Mention)]


def _stated(conn, entity_id: str, direction: str, predicate: str, other: str) -> bool:  # type: ignore[no-untyped-def]
    me, them = (
        (edge.c.subject, edge.c.object) if direction == "out" else (edge.c.object, edge.c.subject)
    )
    either = or_(
        and_(me == entity_id, them == other),
        # Symmetric predicates are told once for both directions.
        and_(them == entity_id, me == other),
    )
    q = select(edge.c.id).where(edge.c.predicate == f"biolink:{predicate}", either).limit(1)
    return conn.execute(q).first() is not None


def test_every_sentence_names_only_what_a_stored_edge_states(shared_atlas: Store) -> None:
    """For 60 pages of every category: each entity a sentence names is the other end of a
    stored edge of the predicate its evidence link points to."""
    with shared_atlas.read() as conn:
        pages = (
            conn.execute(
                select(artifact.c.id)
                .where(artifact.c.kg_node_id.is_not(None))
                .order_by(artifact.c.id)
            )
            .scalars()
            .all()
        )
        checked = 0
        for aid in pages[:: max(1, len(pages) // 60)]:
            page = artifact_page(conn, aid)
            assert page.summary is not None and page.entity is not None
            for sentence in page.summary.sentences:
                m = ANCHOR.match(sentence.evidence or "")
                if not m:
                    continue
                for mention in _named(sentence):
                    assert _stated(conn, page.entity.id, m[1], m[2], mention.curie), (
                        aid,
                        sentence.text,
                        mention.curie,
                    )
                    checked += 1
        assert checked > 100


def test_a_generated_gene_page_reads_as_an_article(shared_client, shared_atlas: Store) -> None:
    # IGFALS has no curated page: the build generated it.
    with shared_atlas.read() as conn:
        page = artifact_page(conn, "wiki-genes-igfals")
    assert page.summary_is_article
    first = page.summary.paragraphs[0].sentences[0].text
    e = page.entity
    assert e is not None and e.symbol == "IGFALS"
    assert first.startswith(f"IGFALS ({e.name}) is a protein-coding human gene")
    topics = [p.topic for p in page.summary.paragraphs]
    assert "Gene Ontology" in topics and "Diseases and phenotypes" in topics
    html = shared_client.get("/artifact/wiki-genes-igfals").text
    assert 'class="generated-summary"' in html
    assert "is a protein-coding human gene" in html
    # The stub the build stored is not shown beside the article.
    assert "This page was generated from" not in html
    body = shared_client.get("/api/artifacts/wiki-genes-igfals").json()
    assert body["summary"]["is_article"] is True
    assert body["summary"]["paragraphs"][0]["sentences"][0]["text"] == first


def test_a_curated_page_keeps_its_text_and_shows_the_graph_beneath(shared_client) -> None:
    html = shared_client.get("/artifact/wiki-genes-bach1").text
    article = html.index('class="article"')
    beneath = html.index('id="from-the-graph"')
    assert article < beneath
    section = html[beneath:].split("</section>", 1)[0]
    assert "BACH1 represses " in section and "targets in all" in section
    assert 'href="#edges-' in section


def test_a_disease_names_its_genes_through_subtypes(shared_atlas: Store) -> None:
    with shared_atlas.read() as conn:
        page = artifact_page(conn, "wiki-diseases-alzheimer-disease")
        assert page.disease_genes is not None
        total = page.disease_genes.counts.total
    genes = [s for s in page.summary.sentences if s.evidence == "#disease-genes"]
    assert genes, [s.text for s in page.summary.sentences]
    text = " ".join(s.text for s in genes)
    # The counts the sentences give add up to the roll-up's total.
    said = [
        int(n.replace(",", "")) for n in re.findall(r"(\d[\d,]*) (?:more )?genes? (?:is|are)", text)
    ]
    assert sum(said) == total, text
    named = {m.label for s in genes for m in _named(s)}
    assert named, text
    # Every gene named is among the disease's rolled-up genes, with the subtype behind it.
    for s in genes:
        for m in _named(s):
            assert m.note is None or m.note.startswith("through ")


def _page_of(conn, curie: str) -> str:  # type: ignore[no-untyped-def]
    from scidex.queries.artifacts import page_for_entity

    art = page_for_entity(conn, curie)
    assert art is not None, curie
    return art.id


def test_the_seed_kinds_each_have_an_article_of_several_sentences(shared_atlas: Store) -> None:
    """BACH1, SNCA, Alzheimer disease, a pathway, a chemical and a cell type."""
    kinds = {
        "HGNC:935": 6,
        "HGNC:11138": 6,
        "MONDO:0004975": 4,
        "REACT:R-HSA-9708530": 3,
        "CHEBI:30413": 3,
        "CL:0000129": 3,
    }
    with shared_atlas.read() as conn:
        for curie, at_least in kinds.items():
            page = artifact_page(conn, _page_of(conn, curie))
            assert page.summary is not None
            sentences = page.summary.sentences
            assert len(sentences) >= at_least, (curie, [s.text for s in sentences])
            # Beyond what the entity is, sentences say what the graph states, with evidence.
            assert sum(1 for s in sentences if s.evidence) >= 2, curie


def test_phenotypes_are_told_by_organ_system(shared_atlas: Store) -> None:
    from scidex.queries.phenotypes import phenotype_systems

    with shared_atlas.read() as conn:
        n = func.count().label("n")
        subject, _ = conn.execute(
            select(edge.c.subject, n)
            .where(edge.c.predicate == "biolink:has_phenotype")
            .group_by(edge.c.subject)
            .order_by(n.desc(), edge.c.subject)
            .limit(1)
        ).one()
        phenotypes = set(
            conn.execute(
                select(edge.c.object).where(
                    edge.c.subject == subject, edge.c.predicate == "biolink:has_phenotype"
                )
            ).scalars()
        )
        systems = phenotype_systems(conn, subject)
        page_id = conn.execute(
            select(artifact.c.id).where(artifact.c.kg_node_id == subject).limit(1)
        ).scalar_one()
        page = artifact_page(conn, page_id)
    assert systems, subject
    assert [s.count for s in systems] == sorted((s.count for s in systems), reverse=True)
    for s in systems:
        assert 0 < s.count <= len(phenotypes)
        assert {pid for pid, _ in s.examples} <= phenotypes
    assert page.summary is not None
    said = [s for s in page.summary.sentences if s.text.startswith("By organ system")]
    assert len(said) == 1, subject
    first = systems[0]
    assert f"({first.count:,}" in said[0].text
    assert {m.curie for m in _named(said[0])} <= phenotypes
