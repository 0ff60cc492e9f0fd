"""The live sources litwatch knows, in one table.

Everything that names a source reads it from here: the polite client (`sources/http.py`: base URL
setting, rate, largest reply), the fetch job (which connector, its page-size argument, the
sources a topic is fetched from by default), topic validation (which `[queries]` keys a profile
may have), the settings table (`config.py`: the base-URL rows), the CLI's help and the report's
texts (the label per language). Adding a service is one row here and its connector module.

Plain data, importing nothing of litwatch: the settings module below everything reads it, so it
may not import anything above that (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DateFields", "Source", "SOURCES", "SOURCE_NAMES", "DEFAULT_SOURCES", "source", "label",
           "names_text"]


@dataclass(frozen=True, slots=True)
class DateFields:
    """The service's names for the dates a fetch limits by (as its query syntax writes them)."""

    published: str  # a --from/--to range
    entered: str  # the entry window of a dated fetch, and "added since" for --since-last-run
    updated: str  # "revised since" for --since-last-run


@dataclass(frozen=True, slots=True)
class Source:
    name: str  # the key: "pubmed"; what --source, [queries] and the store's provenance say
    labels: dict[str, str]  # what readers see, per language (zh-Hant is converted from zh-Hans)
    url_setting: str  # the config setting holding the base URL (tests point it at a loopback server)
    url_env: str
    url_default: str
    url_help: str
    rate: tuple[int, float]  # default (requests, per seconds); see sources/http.py for the reasons
    max_body_mb: float  # largest reply body read (LITWATCH_HTTP_MAX_BODY_<SOURCE> overrides)
    connector: str  # "module:Class" of its connector, imported only when a fetch uses it
    size_arg: str  # the connector's keyword for records per request (fetch --batch-size)
    default_size: int  # ... and its default
    dates: DateFields
    by_default: bool = True  # a topic is fetched from it when the fetch names no sources

    @property
    def label(self) -> str:
        return self.labels["en"]

    def label_in(self, lang: str) -> str:
        base = "zh-Hans" if lang.startswith("zh") else lang
        return self.labels.get(base) or self.labels["en"]


# Rates: NCBI documents 3/s (10/s with a key); Europe PMC and ClinicalTrials.gov publish no hard
# figure, so we stay well below what they tolerate; Crossref tells us its limit in x-rate-limit-*
# headers and we adopt it after the first reply. Body limits are several times the largest page
# litwatch asks for: 200 PubMed records, 500 Europe PMC core results, 1,000 ClinicalTrials.gov
# studies (whole protocol sections), 200 Crossref works.
SOURCES: dict[str, Source] = {
    s.name: s
    for s in [
        Source("pubmed", {"en": "PubMed", "zh-Hans": "PubMed"}, "pubmed_url", "LITWATCH_PUBMED_URL",
               "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/", "base URL of NCBI E-utilities",
               (3, 1.0), 64.0, "litwatch.sources.pubmed:PubMed", "batch_size", 200,
               DateFields("pdat", "edat", "mdat")),
        Source("europepmc", {"en": "Europe PMC", "zh-Hans": "Europe PMC"}, "europepmc_url", "LITWATCH_EUROPEPMC_URL",
               "https://www.ebi.ac.uk/europepmc/webservices/rest/", "base URL of the Europe PMC REST API",
               (5, 1.0), 128.0, "litwatch.sources.europepmc:EuropePMC", "page_size", 500,
               DateFields("FIRST_PDATE", "FIRST_IDATE", "UPDATE_DATE")),
        Source("clinicaltrials", {"en": "ClinicalTrials.gov", "zh-Hans": "ClinicalTrials.gov"}, "ctgov_url",
               "LITWATCH_CTGOV_URL", "https://clinicaltrials.gov/api/v2/", "base URL of the ClinicalTrials.gov API v2",
               (4, 5.0), 256.0, "litwatch.sources.clinicaltrials:ClinicalTrials", "page_size", 1000,
               DateFields("StudyFirstPostDate", "LastUpdatePostDate", "LastUpdatePostDate")),
        Source("crossref", {"en": "Crossref", "zh-Hans": "Crossref"}, "crossref_url", "LITWATCH_CROSSREF_URL",
               "https://api.crossref.org/", "base URL of Crossref REST",
               (5, 1.0), 64.0, "litwatch.sources.crossref:Crossref", "page_size", 200,
               DateFields("from-pub-date", "from-index-date", "from-update-date"), by_default=False),
    ]
}

SOURCE_NAMES: tuple[str, ...] = tuple(SOURCES)
DEFAULT_SOURCES: tuple[str, ...] = tuple(s.name for s in SOURCES.values() if s.by_default)


def source(name: str) -> Source:
    """The row of `name`; KeyError names the known ones."""
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r} (known: {', '.join(SOURCE_NAMES)})") from None


def label(name: str, lang: str = "en") -> str:
    """What readers call the source in `lang`; an unknown name as it is."""
    row = SOURCES.get(name)
    return row.label_in(lang) if row else name


def names_text(names: tuple[str, ...] | list[str] | None = None, *, labels: bool = False, sep: str = ", ") -> str:
    """'pubmed, europepmc, ...' (or their labels) for help texts and hints."""
    chosen = list(names) if names is not None else list(SOURCE_NAMES)
    return sep.join(SOURCES[n].label if labels else n for n in chosen)

