"""A local mirror of NLM's PubMed baseline and update files, each checked against its .md5.

NLM publishes the annual baseline (about 1,300 files `pubmedYYnNNNN.xml.gz`) under
`baseline/` and the daily update files, numbered on from the baseline's last, under
`updatefiles/`; each file has a `NAME.md5` beside it ("MD5(NAME)= <hex>"). The mirror keeps
that layout under its folder:

    DIR/baseline/pubmed25n0001.xml.gz        a complete, checked file
    DIR/baseline/pubmed25n0001.xml.gz.md5    the checksum it was checked against
    DIR/baseline/pubmed25n0002.xml.gz.part   a download under way (or stopped)

A file is renamed into place only after its MD5 matched, so a file without `.part` is whole,
and a stopped or killed mirror run continues each `.part` where it ended (HTTP Range). A file
whose bytes do not match is fetched once more from scratch, then reported; the run goes on
with the next file. The base URL comes from LITWATCH_PUBMED_FILES_URL (tests point it at a
loopback server); downloads go one at a time, at most 3 requests a second
(LITWATCH_HTTP_RATE_PUBMED_FILES, e.g. "10/1", changes that).
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from litwatch import config
from litwatch.errors import SourceError, UsageError
from litwatch.sources.http import HttpOptions, download

__all__ = [
    "DEFAULT_FILES_URL",
    "FILES_URL_ENV",
    "SECTIONS",
    "MirrorFile",
    "MirrorProgress",
    "MirrorResult",
    "files_url",
    "mirror_pubmed",
    "parse_md5",
    "file_md5",
]

FILES_URL_ENV = "LITWATCH_PUBMED_FILES_URL"
DEFAULT_FILES_URL = "https://ftp.ncbi.nlm.nih.gov/pubmed/"
SECTIONS = {"baseline": "baseline", "updates": "updatefiles"}  # option name -> NLM folder
SOURCE = "NLM PubMed files"
DEFAULT_RATE = (3, 1.0)  # requests per seconds: the rate NCBI asks of E-utilities users without a key
_HREF = re.compile(r'href="([^"/?#]+\.xml(?:\.gz)?)"', re.I)
_MD5 = re.compile(r"\b([0-9a-fA-F]{32})\b")
_DIGITS = re.compile(r"(\d+)")


def files_url() -> str:
    """The base URL of the PubMed files (LITWATCH_PUBMED_FILES_URL, else NLM's), ending in '/'."""
    return (os.environ.get(FILES_URL_ENV) or DEFAULT_FILES_URL).rstrip("/") + "/"


@dataclass(slots=True)
class MirrorFile:
    section: str  # baseline | updatefiles
    name: str
    path: str
    status: str  # downloaded | present | failed
    size: int = 0
    md5: str | None = None
    resumed_from: int = 0  # bytes of an earlier, stopped download that were continued
    attempts: int = 0
    error: str | None = None


@dataclass(slots=True)
class MirrorProgress:
    """One step of a mirror run, for a progress display."""

    event: str  # listed | start | bytes | done
    index: int = 0  # the file's number in the run, from 1
    files: int = 0  # files in the run
    name: str | None = None
    done_bytes: int = 0
    total_bytes: int | None = None
    file: MirrorFile | None = None  # with "done"


@dataclass(slots=True)
class MirrorResult:
    dir: str
    base_url: str
    listed: dict[str, int] = field(default_factory=dict)  # section -> files the server lists
    files: list[MirrorFile] = field(default_factory=list)
    seconds: float = 0.0

    def _of(self, status: str) -> list[MirrorFile]:
        return [f for f in self.files if f.status == status]

    @property
    def downloaded(self) -> list[MirrorFile]:
        return self._of("downloaded")

    @property
    def present(self) -> list[MirrorFile]:
        return self._of("present")

    @property
    def failed(self) -> list[MirrorFile]:
        return self._of("failed")

    @property
    def bytes_downloaded(self) -> int:
        return sum(f.size - f.resumed_from for f in self.downloaded)

    def counts(self) -> dict[str, int]:
        return {"selected": len(self.files), "downloaded": len(self.downloaded), "present": len(self.present),
                "failed": len(self.failed), "bytes": self.bytes_downloaded}


def parse_md5(text: str | bytes) -> str | None:
    """The hex digest in an NLM .md5 file ('MD5(pubmed25n0001.xml.gz)= 4f…'), or None."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    m = _MD5.search(text.rsplit("=", 1)[-1]) or _MD5.search(text)
    return m.group(1).lower() if m else None


def file_md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _rate() -> tuple[int, float]:
    """3 requests a second, unless LITWATCH_HTTP_RATE_PUBMED_FILES says otherwise ("10/1")."""
    count, _, period = (config.rate_override("pubmed_files") or "").partition("/")
    try:
        return (int(count), float(period or 1)) if count else DEFAULT_RATE
    except ValueError:
        return DEFAULT_RATE


def _natural(name: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(name))


def _listing(base: str, folder: str, **http) -> list[str]:
    reply = download(base + folder + "/", source=SOURCE, **http)
    text = (reply.content or b"").decode("utf-8", "replace")
    names = {html.unescape(n) for n in _HREF.findall(text)}
    return sorted(names, key=_natural)


def mirror_pubmed(
    dir: str | os.PathLike[str] | None = None,
    *,
    baseline: bool = True,
    updates: bool = False,
    max_files: int | None = None,
    base_url: str | None = None,
    progress: Callable[[MirrorProgress], None] | None = None,
    options: HttpOptions | None = None,
    transport: httpx.BaseTransport | None = None,
) -> MirrorResult:
    """Bring DIR/baseline and/or DIR/updatefiles up to date with NLM's files (the first `max_files`).

    Files already complete are left alone; stopped downloads continue. Returns what happened to
    each file; a file that could not be had is `failed` with its reason and the rest goes on.
    Raises SourceError when the server's file list cannot be read, UsageError for bad arguments.
    """
    if max_files is not None and max_files < 0:
        raise UsageError("--max-files must be 0 or more")
    if not (baseline or updates):
        raise UsageError("nothing to mirror", hint="give --baseline, --updates or both")
    root = Path(dir) if dir else Path("pubmed")
    base = (base_url.rstrip("/") + "/") if base_url else files_url()
    http = {"options": options, "transport": transport, "rate": _rate()}
    result = MirrorResult(str(root), base)
    started = time.perf_counter()
    wanted: list[tuple[str, str]] = []
    for option, folder in SECTIONS.items():
        if (baseline if option == "baseline" else updates):
            names = _listing(base, folder, **http)
            if not names:
                raise SourceError(f"{base}{folder}/ lists no PubMed files", source=SOURCE,
                                  hint=f"check the base URL ({FILES_URL_ENV})")
            result.listed[folder] = len(names)
            wanted += [(folder, n) for n in names]
    if max_files is not None:
        wanted = wanted[:max_files]
    if progress:
        progress(MirrorProgress("listed", files=len(wanted)))
    try:
        for index, (folder, name) in enumerate(wanted, start=1):
            (root / folder).mkdir(parents=True, exist_ok=True)
            if progress:
                progress(MirrorProgress("start", index, len(wanted), name))
            done = _mirror_one(base, folder, name, root / folder, index, len(wanted), progress, http)
            result.files.append(done)
            if progress:
                progress(MirrorProgress("done", index, len(wanted), name, done.size, done.size, done))
    finally:
        result.seconds = time.perf_counter() - started
    return result


def _mirror_one(base: str, folder: str, name: str, where: Path, index: int, total: int,
                progress: Callable[[MirrorProgress], None] | None, http: dict) -> MirrorFile:
    final, sums, part = where / name, where / (name + ".md5"), where / (name + ".part")
    entry = MirrorFile(folder, name, str(final), "present")
    if final.exists() and sums.exists():
        entry.size, entry.md5 = final.stat().st_size, parse_md5(sums.read_bytes())
        return entry
    url = base + folder + "/" + name

    def moved(done: int, size: int | None) -> None:
        if progress:
            progress(MirrorProgress("bytes", index, total, name, done, size))

    try:
        md5_text = download(url + ".md5", source=SOURCE, **http).content or b""
        expected = parse_md5(md5_text)
        if expected is None:
            return _failed(entry, f"{name}.md5 holds no MD5 checksum")
        for fresh in (False, True):  # what is there first; then, should it not match, from scratch
            got = download(url, part, resume=not fresh, source=SOURCE, progress=moved, **http)
            entry.attempts += got.attempts
            if not fresh:
                entry.resumed_from = got.resumed_from
            actual = file_md5(part)
            if actual == expected:
                break
        else:
            part.unlink(missing_ok=True)
            return _failed(entry, f"MD5 mismatch: {name}.md5 says {expected}, the file downloaded twice has {actual}")
    except SourceError as exc:
        return _failed(entry, exc.one_line())  # the .part stays: the next run continues it
    _write_atomic(sums, md5_text)
    os.replace(part, final)  # only now does the file count as mirrored
    entry.status, entry.size, entry.md5 = "downloaded", final.stat().st_size, expected
    return entry


def _failed(entry: MirrorFile, error: str) -> MirrorFile:
    entry.status, entry.error = "failed", error
    return entry


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
