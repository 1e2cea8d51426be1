"""The vocabulary: model records, the declared edge fields, CURIEs, names, the pinned
Biolink slice, xrefs and categories.

Plain data and pure functions. It imports nothing of scidex but ``config``;
every other layer builds on it.
"""
