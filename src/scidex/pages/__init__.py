"""Page assembly: what an artifact page shows (one record, rendered as HTML and JSON), its
infobox and its citation formats.

Built from ``queries`` (reads) and ``wiki`` (rendering); knows nothing of HTTP.
"""
