# cython: language_level=3, boundscheck=False, wraparound=False
"""PubMed records mapped by walking libxml2's tree in C: what `mapper.record` gives, faster.

The Python mapper reaches every element through an lxml proxy object and every tag and text
through a new string; here the walk follows libxml2's own node pointers and makes strings only
for the values a Record keeps, which makes reading a PubMed file about a quarter faster.

`record(el, provenance)` returns the Record of a PubmedArticle or MedlineCitation element, or
None whenever the record holds something this module does not read exactly as the Python mapper
does: a comment, a processing instruction, CDATA, an entity reference, a namespaced attribute or
one holding more than plain text, a missing or malformed PMID, a book. The Python mapper
then maps that record, so both give the same Records (tests/formats/test_pubmed_fast.py checks
them against each other on every real file and on mutated ones).

Each function below mirrors the `mapper` function of the same name; keep them in step (an edit
to mapper.py makes this build stale until it is built again: see `BUILT_FROM`). What is decided
on values alone (dates, ids, languages, links) calls the mapper's public value helpers, handed
over as one `mapper.Values` object by `configure`.
"""

cimport lxml.includes.etreepublic as cetree
from lxml.includes cimport tree
from lxml.includes.tree cimport xmlAttr, xmlNode
from libc.string cimport strcmp, strlen
from cpython.unicode cimport PyUnicode_DecodeUTF8

from litwatch.formats.dates import parse_date_text
from litwatch.records import (
    AbstractSection,
    Author,
    DateValue,
    Grant,
    Link,
    MeshHeading,
    MeshQualifier,
    Record,
    Reference,
    normalize_doi,
    normalize_pmcid,
)

cetree.import_lxml__etree()

cdef extern from *:
    """
    #ifndef LITWATCH_BUILT_FROM
    #define LITWATCH_BUILT_FROM ""
    #endif
    """
    const char* LITWATCH_BUILT_FROM

# what this module was built from, set by setup.py: "_fast.pyx:<sha1> mapper.py:<sha1>" (see mapper.stale)
BUILT_FROM = LITWATCH_BUILT_FROM.decode("ascii")

# the mapper's value helpers (mapper.Values), set by `configure`: the mapper imports this module,
# so this module cannot import the mapper
cdef object _link_kind = None
cdef object _one_line = None
cdef object _pmcid_in_other_id = None
cdef object _normalize_orcid = None
cdef object _date_parts = None
cdef object _add_language = None
cdef object _old_affiliation = None
cdef object _article_id = None


def configure(values):
    """Take the value helpers from `values` (a mapper.Values); AttributeError, and nothing taken,
    when one is missing."""
    global _link_kind, _one_line, _pmcid_in_other_id, _normalize_orcid, _date_parts, _add_language
    global _old_affiliation, _article_id
    taken = (values.link_kind, values.one_line, values.pmcid_in_other_id, values.normalize_orcid,
             values.date_parts, values.add_language, values.old_affiliation, values.article_id)
    (_link_kind, _one_line, _pmcid_in_other_id, _normalize_orcid, _date_parts, _add_language,
     _old_affiliation, _article_id) = taken


class _Bail(Exception):
    """The record is the Python mapper's to do."""


def record(cetree._Element el, list provenance):
    """The Record of `el` (PubmedArticle or MedlineCitation), or None: see the module docstring."""
    cdef xmlNode* n = el._c_node
    if n.ns is not NULL or not _plain_attributes(n) or not _plain(n):
        return None
    try:
        return _record(n, provenance)
    except _Bail:
        return None


# -- the tree -------------------------------------------------------------------------------


cdef bint _plain_attributes(xmlNode* n):
    cdef xmlAttr* a = n.properties
    while a is not NULL:
        if a.ns is not NULL:
            return False
        if a.children is not NULL and (a.children.type != tree.XML_TEXT_NODE or a.children.next is not NULL):
            return False
        a = a.next
    return True


