"""Settings: one object, built once and passed explicitly to the store and the app."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def default_db_path() -> Path:
    """Where the default SQLite store lives, as an absolute path, whatever the current directory.

    Run from a source checkout (the ``make run`` way), it is the checkout's
    ``var/atlas.db``, which the Makefile builds and serves. Installed as a package,
    with no checkout around it, it is ``$XDG_DATA_HOME/scidex/atlas.db``
    (``~/.local/share/scidex/atlas.db``), the platform's place for a user's data.
    """
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "scidex").is_dir():
        return checkout / "var" / "atlas.db"
    return _user_dir("data") / "scidex" / "atlas.db"


def _user_dir(kind: str) -> Path:
    """The platform's place for a user's ``data`` or ``cache``."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    if sys.platform == "darwin":
        return Path.home() / "Library" / ("Application Support" if kind == "data" else "Caches")
    variable, fallback = (
        ("XDG_DATA_HOME", Path(".local") / "share")
        if kind == "data"
        else ("XDG_CACHE_HOME", Path(".cache"))
    )
    return Path(os.environ.get(variable) or Path.home() / fallback)


def default_database_url() -> str:
    return f"sqlite:///{default_db_path()}"


def absolute_database_url(url: str) -> str:
    """A SQLite URL with its path made absolute (against the current directory, ``~``
    expanded), so that the store named is the same file whoever prints or opens it.
    Other URLs, and SQLite in memory, are returned as they are."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return url
    path, sep, query = url[len(prefix) :].partition("?")
    if not path or path == ":memory:" or path.startswith("/"):
        return url
    return f"{prefix}{Path(path).expanduser().resolve()}{sep}{query}"


def default_cache_dir() -> Path:
    """``$SCIDEX_CACHE_DIR`` if set, else the platform user cache + ``scidex/sources``."""
    if env := os.environ.get("SCIDEX_CACHE_DIR"):
        return Path(env).expanduser()
    return _user_dir("cache") / "scidex" / "sources"


def default_content_dir() -> Path:
    """``content/pages`` of the source tree (the curated articles live in the repo)."""
    return Path(__file__).resolve().parents[2] / "content" / "pages"


class ConfigError(ValueError):
    """A configuration variable holds a value that cannot be used."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _flag(name: str, value: str) -> bool:
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ConfigError(f"{name} must be 1 or 0 (true/false, yes/no, on/off), not {value!r}")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the library and the web app need to know about their environment."""

    database_url: str = field(default_factory=default_database_url)
    cache_dir: Path = field(default_factory=default_cache_dir)
    content_dir: Path = field(default_factory=default_content_dir)
    base_url: str = "http://127.0.0.1:8000"
    site_name: str = "SciDEX Atlas"
    # Threads per server process for the (synchronous) handlers. Pages and API
    # answers are CPU-bound Python: more threads only fight over the GIL
    # (measured: 107 req/s with 40, 176 with 2, 230 with 1), while a second
    # one keeps a slow request from stalling everything else.
    threads: int = 2
    # The largest request body accepted (bytes); a larger one is refused with 413 unread.
    max_body_bytes: int = 2 * 1024 * 1024
    # Seconds a client has to send a request's head (from the connection, or the previous
    # answer) and, once the head is in, its whole body; then 408 and the connection closes.
    request_timeout: float = 30.0
    # One line per request on stdout (Combined Log Format plus the duration).
    access_log: bool = True

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Read SCIDEX_* variables; explicit overrides (from the CLI) win over the environment."""
        env: dict[str, Any] = {}  # field name -> value, of that field's type
        if url := os.environ.get("SCIDEX_DATABASE_URL"):
            env["database_url"] = url
        if content := os.environ.get("SCIDEX_CONTENT_DIR"):
            env["content_dir"] = Path(content)
        if base := os.environ.get("SCIDEX_BASE_URL"):
            env["base_url"] = base.rstrip("/")
        if threads := os.environ.get("SCIDEX_THREADS"):
            if not threads.isdigit() or int(threads) < 1:
                raise ConfigError(
                    f"SCIDEX_THREADS must be a whole number of 1 or more, not {threads!r}"
                )
            env["threads"] = int(threads)
        if limit := os.environ.get("SCIDEX_MAX_BODY_BYTES"):
            if not limit.isdigit() or int(limit) < 1:
                raise ConfigError(
                    f"SCIDEX_MAX_BODY_BYTES must be a whole number of 1 or more, not {limit!r}"
                )
            env["max_body_bytes"] = int(limit)
        if timeout := os.environ.get("SCIDEX_REQUEST_TIMEOUT"):
            try:
                seconds = float(timeout)
            except ValueError:
                seconds = 0.0
            if not 0 < seconds < float("inf"):
                raise ConfigError(
                    f"SCIDEX_REQUEST_TIMEOUT must be a number of seconds above 0, not {timeout!r}"
                )
            env["request_timeout"] = seconds
        if (flag := os.environ.get("SCIDEX_ACCESS_LOG")) is not None:
            env["access_log"] = _flag("SCIDEX_ACCESS_LOG", flag)
        env.update({k: v for k, v in overrides.items() if v is not None})
        if "database_url" in env:
            env["database_url"] = absolute_database_url(env["database_url"])
        return cls(**env)


# Every configuration variable, with what it does; the README and a test read this.
ENVIRONMENT_VARIABLES: dict[str, str] = {
    "SCIDEX_DATABASE_URL": "Store URL: sqlite:///path or postgresql://user@host:port/dbname "
    "(default: var/atlas.db of the source checkout, else $XDG_DATA_HOME/scidex/atlas.db; a "
    "relative SQLite path is taken from the current directory). The --db option overrides it.",
    "SCIDEX_CACHE_DIR": "Where pinned source archives are downloaded and verified "
    "(default $XDG_CACHE_HOME/scidex/sources, i.e. ~/.cache/scidex/sources).",
    "SCIDEX_CONTENT_DIR": "Curated pages (markdown with YAML front matter) loaded by scidex build "
    "(default content/pages of the source tree).",
    "SCIDEX_BASE_URL": "Public base URL used in citations and embed snippets "
    "(default http://127.0.0.1:8000); its origin also passes the form posts' Origin check.",
    "SCIDEX_THREADS": "Threads per server process for request handlers (default 2; 1 gives the "
    "most requests/s, use --workers for more).",
    "SCIDEX_MAX_BODY_BYTES": "Largest request body accepted, in bytes (default 2097152, 2 MB); "
    "a larger one is refused with 413 before it is read.",
    "SCIDEX_REQUEST_TIMEOUT": "Seconds a client has to send a request's head, and then its "
    "body (default 30); a request still incomplete is answered 408 and its connection closed.",
    "SCIDEX_ACCESS_LOG": "1 (default) or 0: scidex serve writes one line per request on stdout "
    "(Combined Log Format plus the duration in seconds); --access-log/--no-access-log override it.",
    "SCIDEX_TEST_PG_URL": "Tests: PostgreSQL server to create throw-away databases on "
    "(default postgresql://postgres@127.0.0.1:5432/postgres).",
    "SCIDEX_REQUIRE_PG": "Tests: set to 1 to make a missing PostgreSQL a failure instead of a skip "
    "(CI sets it).",
    "SCIDEX_REQUIRE_BROWSER": "Tests: set to 1 to make a missing chromium a failure instead of a "
    "skip (CI sets it).",
}
