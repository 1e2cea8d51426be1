"""Settings: one object, built once and passed explicitly to the store and the app."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB_PATH = Path("var") / "atlas.db"


def default_database_url() -> str:
    return f"sqlite:///{DEFAULT_DB_PATH}"


def default_cache_dir() -> Path:
    """Where source archives are kept: $SCIDEX_CACHE_DIR, else the user cache + scidex/sources."""
    from .sources.fetch import default_cache_dir as sources_cache_dir

    return sources_cache_dir()


def _default_content_dir() -> Path:
    from .curated import default_content_dir

    return default_content_dir()


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the library and the web app need to know about their environment."""

    database_url: str = field(default_factory=default_database_url)
    cache_dir: Path = field(default_factory=default_cache_dir)
    content_dir: Path = field(default_factory=lambda: _default_content_dir())
    base_url: str = "http://127.0.0.1:8000"
    site_name: str = "SciDEX Atlas"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Read SCIDEX_* variables; explicit overrides (from the CLI) win over the environment."""
        env: dict[str, object] = {}
        if url := os.environ.get("SCIDEX_DATABASE_URL"):
            env["database_url"] = url
        if content := os.environ.get("SCIDEX_CONTENT_DIR"):
            env["content_dir"] = Path(content)
        if base := os.environ.get("SCIDEX_BASE_URL"):
            env["base_url"] = base.rstrip("/")
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)  # type: ignore[arg-type]


# Every configuration variable, with what it does; the README and a test read this.
ENVIRONMENT_VARIABLES: dict[str, str] = {
    "SCIDEX_DATABASE_URL": "Store URL: sqlite:///path (default sqlite:///var/atlas.db) or "
    "postgresql://user@host:port/dbname. The --db option overrides it.",
    "SCIDEX_CACHE_DIR": "Where pinned source archives are downloaded and verified "
    "(default $XDG_CACHE_HOME/scidex/sources, i.e. ~/.cache/scidex/sources).",
    "SCIDEX_CONTENT_DIR": "Curated pages (markdown with YAML front matter) loaded by scidex build "
    "(default content/pages of the source tree).",
    "SCIDEX_BASE_URL": "Public base URL used in citations and embed snippets "
    "(default http://127.0.0.1:8000).",
    "SCIDEX_TEST_PG_URL": "Tests: PostgreSQL server to create throw-away databases on "
    "(default postgresql://postgres@127.0.0.1:5432/postgres).",
    "SCIDEX_REQUIRE_PG": "Tests: set to 1 to make a missing PostgreSQL a failure instead of a skip "
    "(CI sets it).",
    "SCIDEX_REQUIRE_BROWSER": "Tests: set to 1 to make a missing chromium a failure instead of a "
    "skip (CI sets it).",
}
