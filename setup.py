"""Builds the optional C accelerator of the PubMed XML reader (src/litwatch/formats/_pubmed_fast.pyx).

Everything else is configured in pyproject.toml. Without a C compiler the build of the extension
fails quietly (optional=True) and litwatch reads PubMed XML with its pure-Python mapper instead.
"""

from setuptools import Extension, setup


def _extensions() -> list:
    try:
        import lxml
        from Cython.Build import cythonize
    except ImportError:  # building without Cython or lxml at hand: pure Python
        return []
    ext = Extension(
        "litwatch.formats._pubmed_fast",
        ["src/litwatch/formats/_pubmed_fast.pyx"],
        include_dirs=lxml.get_include(),
        optional=True,
    )
    return cythonize([ext], language_level=3, quiet=True)


setup(ext_modules=_extensions())
