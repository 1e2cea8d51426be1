"""The store: tables, migrations, connections, bulk writes, edge counts and the search index,
on SQLite (embedded default) or PostgreSQL.

The schema and every statement that differs between the two backends live here
(one planner hint excepted: ``queries.artifacts.links_of`` names an SQLite index
next to the query it steers). Other layers compose portable SQLAlchemy Core
statements over these tables on a connection they are given. Imports only ``kg``.
"""

from scidex.store.core import NoStoreError, SchemaTooNewError, Store, StoreError, redact_url

__all__ = ["NoStoreError", "SchemaTooNewError", "Store", "StoreError", "redact_url"]
