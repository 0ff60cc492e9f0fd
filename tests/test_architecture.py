"""The house flows one way (docs/architecture.md): a module may import only from its own part or
from parts below it. Every import counts, those inside functions too: a lazy import pointing up is
still the code running back up the pipeline."""

from __future__ import annotations

import ast
from pathlib import Path

import litwatch

SRC = Path(litwatch.__file__).parent

# Lowest first. Parts on one line are peers: neither may import the other.
LAYERS: list[tuple[str, ...]] = [
    ("__init__",),
    ("errors", "clock", "services"),
    ("records", "config"),
    ("text",),
    ("formats", "store", "topics"),
    ("sources", "ingest"),
    ("screen", "annotate", "accounts"),
    ("report",),
    ("audit", "scan"),
    ("jobs",),
    ("web",),
    ("cli",),
]
RANK = {part: i for i, parts in enumerate(LAYERS) for part in parts}

# Known exceptions, each with its reason; keep this list short.
ALLOWED: dict[tuple[str, str], str] = {}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path, module: str):
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield node.lineno, ".".join(base + ([node.module] if node.module else []))
            else:
                yield node.lineno, node.module or ""


def _modules(src: Path = SRC):
    for path in sorted(src.rglob("*.py")):
        parts = list(path.relative_to(src.parent).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        yield path, ".".join(parts)


def wrong_way_imports(root: Path = SRC) -> list[str]:
    wrong = []
    for path, module in _modules(root):
        src = _part(module)
        for line, target in _imports(path, module):
            if not target.startswith("litwatch"):
                continue
            dst = _part(target)
            if src == dst or (src, dst) in ALLOWED:
                continue
            if dst not in RANK or src not in RANK:
                wrong.append(f"{path.relative_to(root.parent)}:{line}: {module} -> {target} (part not in LAYERS)")
            elif RANK[dst] >= RANK[src]:
                how = "a peer" if RANK[dst] == RANK[src] else "a part above"
                wrong.append(f"{path.relative_to(root.parent)}:{line}: {module} imports {target}, {how}")
    return wrong


def test_imports_point_down_the_pipeline():
    assert wrong_way_imports() == []


def test_the_check_catches_an_import_pointing_up(tmp_path):
    pkg = tmp_path / "litwatch"
    (pkg / "store").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "store" / "__init__.py").write_text("")
    (pkg / "store" / "db.py").write_text("def f():\n    from ..report import build\n")
    assert wrong_way_imports(pkg) == ["litwatch/store/db.py:2: litwatch.store.db imports litwatch.report, a part above"]


def test_rich_is_drawn_only_by_the_cli():
    users = []
    for path, module in _modules():
        if _part(module) == "cli":
            continue
        for line, target in _imports(path, module):
            if target == "rich" or target.startswith("rich."):
                users.append(f"{path.relative_to(SRC.parent)}:{line}")
    assert users == []
