"""Screening benchmark: litwatch's simulation against `asreview simulate` on every labelled set.

For each CSV in <shared data>/screening/ and each seed, both tools screen the same data from the
same priors (1 included + 1 excluded, drawn with numpy RandomState(seed) exactly as ASReview's
`--prior-seed` does; the bench checks that ASReview's first two labelled rows are litwatch's
priors). Each run is a separate process timed on the wall clock, start-up included:

    asreview simulate DATA --n-prior-included 1 --n-prior-excluded 1 --prior-seed S --seed S -o X.asreview
    python bench/screening.py _litwatch DATA S        (litwatch's default cycle, same priors)

ASReview's labelled order is read from the project file (X.asreview is a zip holding results.db;
its `results` table lists the labelled record ids in labelling order, priors first; record ids
are the CSV's 0-based row numbers). Both orders are scored by the SAME code,
`litwatch.screen.metrics`: WSS@95 and RRF@10 (percent), priors counted.

ASReview (pip package `asreview`, default model ELAS u4) pins its own versions, so install it in
its own virtual environment and name its executable:

    python -m venv /tmp/asreview-venv && /tmp/asreview-venv/bin/pip install asreview
    ASREVIEW=/tmp/asreview-venv/bin/asreview python bench/screening.py --seeds 5

Options: --seeds N (default 5), --data DIR (default: the shared data's screening folder),
--asreview PATH (default $ASREVIEW, else `asreview` on PATH), --only NAME (one data set),
--cache DIR / --no-cache (ASReview's runs are deterministic per seed and slow, so each one is kept
as JSON, with its wall time, under ~/.cache/litwatch/bench-asreview, keyed by the data file's
SHA-256, ASReview's version and the seed; time ratios then use the stored ASReview time).
Prints per data set each tool's mean WSS@95 and RRF@10 and the wall-time ratio litwatch/ASReview.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from litwatch.config import shared_data_dir
from litwatch.screen.metrics import all_metrics


def _litwatch_worker(data: str, seed: int) -> None:
    """Child process: one litwatch simulation; prints the labelled order as JSON."""
    from litwatch.screen.dataset import load_screening_csv
    from litwatch.screen.simulate import simulate

    d = load_screening_csv(data)
    r = simulate(d, n_prior_included=1, n_prior_excluded=1, seed=seed)
    print(json.dumps({"order": r.order, "labels": r.labels_in_order, "n": r.n_total, "relevant": r.n_relevant,
                      "models": r.models}))


def run_litwatch(data: Path, seed: int) -> tuple[dict, float]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "_litwatch", str(data), str(seed)],
                         check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    return json.loads(out.stdout.strip().splitlines()[-1]), seconds


def read_asreview_project(path: Path) -> dict:
    """Labelled order, labels, record count and relevant count from an .asreview project file."""
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith("results.db"))
        z.extract(name, tmp)
        con = sqlite3.connect(Path(tmp) / name)
        rows = con.execute("SELECT record_id, label FROM results ORDER BY rowid").fetchall()
        n, rel = con.execute("SELECT count(*), sum(included) FROM record").fetchone()
        con.close()
    return {"order": [r for r, _ in rows], "labels": [int(l) for _, l in rows], "n": n, "relevant": rel}


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "litwatch" / "bench-asreview"


def _cache_path(cache: Path, exe: str, data: Path, seed: int) -> Path:
    """One JSON file per (data bytes, ASReview version, seed): `asreview simulate` is deterministic per seed."""
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip().replace(" ", "-")
    digest = hashlib.sha256(data.read_bytes()).hexdigest()[:16]
    return cache / f"{data.stem}-{digest}-{version or 'unknown'}-seed{seed}.json"


def cached_asreview(exe: str, data: Path, seed: int, workdir: Path, cache: Path | None) -> tuple[dict, float]:
    """ASReview's run from the cache when there, else run it and store it (wall time included)."""
    path = _cache_path(cache, exe, data, seed) if cache else None
    if path and path.exists():
        saved = json.loads(path.read_text())
        return saved["run"], saved["seconds"]
    run, seconds = run_asreview(exe, data, seed, workdir)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"run": run, "seconds": seconds}))
    return run, seconds


def run_asreview(exe: str, data: Path, seed: int, workdir: Path) -> tuple[dict, float]:
    project = workdir / f"{data.stem}-{seed}.asreview"
    if project.exists():
        project.unlink()
    cmd = [exe, "simulate", str(data), "--n-prior-included", "1", "--n-prior-excluded", "1",
           "--prior-seed", str(seed), "--seed", str(seed), "-o", str(project)]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    return read_asreview_project(project), seconds


def score(run: dict) -> dict:
    return all_metrics(run["labels"], run["n"], run["relevant"])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_litwatch":
        _litwatch_worker(argv[1], int(argv[2]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--data", type=Path, default=shared_data_dir() / "screening")
    ap.add_argument("--asreview", default=os.environ.get("ASREVIEW") or shutil.which("asreview"))
    ap.add_argument("--only", default=None)
    ap.add_argument("--cache", type=Path, default=default_cache_dir(),
                    help="where ASReview's runs are kept between bench runs")
    ap.add_argument("--no-cache", action="store_true", help="run ASReview again even when cached")
    args = ap.parse_args(argv)
    if not args.asreview:
        print("asreview not found: set ASREVIEW=/path/to/venv/bin/asreview (see the docstring)", file=sys.stderr)
        return 2
    datasets = sorted(p for p in args.data.glob("*.csv") if not args.only or p.stem == args.only)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for data in datasets:
            lw, ar, t_lw, t_ar = [], [], 0.0, 0.0
            for seed in range(args.seeds):
                a, ta = cached_asreview(args.asreview, data, seed, Path(tmp), None if args.no_cache else args.cache)
                l, tl = run_litwatch(data, seed)
                if a["order"][:2] != l["order"][:2]:
                    print(f"warning: {data.stem} seed {seed}: priors differ {a['order'][:2]} vs {l['order'][:2]}",
                          file=sys.stderr)
                ar.append(score(a))
                lw.append(score(l))
                t_ar += ta
                t_lw += tl
                print(f"  {data.stem} seed {seed}: litwatch WSS@95 {100 * lw[-1]['wss@95']:.1f} ({tl:.1f}s)  "
                      f"ASReview {100 * ar[-1]['wss@95']:.1f} ({ta:.1f}s)", file=sys.stderr, flush=True)
            rows.append((data.stem, lw, ar, t_lw, t_ar))
    print(f"{'data set':28} {'litwatch WSS@95':>16} {'ASReview WSS@95':>16} {'litwatch RRF@10':>16} "
          f"{'ASReview RRF@10':>16} {'time ratio':>11}")
    for name, lw, ar, t_lw, t_ar in rows:
        m = lambda runs, k: 100 * float(np.mean([r[k] for r in runs]))  # noqa: E731
        print(f"{name:28} {m(lw, 'wss@95'):16.1f} {m(ar, 'wss@95'):16.1f} {m(lw, 'rrf@10'):16.1f} "
              f"{m(ar, 'rrf@10'):16.1f} {t_lw / t_ar:11.2f}")
    print(f"({args.seeds} seeds each; time ratio = litwatch wall time / ASReview wall time, process start included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
