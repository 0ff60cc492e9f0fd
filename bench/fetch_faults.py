"""How much does a hostile network cost a fetch, against the same fetch on a clean one?

    python bench/fetch_faults.py [--share 0.45] [--batch-size 50] [--faults all|generic|ncbi]

Starts the loopback replay server of tests/sources (recorded real replies of E-utilities,
Europe PMC, ClinicalTrials.gov; 127.0.0.1 only) twice: once clean (the baseline), once with a
fault schedule. Generic faults: 429 with Retry-After in seconds and as an HTTP-date, 500, 502,
503, connection resets, replies slower than the timeout, bodies shorter than their Content-Length,
cut XML/JSON. NCBI's own, each as E-utilities sends it (see tests/sources/replay.py): efetch's
HTTP 400 <eFetchResult><ERROR>Cannot retrieve history data for a dropped WebEnv, esearch's HTTP 200
<ERROR>Search Backend failed, the JSON 429 without Retry-After, and short efetch batches (fewer
articles than asked for). Each time it fetches the same query from the three sources into a new
store and prints the requests sent, faults injected, records stored and the time, then the
ratios faulty/clean.
Goal: the faulty run stores exactly the records of the clean run (same ids, same content hashes),
with at least 30 % of the requests failing.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "tests" / "sources"))

from replay import Dataset, ReplayServer, fault_pattern, ncbi_fault_pattern  # noqa: E402

FAST = {
    "LITWATCH_HTTP_TIMEOUT": "0.5",
    "LITWATCH_HTTP_RETRIES": "6",
    "LITWATCH_HTTP_BACKOFF": "0.02",
    "LITWATCH_HTTP_BACKOFF_MAX": "0.2",
    "NCBI_API_KEY": "bench-key",
    "LITWATCH_EMAIL": "bench@example.org",
    "LITWATCH_HTTP_RATE_EUROPEPMC": "20/1",
    "LITWATCH_HTTP_RATE_CLINICALTRIALS": "20/1",
}


def _snapshot(db: Path) -> set[tuple[frozenset, str]]:
    conn = sqlite3.connect(db)
    ids: dict[int, set] = {}
    for kind, value, rid in conn.execute("SELECT id_kind, value, record_id FROM record_ids"):
        ids.setdefault(rid, set()).add((kind, value))
    out = {(frozenset(ids.get(r, ())), h) for r, h in conn.execute("SELECT id, content_hash FROM records")}
    conn.close()
    return out


def run_once(data: Dataset, schedule: list, batch_size: int, folder: Path, name: str) -> dict:
    from litwatch.sources.fetch import fetch
    from litwatch.store import open_store

    with ReplayServer(data, schedule=schedule, slow_s=0.8, retry_after_s=1) as srv:
        os.environ.update(srv.env())
        db = folder / f"{name}.db"
        start = time.perf_counter()
        with open_store(db) as store:
            summary = fetch(store, "stem cells", sources="pubmed,europepmc,clinicaltrials", batch_size=batch_size)
            stored = store.count()
        seconds = time.perf_counter() - start
        figures = srv.figures()
        kinds: dict[str, int] = {}
        for h in srv.hits():
            if h.fault:
                kinds[h.fault] = kinds.get(h.fault, 0) + 1
    return {"requests": figures["requests"], "faults": figures["faults"], "kinds": kinds, "stored": stored,
            "seconds": seconds, "status": summary.status, "snapshot": _snapshot(db)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--share", type=float, default=0.45, help="share of faults in the repeating schedule")
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--faults", choices=("all", "generic", "ncbi"), default="all",
                    help="generic faults only, NCBI's own only, or both mixed (default)")
    args = ap.parse_args()
    os.environ.update(FAST)
    os.environ.pop("LITWATCH_CACHE_DIR", None)
    from litwatch.config import shared_data_dir

    data = Dataset.load(shared_data_dir())
    with tempfile.TemporaryDirectory() as tmp:
        clean = run_once(data, [], args.batch_size, Path(tmp), "clean")
        if args.faults == "generic":
            schedule = fault_pattern(args.share)
        elif args.faults == "ncbi":
            schedule = [f for f in ncbi_fault_pattern(args.share) if f is None or f in ("history-400", "backend",
                                                                                       "429-json", "short")]
        else:
            schedule = ncbi_fault_pattern(args.share)
        faulty = run_once(data, schedule, args.batch_size, Path(tmp), "faulty")
    for name, r in (("clean (baseline)", clean), ("with faults", faulty)):
        share = r["faults"] / r["requests"] if r["requests"] else 0
        print(f"{name:<17} requests sent {r['requests']:>4}  faults injected {r['faults']:>3} ({share:.0%})  "
              f"records stored {r['stored']:>4}  {r['seconds']:.1f} s  status {r['status']}")
    print("faults by kind:", ", ".join(f"{k} {v}" for k, v in sorted(faulty["kinds"].items())))
    same = clean["snapshot"] == faulty["snapshot"]
    print(f"ratio faulty/clean: requests {faulty['requests'] / clean['requests']:.2f}, "
          f"time {faulty['seconds'] / clean['seconds']:.2f}; same records and content: {'yes' if same else 'NO'}")
    share = faulty["faults"] / faulty["requests"] if faulty["requests"] else 0
    print(f"goal: same records with >= 30 % of requests failing: {'met' if same and share >= 0.30 else 'NOT met'}")
    sys.exit(0 if same and faulty["status"] == "ok" else 1)


if __name__ == "__main__":
    main()
