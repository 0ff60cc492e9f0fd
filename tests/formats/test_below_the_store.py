"""The readers sit below the store: importing every module of litwatch.formats (the PubMed
package's parallel reader included) loads nothing of the store or of any later stage, so the
store can import the readers' helpers without a cycle. (The store hands the parallel reader its
`prepare` function instead.)"""

import pkgutil
import subprocess
import sys

import litwatch.formats

ABOVE = ("litwatch.store", "litwatch.sources", "litwatch.screen", "litwatch.annotate", "litwatch.report",
         "litwatch.jobs", "litwatch.ingest", "litwatch.cli", "litwatch.web")


def test_formats_import_nothing_above_them():
    names = sorted(m.name for m in pkgutil.walk_packages(litwatch.formats.__path__, "litwatch.formats."))
    assert "litwatch.formats.pubmed.parallel" in names and "litwatch.formats.pubmed.mapper" in names
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        f"print('\\n'.join(sorted(m for m in sys.modules if m.startswith({ABOVE!r}))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == []
