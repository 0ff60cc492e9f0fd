"""Hostile input files, built small on disk: gigabytes of whitespace in a few megabytes of gzip, a giant
element, an over-deep one, an entity bomb, other encodings. Every file holds real records around the damage."""

from __future__ import annotations

import gzip
from pathlib import Path

__all__ = ["whitespace_gz", "pubmed_around", "gz_members", "MIB"]

MIB = 1 << 20


def gz_members(path: Path, parts: list[bytes | tuple[bytes, int]]) -> Path:
    """A gzip file of several members (decompressors read them as one stream); (block, n) repeats a
    block n times compressed once, so gigabytes of filler cost a few kilobytes each."""
    with open(path, "wb") as f:
        for part in parts:
            if isinstance(part, tuple):
                block, times = part
                member = gzip.compress(block, 9)
                for _ in range(times):
                    f.write(member)
            else:
                f.write(gzip.compress(part, 6))
    return path


def whitespace_gz(path: Path, head: bytes, mib: int, tail: bytes, *, lines: bool = True) -> Path:
    """`head`, `mib` MiB of whitespace (lines of 64 bytes, or spaces only), `tail`: a few MB of gzip at most."""
    unit = (b" " * 63 + b"\n") if lines else b" " * 64
    block = unit * (16 * MIB // 64)  # 16 MiB per member
    return gz_members(path, [head, (block, max(1, mib // 16)), tail])


def pubmed_around(shared_data: Path, middle: bytes) -> bytes:
    """pubmed2.xml's two real records with `middle` between them (a PubmedArticleSet, as PubMed writes it)."""
    data = (shared_data / "pubmed" / "pubmed2.xml").read_bytes()
    cut = data.index(b"</PubmedArticle>") + len(b"</PubmedArticle>")
    return data[:cut] + middle + data[cut:]


def pubmed_parts(shared_data: Path) -> tuple[bytes, bytes]:
    """pubmed2.xml cut after its first record: (up to and with record 1, from record 2 on)."""
    data = (shared_data / "pubmed" / "pubmed2.xml").read_bytes()
    cut = data.index(b"</PubmedArticle>") + len(b"</PubmedArticle>")
    return data[:cut], data[cut:]
