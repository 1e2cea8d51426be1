"""Building the atlas: pinned sources (``sources/``), the canonical write path that merges their
records onto canonical ids (``write``), and the default build (``build``).

May use ``registry`` and everything below it.
"""
