"""The web app: create_app(settings) is the only place the store and HTTP meet."""

from scidex.web.app import create_app

__all__ = ["create_app"]
