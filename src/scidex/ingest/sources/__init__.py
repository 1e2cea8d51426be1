"""Pinned public sources: one module per source that fetches and parses its archive."""
