"""Builds the optional C mapper of the PubMed XML reader (src/litwatch/formats/pubmed/_fast.pyx).

Everything else is configured in pyproject.toml. Without a C compiler the build of the extension
fails quietly (optional=True) and litwatch reads PubMed XML with its pure-Python mapper instead.

The compiled module records what it was built from (`_fast.BUILT_FROM`: the SHA-1 of _fast.pyx and
of mapper.py, whose functions it mirrors and whose value helpers it calls), so that the reader can
tell a build that no longer matches its sources (`mapper.stale`); an edit to mapper.py also makes
`build_ext` build it again.
"""

import hashlib
from pathlib import Path

from setuptools import Extension, setup

PUBMED = Path("src/litwatch/formats/pubmed")
MIRRORED = ("_fast.pyx", "mapper.py")


def _built_from() -> str:
    here = Path(__file__).resolve().parent / PUBMED
    return " ".join(f"{name}:{hashlib.sha1((here / name).read_bytes()).hexdigest()}" for name in MIRRORED)


def _extensions() -> list:
    try:
        import lxml
        from Cython.Build import cythonize
    except ImportError:  # building without Cython or lxml at hand: pure Python
        return []
    ext = Extension(
        "litwatch.formats.pubmed._fast",
        [str(PUBMED / "_fast.pyx")],
        include_dirs=lxml.get_include(),
        define_macros=[("LITWATCH_BUILT_FROM", f'"{_built_from()}"')],
        depends=[str(PUBMED / "mapper.py")],
        optional=True,
    )
    return cythonize([ext], language_level=3, quiet=True)


setup(ext_modules=_extensions())
