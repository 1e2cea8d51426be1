"""CURIE normalisation: one spelling per prefix, mostly as the Biolink model writes them."""

from __future__ import annotations

import re

# The atlas's spelling of each prefix it uses, Biolink's where the model registers
# one. Not all are: Biolink 4 writes Orphanet's codes as ORDO, doi and medgen in
# lower case, and registers no FPLX, GARD, DECIPHER, ICD10CM or RefSeq prefix
# (``export kgx --biolink-ids`` respells or renames the nodes that use them). Keys
# are lower-cased so that "orpha", "ORPHA", "Orphanet" all land on one spelling.
PREFIXES: dict[str, str] = {
    "hgnc": "HGNC",
    "ncbigene": "NCBIGene",
    "entrez": "NCBIGene",
    "ensembl": "ENSEMBL",
    "uniprotkb": "UniProtKB",
    "uniprot": "UniProtKB",
    "omim": "OMIM",
    "mim": "OMIM",
    "orpha": "Orphanet",
    "orphanet": "Orphanet",
    "mondo": "MONDO",
    "hp": "HP",
    "go": "GO",
    "doid": "DOID",
    "mesh": "MESH",
    "msh": "MESH",
    "umls": "UMLS",
    "efo": "EFO",
    "ncit": "NCIT",
    "icd10cm": "ICD10CM",
    "icd10": "ICD10",
    "icd9": "ICD9",
    "icd-10": "ICD10",
    "snomedct": "SNOMEDCT",
    "snomedct_us": "SNOMEDCT",
    "sctid": "SNOMEDCT",
    "meddra": "MEDDRA",
    "refseq": "RefSeq",
    "gard": "GARD",
    "medgen": "MEDGEN",
    "pmid": "PMID",
    "pubmed": "PMID",
    "doi": "DOI",
    "infores": "infores",
    "eco": "ECO",
    "cl": "CL",
    "uberon": "UBERON",
    "chebi": "CHEBI",
    "reactome": "REACT",
    "react": "REACT",
    "decipher": "DECIPHER",
    "fplx": "FPLX",
    "scidex": "SCIDEX",
}

_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_.\-]*):(\S+)$")


class CurieError(ValueError):
    """A string is not a CURIE, or names a prefix the atlas does not know."""


def split_curie(curie: str) -> tuple[str, str]:
    m = _CURIE.match(curie.strip())
    if not m:
        raise CurieError(f"not a CURIE: {curie!r}")
    return m.group(1), m.group(2)


def normalize_curie(curie: str, *, strict: bool = True) -> str:
    """Return the canonical spelling of ``curie`` (``orpha:558`` -> ``Orphanet:558``).

    With ``strict``, an unknown prefix raises CurieError; otherwise the CURIE
    is returned with its prefix unchanged.
    """
    prefix, local = split_curie(curie)
    canonical = PREFIXES.get(prefix.lower())
    if canonical is None:
        if strict:
            raise CurieError(f"unknown CURIE prefix {prefix!r} in {curie!r}")
        return f"{prefix}:{local}"
    if canonical == "MONDO" and local.isdigit():
        local = local.zfill(7)
    return f"{canonical}:{local}"


def is_known_prefix(prefix: str) -> bool:
    return prefix.lower() in PREFIXES
