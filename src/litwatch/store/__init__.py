"""The SQLite store: records, source copies with provenance, merges, runs, full-text search."""

from litwatch.store.db import SearchHit, Store, open_store
from litwatch.store.upsert import UpsertResult

__all__ = ["Store", "SearchHit", "UpsertResult", "open_store"]
