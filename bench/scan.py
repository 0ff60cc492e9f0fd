"""How fast does a scan go per Dask worker, how well does it scale, and what would all of PubMed take?

    python bench/scan.py [--records 3000] [--files-per-worker 3] [--workers 1,2] [--topics a,b,c]
                         [--repeat 1] [--keep DIR] [--json]

Builds F x max(W) files in a temp dir by repeating the 604 real MedlineCitations of shared data
pubmed/medline16n0902.xml.gz (as bench/parse_pubmed.py does: each in a <PubmedArticle>, gzip),
with PMIDs, DOIs and PMCIDs distinct across all files. `--records 30000` makes them the size of
a baseline file; the default (3,000) keeps the whole bench to a couple of minutes on 2 CPUs.

For each worker count W in --workers, a fresh LocalCluster of W processes (one thread each) is
warmed up (litwatch imported, the vocabulary loaded, the topics' regexes compiled on every
worker), then `scan_files` scans F files per worker (weak scaling: the same work per worker),
timed from planning to the last file noted. Printed:

- records/s, per worker, and the scaling efficiency rate(W) / (W x rate(1)) (goal >= 0.85 at 2),
  with the share of the CPUs the workers got (their CPU time / (W x seconds)) and the records per
  CPU-second against one worker's: on a busy machine efficiency falls with the CPU share, while
  the per-CPU-second ratio shows what the scan itself loses by running W workers;
- peak memory of each worker after its first and after its last (F-th) file (goal: flat);
- the baseline: litwatch's PubMed reader (pubmed_xml.read_stream, which `litwatch import` uses
  on one CPU and which formats.pubmed.parallel parallelises within a file) reading one of the files in
  this process; the ratio reading rate / per-worker scan rate (goal <= 1.3), and where a
  worker's time goes (read, screen, annotate + rows, write) from the tasks' own clocks;
- the scheduler's overhead per task (200 tasks that do nothing, on the largest cluster);
- the projected time for 36 million records (1,200 files of 30,000) at 8, 32 and 128 workers:
  ceil(files / W) x (30,000 / per-worker rate at 1 worker + overhead per task), from the rate
  measured and from the records per CPU-second (a worker with a CPU of its own).

On a machine shared with other work the rates and the efficiency are noisy: the load average
is printed before and after; trust the numbers from a quiet machine (and --repeat 3: medians).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "src"))
sys.path.insert(0, str(HERE.parent))

GOALS = {"efficiency": 0.85, "read/scan": 1.3}
PUBMED_RECORDS, BASELINE_FILE = 36_000_000, 30_000
PROJECT_AT = (8, 32, 128)


# -- the files -----------------------------------------------------------------------------------


def build_files(count: int, records: int, folder: Path) -> list[Path]:
    """`count` files of `records` each, every PMID, DOI and PMCID distinct across all of them."""
    from parse_pubmed import _sample, _templates

    templates = _templates(_sample())
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(count):
        path = folder / f"pubmed99n{k + 1:04d}.xml.gz"
        paths.append(path)
        if path.exists():
            continue
        tmp = path.with_suffix(".tmp")  # a bench stopped mid-file leaves no file that looks whole
        with gzip.open(tmp, "wb", compresslevel=6) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
            for j in range(records):
                g = k * records + j
                before, after = templates[g % len(templates)]
                pmid = str(40_000_000 + g).encode()
                citation = before + pmid + after
                copy = g // len(templates)
                if copy:  # later copies are other works: their DOIs and PMCIDs differ too
                    tag = str(copy).encode()
                    citation = citation.replace(b'EIdType="doi" ValidYN="Y">10.', b'EIdType="doi" ValidYN="Y">10.' + tag)
                    citation = citation.replace(b'<OtherID Source="NLM">PMC', b'<OtherID Source="NLM">PMC' + tag + b"0")
                f.write(b"<PubmedArticle>" + citation + b"<PubmedData><ArticleIdList><ArticleId IdType=\"pubmed\">"
                        + pmid + b"</ArticleId></ArticleIdList></PubmedData></PubmedArticle>\n")
            f.write(b"</PubmedArticleSet>\n")
        os.replace(tmp, path)
    return paths


# -- on the workers --------------------------------------------------------------------------------


def _warm_up(topics: list) -> int:
    """Runs on every worker: what a first task would otherwise pay (imports, vocabulary, regexes)."""
    from litwatch.annotate import annotate_record
    from litwatch.records import AbstractSection, Record
    from litwatch.scan.plan import engine_settings
    from litwatch.screen.rules import rule_decision

    record = Record(title="Warming up", abstract=[AbstractSection("Mesenchymal stem cells in mice with depression.")])
    for t in topics:
        rule_decision(t, record)
        annotate_record(record, t)
    engine_settings()
    return os.getpid()


# -- the measurements ------------------------------------------------------------------------------


def _cluster(workers: int):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    return cluster, Client(cluster, set_as_default=False)


def measure_scan(files: list[Path], workers: int, topics: list, tmp: Path, overhead: bool) -> dict:
    from litwatch.scan import scan_files
    from litwatch.scan.cluster import task_overhead

    cluster, client = _cluster(workers)
    try:
        client.run(_warm_up, topics)
        out = tmp / f"out-{workers}-{time.time_ns()}"
        started = time.perf_counter()
        result = scan_files(topics, [str(f) for f in files], out=out, client=client, summarize=False)
        seconds = time.perf_counter() - started
        per_task = task_overhead(client) if overhead else None
    finally:
        client.close()
        cluster.close()
    assert not result.failed, [r.error for r in result.failed]
    by_worker: dict[str, list] = {}
    for r in result.done:  # in the order they finished
        by_worker.setdefault(r.worker, []).append(r.peak_rss_mb)
    parts = {k: sum(r.seconds.get(k, 0.0) for r in result.done) for k in ("read", "screen", "annotate", "write")}
    cpu = sum(r.seconds.get("cpu", 0.0) for r in result.done)
    return {"workers": workers, "files": len(files), "records": result.records, "seconds": seconds,
            "rate": result.records / seconds, "cpu_s": cpu, "cpu_rate": result.records / cpu if cpu else None,
            "cpu_share": cpu / (workers * seconds), "rss": by_worker, "parts": parts, "overhead_s": per_task}


def measure_reading(path: Path, repeat: int = 3) -> tuple[float, float]:
    """(records/s, records per CPU-second) of litwatch's PubMed reader on one file, in this process."""
    from litwatch.formats import pubmed_xml
    from litwatch.records import Record

    rates, cpu_rates = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        with open(path, "rb") as f:
            n = sum(isinstance(x, Record) for x in pubmed_xml.read_stream(f, origin=str(path)))
        rates.append(n / (time.perf_counter() - started))
        cpu_rates.append(n / (time.process_time() - cpu))
    return statistics.median(rates), statistics.median(cpu_rates)


