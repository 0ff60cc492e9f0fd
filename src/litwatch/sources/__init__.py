"""Live connectors: PubMed, Europe PMC, ClinicalTrials.gov, Crossref, and the fetch run around them.

All network traffic goes through `litwatch.sources.http`; `litwatch.sources.fetch.fetch` is the
library face of `litwatch fetch`.
"""

from __future__ import annotations

__all__ = ["SOURCE_NAMES"]

SOURCE_NAMES: tuple[str, ...] = ("pubmed", "europepmc", "clinicaltrials", "crossref")
