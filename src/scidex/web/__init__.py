"""The web app: ``create_app(settings, store)`` builds it on one store, handed in explicitly.

Route handlers (``routes/``) reach that store only through ``deps.store_of`` /
``deps.StoreDep``, and call the same ``queries`` and ``pages`` functions for a page
and its JSON twin.
"""

from scidex.web.app import create_app

__all__ = ["create_app"]
