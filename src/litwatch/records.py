"""The Record: one shape for a publication or a registered trial, whatever its source.

Readers (formats/) and connectors (sources/) produce Records; the store keeps them; screening,
annotation and reports read them. `Record.to_dict()` / `Record.from_dict()` round-trip losslessly
through JSON, which is how the store keeps them.

Text offsets: `Record.abstract_text` joins the abstract sections' texts with a single "\n";
section labels are not part of it, so offsets into it stay stable whatever the source's labels.
"""

from __future__ import annotations

import hashlib
import re
import threading
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any, Literal

import orjson

__all__ = [
    "Ids",
    "AbstractSection",
    "Author",
    "Journal",
    "DateValue",
    "MeshQualifier",
    "MeshHeading",
    "Grant",
    "Link",
    "Reference",
    "Trial",
    "Provenance",
    "Record",
    "RecordKind",
    "DatePrecision",
    "STRONG_ID_FIELDS",
    "normalize_doi",
    "normalize_pmcid",
    "normalize_nct",
    "content_hash",
    "with_provenance",
]

RecordKind = Literal["article", "preprint", "trial", "other"]
DatePrecision = Literal["day", "month", "season", "year"]

STRONG_ID_FIELDS: tuple[str, ...] = ("pmid", "doi", "pmcid", "nct")

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_NCT = re.compile(r"NCT\d{8}", re.I)


def normalize_doi(value: str | None) -> str | None:
    """Lower-cased DOI without a resolver prefix: 'https://doi.org/10.1/X' -> '10.1/x'."""
    if not value:
        return None
    doi = _DOI_PREFIX.sub("", value.strip()).strip().rstrip(".").lower()
    return doi if doi.startswith("10.") else None


