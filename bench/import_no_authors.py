"""Does importing records without authors stay linear, a million of them in one year?

    python bench/import_no_authors.py [--records 1000000] [--small 100000]

A CSV without authors once put every record of a year in one fuzzy block ("2020|"), so each new
record was compared by title with all those before it: quadratic. This builds two CSV files of
title + year rows (no authors), `--small` and `--records` long, their titles made of the real
titles of the shared screening sets (the first half of one title and the second half of another,
so every title is distinct and reads like a title), imports each into a new store with
`litwatch.ingest.import_files`, and prints records/s, the title comparisons made (rapidfuzz calls
counted) and the ratios large/small. The baseline is the small file, measured in the same run.
Goal: time grows with the records (ratio at most twice records/small), and the comparisons per
record stay a handful (they grow with how often two titles share a block, not with the file).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "src"))


def _titles() -> list[str]:
    from litwatch.config import shared_data_dir

    seen: dict[str, None] = {}
    for path in sorted((shared_data_dir() / "screening").glob("*.csv")):
        with open(path, encoding="utf-8", errors="replace") as f:
            seen.update((row["title"].strip(), None) for row in csv.DictReader(f) if (row.get("title") or "").strip())
    return list(seen)


def build(path: Path, n: int, titles: list[str]) -> None:
    halves = [(t[: len(t) // 2], t[len(t) // 2 :]) for t in titles if len(t) > 20]
    k = len(halves)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["title", "year"])
        for i in range(n):
            a, b = halves[i % k], halves[(i // k + i * 7919) % k]
            w.writerow([a[0] + b[1], 2020])


class _Counting:
    def __init__(self, fuzz) -> None:
        self._fuzz, self.calls = fuzz, 0

    def ratio(self, a, b, **kw):
        self.calls += 1
        return self._fuzz.ratio(a, b, **kw)


def measure(n: int, folder: Path, titles: list[str]) -> dict:
    from litwatch.ingest import import_files
    from litwatch.store import open_store, upsert

    path = folder / f"no_authors_{n}.csv"
    build(path, n, titles)
    counting = _Counting(upsert.fuzz)
    upsert.fuzz = counting
    try:
        start = time.perf_counter()
        with open_store(folder / f"no_authors_{n}.db") as store:
            summary = import_files(store, [path])
        seconds = time.perf_counter() - start
    finally:
        upsert.fuzz = counting._fuzz
    return {"n": n, "seconds": seconds, "new": summary.new, "merged": summary.merged, "comparisons": counting.calls}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--small", type=int, default=100_000)
    args = ap.parse_args()
    titles = _titles()
    with tempfile.TemporaryDirectory() as tmp:
        small = measure(args.small, Path(tmp), titles)
        large = measure(args.records, Path(tmp), titles)
    for r in (small, large):
        print(f"{r['n']:>9,} records  {r['seconds']:7.1f} s  {r['n'] / r['seconds']:8,.0f} records/s  "
              f"title comparisons {r['comparisons']:>10,} ({r['comparisons'] / r['n']:.2f} a record)  "
              f"new {r['new']:,}  merged {r['merged']:,}")
    grow = large["n"] / small["n"]
    t = large["seconds"] / small["seconds"]
    print(f"ratio large/small: records {grow:.1f}, time {t:.1f} (linear: about {grow:.0f}; quadratic: about "
          f"{grow * grow:.0f}); the machine may be shared: compare the ratio, not the seconds")
    ok = t <= 2 * grow and large["comparisons"] / large["n"] < 20
    print(f"goal (time at most twice the records' ratio, under 20 comparisons a record): {'met' if ok else 'NOT met'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
