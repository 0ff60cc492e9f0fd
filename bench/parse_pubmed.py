"""How fast does litwatch read a PubMed baseline file, against pubmed_parser and bare lxml?

    python bench/parse_pubmed.py [--records 30000] [--small 10000] [--repeat 1]

Builds a baseline-sized file in a temp dir by repeating the 604 real MedlineCitations of
shared data pubmed/medline16n0902.xml.gz with distinct PMIDs (and, in later copies, distinct
DOIs and PMCIDs, so the store sees distinct works), each wrapped in a <PubmedArticle>
(with a small PubmedData) inside a <PubmedArticleSet>, gzip-compressed like the real baseline.
Then measures, each in its own subprocess (so peak RSS is per measurement):

  (a) litwatch's reader to Records     formats.read_file, which chooses the reader for this file on
                                       this machine (records mapped in C when the extension is built,
                                       see the last line): from 2 CPUs on formats.pubmed.parallel's
                                       read_pubmed_parallel (worker processes, and the main process
                                       parsing a share of the chunks), else the sequential
                                       pubmed_xml.read_stream; (s) is always the sequential reader,
                                       (p) always the parallel one
  (b) litwatch import into a new store litwatch.ingest.import_files (which reads a file this big
                                       with formats.pubmed.parallel.prepare_pubmed_parallel from 2
                                       CPUs on)
  (c) pubmed_parser.parse_medline_xml  (pip install pubmed-parser; default arguments)
  (d) bare lxml iterparse              tag="PubmedArticle", clear() + drop finished siblings

and prints records/s, the ratios a/c, b/c, d/a and peak memory for a small and a large file.
Peak memory counts the worker processes too: the measuring process's own peak plus, per worker,
the largest worker's peak (an upper bound: forked workers share pages with their parent).
Goals: a/c >= 4, b/c >= 2, d/a <= 1.6, and peak memory that does not grow with file size.
Needs: pip install -e .[bench]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
GOALS = {"a/c": 4.0, "b/c": 2.0, "d/a": 1.6}


# -- the test file ---------------------------------------------------------------------------


def _sample() -> Path:
    sys.path.insert(0, str(HERE.parents[1] / "src"))
    from litwatch.config import shared_data_dir

    path = shared_data_dir() / "pubmed" / "medline16n0902.xml.gz"
    if not path.exists():
        sys.exit(f"shared data file not found: {path} (set LITWATCH_SHARED_DATA)")
    return path


def _templates(sample: Path) -> list[tuple[bytes, bytes]]:
    """Each real MedlineCitation as (bytes before its PMID value, bytes after it)."""
    from lxml import etree

    out = []
    with gzip.open(sample, "rb") as f:
        for _, el in etree.iterparse(f, tag="MedlineCitation"):
            xml = etree.tostring(el)
            pmid = el.findtext("PMID")
            marker = f">{pmid}</PMID>".encode()
            i = xml.index(marker)
            out.append((xml[: i + 1], xml[i + len(marker) - len("</PMID>") :]))
            el.clear()
    return out


def build_file(n: int, folder: Path, templates: list[tuple[bytes, bytes]]) -> Path:
    path = folder / f"pubmed_bench_{n}.xml.gz"
    if path.exists():
        return path
    with gzip.open(path, "wb", compresslevel=6) as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write(
            b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN"'
            b' "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n'
        )
        for i in range(n):
            before, after = templates[i % len(templates)]
            pmid = str(40_000_000 + i).encode()
            citation = before + pmid + after
            copy = i // len(templates)
            if copy:  # later copies are other works: their DOIs and PMCIDs must differ too
                tag = str(copy).encode()
                citation = citation.replace(b'EIdType="doi" ValidYN="Y">10.', b'EIdType="doi" ValidYN="Y">10.' + tag)
                citation = citation.replace(b'<OtherID Source="NLM">PMC', b'<OtherID Source="NLM">PMC' + tag + b"0")
            f.write(b"<PubmedArticle>")
            f.write(citation)
            f.write(
                b"<PubmedData><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>"
                b'<ArticleId IdType="pubmed">' + pmid + b"</ArticleId></ArticleIdList></PubmedData>"
                b"</PubmedArticle>\n"
            )
        f.write(b"</PubmedArticleSet>\n")
    return path


# -- one measurement, run in a child process -----------------------------------------------


def _count_records(read, path: str) -> int:
    from litwatch.records import Record

    with open(path, "rb") as f:
        return sum(isinstance(item, Record) for item in read(f, origin=path))


def _measure_a(path: str) -> int:
    """The reader litwatch itself uses here (read_file decides): the parallel reader from 2 CPUs on,
    else the sequential one."""
    from litwatch.formats import read_file
    from litwatch.records import Record

    return sum(isinstance(item, Record) for item in read_file(path))


def _measure_p(path: str) -> int:
    """The parallel reader whatever the CPU count, for comparison."""
    from litwatch.formats.pubmed.parallel import read_pubmed_parallel

    return _count_records(read_pubmed_parallel, path)


def _measure_s(path: str) -> int:
    from litwatch.formats.pubmed_xml import read_stream

    return _count_records(read_stream, path)


def _measure_b(path: str) -> int:
    from litwatch.ingest import import_files
    from litwatch.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        try:
            summary = import_files(store, [path])
        finally:
            store.close()
    return summary.read


def _measure_c(path: str) -> int:
    import pubmed_parser as pp

    return sum(1 for _ in pp.parse_medline_xml(path))


def _measure_d(path: str) -> int:
    from lxml import etree

    n = 0
    with gzip.open(path, "rb") as f:
        for _, el in etree.iterparse(f, events=("end",), tag="PubmedArticle"):
            n += 1
            el.clear()
            parent = el.getparent()
            while el.getprevious() is not None:
                del parent[0]
    return n


MEASURES = {"a": _measure_a, "s": _measure_s, "p": _measure_p, "b": _measure_b, "c": _measure_c, "d": _measure_d}
LABELS = {
    "a": "litwatch reader -> Records",
    "s": "  sequential reader",
    "p": "  parallel reader",
    "b": "litwatch import -> store",
    "c": "pubmed_parser.parse_medline_xml",
    "d": "bare lxml iterparse",
}


def _child(name: str, path: str) -> None:
    start = time.perf_counter()
    n = MEASURES[name](path)
    seconds = time.perf_counter() - start
    print(json.dumps({"n": n, "seconds": seconds, "rss_mib": (_peak_rss_kib() + _workers_peak_kib(name)) / 1024}))


def _workers_peak_kib(name: str) -> int:
    """Worker processes' share of the peak: the largest one's peak RSS times their number."""
    if name not in "abp":
        return 0
    from litwatch.formats.pubmed.parallel import default_workers

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * default_workers()


def _peak_rss_kib() -> int:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec, so a
    child would report the parent's peak when that was higher."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_measure(name: str, path: Path) -> dict | None:
    if name == "b":
        try:
            import litwatch.ingest  # noqa: F401
        except ImportError:
            return None
    if name == "c":
        try:
            import pubmed_parser  # noqa: F401
        except ImportError:
            return None
    env = dict(os.environ, PYTHONPATH=str(HERE.parents[1] / "src"))
    # An earlier import's database, deleted, may still be on its way to disk: flushing it now
    # keeps that writing out of the measurement that follows (it cost (b) about 5 % on 2 CPUs).
    if hasattr(os, "sync"):  # not on Windows
        os.sync()
    proc = subprocess.run(
        [sys.executable, str(HERE), "--measure", name, str(path)], capture_output=True, text=True, env=env
    )
    if proc.returncode != 0:
        print(f"  ({name}) failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- the table --------------------------------------------------------------------------------


def _rate(m: dict | None) -> float | None:
    return m["n"] / m["seconds"] if m and m["seconds"] > 0 else None


def _fmt(x: float | None, spec: str) -> str:
    return format(x, spec) if x is not None else "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=30_000, help="records in the large file")
    ap.add_argument("--small", type=int, default=10_000, help="records in the small file (memory check)")
    ap.add_argument("--only", default="aspbcd", help="which measurements to run, e.g. 'ad'")
    ap.add_argument("--keep", metavar="DIR", help="build/keep the files in DIR instead of a temp dir")
    ap.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        _child(*args.measure)
        return 0

    templates = _templates(_sample())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        sizes = sorted({args.small, args.records})
        results: dict[int, dict[str, dict | None]] = {}
        for n in sizes:
            path = build_file(n, folder, templates)
            mb = path.stat().st_size / 1e6
            print(f"file: {n:,} records, {mb:.1f} MB gzip", file=sys.stderr)
            results[n] = {k: run_measure(k, path) for k in args.only}
        _print_table(results, sizes, args.only)
    return 0


def _print_table(results: dict, sizes: list[int], only: str) -> None:
    big = sizes[-1]
    print(f"\nPubMed XML read, {big:,} records (PubmedArticleSet, gzip)")
    print(f"{'measurement':<36}{'records/s':>12}{'seconds':>10}" + "".join(f"{f'peak MiB @{n // 1000}k':>16}" for n in sizes))
    for k in only:
        m = results[big][k]
        note = "" if m else ("  (litwatch.ingest not there yet)" if k == "b" else "  (not installed)")
        print(
            f"({k}) {LABELS[k]:<32}{_fmt(_rate(m), ',.0f'):>12}{_fmt(m and m['seconds'], '.2f'):>10}"
            + "".join(f"{_fmt((results[n][k] or {}).get('rss_mib'), '.0f'):>16}" for n in sizes)
            + note
        )
    rate = {k: _rate(results[big].get(k)) for k in "aspbcd"}
    ratios = {
        "a/c": rate["a"] / rate["c"] if rate["a"] and rate["c"] else None,
        "b/c": rate["b"] / rate["c"] if rate["b"] and rate["c"] else None,
        "d/a": rate["d"] / rate["a"] if rate["a"] and rate["d"] else None,
    }
    print()
    for name, value in ratios.items():
        goal = GOALS[name]
        ok = None if value is None else (value >= goal if name != "d/a" else value <= goal)
        verdict = "n/a" if ok is None else ("met" if ok else "NOT met")
        sign = ">=" if name != "d/a" else "<="
        print(f"{name:<5}{_fmt(value, '.2f'):>8}   goal {sign} {goal}   {verdict}")
    if rate["s"] and rate["c"] and rate["d"]:
        print(f"(sequential reader alone: s/c {rate['s'] / rate['c']:.2f}, d/s {rate['d'] / rate['s']:.2f})")
    for k in "ab":
        if len(sizes) > 1 and results[sizes[0]].get(k) and results[big].get(k):
            small, large = results[sizes[0]][k]["rss_mib"], results[big][k]["rss_mib"]
            print(f"({k}) peak memory, workers included: {small:.0f} MiB @{sizes[0]:,} vs {large:.0f} MiB @{big:,} records")
    print(f"CPUs: {os.cpu_count()}; load average at the end: {os.getloadavg()[0]:.2f}; PubMed mapper: {_mapper()}")


def _mapper() -> str:
    """Which of litwatch's PubMed mappers the measurements used (LITWATCH_PURE_PYTHON=1: Python)."""
    sys.path.insert(0, str(HERE.parents[1] / "src"))
    from litwatch.formats import pubmed_xml

    return "C (formats/pubmed/_fast.pyx)" if pubmed_xml.MAPPER == "C" else "Python"


if __name__ == "__main__":
    raise SystemExit(main())
