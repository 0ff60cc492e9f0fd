"""Which files a scan reads, in which order, what it promises about them, and which are done.

Files apply in the order of their names read as text with numbers (`file_key`): NLM numbers
its update files on from the baseline's last file (pubmed25n1274 is followed by pubmed25n1275),
so a mirror's baseline/ and updatefiles/ together sort into the order NLM made them.

The manifest (`OUT/manifest.jsonl`) has one JSON line per file scanned, appended by the process
that runs the scan once the file's Parquet is in place. A file is done when its latest line
names the same size, modification time (or MD5) and the same settings: litwatch, the annotator,
the vocabulary, the rules, the code the answer depends on, and each topic's profile. Changing
any of them scans the file again.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from litwatch import __version__
from litwatch.errors import UsageError
from litwatch.topics import Topic

__all__ = [
    "SCHEMA_VERSION",
    "MANIFEST",
    "PARTS",
    "InputFile",
    "plan_files",
    "file_key",
    "scan_settings",
    "topic_fingerprint",
    "read_manifest",
    "append_manifest",
    "done_files",
    "parquet_path",
]

SCHEMA_VERSION = 1  # the Parquet columns (scan/parquet.py); bump when they change
MANIFEST = "manifest.jsonl"
PARTS = "parts"
_SUFFIXES = (".xml", ".xml.gz")
_DIGITS = re.compile(r"(\d+)")
# the code a scan's answer depends on: the PubMed reader, the rules, the annotator, the profiles,
# and the scan's own rows (a change anywhere else, the summary say, scans nothing again)
_CODE = ("formats/pubmed_xml.py", "formats/pubmed/stream.py", "formats/pubmed/mapper.py", "formats/pubmed/_fast.pyx",
         "formats/dates.py", "formats/base.py", "formats/gz.py", "records.py", "screen", "annotate", "topics",
         "scan/task.py", "scan/parquet.py")


@dataclass(slots=True, frozen=True)
class InputFile:
    path: str  # absolute: every worker opens it by this name
    name: str
    key: str  # file_key(name): the order files apply in
    size: int
    mtime_ns: int


def file_key(name: str) -> str:
    """A text that sorts as the name read with numbers: 'n9' before 'n10' (digit runs padded)."""
    return _DIGITS.sub(lambda m: m.group(1).rjust(12, "0"), name)


def _is_input(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".") and path.name.endswith(_SUFFIXES)


def plan_files(specs: list[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[InputFile]:
    """The PubMed XML files (.xml, .xml.gz) named by folders, glob patterns or paths, in apply order.

    Raises UsageError when a folder or pattern names no file, or two files share a name (their
    outputs would too).
    """
    if isinstance(specs, (str, os.PathLike)):
        specs = [specs]
    found: dict[str, Path] = {}
    for spec in map(str, specs):
        p = Path(spec).expanduser()
        if p.is_dir():
            paths = [x for x in p.rglob("*") if _is_input(x)]
            if not paths:
                raise UsageError(f"no PubMed XML files (*.xml, *.xml.gz) in {spec}")
        elif p.is_file():
            paths = [p]
        elif glob.has_magic(spec):
            paths = [Path(x) for x in glob.glob(os.path.expanduser(spec), recursive=True) if _is_input(Path(x))]
            if not paths:
                raise UsageError(f"no PubMed XML files match {spec}")
        else:
            raise UsageError(f"no such file or folder: {spec}", hint="give a folder, a file or a glob pattern in quotes")
        for path in paths:
            path = path.resolve()
            other = found.get(path.name)
            if other is not None and other != path:
                raise UsageError(f"two input files are named {path.name}: {other} and {path}",
                                 hint="scan them into different --out folders")
            found[path.name] = path
    out = []
    for name, path in found.items():
        st = path.stat()
        out.append(InputFile(str(path), name, file_key(name), st.st_size, st.st_mtime_ns))
    return sorted(out, key=lambda f: f.key)


def parquet_path(out: Path, name: str) -> Path:
    return out / PARTS / f"{name}.parquet"


# -- settings --------------------------------------------------------------------------------


def topic_fingerprint(topic: Topic) -> dict[str, Any]:
    """A profile's version and a hash of all it says (its file when it has one), for the manifest."""
    if topic.path and os.path.exists(topic.path):
        digest = hashlib.sha1(Path(topic.path).read_bytes()).hexdigest()
    else:
        digest = hashlib.sha1(json.dumps(asdict(topic), sort_keys=True, default=str).encode()).hexdigest()
    return {"version": topic.version, "sha1": digest[:16]}


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the source of the parts a scan's answer depends on (see _CODE)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha1()
    for part in _CODE:
        base = root / part
        if base.is_file():
            files = [base]
        elif base.is_dir():
            files = sorted(x for x in base.rglob("*") if x.suffix in (".py", ".pyx", ".toml", ".json"))
        else:  # an install without it (a wheel without the .pyx)
            continue
        for f in files:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def engine_settings() -> dict[str, Any]:
    """What this process would compute with: the same on every worker, or the answers differ."""
    from litwatch.annotate import ANNOTATOR_VERSION, default_vocabulary
    from litwatch.screen.rules import RULES_VERSION

    return {
        "litwatch": __version__,
        "schema": SCHEMA_VERSION,
        "annotator": ANNOTATOR_VERSION,
        "vocabulary": default_vocabulary().hash,
        "rules": RULES_VERSION,
        "code": code_fingerprint(),
    }


def scan_settings(topics: list[Topic]) -> dict[str, Any]:
    return {**engine_settings(), "topics": {t.name: topic_fingerprint(t) for t in topics}}


# -- the manifest ----------------------------------------------------------------------------


def read_manifest(out: Path) -> list[dict[str, Any]]:
    """Every line of OUT/manifest.jsonl (a line cut short by a crash is skipped)."""
    path = Path(out) / MANIFEST
    if not path.exists():
        return []
    lines = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def append_manifest(out: Path, entry: dict[str, Any]) -> None:
    """One line, written whole and flushed to disk."""
    data = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(Path(out) / MANIFEST, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def latest_entries(out: Path) -> dict[str, dict[str, Any]]:
    """The latest manifest line of each file name."""
    return {e["file"]: e for e in read_manifest(out) if "file" in e}


def done_files(out: Path, files: list[InputFile], settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The files whose latest manifest line matches the file as it is and these settings, and
    whose Parquet is there: name -> that line. A file touched since (a copy, a new mirror) is
    compared by its MD5."""
    latest = latest_entries(out)
    done = {}
    for f in files:
        e = latest.get(f.name)
        if e is None or e.get("size") != f.size or e.get("settings") != settings:
            continue
        if not parquet_path(out, f.name).exists():
            continue
        if e.get("mtime_ns") == f.mtime_ns or e.get("md5") == _md5(f.path):
            done[f.name] = e
    return done


def _md5(path: str) -> str:
    h = hashlib.md5()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()