cdef bint _plain(xmlNode* n):
    """Only elements, attributes without a namespace and text below n."""
    cdef xmlNode* k = n.children
    while k is not NULL:
        if k.type == tree.XML_ELEMENT_NODE:
            if not _plain_attributes(k) or not _plain(k):
                return False
        elif k.type != tree.XML_TEXT_NODE:
            return False
        k = k.next
    return True


cdef inline bint _is(xmlNode* n, const char* name):
    """`el.tag == name`: a namespaced element (MathML) is never one of PubMed's own."""
    return n.ns is NULL and strcmp(<const char*>n.name, name) == 0


cdef inline xmlNode* _first(xmlNode* n):
    """The first child element (the tree holds only elements and text: see _plain)."""
    cdef xmlNode* k = n.children
    while k is not NULL and k.type != tree.XML_ELEMENT_NODE:
        k = k.next
    return k


cdef inline xmlNode* _next(xmlNode* n):
    cdef xmlNode* k = n.next
    while k is not NULL and k.type != tree.XML_ELEMENT_NODE:
        k = k.next
    return k


cdef inline str _str(const unsigned char* s):
    return PyUnicode_DecodeUTF8(<const char*>s, strlen(<const char*>s), NULL)


cdef object _text(xmlNode* n):
    """lxml's `el.text`: the text nodes before the first child element, or None."""
    cdef xmlNode* k = n.children
    if k is NULL or k.type != tree.XML_TEXT_NODE:
        return None
    if k.next is NULL or k.next.type != tree.XML_TEXT_NODE:
        return _str(k.content)
    parts = []
    while k is not NULL and k.type == tree.XML_TEXT_NODE:
        parts.append(_str(k.content))
        k = k.next
    return "".join(parts)


cdef object _get(xmlNode* n, const char* name):
    """lxml's `el.get(name)` for an attribute without a namespace."""
    cdef xmlAttr* a = n.properties
    while a is not NULL:
        if strcmp(<const char*>a.name, name) == 0:
            return _str(a.children.content) if a.children is not NULL else ""
        a = a.next
    return None


cdef bint _get_is(xmlNode* n, const char* name, const char* value):
    """`el.get(name) == value`."""
    cdef xmlAttr* a = n.properties
    while a is not NULL:
        if strcmp(<const char*>a.name, name) == 0:
            if a.children is NULL:
                return value[0] == 0
            return strcmp(<const char*>a.children.content, value) == 0
        a = a.next
    return False


cdef int _all_text(xmlNode* n, list parts) except -1:
    cdef xmlNode* k = n.children
    while k is not NULL:
        if k.type == tree.XML_TEXT_NODE:
            parts.append(_str(k.content))
        else:
            _all_text(k, parts)
        k = k.next
    return 0


cdef object element_text(xmlNode* n):
    cdef list parts
    if _first(n) is not NULL:
        parts = []
        _all_text(n, parts)
        s = "".join(parts)
        return _one_line(s) if "\n" in s else s
    t = _text(n)
    return t if t else ""


# -- one record -----------------------------------------------------------------------------


cdef object _record(xmlNode* n, list provenance):
    cdef xmlNode* child
    rec = Record(provenance=provenance)
    if _is(n, "MedlineCitation"):
        _citation(n, rec)
    elif _is(n, "PubmedArticle"):
        child = _first(n)
        while child is not NULL:
            if _is(child, "MedlineCitation"):
                _citation(child, rec)
            elif _is(child, "PubmedData"):
                _pubmed_data(child, rec)
            child = _next(child)
    else:
        raise _Bail
    if not rec.ids.pmid:
        raise _Bail
    return rec


cdef object _pmid(xmlNode* n):
    t = _text(n)
    pmid = (t or "").strip()
    if not pmid.isdigit():
        raise _Bail
    return pmid


cdef inline void _put(dict dates, str key, value):
    if value is not None:
        dates[key] = value


