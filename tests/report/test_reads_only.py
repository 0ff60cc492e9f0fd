"""report/ builds from the store and never fetches, screens or annotates (DESIGN.md): no module of
it imports the fetch run, the jobs, or the stages' writing entry points."""

from __future__ import annotations

import ast
from pathlib import Path

import litwatch.report

FORBIDDEN_MODULES = ("litwatch.jobs", "litwatch.sources.fetch", "litwatch.ingest")
FORBIDDEN_NAMES = {"annotate_store", "annotate_record", "update_screening", "fetch", "import_files"}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, set()


def test_no_report_module_imports_what_writes_other_stages():
    folder = Path(litwatch.report.__file__).parent
    found = []
    for path in sorted(folder.rglob("*.py")):
        for module, names in _imports(path):
            if module.startswith(FORBIDDEN_MODULES) or (module.startswith("litwatch") and names & FORBIDDEN_NAMES):
                found.append(f"{path.relative_to(folder)}: {module} {sorted(names & FORBIDDEN_NAMES)}")
    assert found == []
