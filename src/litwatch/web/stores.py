"""One Store (SQLite connection) per worker thread: requests run in a thread pool and SQLite
connections must not be shared between threads that may write at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

from litwatch.store import Store, open_store

__all__ = ["StorePool"]


class StorePool:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()
        with open_store(self.path):  # create and migrate once, up front, and fail early
            pass

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.path)
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                try:
                    store.close()
                except Exception:  # a connection of a finished thread: nothing to save
                    pass
            self._all.clear()
