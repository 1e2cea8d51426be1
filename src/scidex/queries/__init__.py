"""Reads over a connection: the graph, artifacts, name resolution, search, statistics, paths.

Every function takes an open SQLAlchemy ``Connection`` and returns plain
records; pages and the JSON API call the same functions. Imports only
``store`` and ``kg``; it never writes.
"""