cdef int _citation(xmlNode* mc, rec) except -1:
    cdef xmlNode* child
    cdef dict dates = rec.dates
    status = _get(mc, "Status")
    if status:
        rec.extra["medline_status"] = status
    child = _first(mc)
    while child is not NULL:
        if _is(child, "Article"):
            _article(child, rec)
        elif _is(child, "PMID"):
            rec.ids.pmid = _pmid(child)
        elif _is(child, "MeshHeadingList"):
            rec.mesh = _mesh(child)
        elif _is(child, "CommentsCorrectionsList"):
            _comments(child, rec)
        elif _is(child, "KeywordList"):
            _keywords(child, rec.keywords)
        elif _is(child, "DateCompleted"):
            _put(dates, "completed", _ymd(child))
        elif _is(child, "DateRevised"):
            _put(dates, "last_revised", _ymd(child))
        elif _is(child, "DateCreated"):
            _put(dates, "created", _ymd(child))
        elif _is(child, "OtherID"):
            _other_id(child, rec.ids)
        child = _next(child)
    return 0


cdef int _keywords(xmlNode* kl, list out) except -1:
    cdef xmlNode* k = _first(kl)
    while k is not NULL:
        out.append(element_text(k))
        k = _next(k)
    return 0


cdef int _article(xmlNode* art, rec) except -1:
    cdef xmlNode* child
    cdef xmlNode* k
    cdef list types
    ids = rec.ids
    child = _first(art)
    while child is not NULL:
        if _is(child, "AuthorList"):
            if not _get_is(child, "Type", "editors"):
                rec.authors = _authors(child)
        elif _is(child, "Abstract"):
            rec.abstract = _abstract(child)
        elif _is(child, "Journal"):
            _journal(child, rec)
        elif _is(child, "ArticleTitle"):
            rec.title = element_text(child) or None
        elif _is(child, "Pagination"):
            rec.journal.pages = _pages(child)
        elif _is(child, "ELocationID"):
            _elocation(child, ids)
        elif _is(child, "Language"):
            _add_language(rec, _text(child))
        elif _is(child, "PublicationTypeList"):
            types = []
            k = _first(child)
            while k is not NULL:
                t = _text(k)
                if t:
                    types.append(t)
                k = _next(k)
            rec.publication_types = types
            if "Preprint" in types:
                rec.kind = "preprint"
        elif _is(child, "GrantList"):
            rec.grants = _grants(child)
        elif _is(child, "ArticleDate"):
            date_type = _get(child, "DateType")
            if (date_type or "Electronic") == "Electronic":
                _put(rec.dates, "electronic", _ymd(child))
        elif _is(child, "DataBankList"):
            _databanks(child, rec.links)
        elif _is(child, "VernacularTitle"):
            rec.extra["vernacular_title"] = element_text(child)
        elif _is(child, "Affiliation"):
            _old_affiliation(element_text(child), rec)
        child = _next(child)
    return 0


cdef int _journal(xmlNode* j, rec) except -1:
    cdef xmlNode* child
    cdef xmlNode* c
    jr = rec.journal
    child = _first(j)
    while child is not NULL:
        if _is(child, "JournalIssue"):
            c = _first(child)
            while c is not NULL:
                if _is(c, "Volume"):
                    jr.volume = _text(c)
                elif _is(c, "Issue"):
                    jr.issue = _text(c)
                elif _is(c, "PubDate"):
                    _put(rec.dates, "issue", _ymd(c))
                c = _next(c)
        elif _is(child, "Title"):
            jr.title = _text(child)
        elif _is(child, "ISOAbbreviation"):
            jr.iso_abbrev = _text(child)
        elif _is(child, "ISSN"):
            if _get_is(child, "IssnType", "Electronic"):
                jr.issn_electronic = _text(child)
            else:
                jr.issn_print = _text(child)
        child = _next(child)
    return 0


cdef object _pages(xmlNode* pg):
    cdef xmlNode* c = _first(pg)
    start = end = None
    while c is not NULL:
        if _is(c, "MedlinePgn"):
            t = _text(c)
            if t:
                return t
        elif _is(c, "StartPage"):
            start = _text(c)
        elif _is(c, "EndPage"):
            end = _text(c)
        c = _next(c)
    if start and end:
        return f"{start}-{end}"
    return start