def normalize_pmcid(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().upper()
    if v.isdigit():
        v = "PMC" + v
    return v if re.fullmatch(r"PMC\d+", v) else None


def normalize_nct(value: str | None) -> str | None:
    if not value:
        return None
    m = _NCT.search(value)
    return m.group(0).upper() if m else None


_NORMALIZERS = {"doi": normalize_doi, "pmcid": normalize_pmcid, "nct": normalize_nct}


@dataclass(slots=True)
class Ids:
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    pii: str | None = None
    nct: str | None = None
    europepmc: str | None = None
    openalex: str | None = None

    def strong(self) -> list[tuple[str, str]]:
        """The (kind, value) pairs that identify a work for merging, normalised."""
        out = []
        for kind in STRONG_ID_FIELDS:
            value = getattr(self, kind)
            if value:
                norm = _NORMALIZERS[kind](value) if kind in _NORMALIZERS else value.strip()
                if norm:
                    out.append((kind, norm))
        return out

    def best(self) -> str | None:
        """A display id: 'PMID:123', 'NCT01234567', 'doi:10.x/y', 'PMC123' or None."""
        if self.pmid:
            return f"PMID:{self.pmid}"
        if self.nct:
            return self.nct
        if self.doi:
            return f"doi:{self.doi}"
        if self.pmcid:
            return self.pmcid
        return None


@dataclass(slots=True)
class AbstractSection:
    text: str
    label: str | None = None
    category: str | None = None  # NLM category: BACKGROUND, OBJECTIVE, METHODS, RESULTS, CONCLUSIONS, UNASSIGNED


@dataclass(slots=True)
class Author:
    family: str | None = None
    given: str | None = None
    initials: str | None = None
    orcid: str | None = None
    affiliations: list[str] = field(default_factory=list)
    collective: str | None = None  # a group author ("COVID-19 Study Group") instead of a person

    def display(self) -> str:
        if self.collective:
            return self.collective
        return " ".join(p for p in (self.family, self.initials or self.given) if p)


@dataclass(slots=True)
class Journal:
    title: str | None = None
    iso_abbrev: str | None = None
    issn_print: str | None = None
    issn_electronic: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None


@dataclass(slots=True)
class DateValue:
    """A possibly partial date: `value` is the ISO start date, `precision` says how much is known."""

    value: str  # YYYY-MM-DD (start of the period for partial dates)
    precision: DatePrecision = "day"
    raw: str | None = None  # the source's text when it was not a clean date ("2007 Jan-Feb")

    @property
    def year(self) -> int:
        return int(self.value[:4])

    @property
    def month(self) -> str | None:
        """'YYYY-MM' when the month is known (season precision maps to its first month)."""
        return self.value[:7] if self.precision != "year" else None

    def as_date(self) -> date:
        return date.fromisoformat(self.value)


@dataclass(slots=True)
class MeshQualifier:
    name: str
    ui: str | None = None
    major: bool = False


@dataclass(slots=True)
class MeshHeading:
    descriptor: str
    ui: str | None = None
    major: bool = False
    qualifiers: list[MeshQualifier] = field(default_factory=list)


@dataclass(slots=True)
class Grant:
    grant_id: str | None = None
    agency: str | None = None
    country: str | None = None
    acronym: str | None = None


@dataclass(slots=True)
class Link:
    """A relation to another work or registry entry.

    kind: retracted-by, retraction-of, erratum-in, erratum-for, comment-in, comment-on,
    update-in, update-of, expression-of-concern-in, republished-in, ... (PubMed
    CommentsCorrections RefType in kebab case), databank (an accession such as an NCT id),
    preprint-of / published-as (preprint <-> article), trial-publication (trial -> pmid).
    """

    kind: str
    pmid: str | None = None
    doi: str | None = None
    accession: str | None = None  # databank accession, e.g. NCT01234567
    databank: str | None = None  # e.g. ClinicalTrials.gov
    text: str | None = None  # the source's citation text


@dataclass(slots=True)
class Reference:
    citation: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None


@dataclass(slots=True)
class Trial:
    status: str | None = None  # RECRUITING, COMPLETED, ... (API v2 enum spelling)
    phase: str | None = None  # e.g. "PHASE1/PHASE2"
    study_type: str | None = None  # INTERVENTIONAL, OBSERVATIONAL, ...
    enrollment: int | None = None
    enrollment_type: str | None = None  # ACTUAL | ESTIMATED
    conditions: list[str] = field(default_factory=list)
    interventions: list[str] = field(default_factory=list)
    sponsor: str | None = None
    collaborators: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    linked_pmids: list[str] = field(default_factory=list)
    has_results: bool | None = None
    url: str | None = None


@dataclass(slots=True)
class Provenance:
    source: str  # pubmed, europepmc, clinicaltrials, crossref, file:pubmed-xml, file:ris, ...
    origin: str | None = None  # the query sent, or the file path
    retrieved_at: str | None = None  # ISO 8601 UTC
    raw_hash: str | None = None  # sha1 of the raw item as received
    location: str | None = None  # where in the file/reply: "record 12", "line 340"
    run_id: int | None = None


_DATE_PRIORITY_DEFAULT: tuple[str, ...] = ("electronic", "issue", "pubmed", "entrez", "first_publication")


@dataclass(slots=True)
class Record:
    kind: RecordKind = "article"
    ids: Ids = field(default_factory=Ids)
    title: str | None = None
    abstract: list[AbstractSection] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    journal: Journal = field(default_factory=Journal)
    # keys: electronic, issue, pubmed (history 'pubmed'), entrez, medline, received, accepted,
    # revised, created, completed, trial_start, first_posted, last_update, completion, ...
    dates: dict[str, DateValue] = field(default_factory=dict)
    publication_types: list[str] = field(default_factory=list)
    mesh: list[MeshHeading] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    language: str | None = None
    grants: list[Grant] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    trial: Trial | None = None
    body: list[str] = field(default_factory=list)  # full-text paragraphs (JATS), kept apart from abstract
    provenance: list[Provenance] = field(default_factory=list)
    deleted: bool = False  # a PubMed DeleteCitation
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. {"prior_label": 1}, source-specific status

    # -- derived views -------------------------------------------------------------------
    @property
    def abstract_text(self) -> str:
        return "\n".join(s.text for s in self.abstract)

    def section_offsets(self) -> list[tuple[int, int]]:
        """(start, end) of each abstract section inside `abstract_text`."""
        out, pos = [], 0
        for s in self.abstract:
            out.append((pos, pos + len(s.text)))
            pos += len(s.text) + 1
        return out

    def best_date(self, priority: tuple[str, ...] = _DATE_PRIORITY_DEFAULT) -> DateValue | None:
        for key in priority:
            d = self.dates.get(key)
            if d is not None:
                return d
        for key in ("first_posted", "trial_start", "created"):
            if key in self.dates:
                return self.dates[key]
        return None

    def report_month(self, priority: tuple[str, ...] = _DATE_PRIORITY_DEFAULT) -> str | None:
        """'YYYY-MM' the record is reported under: electronic date, else issue date, else PubMed's listing."""
        for key in priority:
            d = self.dates.get(key)
            if d is not None and d.month:
                return d.month
        d = self.best_date(priority)
        return d.month if d else None

    @property
    def year(self) -> int | None:
        d = self.best_date()
        return d.year if d else None

    @property
    def first_author(self) -> Author | None:
        return self.authors[0] if self.authors else None

    # -- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: None, empty lists/dicts and False defaults left out (from_dict restores them)."""
        d = _dump(self)
        if self.trial is not None and "trial" not in d:
            d["trial"] = {}  # an empty Trial is still a trial
        if self.extra:
            d["extra"] = orjson.loads(orjson.dumps(self.extra))  # kept verbatim: False and 0 matter here
        return d

    def to_json(self) -> str:
        return _dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Record":
        """The Record of `to_dict()`'s data: missing keys take their defaults, unknown keys are left
        out (a newer version's field). Read from the classes' own fields, as to_dict() is."""
        loader = _LOADERS.get(cls)
        if loader is None:
            loader = _loader_of(cls)
        return loader(data)

    @classmethod
    def from_json(cls, text: str | bytes) -> "Record":
        return cls.from_dict(orjson.loads(text))

    def content_hash(self) -> str:
        """Hash of the bibliographic content, provenance excluded: equal hashes mean nothing changed."""
        return self.json_parts()[2]

    def json_parts(self) -> tuple[str, list[dict[str, Any]], str]:
        """(the JSON of everything but provenance, provenance as plain data, content_hash()).

        The store keeps `with_provenance(json, provenance)`: a copy's provenance can then be
        changed (its place in a file, numbered late by the parallel reader) without a new dump.
        """
        d = self.to_dict()
        provenance = d.pop("provenance", [])
        body = _dumps(d)
        return body, provenance, content_hash(body)


def with_provenance(body: str, provenance: list[dict[str, Any]]) -> str:
    """A record's JSON from `Record.json_parts`: provenance added as the last key."""
    if not provenance:
        return body
    tail = orjson.dumps(provenance).decode("utf-8")
    return f'{body[:-1]},"provenance":{tail}}}' if body != "{}" else f'{{"provenance":{tail}}}'


def _dumps(data: dict[str, Any]) -> str:
    # orjson: 4x faster than json.dumps here, which made it most of the time spent storing a record
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def content_hash(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha1(data).hexdigest()


_LOADERS: dict[type, Callable[[dict[str, Any]], Any]] = {}


def _compile_loader(cls: type) -> Callable[[dict[str, Any]], Any]:
    """from_dict for one dataclass, written out field by field from its type hints (the mirror of
    _compile_dumper): fields holding dataclasses are built by their own loaders, lists and dicts
    are copied, a missing key (or a None where the default is a list, a dict or an object) gives
    the field's default, and keys that are no field are left out. A class holding none of those
    is built from the data as it is."""
    hints = typing.get_type_hints(cls)
    names = frozenset(f.name for f in fields(cls))
    env: dict[str, Any] = {"cls": cls, "names": names}
    lines, args, built = [], [], False
    for f in fields(cls):
        name, hint = f.name, hints[f.name]
        shape, inner = _shape(hint)
        key = repr(name)
        if f.default is not MISSING:
            env[f"default_{name}"] = f.default
            default = f"default_{name}"
        elif f.default_factory is not MISSING:
            env[f"factory_{name}"] = f.default_factory
            default = f"factory_{name}()"
        else:
            default = None  # required
        if shape in ("object", "objects", "mapping"):
            env[f"l_{name}"] = _loader_of(inner)
            value = {"object": f"l_{name}(x)", "objects": f"[l_{name}(y) for y in x]",
                     "mapping": f"{{k: l_{name}(y) for k, y in x.items()}}"}[shape]
        elif shape == "scalars" or typing.get_origin(hint) is list:
            value = "list(x)"
        elif typing.get_origin(hint) is dict:
            value = "dict(x)"
        else:  # a scalar, or anything else: as it is
            args.append(f"{name}=d[{key}]" if default is None else
                        f"{name}=g({key})" if f.default is None else
                        f"{name}=g({key}, {default})" if f.default is not MISSING else
                        f"{name}=d[{key}] if {key} in d else {default}")
            continue
        built = True
        lines.append(f"    x = d[{key}]" if default is None else f"    x = g({key})")
        lines.append(f"    a_{name} = {value} if x is not None else {default}")
        args.append(f"{name}=a_{name}")
    if built:
        body = ["    g = d.get", *lines, f"    return cls({', '.join(args)})"]
    else:  # nothing to build: the data are the arguments
        body = ["    return cls(**d) if names.issuperset(d) else cls(**{k: v for k, v in d.items() if k in names})"]
    exec("\n".join(["def load(d):", *body]), env)  # noqa: S102 - code written above from the class's own fields
    return env["load"]


_COMPILING: set[type] = set()
# Compiling is done by one thread at a time (the web app reads records from a thread pool): another
# thread that found cls in _COMPILING would call the stand-in before the loader exists. Re-entrant,
# because a class's loader compiles its fields' loaders first.
_COMPILE_LOCK = threading.RLock()


def _loader_of(cls: type) -> Callable[[dict[str, Any]], Any]:
    """cls's loader: compiled now, or called through a stand-in while cls itself is being compiled
    (a class that holds itself)."""
    loader = _LOADERS.get(cls)
    if loader is not None:
        return loader
    with _COMPILE_LOCK:
        loader = _LOADERS.get(cls)
        if loader is not None:  # another thread compiled it while this one waited
            return loader
        if cls in _COMPILING:
            return lambda data: _LOADERS[cls](data)
        _COMPILING.add(cls)
        try:
            loader = _LOADERS[cls] = _compile_loader(cls)
        finally:
            _COMPILING.discard(cls)
    return loader


_FALSE_BY_DEFAULT = frozenset({"major", "deleted"})
_SCALARS = (str, int, float, bool, type(None))
_SKIP = object()


def _dump(value: Any) -> Any:
    """A dataclass tree as dicts and lists, pruned: None, empty lists/dicts/objects and the False
    defaults left out. Hand-written because dataclasses.asdict deep-copies everything and was most
    of the import time; each class gets a function of its own (see _compile_dumper)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_dump(v) for v in value]
    if kind is dict:
        return {k: _dump(v) for k, v in value.items()}
    dumper = _DUMPERS.get(kind)
    if dumper is None:
        dumper = _DUMPERS[kind] = _compile_dumper(kind)
    return dumper(value)


def _dump_field(value: Any, name: str) -> Any:
    """One field's value as _dump gives it, or _SKIP when the field is left out."""
    if value is None or (value is False and name in _FALSE_BY_DEFAULT):
        return _SKIP
    kind = type(value)
    if kind is list or kind is dict:
        return _dump(value) if value else _SKIP
    if kind in _SCALARS:
        return value
    out = _dump(value)
    return out if out else _SKIP


_DUMPERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _compile_dumper(cls: type) -> Callable[[Any], dict[str, Any]]:
    """_dump for one dataclass, written out field by field from its type hints.

    Three times faster than walking the fields at run time, and a record is dumped on every
    store write. Each typed branch gives what _dump_field gives for a value of that type; a
    field of another type (Any, a union) takes _dump_field itself.
    """
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {"_dump_field": _dump_field, "_SKIP": _SKIP, "_dump": _dump}
    body = ["def dump(v):", "    out = {}"]
    for f in fields(cls):
        name, hint = f.name, hints[f.name]
        shape, inner = _shape(hint)
        key = repr(name)
        body.append(f"    x = v.{name}")
        if shape == "scalar" and name in _FALSE_BY_DEFAULT:
            body.append(f"    if x is not None and x is not False: out[{key}] = x")
        elif shape == "scalar":
            body.append(f"    if x is not None: out[{key}] = x")
        elif shape == "scalars":
            body.append(f"    if x: out[{key}] = list(x)")
        elif shape in ("object", "objects", "mapping"):
            env[f"d_{name}"] = _object_dumper(inner)
            if shape == "objects":
                body.append(f"    if x: out[{key}] = [d_{name}(y) for y in x]")
            elif shape == "mapping":
                body.append(f"    if x: out[{key}] = {{k: d_{name}(y) for k, y in x.items()}}")
            else:
                body.append(f"    if x is not None:\n        y = d_{name}(x)\n        if y: out[{key}] = y")
        else:
            body.append(f"    y = _dump_field(x, {key})\n    if y is not _SKIP: out[{key}] = y")
    body.append("    return out")
    exec("\n".join(body), env)  # noqa: S102 - code written above from the class's own fields
    return env["dump"]


def _object_dumper(cls: type) -> Callable[[Any], dict[str, Any]]:
    """cls's dumper, compiled when first called (classes may refer to each other)."""

    def dump(value: Any) -> dict[str, Any]:
        if type(value) is not cls:  # a subclass or a stray type: the general path
            return _dump(value)
        dumper = _DUMPERS.get(cls)
        if dumper is None:
            dumper = _DUMPERS[cls] = _compile_dumper(cls)
        return dumper(value)

    return dump


def _shape(hint: Any) -> tuple[str, Any]:
    """How a field of this type is dumped: scalar, scalars (a list of them), object, objects
    (a list of dataclasses), mapping (str -> dataclass) or general."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            return "general", None
        hint = rest[0]
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in (str, int, float, bool) or origin is typing.Literal:
        return "scalar", None
    if origin is list and len(args) == 1:
        if args[0] in (str, int, float, bool):
            return "scalars", None
        if is_dataclass(args[0]):
            return "objects", args[0]
    if origin is dict and len(args) == 2 and is_dataclass(args[1]):
        return "mapping", args[1]
    if isinstance(hint, type) and is_dataclass(hint):
        return "object", hint
    return "general", None
