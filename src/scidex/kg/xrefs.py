"""Outbound links for identifiers, built through bioregistry (never typed by hand)."""

from __future__ import annotations

from functools import lru_cache

from scidex.kg.curies import CurieError, split_curie

# Where bioregistry knows several providers, the page a researcher expects.
PREFERRED_PROVIDER: dict[str, str] = {
    "omim": "legacy",  # https://www.omim.org/entry/N
    "go": "quickgo",
}

# How identifier namespaces are named to readers.
DISPLAY_NAMES: dict[str, str] = {
    "HGNC": "HGNC",
    "NCBIGene": "NCBI Gene",
    "ENSEMBL": "Ensembl",
    "UniProtKB": "UniProt",
    "OMIM": "OMIM",
    "Orphanet": "Orphanet",
    "MONDO": "MONDO",
    "HP": "HPO",
    "GO": "Gene Ontology",
    "CL": "Cell Ontology",
    "UBERON": "Uberon",
    "CHEBI": "ChEBI",
    "DOID": "Disease Ontology",
    "MESH": "MeSH",
    "UMLS": "UMLS",
    "NCIT": "NCI Thesaurus",
    "EFO": "EFO",
    "ICD10CM": "ICD-10-CM",
    "ICD10": "ICD-10",
    "GARD": "GARD",
    "MEDGEN": "MedGen",
    "SNOMEDCT": "SNOMED CT",
    "MEDDRA": "MedDRA",
    "DECIPHER": "DECIPHER",
    "REACT": "Reactome",
    "PMID": "PubMed",
    "DOI": "DOI",
}


@lru_cache(maxsize=65536)
def external_url(curie: str) -> str | None:
    """The URL of ``curie``'s record at its authority, or None when bioregistry knows none."""
    try:
        prefix, local = split_curie(curie)
    except CurieError:
        return None
    # Imported here: loading bioregistry's registry takes about a second, which
    # every command that never builds a link (a small import, an export) would pay.
    import bioregistry

    norm = bioregistry.normalize_prefix(prefix)
    if norm is None:
        return None
    provider = PREFERRED_PROVIDER.get(norm)
    if provider:
        url = bioregistry.get_iri(f"{norm}:{local}", priority=[provider, "default"])
    else:
        url = bioregistry.get_iri(f"{norm}:{local}")
    return url


def namespace_label(curie: str) -> str:
    prefix = curie.split(":", 1)[0]
    return DISPLAY_NAMES.get(prefix, prefix)


def local_id(curie: str) -> str:
    return curie.split(":", 1)[1] if ":" in curie else curie
