"""ClinicalTrials.gov: the classic CSV download and API v2 study JSON, as trial Records.

`read_stream` sniffs the content: a JSON study (`protocolSection`), a JSON list reply
(`{"studies": [...], "nextPageToken": ...}`), or the 27-column CSV of the classic site (one
row per study). Both map to the same Record shape; values use the API v2 enum spellings
(status "ACTIVE_NOT_RECRUITING", phase "PHASE1/PHASE2", study type "INTERVENTIONAL").
`record_from_study` maps one API v2 study; the live connector uses it too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from litwatch.errors import ParseError
from litwatch.formats._readers_common import (
    ITEM_ERRORS, clean, csv_records, load_json, make_provenance, parse_date_text, salvage_items,
)
from litwatch.formats.base import ParseIssue
from litwatch.formats.detect import text_lines
from litwatch.records import AbstractSection, Ids, Link, MeshHeading, Record, Reference, Trial, normalize_nct

__all__ = ["read_stream", "record_from_study", "record_from_csv_row", "normalize_status", "normalize_phase"]

STUDY_URL = "https://clinicaltrials.gov/study/{nct}"

_STATUS_SPECIAL = {"unknown status": "UNKNOWN", "unknown": "UNKNOWN"}


def normalize_status(value: str | None) -> str | None:
    """'Active, not recruiting' -> 'ACTIVE_NOT_RECRUITING'; API v2 values pass unchanged."""
    text = clean(value)
    if not text:
        return None
    if text.lower() in _STATUS_SPECIAL:
        return _STATUS_SPECIAL[text.lower()]
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def _one_phase(value: str) -> str | None:
    v = value.strip().upper().replace(" ", "")
    if not v:
        return None
    if v in ("NOTAPPLICABLE", "NA", "N/A"):
        return "NA"
    if v.startswith("EARLYPHASE"):
        return "EARLY_PHASE" + v[len("EARLYPHASE"):]
    if v.startswith("EARLY_PHASE"):
        return v
    return v  # "PHASE1" (from "Phase 1" or API v2)


def normalize_phase(values: list[str] | str | None) -> str | None:
    """'Phase 1|Phase 2' or ['PHASE1', 'PHASE2'] -> 'PHASE1/PHASE2'; 'Not Applicable' -> 'NA'."""
    if not values:
        return None
    parts = re.split(r"[|/]", values) if isinstance(values, str) else list(values)
    phases = [p for p in (_one_phase(x) for x in parts) if p]
    return "/".join(phases) or None


def _study_type(value: str | None) -> str | None:
    text = clean(value)
    if not text:
        return None
    return re.sub(r"[^A-Z0-9]+", "_", text.split(":")[0].upper()).strip("_")


def _split(value: str | None) -> list[str]:
    return [p for p in (clean(x) for x in (value or "").split("|")) if p]


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


# -- API v2 JSON ---------------------------------------------------------------------------
def _intervention_label(item: dict[str, Any]) -> str | None:
    name = clean(item.get("name"))
    kind = clean(item.get("type"))
    if name and kind:
        return f"{kind.replace('_', ' ').title()}: {name}"  # the CSV's "Drug: X" spelling
    return name


def _v2_dates(status: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, field in (("trial_start", "startDateStruct"), ("primary_completion", "primaryCompletionDateStruct"),
                       ("completion", "completionDateStruct"), ("first_posted", "studyFirstPostDateStruct"),
                       ("last_update", "lastUpdatePostDateStruct"), ("results_first_posted", "resultsFirstPostDateStruct")):
        d = parse_date_text((status.get(field) or {}).get("date"))
        if d is not None:
            out[key] = d
    return out


def _v2_references(refs: list[dict[str, Any]]) -> tuple[list[str], list[Link], list[Reference]]:
    pmids, links, references = [], [], []
    for ref in refs:
        pmid = clean(ref.get("pmid"))
        citation = clean(ref.get("citation"))
        references.append(Reference(citation=citation, pmid=pmid))
        if pmid and pmid.isdigit() and pmid not in pmids:
            pmids.append(pmid)
            links.append(Link(kind="trial-publication", pmid=pmid, text=citation))
    return pmids, links, references


def record_from_study(study: dict[str, Any], *, origin: str, source: str = "clinicaltrials",
                      location: str | None = None) -> Record:
    """One API v2 study (`protocolSection`, optional `derivedSection`, `hasResults`) as a Record.

    `origin` is the query or file, `source` the provenance source ("clinicaltrials" for the live
    service, "file:ctgov-json" for a file), `location` where the study sat ("study 3").
    """
    ps = study["protocolSection"]
    ident = ps.get("identificationModule") or {}
    nct = normalize_nct(ident.get("nctId"))
    if not nct:
        raise ValueError("study without an NCT number")
    status = ps.get("statusModule") or {}
    sponsors = ps.get("sponsorCollaboratorsModule") or {}
    desc = ps.get("descriptionModule") or {}
    conds = ps.get("conditionsModule") or {}
    design = ps.get("designModule") or {}
    enrollment = design.get("enrollmentInfo") or {}
    arms = ps.get("armsInterventionsModule") or {}
    locations = (ps.get("contactsLocationsModule") or {}).get("locations") or []
    refs = (ps.get("referencesModule") or {}).get("references") or []
    pmids, links, references = _v2_references(refs)

    abstract = []
    if clean(desc.get("briefSummary")):
        abstract.append(AbstractSection(text=desc["briefSummary"].strip(), label="Brief summary"))
    if clean(desc.get("detailedDescription")):
        abstract.append(AbstractSection(text=desc["detailedDescription"].strip(), label="Detailed description"))

    trial = Trial(
        status=normalize_status(status.get("overallStatus")),
        phase=normalize_phase(design.get("phases")),
        study_type=_study_type(design.get("studyType")),
        enrollment=int(enrollment["count"]) if enrollment.get("count") is not None else None,
        enrollment_type=clean(enrollment.get("type")),
        conditions=_dedupe([clean(c) for c in conds.get("conditions") or []]),
        interventions=_dedupe([_intervention_label(i) for i in arms.get("interventions") or []]),
        sponsor=clean((sponsors.get("leadSponsor") or {}).get("name")),
        collaborators=_dedupe([clean(c.get("name")) for c in sponsors.get("collaborators") or []]),
        countries=_dedupe([clean(loc.get("country")) for loc in locations]),
        linked_pmids=pmids,
        has_results=study.get("hasResults") if isinstance(study.get("hasResults"), bool) else None,
        url=STUDY_URL.format(nct=nct),
    )
    extra: dict[str, Any] = {}
    for key, value in (("official_title", ident.get("officialTitle")), ("acronym", ident.get("acronym")),
                       ("org_study_id", (ident.get("orgStudyIdInfo") or {}).get("id")),
                       ("organization", (ident.get("organization") or {}).get("fullName")),
                       ("sex", (ps.get("eligibilityModule") or {}).get("sex")),
                       ("minimum_age", (ps.get("eligibilityModule") or {}).get("minimumAge")),
                       ("maximum_age", (ps.get("eligibilityModule") or {}).get("maximumAge"))):
        if clean(value):
            extra[key] = clean(value)
    secondary = [clean(s.get("id")) for s in ident.get("secondaryIdInfos") or []]
    if any(secondary):
        extra["other_ids"] = [s for s in secondary if s]
    mesh = [MeshHeading(descriptor=m["term"], ui=m.get("id"))
            for m in ((study.get("derivedSection") or {}).get("conditionBrowseModule") or {}).get("meshes") or []
            if m.get("term")]
    return Record(
        kind="trial",
        ids=Ids(nct=nct),
        title=clean(ident.get("briefTitle")) or clean(ident.get("officialTitle")),
        abstract=abstract,
        dates=_v2_dates(status),
        keywords=_dedupe([clean(k) for k in conds.get("keywords") or []]),
        mesh=mesh,
        links=links,
        references=references,
        trial=trial,
        provenance=[make_provenance(source, origin, study, location)],
        extra=extra,
    )


def _read_json(stream: BinaryIO, origin: str) -> Iterator[Record | ParseIssue]:
    data, issues = load_json(stream, origin, salvage=lambda text: (
        {"studies": items} if (items := salvage_items(text, "studies")) else None))
    yield from issues
    if isinstance(data, dict) and "protocolSection" in data:
        studies: list[Any] = [data]
    elif isinstance(data, dict) and isinstance(data.get("studies"), list):
        studies = data["studies"]
    elif isinstance(data, list):
        studies = data
    else:
        raise ParseError("JSON without ClinicalTrials.gov studies (no 'protocolSection' or 'studies')", path=origin)
    for n, study in enumerate(studies, 1):
        where = f"study {n}"
        try:
            yield record_from_study(study, origin=origin, source="file:ctgov-json", location=where)
        except ITEM_ERRORS as exc:
            nct = _safe_nct(study)
            yield ParseIssue(origin, f"{where} ({nct})" if nct else where, f"cannot read study: {exc!r}")


def _safe_nct(study: Any) -> str | None:
    try:
        return normalize_nct(study["protocolSection"]["identificationModule"]["nctId"])
    except (KeyError, TypeError):
        return None


# -- classic CSV ---------------------------------------------------------------------------
# ClinicalTrials.gov writes some country names inverted with a comma: "Korea, Republic of"
_COUNTRY_TAILS = ("republic of", "islamic republic of", "democratic republic of", "province of china",
                  "the former yugoslav republic of", "plurinational state of", "bolivarian republic of",
                  "united republic of", "federated states of", "the democratic republic of the")


def _country(location: str) -> str:
    parts = [p.strip() for p in location.split(",")]
    if len(parts) >= 2 and parts[-1].lower() in _COUNTRY_TAILS:
        return f"{parts[-2]}, {parts[-1]}"
    return parts[-1]


def _countries(locations: str | None) -> list[str]:
    # "Facility, City, State, Country|..." : the country is the last comma part of each site
    return _dedupe([clean(_country(loc)) for loc in (locations or "").split("|") if clean(loc)])


def _csv_dates(row: dict[str, str]) -> dict[str, Any]:
    out = {}
    for key, column in (("trial_start", "Start Date"), ("primary_completion", "Primary Completion Date"),
                        ("completion", "Completion Date"), ("first_posted", "First Posted"),
                        ("last_update", "Last Update Posted"), ("results_first_posted", "Results First Posted")):
        d = parse_date_text(row.get(column))
        if d is not None:
            out[key] = d
    return out


def record_from_csv_row(row: dict[str, str], *, origin: str, location: str) -> Record:
    """One row of the classic 27-column CSV as a Record."""
    nct = normalize_nct(row.get("NCT Number"))
    if not nct:
        raise ValueError(f"no NCT number (got {row.get('NCT Number')!r})")
    sponsors = _split(row.get("Sponsor/Collaborators"))
    enrollment = clean(row.get("Enrollment"))
    results = clean(row.get("Study Results"))
    trial = Trial(
        status=normalize_status(row.get("Status")),
        phase=normalize_phase(row.get("Phases")),
        study_type=_study_type(row.get("Study Type")),
        enrollment=int(float(enrollment)) if enrollment else None,
        conditions=_split(row.get("Conditions")),
        interventions=_split(row.get("Interventions")),
        sponsor=sponsors[0] if sponsors else None,
        collaborators=sponsors[1:],
        countries=_countries(row.get("Locations")),
        has_results=(results.lower() == "has results") if results else None,
        url=STUDY_URL.format(nct=nct),  # one spelling for CSV and API records of a study
    )
    extra: dict[str, Any] = {}
    for key, column in (("acronym", "Acronym"), ("sex", "Gender"), ("age", "Age"),
                        ("study_type_detail", "Study Type")):
        value = clean((row.get(column) or "").replace("\xa0", " "))  # "65 Years \xa0 (Adult)"
        if value:
            extra[key] = value
    for key, column in (("outcome_measures", "Outcome Measures"), ("funded_by", "Funded Bys"),
                        ("study_design", "Study Designs"), ("other_ids", "Other IDs"),
                        ("study_documents", "Study Documents")):
        if _split(row.get(column)):
            extra[key] = _split(row.get(column))
    return Record(
        kind="trial",
        ids=Ids(nct=nct),
        title=clean(row.get("Title")),
        dates=_csv_dates(row),
        trial=trial,
        provenance=[make_provenance("file:ctgov-csv", origin, row, location)],
        extra=extra,
    )


def _read_csv(lines: Iterator[str], origin: str, issues: list[ParseIssue]) -> Iterator[Record | ParseIssue]:
    reader = csv.DictReader(lines)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise ParseError(f"cannot read the CSV header: {exc}", path=origin, location="line 1") from None
    if not header or "NCT Number" not in header:
        raise ParseError("not a ClinicalTrials.gov CSV: no 'NCT Number' column", path=origin,
                         hint=f"columns found: {', '.join(header or [])}")
    yield from csv_records(
        reader, header, origin, issues,
        lambda row, where: record_from_csv_row(row, origin=origin, location=where), "study",
    )


def read_stream(stream: BinaryIO, *, origin: str) -> Iterator[Record | ParseIssue]:
    """Trial Records from a ClinicalTrials.gov CSV download or API v2 JSON (sniffed)."""
    head = stream.read(1024)
    rest = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not rest:
        more = stream.read(4096)
        if not more.strip():
            raise ParseError("empty file", path=origin)
        head, rest = head + more, (head + more).lstrip(b"\xef\xbb\xbf \t\r\n")
    whole = _Prepended(head, stream)
    if rest[:1] in (b"{", b"["):
        yield from _read_json(whole, origin)
        return
    issues: list[ParseIssue] = []
    yield from _read_csv(text_lines(whole, origin, issues), origin, issues)


class _Prepended(io.RawIOBase):
    """`head` (already read for sniffing) followed by the rest of `stream`."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._stream.read(len(b))
        b[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        data, self._head = self._head + self._stream.read(), b""
        return data

    def __iter__(self):
        return iter(io.BufferedReader(self, 1 << 16))