cdef int _elocation(xmlNode* el, ids) except -1:
    if _get_is(el, "ValidYN", "N"):
        return 0
    kind = _get(el, "EIdType")
    if kind == "doi" and not ids.doi:
        ids.doi = normalize_doi(_text(el))
    elif kind == "pii" and not ids.pii:
        ids.pii = _text(el)
    return 0


cdef int _other_id(xmlNode* el, ids) except -1:
    text = _text(el) or ""
    if not ids.pmcid and _get_is(el, "Source", "NLM") and text.startswith("PMC"):
        pmcid = _pmcid_in_other_id(text)
        if pmcid:
            ids.pmcid = pmcid
    return 0


cdef list _abstract(xmlNode* ab):
    cdef list out = []
    cdef xmlNode* t = _first(ab)
    while t is not NULL:
        if _is(t, "AbstractText"):
            text = element_text(t)
            if text:
                out.append(AbstractSection(text, _get(t, "Label"), _get(t, "NlmCategory")))
        t = _next(t)
    return out


cdef list _authors(xmlNode* al):
    cdef list out = []
    cdef list affs
    cdef xmlNode* a = _first(al)
    cdef xmlNode* c
    cdef xmlNode* x
    while a is not NULL:
        if not _is(a, "Author") or _get_is(a, "ValidYN", "N"):
            a = _next(a)
            continue
        family = given = initials = orcid = collective = None
        affs = []
        c = _first(a)
        while c is not NULL:
            if _is(c, "LastName"):
                family = _text(c)
            elif _is(c, "ForeName"):
                given = _text(c)
            elif _is(c, "Initials"):
                initials = _text(c)
            elif _is(c, "AffiliationInfo"):
                x = _first(c)
                while x is not NULL:
                    if _is(x, "Affiliation"):
                        affs.append(element_text(x))
                    x = _next(x)
            elif _is(c, "Identifier"):
                if _get_is(c, "Source", "ORCID"):
                    orcid = _normalize_orcid(_text(c))
            elif _is(c, "CollectiveName"):
                collective = element_text(c)
            elif _is(c, "FirstName"):
                given = _text(c)
            c = _next(c)
        out.append(Author(family, given, initials, orcid, affs, collective))
        a = _next(a)
    return out


cdef list _grants(xmlNode* gl):
    cdef list out = []
    cdef xmlNode* g = _first(gl)
    cdef xmlNode* c
    while g is not NULL:
        gr = Grant()
        c = _first(g)
        while c is not NULL:
            if _is(c, "GrantID"):
                gr.grant_id = _text(c)
            elif _is(c, "Agency"):
                gr.agency = _text(c)
            elif _is(c, "Country"):
                gr.country = _text(c)
            elif _is(c, "Acronym"):
                gr.acronym = _text(c)
            c = _next(c)
        out.append(gr)
        g = _next(g)
    return out


cdef list _mesh(xmlNode* mhl):
    cdef list out = []
    cdef list quals
    cdef xmlNode* mh = _first(mhl)
    cdef xmlNode* c
    while mh is not NULL:
        heading = None
        quals = []
        c = _first(mh)
        while c is not NULL:
            if _is(c, "DescriptorName"):
                heading = MeshHeading(_text(c) or "", _get(c, "UI"), _get_is(c, "MajorTopicYN", "Y"))
            elif _is(c, "QualifierName"):
                quals.append(MeshQualifier(_text(c) or "", _get(c, "UI"), _get_is(c, "MajorTopicYN", "Y")))
            c = _next(c)
        if heading is not None:
            heading.qualifiers = quals
            out.append(heading)
        mh = _next(mh)
    return out


