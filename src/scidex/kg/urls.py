"""The atlas's URL scheme: every path of a page or of the JSON API, built in one place.

Code and templates alike call ``urls`` (templates get it as a global), so a
path is spelt once and a link cannot drift from the route it points at. Ids
go into paths as they are (CURIEs keep their colon); query strings are
encoded here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

Query = Mapping[str, Any] | str | None


class Urls:
    """Paths of the atlas, relative to ``base`` (empty: site-relative paths)."""

    def __init__(self, base: str = "") -> None:
        self.base = base.rstrip("/")

    def path(self, path: str, query: Query = None) -> str:
        """``base + path``, with a query string from a mapping (``None`` values left out) or
        an already encoded one."""
        if isinstance(query, Mapping):
            query = urlencode({k: v for k, v in query.items() if v is not None}, safe=":@")
        return f"{self.base}{path}" + (f"?{query}" if query else "")

    # -- site ---------------------------------------------------------------------------

    def home(self) -> str:
        return self.path("/")

    def about(self, release: str | None = None) -> str:
        return self.path("/about") + (f"#{release}" if release else "")

    def search(self, q: str | None = None) -> str:
        return self.path("/search", {"q": q})

    def login(self, next_path: str | None = None) -> str:
        return self.path("/login", f"next={quote(next_path)}" if next_path else None)

    def logout(self) -> str:
        return self.path("/logout")

    def audit(self) -> str:
        return self.path("/admin/audit")

    # -- artifacts ----------------------------------------------------------------------

    def artifact(self, artifact_id: str, version: int | None = None) -> str:
        """An artifact's page; with ``version``, that revision (a permalink)."""
        return self.path(f"/artifact/{artifact_id}", f"version={version}" if version else None)

    def embed(self, artifact_id: str) -> str:
        return self.path(f"/artifact/{artifact_id}", "embed=1")

    def _of(self, artifact_id: str, tail: str, query: Query = None) -> str:
        return self.path(f"/artifact/{artifact_id}/{tail}", query)

    def history(self, artifact_id: str) -> str:
        return self._of(artifact_id, "history")

    def edit(self, artifact_id: str) -> str:
        return self._of(artifact_id, "edit")

    def preview(self, artifact_id: str) -> str:
        return self._of(artifact_id, "preview")

    def diff(self, artifact_id: str, query: Query = None) -> str:
        return self._of(artifact_id, "diff", query)

    def revert(self, artifact_id: str) -> str:
        return self._of(artifact_id, "revert")

    def provenance(self, artifact_id: str) -> str:
        return self._of(artifact_id, "provenance")

    def edges(self, artifact_id: str, query: Query = None) -> str:
        return self._of(artifact_id, "edges", query)

    def edges_tsv(self, artifact_id: str, query: Query = None) -> str:
        return self._of(artifact_id, "edges.tsv", query)

    def publications(self, artifact_id: str, query: Query = None) -> str:
        """The papers linked to an artifact's entity, page by page."""
        return self._of(artifact_id, "publications", query)

    def cite(self, artifact_id: str, extension: str, version: int | None = None) -> str:
        return self._of(artifact_id, f"cite.{extension}", {"version": version})

    # -- entities and the atlas ---------------------------------------------------------

    def entity(self, curie: str) -> str:
        """An entity: redirects to its page."""
        return self.path(f"/entity/{curie}")

    def section(self, section: str, name: str) -> str:
        """``/genes/bach1``: a name within a URL section (``kg.categories.LINK_SECTIONS``),
        which redirects to the page of the entity it names."""
        return self.path(f"/{section}/{quote(name, safe=':')}")

    def atlas(self) -> str:
        return self.path("/atlas")

    def atlas_entities(self, query: Query = None) -> str:
        return self.path("/atlas/entities", query)

    def atlas_edges(self, query: Query = None) -> str:
        return self.path("/atlas/edges", query)

    def explorer(self, curie: str, query: Query = None) -> str:
        """An entity's neighbourhood in the explorer."""
        return self.path(f"/atlas/entity/{quote(curie, safe=':')}", query)

    def paths(self, query: Query = None) -> str:
        """How two entities are connected."""
        return self.path("/atlas/path", query)

    # -- JSON API -----------------------------------------------------------------------

    def api_docs(self) -> str:
        return self.path("/api/docs")

    def api_artifact(self, artifact_id: str) -> str:
        return self.path(f"/api/artifacts/{artifact_id}")

    def api_artifacts(self, query: Query = None) -> str:
        return self.path("/api/artifacts", query)

    def api_entity(self, curie: str) -> str:
        return self.path(f"/api/entities/{curie}")

    def api_neighbours(self, curie: str, query: Query = None) -> str:
        return self.path(f"/api/entities/{curie}/neighbours", query)

    def api_associations(self, curie: str, query: Query = None) -> str:
        return self.path(f"/api/entities/{curie}/associations", query)

    def api_publications(self, curie: str, query: Query = None) -> str:
        return self.path(f"/api/entities/{curie}/publications", query)

    def api_xrefs(self, curie: str) -> str:
        return self.path(f"/api/entities/{curie}/xrefs")

    def api_edge(self, edge_id: str) -> str:
        return self.path(f"/api/edges/{edge_id}")

    def api_atlas(self) -> str:
        return self.path("/api/atlas")

    def api_explorer(self, curie: str, query: Query = None) -> str:
        return self.path(f"/api/atlas/entity/{quote(curie, safe=':')}", query)

    def api_paths(self, query: Query = None) -> str:
        return self.path("/api/atlas/path", query)


# Site-relative paths, for links within the atlas.
urls = Urls()
