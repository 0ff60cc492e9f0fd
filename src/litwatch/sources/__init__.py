"""Live connectors: PubMed, Europe PMC, ClinicalTrials.gov, Crossref; the polite client they share
(`http.py`), their fetch checkpoints (`checkpoints.py`), single look-ups for the audit (`lookup.py`)
and the PubMed file mirror (`mirror.py`).

Which sources exist is `litwatch.services.SOURCES`. All network traffic goes through `sources/http.py`.
Running a fetch into the store (plan, batches, checkpoints, the run log) is the fetch job,
`litwatch.jobs.fetch`.
"""

from __future__ import annotations

import importlib

from litwatch.services import SOURCE_NAMES, SOURCES, source

__all__ = ["SOURCE_NAMES", "SOURCES", "connector_class"]


def connector_class(name: str) -> type:
    """The connector class of source `name` (`litwatch.services.Source.connector`), imported on first use."""
    module, _, cls = source(name).connector.partition(":")
    return getattr(importlib.import_module(module), cls)