cdef int _comments(xmlNode* ccl, rec) except -1:
    cdef xmlNode* cc = _first(ccl)
    cdef xmlNode* c
    while cc is not NULL:
        ref_type = _get(cc, "RefType")
        if not ref_type:
            cc = _next(cc)
            continue
        source = pmid = None
        c = _first(cc)
        while c is not NULL:
            if _is(c, "RefSource"):
                source = element_text(c) if _first(c) is not NULL else _text(c)
            elif _is(c, "PMID"):
                pmid = (_text(c) or "").strip() or None
            c = _next(c)
        if ref_type == "Cites":
            rec.references.append(Reference(source, pmid))
        else:
            rec.links.append(Link(kind=_link_kind(ref_type), pmid=pmid, text=source))
        cc = _next(cc)
    return 0


cdef int _databanks(xmlNode* dbl, list links) except -1:
    cdef xmlNode* db = _first(dbl)
    cdef xmlNode* c
    cdef xmlNode* acc
    while db is not NULL:
        name = None
        c = _first(db)
        while c is not NULL:
            if _is(c, "DataBankName"):
                name = _text(c)
            elif _is(c, "AccessionNumberList"):
                acc = _first(c)
                while acc is not NULL:
                    t = _text(acc)
                    if t:
                        links.append(Link(kind="databank", accession=t.strip(), databank=name))
                    acc = _next(acc)
            c = _next(c)
        db = _next(db)
    return 0


cdef object _ymd(xmlNode* el):
    cdef xmlNode* c = _first(el)
    year = month = day = season = None
    while c is not NULL:
        if _is(c, "Year"):
            year = _text(c)
        elif _is(c, "Month"):
            month = _text(c)
        elif _is(c, "Day"):
            day = _text(c)
        elif _is(c, "Season"):
            season = _text(c)
        elif _is(c, "MedlineDate"):
            return parse_date_text(_text(c))
        c = _next(c)
    parts = _date_parts(year, month, day, season)
    return DateValue(*parts) if parts is not None else None


# -- PubmedData -----------------------------------------------------------------------------


cdef int _pubmed_data(xmlNode* pd, rec) except -1:
    cdef xmlNode* child = _first(pd)
    while child is not NULL:
        if _is(child, "ArticleIdList"):
            _article_ids(child, rec.ids)
        elif _is(child, "History"):
            _history(child, rec.dates)
        elif _is(child, "PublicationStatus"):
            t = _text(child)
            if t:
                rec.extra["publication_status"] = t
        elif _is(child, "ReferenceList"):
            _references(child, rec.references)
        child = _next(child)
    return 0


cdef int _history(xmlNode* h, dict dates) except -1:
    cdef xmlNode* d = _first(h)
    while d is not NULL:
        status = _get(d, "PubStatus")
        if status:
            key = status.replace("-", "_")
            if key not in dates:
                _put(dates, key, _ymd(d))
        d = _next(d)
    return 0


cdef int _article_ids(xmlNode* al, ids) except -1:
    cdef xmlNode* a = _first(al)
    while a is not NULL:
        _article_id(ids, _get(a, "IdType"), _text(a))
        a = _next(a)
    return 0


cdef int _references(xmlNode* rl, list out) except -1:
    """Every Reference element below rl, in document order (lxml's rl.iter("Reference"))."""
    cdef xmlNode* r = _first(rl)
    while r is not NULL:
        if _is(r, "Reference"):
            out.append(_reference(r))
        _references(r, out)
        r = _next(r)
    return 0


cdef object _reference(xmlNode* r):
    cdef xmlNode* c = _first(r)
    cdef xmlNode* a
    ref = Reference()
    while c is not NULL:
        if _is(c, "Citation"):
            ref.citation = element_text(c) or None
        elif _is(c, "ArticleIdList"):
            a = _first(c)
            while a is not NULL:
                kind = _get(a, "IdType")
                text = (_text(a) or "").strip()
                if text:
                    if kind == "pubmed":
                        ref.pmid = text
                    elif kind == "doi":
                        ref.doi = normalize_doi(text)
                    elif kind == "pmc":
                        ref.pmcid = normalize_pmcid(text)
                a = _next(a)
        c = _next(c)
    return ref
