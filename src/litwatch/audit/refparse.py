"""Free-text references parsed into fields: authors, title, journal, year, volume, issue, pages, ids.

Written here rather than borrowed: the Python parsers on PyPI are built for other literatures
(refextract reads physics references against INSPIRE's journal list; refparse reads Web of
Science / Scopus export lines) and the learned ones (GROBID, anystyle, CERMINE) are Java or Ruby
services. Biomedical references come in a handful of styles whose parts have shapes a few rules
can find: identifiers (DOI, PMID, PMCID, URLs) and dates are cut out first; then the author list
at the start (Vancouver "Liu H, Yan XJ", APA/Nature "Liu, G., Miao, L.", given-first "G. Liu",
GB/T 7714 "LIU H, YAN X J" and Chinese names, each ending at "et al."/"等", a year in
parentheses or a full stop), or later when the title comes first; then the numbers at the end
(Vancouver "2025 Mar 19;15(3):102643", GB/T "2024, 28(5): 812-818", APA "12(3), 45-67",
Nature "20, 45 (2025)", "15:1492415", "vol. 12, no. 3, pp. 1-10"); the title is what lies
between the authors and the first full stop, the journal what lies between that and the numbers.
What the rules cannot tell is left empty rather than guessed; resolution then leans on the
identifiers and on Crossref's own bibliographic matching of the whole string.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ParsedReference", "parse_reference", "MONTHS", "damaged_name"]

MONTHS = {m: i for i, ms in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], 1) for m in ms}
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_SEASON = r"(?:Spring|Summer|Autumn|Fall|Winter)"

_L = r"[^\W\d_]"  # a letter in any script
_PARTICLE = r"(?:van|von|de|der|den|del|della|di|da|das|dos|du|la|le|ter|ten|al|el|bin|ibn|zu|y)"
# a family-name word: two or more letters (a "?" or U+FFFD stands for a letter lost to encoding)
_FAMWORD = rf"(?:{_L}(?:{_L}|['’?\ufffd]|-(?={_L}))+)"
_FAM = rf"(?:(?:{_PARTICLE}\s+)*{_FAMWORD}(?:\s+(?!(?:and|et|al|in|of|the|with|for|from)\b){_FAMWORD}){{0,2}})"
_INIT_V = r"(?:[A-Z](?:[ -]?[A-Z]){0,3})"  # Vancouver initials: "XJ", "X J", "J-L"
_INIT_DOT = r"(?:[A-Z][a-z]?\.(?:\s?-?\s?[A-Z][a-z]?\.){0,3})"  # "G.", "P. M.", "J.-L.", "Ch."
_ETAL = r"(?:et\s*al\.?|等\.?|等人)"

_AUTH_V = re.compile(rf"({_FAM}) ({_INIT_V})(?!\w)(?!\.[ -]?[A-Z]\.)(?:\s+(?:Jr|Sr|2nd|3rd|II|III|IV)\b)?")
_AUTH_A = re.compile(rf"({_FAM}),\s*({_INIT_DOT})")
_AUTH_G = re.compile(rf"({_INIT_DOT})\s?({_FAM})")
_AUTH_FULL = re.compile(rf"({_FAMWORD}),\s*({_FAMWORD}(?:\s+{_FAMWORD})?)(?=\s*(?:,|{_ETAL}|and\b|&))")
_AUTH_ZH = re.compile(r"([\u3400-\u9fff][\u3400-\u9fff·]{1,5})")

_DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi\s*[:：]?\s*|\bDOI\s*[:：]?\s*)?\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)
_PMID = re.compile(r"\bPMID\s*[:：]?\s*(\d{1,9})\b", re.I)
_PMCID = re.compile(r"\bPMCID\s*[:：]?\s*(PMC\d+)\b|\b(PMC\d{5,})\b", re.I)
_URL = re.compile(r"\bhttps?://\S+", re.I)
_EPUB = re.compile(rf"\[?\b(?:Epub|Published online|Online)(?: ahead of print)?\s*[:：]?\s*((?:19|20)\d{{2}})(?:\s+({_MONTH})\.?)?(?:\s+(\d{{1,2}}))?\]?\.?", re.I)
_PLACEHOLDERS = [
    (re.compile(r"\bVol(?:ume)?\.?\s*0\s*,?\s*(?:Issue|No\.?|Number)\s*0\b", re.I), "Volume 0, Issue 0"),
    (re.compile(r"\bVol(?:ume)?\.?\s*0\b(?!\.\d)", re.I), "Volume 0"),
    (re.compile(r"\[?\bEpub ahead of print\b\]?\.?", re.I), "Epub ahead of print"),
    (re.compile(r"\bOnline ahead of print\b\.?", re.I), "Online ahead of print"),
    (re.compile(r"\b(?:Article\s+)?in\s+press\b\.?", re.I), "In press"),
    (re.compile(r"\bforthcoming\b\.?", re.I), "forthcoming"),
    (re.compile(r"\bcorrected proof\b\.?", re.I), "corrected proof"),
    (re.compile(r"(?:印刷中|待发表|待發表|待出版|已录用|已錄用|网络首发|網絡首發)"), "印刷中"),
]
_CITED = re.compile(r"\[(?:cited|accessed|引用日期)[^\]]*\]|\b(?:Accessed|Retrieved)(?: on)?\s+[^.]*\d{4}\.?", re.I)
_INTERNET = re.compile(r"\s*\[(?:Internet|serial online|online)\]", re.I)
_TYPE_TAG = re.compile(r"\[(?:J|M|D|C|N|R|S|P|Z|G|A|EB|DB|CP|J/OL|M/OL|EB/OL|DB/OL|C/OL|N/OL)\]")
_YEAR = re.compile(r"(?<![\d./])((?:19|20)\d{2})([a-z])?(?![\d/])")

_PAGE = r"[A-Za-z]{0,3}\d+[A-Za-z]?(?:\s*[-–—]\s*[A-Za-z]{0,3}\d+[A-Za-z]?)?"
_TAILS = [
    ("vancouver", re.compile(
        rf"(?P<year>(?:19|20)\d{{2}})(?:\s+(?P<mon>{_MONTH}|{_SEASON})\.?(?:\s*[-/]\s*(?:{_MONTH}|{_SEASON})\.?)?(?:\s+(?P<day>\d{{1,2}}))?)?"
        rf"\s*;\s*(?P<vol>[A-Za-z]?\d+[A-Za-z]?)?\s*(?:\((?P<iss>[^()]{{1,20}})\))?\s*(?::\s*(?P<pages>{_PAGE}))?", re.I)),
    ("gbt7714", re.compile(
        rf"(?P<year>(?:19|20)\d{{2}})\s*,\s*(?:(?P<vol>\d+[A-Za-z]?)\s*)?(?:\((?P<iss>[^()]{{1,20}})\))?\s*:\s*(?P<pages>{_PAGE})")),
    ("nature", re.compile(
        rf"(?P<vol>\d+[A-Za-z]?)\s*(?:\((?P<iss>[^()]{{1,20}})\))?\s*,\s*(?P<pages>{_PAGE})\s*\((?P<year>(?:19|20)\d{{2}})\)")),
    ("explicit", re.compile(
        rf"\bVol(?:ume)?\.?\s*(?P<vol>\w+)(?:\s*,?\s*(?:No|Issue|Iss|Number|Nr)\.?\s*(?P<iss>[\w\-–/]+))?"
        rf"(?:\s*,?\s*(?:pp?\.|Pages?|Art(?:icle)?\.?(?:\s*no\.?)?)\s*(?P<pages>{_PAGE}))?", re.I)),
    ("apa", re.compile(
        rf"(?<![\d:])(?P<vol>\d+[A-Za-z]?)\s*(?:\((?P<iss>[^()]{{1,20}})\))?\s*,\s*(?:(?:pp?\.|Article)\s*)?(?P<pages>{_PAGE})(?![\d)])")),
    ("colon", re.compile(rf"(?<![\d;])(?P<vol>\d+[A-Za-z]?)\s*(?:\((?P<iss>[^()]{{1,20}})\))?\s*:\s*(?P<pages>{_PAGE})(?!\d)")),
]
_NO_BREAK = {"al", "e.g", "i.e", "vs", "fig", "no", "cf", "sp", "spp", "approx", "etc", "st", "vol", "dr", "inc", "ltd"}


@dataclass
class ParsedReference:
    raw: str
    authors: list[dict[str, str]] = field(default_factory=list)  # {"family", "given"}
    et_al: bool = False
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    year_suffix: str | None = None
    date: dict[str, int] | None = None  # the issue date the reference gives: year, month, day
    epub: dict[str, int] | None = None  # "Epub 2025 Aug 28"
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    placeholders: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    style: str = "unknown"
    lang: str = "en"

    @property
    def first_page(self) -> str | None:
        return re.split(r"\s*[-–—]\s*", self.pages)[0] if self.pages else None

    @property
    def first_author(self) -> str | None:
        return self.authors[0]["family"] if self.authors else None

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if v not in (None, [], False) and k != "raw"}
        d.setdefault("authors", [])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], raw: str = "") -> "ParsedReference":
        names = {f for f in cls.__dataclass_fields__}
        return cls(raw=raw, **{k: v for k, v in d.items() if k in names and k != "raw"})


def _date(year: str | int | None, mon: str | None = None, day: str | None = None) -> dict[str, int] | None:
    if not year:
        return None
    d = {"year": int(year)}
    if mon:
        m = MONTHS.get(mon.lower().rstrip(".")[:4].rstrip(".")) or MONTHS.get(mon.lower()[:3])
        if m:
            d["month"] = m
            if day and 1 <= int(day) <= 31:
                d["day"] = int(day)
    return d


def damaged_name(name: str) -> bool:
    """A name with characters lost to encoding: "Sim?o", "Sebasti\ufffdo", mojibake such as "SimÃ£o"."""
    return bool(re.search(r"\w[?\ufffd]|[?\ufffd]\w|Ã[\x80-\xbf\u00a0-\u00bf]|Ã[£¡©³º§]|â€", name))


def _clean(s: str | None) -> str | None:
    if s is None:
        return None
    s = re.sub(r"\s+", " ", s).strip(" ,.;:-–")
    s = s.strip()
    return s or None


def parse_reference(text: str) -> ParsedReference:
    """The fields of one reference string (numbering such as "[3]" already removed)."""
    raw = text.strip()
    ref = ParsedReference(raw=raw)
    s = unicodedata.normalize("NFKC", raw)
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"^\s*(?:\[\d+\]|\d+[.)、]\s)\s*", "", s)
    if re.search(r"[\u3400-\u9fff]", s):
        ref.lang = "zh"
    s = _take_ids(ref, s)
    s = _take_dates_and_placeholders(ref, s)
    s = _fix_run_together(ref, s)
    _parse_body(ref, s)
    if ref.year is None and ref.date:
        ref.year = ref.date["year"]
    if ref.year is None and ref.epub:
        ref.year = ref.epub["year"]
    return ref


def _take_ids(ref: ParsedReference, s: str) -> str:
    m = _DOI.search(s)
    if m:
        doi = m.group(1)
        doi = re.sub(r"[.,;:\]]+$", "", doi)
        while doi.endswith(")") and doi.count("(") < doi.count(")"):
            doi = doi[:-1]
        doi = re.sub(r"[.,;:]+$", "", doi)
        ref.doi = doi.lower()
        s = s[: m.start()] + " " + s[m.start() + len(m.group(0)) - (len(m.group(1)) - len(doi)):]
    m = _PMID.search(s)
    if m:
        ref.pmid = m.group(1)
        s = s[: m.start()] + s[m.end():]
    m = _PMCID.search(s)
    if m:
        ref.pmcid = (m.group(1) or m.group(2)).upper()
        s = s[: m.start()] + s[m.end():]
    urls = _URL.findall(s)
    if urls:
        ref.url = urls[0].rstrip(".,;")
        s = _URL.sub(" ", s)
    s = _CITED.sub(" ", s)
    s = _INTERNET.sub("", s)
    s = re.sub(r"\b(?:Available (?:from|at)|Retrieved from)\s*:?\s*$", "", s.strip(), flags=re.I)
    s = re.sub(r"\b(?:PMID|PMCID|doi|DOI)\s*[:：]?\s*(?=[.;,]|$)", " ", s)
    return re.sub(r"\s+", " ", s).strip(" ;,")


def _take_dates_and_placeholders(ref: ParsedReference, s: str) -> str:
    m = _EPUB.search(s)
    if m:
        ref.epub = _date(m.group(1), m.group(2), m.group(3))
        s = s[: m.start()] + " " + s[m.end():]
    for rx, name in _PLACEHOLDERS:
        m = rx.search(s)
        if m:
            if name == "Volume 0" and "Volume 0, Issue 0" in ref.placeholders:
                continue
            ref.placeholders.append(name)
            s = s[: m.start()] + " " + s[m.end():]
    return re.sub(r"\s+", " ", s).strip(" ;,")


def _fix_run_together(ref: ParsedReference, s: str) -> str:
    """"...behaviorsYan, Wei et al.Cell Stem Cell": a title, an author and a journal without spaces."""
    fixed = re.sub(r"(et al\.)(?=[A-Z])", r"\1 ", s)
    if _authors_at(fixed, 0) is None:  # names such as "FitzGerald" are not run together
        fixed = re.sub(rf"(?<=[a-z]{{3}})(?=[A-Z]{_L}+,\s*{_L}[\w.]*\s*(?:{_ETAL}|,|&|and\b))", ". ", fixed)
        fixed = re.sub(rf"(?<=[a-z]{{3}})(?=[A-Z][a-z]+ {_INIT_V},)", ". ", fixed)
    if fixed != s:
        ref.notes.append("run-together")
    return fixed


# -- authors --------------------------------------------------------------------------------

def _authors_at(s: str, pos: int) -> tuple[list[dict[str, str]], bool, int, str] | None:
    """The longest author list starting at `pos`: (authors, et al., end offset, style)."""
    best = None
    for style in ("vancouver", "apa", "given-first", "full", "zh"):
        got = _author_list(s, pos, style)
        if got and (best is None or got[2] > best[2]):
            best = got
    return best


def _author_list(s: str, pos: int, style: str):
    rx = {"vancouver": _AUTH_V, "apa": _AUTH_A, "given-first": _AUTH_G, "full": _AUTH_FULL, "zh": _AUTH_ZH}[style]
    authors: list[dict[str, str]] = []
    i, et_al = pos, False
    while True:
        m = rx.match(s, i)
        if not m:
            break
        if style in ("vancouver", "full"):
            fam, given = m.group(1), m.group(2)
        elif style == "apa":
            fam, given = m.group(1), m.group(2)
        elif style == "given-first":
            given, fam = m.group(1), m.group(2)
        else:
            fam, given = m.group(1), ""
        if style == "zh" and len(fam) > 4:
            break
        authors.append({"family": fam.strip(), "given": given.strip()})
        i = m.end()
        sep = re.match(rf"\s*(?:,|，|、)?\s*(?:&|and\b)\s*|\s*[,，、]\s*(?!{_ETAL})|\s*;\s*", s[i:])
        etal = re.match(rf"\s*[,，]?\s*{_ETAL}", s[i:])
        if etal:
            et_al = True
            i += etal.end()
            break
        if sep and rx.match(s, i + sep.end()):
            i += sep.end()
            continue
        break
    if not authors:
        return None
    rest = s[i:]
    # an author list ends at a full stop, a year in parentheses, "et al." or a colon/comma (IEEE)
    if style == "vancouver" and not et_al and not re.match(r"\s*(?:\.|\(|,\s*\"|:)", rest):
        return None
    if style in ("apa", "given-first") and not (et_al or re.match(r"\s*(?:\(|[,:]|\.?\s|\.$|$)", rest)):
        return None
    if style == "full" and not et_al:
        return None
    if style == "zh" and not (et_al or re.match(r"\s*[.．。]", rest)):
        return None
    # a single "author" that is really the first words of a title ("Human stem cell-derived ...")
    if style == "vancouver" and len(authors) == 1 and not et_al and not re.match(r"\s*(?:\.\s|\()", rest):
        return None
    return authors, et_al, i, style


def _later_authors(s: str) -> tuple[int, tuple] | None:
    """Title-first references ("Title. Yan, Wei et al. Journal"): an author list after a full stop."""
    for m in re.finditer(r"[.?!]\s+", s):
        got = _authors_at(s, m.end())
        if got and (got[1] or len(got[0]) >= 2):
            return m.start(), got
    return None


# -- the rest -------------------------------------------------------------------------------

def _sentence_end(s: str, start: int, limit: int) -> int | None:
    """The first full stop ending the title between start and limit."""
    for m in re.finditer(r"(?<=\S)([.?!])[\"'”’]?\s+|(?<=\S)\.(?=[A-Z][a-z])", s[start:limit]):
        end = start + m.start()
        word = re.search(r"([\w.]+)$", s[start:end + (1 if m.group(0).startswith(".") else 0)])
        if word:
            w = word.group(1).rstrip(".").lower()
            if w in _NO_BREAK or (len(w) == 1 and w.isalpha() and s[end - 1].isupper()):
                continue
        return end
    return None


def _tail(s: str, start: int) -> tuple[str, re.Match[str]] | None:
    best = None
    for name, rx in _TAILS:
        for m in rx.finditer(s, start):
            if name in ("vancouver",) and not (m.group("vol") or m.group("pages")):
                continue
            if name == "explicit" and not (m.group("iss") or m.group("pages")) and not re.match(r"\s*[,.]?\s*$", s[m.end():]):
                if not m.group("vol"):
                    continue
            if best is None or m.start() < best[1].start():
                best = (name, m)
            break
    return best


def _parse_body(ref: ParsedReference, s: str) -> None:
    title_end: int | None = None
    pos = 0
    got = _authors_at(s, 0)
    later = None
    if got is None:
        later = _later_authors(s)
    if got:
        ref.authors, ref.et_al, pos, style = got
        ref.style = {"vancouver": "vancouver", "apa": "apa", "given-first": "nature", "full": "full", "zh": "gbt7714"}[style]
    yr = re.match(r"\s*[.,]?\s*\(\s*((?:19|20)\d{2})([a-z])?(?:,\s*([^)]*))?\)\s*[.,:]?\s*", s[pos:])
    if yr:
        ref.year, ref.year_suffix = int(yr.group(1)), yr.group(2)
        if yr.group(3):
            mm = re.match(rf"({_MONTH})\.?\s*(\d{{1,2}})?", yr.group(3))
            if mm:
                ref.date = _date(yr.group(1), mm.group(1), mm.group(2))
        pos += yr.end()
        if ref.style == "vancouver":
            ref.style = "harvard"
        elif ref.style == "apa":
            ref.style = "apa"
    rest_start = pos
    while rest_start < len(s) and s[rest_start] in " .,:;":
        rest_start += 1

    tag = _TYPE_TAG.search(s, rest_start)
    tail = _tail(s, rest_start)
    tail_start = tail[1].start() if tail else len(s)
    quoted = re.match(r"[\"“”'‘]([^\"“”]{8,}?)[,.]?[\"“”’]\s*[,.]?\s*", s[rest_start:])
    if quoted and later is None:
        ref.title = _clean(quoted.group(1))
        jstart = rest_start + quoted.end()
        tail = _tail(s, jstart)
        tail_start = tail[1].start() if tail else len(s)
        ref.journal = _journal(s[jstart:tail_start])
    elif later is not None:
        title_end, (authors, et_al, a_end, style) = later
        ref.authors, ref.et_al = authors, et_al
        ref.title = _clean(s[rest_start:title_end])
        ref.style = "title-first"
        jstart = a_end
        tail = _tail(s, jstart)
        tail_start = tail[1].start() if tail else len(s)
        ref.journal = _journal(s[jstart:tail_start])
    elif tag is not None and tag.start() < tail_start + 1:
        ref.title = _clean(s[rest_start:tag.start()])
        ref.style = "gbt7714"
        tail = _tail(s, tag.end())
        tail_start = tail[1].start() if tail else len(s)
        ref.journal = _journal(s[tag.end():tail_start])
    else:
        end = _sentence_end(s, rest_start, tail_start)
        if end is not None:
            ref.title = _clean(s[rest_start:end])
            ref.journal = _journal(s[end + 1:tail_start])
        else:
            ref.title = _clean(s[rest_start:tail_start])
    if tail:
        name, m = tail
        g = m.groupdict()
        if g.get("year"):
            ref.year = ref.year or int(g["year"])
            if name == "vancouver":
                ref.date = _date(g["year"], g.get("mon"), g.get("day"))
        ref.volume = _clean(g.get("vol"))
        ref.issue = _clean(g.get("iss"))
        pages = _clean(g.get("pages"))
        ref.pages = re.sub(r"\s*[–—-]\s*", "-", pages) if pages else None
        if ref.style == "unknown":
            ref.style = name
        if ref.journal is None and ref.title and name != "explicit":
            # "Title. Journal 2020;..." without a clear break: the journal is unknown, keep the title
            pass
    if ref.year is None:
        years = [m for m in _YEAR.finditer(s) if not re.match(r"\d", s[m.end():m.end() + 1])]
        if years:
            ref.year = int(years[-1].group(1))
    if ref.journal and re.fullmatch(r"(?:19|20)\d{2}", ref.journal):
        ref.journal = None
    if ref.title and ref.journal is None and ref.style == "unknown":
        ref.style = "unknown"


def _journal(text: str) -> str | None:
    j = _clean(text)
    if not j:
        return None
    j = re.sub(rf"\s*\(?(?:19|20)\d{{2}}\)?(?:\s+{_MONTH}\.?(?:\s+\d{{1,2}})?)?\s*$", "", j).strip(" ,.;")
    j = re.sub(r"^(?:In|in)\s*:\s*", "", j)
    return j or None
