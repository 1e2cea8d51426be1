"""The write side of the artifact registry: ids and generated pages, revisions with conflict
detection, editing, curated content, provenance links, merges, accounts and tokens, the audit
log, and the content check behind ``scidex lint``.

May use ``pages`` (to render what it checks), ``queries``, ``wiki``, ``store`` and ``kg``.
"""
