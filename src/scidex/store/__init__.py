"""The store: the only code that speaks SQL. SQLite (embedded default) or PostgreSQL."""

from .core import SchemaTooNewError, Store, StoreError, redact_url

__all__ = ["SchemaTooNewError", "Store", "StoreError", "redact_url"]
