"""A bounded least-recently-used cache, safe to share between threads: the process's compiled
articles (``scidex.wiki.compiled``) and the web app's rendered pages both keep theirs in one,
and show its bound and fill on ``/health``."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """The ``size`` most recently used values by key (size 0 keeps nothing)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value kept for ``key``, now the most recently used; None when there is none."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def stats(self) -> dict[str, int]:
        """Its bound and how full it is, for ``/health``."""
        return {"limit": self.size, "size": len(self._items)}