def project(rate: float, overhead: float) -> dict[int, float]:
    files = math.ceil(PUBMED_RECORDS / BASELINE_FILE)
    per_file = BASELINE_FILE / rate + overhead
    return {w: math.ceil(files / w) * per_file for w in PROJECT_AT}


def _hms(seconds: float) -> str:
    h, rem = divmod(int(round(seconds)), 3600)
    return f"{h} h {rem // 60:02d} min" if h else f"{rem // 60} min {rem % 60:02d} s"


# -- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=3000, help="records per file (30000: a baseline file)")
    ap.add_argument("--files-per-worker", type=int, default=3, help="files each worker scans (memory: 1st vs last)")
    ap.add_argument("--workers", default="1,2", help="worker counts to measure, e.g. 1,2,4,8")
    ap.add_argument("--topics", default="stem-cell-depression,msc-trials,gut-brain-depression",
                    help="topic profiles to screen for (names or .toml paths)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per worker count (the median is reported)")
    ap.add_argument("--keep", metavar="DIR", help="build/keep the input files in DIR instead of a temp dir")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args(argv)
    counts = sorted({int(w) for w in args.workers.split(",")})
    if counts[0] != 1:
        counts = [1] + counts  # efficiency needs the one-worker rate
    from litwatch.topics import load_topic

    topics = [load_topic(t) for t in args.topics.split(",")]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp) / "in"
        folder.mkdir(parents=True, exist_ok=True)
        files = build_files(args.files_per_worker * counts[-1], args.records, folder)
        print(f"{len(files)} file(s) of {args.records:,} records ({files[0].stat().st_size / 1e6:.1f} MB gzip each)",
              file=sys.stderr)
        reading = measure_reading(files[0])
        runs = {}
        for w in counts:
            trials = [measure_scan(files[: args.files_per_worker * w], w, topics, Path(tmp), w == counts[-1])
                      for _ in range(max(1, args.repeat))]
            trials.sort(key=lambda m: m["rate"])
            runs[w] = trials[len(trials) // 2]
            print(f"  {w} worker(s): {runs[w]['rate']:,.0f} records/s", file=sys.stderr)
    report = _report(runs, reading, topics, args, load_before)
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


def _report(runs: dict, reading: float, topics: list, args, load_before) -> dict:
    one = runs[1]["rate"]
    print(f"\nScan: {args.files_per_worker} file(s) of {args.records:,} records per worker, topics "
          f"{', '.join(t.name for t in topics)}")
    print(f"{'workers':>7}{'files':>7}{'records':>10}{'seconds':>9}{'records/s':>11}{'per worker':>12}"
          f"{'efficiency':>12}{'CPU share':>11}{'rec/CPU-s':>11}{'by CPU':>8}")
    for w, m in runs.items():
        eff = m["rate"] / (w * one)
        m["efficiency"] = eff
        by_cpu = m["cpu_rate"] / runs[1]["cpu_rate"] if m["cpu_rate"] and runs[1]["cpu_rate"] else float("nan")
        m["efficiency_by_cpu"] = by_cpu
        print(f"{w:>7}{m['files']:>7}{m['records']:>10,}{m['seconds']:>9.1f}{m['rate']:>11,.0f}"
              f"{m['rate'] / w:>12,.0f}{eff:>12.2f}{m['cpu_share']:>11.2f}{m['cpu_rate'] or 0:>11,.0f}{by_cpu:>8.2f}")
    print("(CPU share: the workers' CPU time / (workers x seconds): below 1 when other work took the CPUs; "
          "by CPU: records per CPU-second against one worker's, what efficiency would be on an idle machine)")
    top = max(runs)
    if top > 1:
        eff = runs[min(w for w in runs if w > 1)]["efficiency"]
        print(f"efficiency at {min(w for w in runs if w > 1)} workers {eff:.2f}   goal >= {GOALS['efficiency']}   "
              f"{'met' if eff >= GOALS['efficiency'] else 'NOT met'}")
    firsts = [v[0] for m in runs.values() for v in m["rss"].values()]
    lasts = [v[-1] for m in runs.values() for v in m["rss"].values() if len(v) >= args.files_per_worker]
    if lasts:
        print(f"peak memory per worker (median over workers): after its first file {statistics.median(firsts):.0f} MiB, "
              f"after file {args.files_per_worker} {statistics.median(lasts):.0f} MiB "
              f"(x{statistics.median(lasts) / statistics.median(firsts):.2f})")
    reading, reading_cpu = reading
    ratio = reading / one
    ratio_cpu = reading_cpu / runs[1]["cpu_rate"]
    print(f"baseline: litwatch's PubMed reader on one file, one process: {reading:,.0f} records/s "
          f"({reading_cpu:,.0f} per CPU-second); reading / per-worker scan rate = {ratio:.2f} "
          f"({ratio_cpu:.2f} per CPU-second)   goal <= {GOALS['read/scan']}   "
          f"{'met' if ratio_cpu <= GOALS['read/scan'] else 'NOT met'}")
    parts = runs[1]["parts"]
    total = sum(parts.values()) or 1
    print("where a worker's time goes: " + ", ".join(f"{k} {100 * v / total:.0f} %" for k, v in parts.items())
          + f" (screen: {len(topics)} topic(s) by screen.rules.rule_decision)")
    overhead = runs[top]["overhead_s"] or 0.0
    print(f"scheduler overhead per task: {overhead * 1000:.1f} ms (200 empty tasks on {top} worker(s))")
    files = math.ceil(PUBMED_RECORDS / BASELINE_FILE)
    proj = project(one, overhead)
    print(f"projected for {PUBMED_RECORDS:,} records ({files:,} files of {BASELINE_FILE:,}):")
    print(f"  at the measured {one:,.0f} records/s per worker: "
          + ", ".join(f"{w} workers {_hms(s)}" for w, s in proj.items()))
    proj_cpu = project(runs[1]["cpu_rate"], overhead)
    print(f"  at {runs[1]['cpu_rate']:,.0f} records per CPU-second (each worker with a CPU of its own): "
          + ", ".join(f"{w} workers {_hms(s)}" for w, s in proj_cpu.items()))
    print(f"CPUs: {os.cpu_count()}; load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
          "(a shared machine makes rates and efficiency noisy)")
    return {"runs": runs, "reading_rate": reading, "reading_cpu_rate": reading_cpu, "read_over_scan": ratio,
            "read_over_scan_cpu": ratio_cpu, "overhead_s": overhead, "projection_s": proj,
            "projection_cpu_s": proj_cpu, "cpus": os.cpu_count(), "load": [load_before[0], os.getloadavg()[0]]}


if __name__ == "__main__":
    raise SystemExit(main())
