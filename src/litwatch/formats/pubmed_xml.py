"""PubMed / MEDLINE XML: the public entry of the reader in `formats/pubmed/`.

`read_stream(stream, *, origin, source=SOURCE)` yields a Record per PubmedArticle,
PubmedBookArticle or MedlineCitation (and per deleted PMID), or a ParseIssue, as every reader
does (formats/base.py); it raises ParseError when nothing can be read. `MAPPER` says which
mapper this process uses ("C" when the extension is built and up to date, else "Python").
`formats.read_file` reads a big file with worker processes (`formats.pubmed.parallel`), which
yields the same Records.
"""

from __future__ import annotations

from litwatch.formats.pubmed.mapper import LINK_KINDS, MAPPER, element_text, link_kind
from litwatch.formats.pubmed.stream import SOURCE, read_stream

__all__ = ["read_stream", "SOURCE", "LINK_KINDS", "link_kind", "element_text", "MAPPER"]
