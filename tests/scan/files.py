"""PubMed files for the scan and mirror tests, made from the shared MEDLINE sample.

The 604 real MedlineCitations of medline16n0902.xml.gz are split over "baseline" files, each
citation wrapped in a <PubmedArticle> as today's baseline has them. Update files carry new
versions of some PMIDs and deletions; the new versions' titles and abstracts are written here
in our own words.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from lxml import etree

__all__ = ["sample_citations", "write_set", "own_citation", "pmid_of"]

_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
         b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
         b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')


def sample_citations(shared_data: Path) -> list[bytes]:
    """Each real MedlineCitation of the sample, as bytes, in file order."""
    out = []
    with gzip.open(shared_data / "pubmed" / "medline16n0902.xml.gz", "rb") as f:
        for _, el in etree.iterparse(f, tag="MedlineCitation"):
            out.append(etree.tostring(el))
            el.clear()
    return out


def pmid_of(citation: bytes) -> str:
    start = citation.index(b">", citation.index(b"<PMID")) + 1
    return citation[start : citation.index(b"</PMID>")].decode()


def write_set(path: Path, citations: list[bytes], deletions: list[str] = ()) -> Path:
    """A gzip PubmedArticleSet of the citations (each in a PubmedArticle), then the deletions."""
    with gzip.open(path, "wb", compresslevel=6) as f:
        f.write(_HEAD)
        for c in citations:
            pmid = pmid_of(c).encode()
            f.write(b"<PubmedArticle>" + c + b"<PubmedData><PublicationStatus>ppublish</PublicationStatus>"
                    b'<ArticleIdList><ArticleId IdType="pubmed">' + pmid + b"</ArticleId></ArticleIdList>"
                    b"</PubmedData></PubmedArticle>\n")
        if deletions:
            f.write(b"<DeleteCitation>" + b"".join(f"<PMID Version=\"1\">{p}</PMID>".encode() for p in deletions)
                    + b"</DeleteCitation>\n")
        f.write(b"</PubmedArticleSet>\n")
    return path


def own_citation(pmid: str, title: str, abstract: str, year: int = 2016) -> bytes:
    """A MedlineCitation with our own title and abstract (a new version of `pmid`, or a new one)."""
    return (
        f'<MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        f'<Article PubModel="Print"><Journal><ISSN IssnType="Print">0000-0000</ISSN><JournalIssue CitedMedium="Print">'
        f"<Volume>1</Volume><PubDate><Year>{year}</Year><Month>Mar</Month></PubDate></JournalIssue>"
        f"<Title>Journal of Test Records</Title><ISOAbbreviation>J Test Rec</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{title}</ArticleTitle><Abstract><AbstractText>{abstract}</AbstractText></Abstract>"
        f'<AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Tester</LastName><ForeName>Ana</ForeName>'
        f"<Initials>A</Initials></Author></AuthorList><Language>eng</Language></Article></MedlineCitation>"
    ).encode()
