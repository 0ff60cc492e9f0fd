"""The PubMed / MEDLINE XML reader (efetch replies, baseline and update files, .xml or .xml.gz).

    stream.py    the file cut into records: the sequential reader, bounded in time and memory
    mapper.py    one record element to one Record (the reference mapping, and its value helpers)
    _fast.pyx    the same mapping in C over libxml2's tree, used when built and up to date
    parallel.py  the same Records read by worker processes, for big files

`litwatch.formats.pubmed_xml` is the public entry (`read_stream`, what `formats.FORMATS` names).
"""

__all__: list[str] = []
