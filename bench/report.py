"""How fast is a report, first time and again?

1. A year with 1,000 included papers (real MEDLINE records repeated under new ids): build + HTML for
   the first time in this process (no label, phrase or OpenCC cache warm). Target <= 3 s.
2. The whole shared-data store (`litwatch import $LITWATCH_SHARED_DATA`, about 10,000 records): the
   default topic's report over 2015-01..2025-12 with `jobs.report` (screen, annotate, build, render),
   first and repeat. Targets: repeat <= 0.3 x first and <= 2 s. Screening is the inclusion work's
   (issue 11): until its incremental screening is merged it re-screens every record, so the table also
   shows the repeat without that step.
3. The share of Chinese letters in the zh-Hans month section of the default topic's report made from
   the roundup's references and the test fixtures (see tests/report/test_genre.py).

Timings on a shared machine are noisy: each figure is the median of --repeats runs, and (1) is also
given as a ratio to the named baseline measured in the same run: the same build + HTML with the code
of --baseline-src (default: the main checkout next to this worktree, ../../main/src), which reads the
same stored annotations but makes none of this report's sentences.

    python bench/report.py [--records 1000] [--repeats 3] [--keep DIR] [--skip-store] [--baseline-src DIR]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from litwatch.config import shared_data_dir
from litwatch.formats import read_file
from litwatch.records import DateValue, Ids, Record

REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "tests" / "report" / "cell-research.toml"
YEAR = "2025"


def _sources(topic) -> list[Record]:
    """Real MEDLINE records that the profile's rules include, with an abstract to quote from."""
    from litwatch.screen import rule_decision

    path = shared_data_dir() / "pubmed" / "medline16n0902.xml.gz"
    return [
        r for r in read_file(path)
        if isinstance(r, Record) and r.abstract and r.title and r.authors and rule_decision(topic, r).label == "include"
    ]


def _copies(records: list[Record], n: int) -> list[Record]:
    out = []
    for i in range(n):
        src = records[i % len(records)]
        r = Record.from_dict(src.to_dict())
        r.ids = Ids(pmid=str(90_000_000 + i))
        r.title = f"{src.title} [copy {i // len(records) + 1}]"  # keeps the fuzzy matcher from merging copies
        month = i % 12 + 1
        r.dates = {"electronic": DateValue(f"{YEAR}-{month:02d}-{i % 28 + 1:02d}")}
        r.links = []
        out.append(r)
    return out


# modules are imported first (screening's scikit-learn alone takes seconds to import, in any command);
# then the build runs with nothing warm: vocabulary, labels, phrases and OpenCC load on first use
_FIRST_BUILD = """
import sys, time
t = time.perf_counter()
import litwatch.screen, litwatch.annotate.storage
from litwatch.report import ReportOptions, build, render
from litwatch.store import open_store
from litwatch.topics import load_topic
imports = time.perf_counter() - t
store = open_store(sys.argv[1]); topic = load_topic(sys.argv[2])
t0 = time.perf_counter(); d = build(topic, ("{year}-01", "{year}-12"), ReportOptions(), store=store)
t1 = time.perf_counter(); html = render(d, "html", "en"); t2 = time.perf_counter()
print(t1 - t0, t2 - t1, d.included, imports)
"""


def _first_build(db: Path, src: Path | None) -> tuple[float, float, int, float]:
    import os

    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    done = subprocess.run([sys.executable, "-c", _FIRST_BUILD.format(year=YEAR), str(db), str(PROFILE)],
                          capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"the build with {src or 'this code'} failed:\n{done.stderr[-3000:]}")
    out = done.stdout.split()
    return float(out[0]), float(out[1]), int(out[2]), float(out[3])


def bench_thousand(n: int, repeats: int, keep: Path | None, baseline: Path | None) -> None:
    from litwatch.annotate import annotate_store
    from litwatch.report import ReportOptions, build, render
    from litwatch.screen import update_screening
    from litwatch.store import open_store
    from litwatch.topics import load_topic

    topic = load_topic(PROFILE)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        store = open_store(db)
        t0 = time.perf_counter()
        store.upsert(_copies(_sources(topic), n))
        update_screening(store, topic)
        annotate_store(store, topic)
        setup = time.perf_counter() - t0
        store.close()
        firsts, bases = [], []
        import shutil

        base_db = Path(tmp) / "baseline.db"  # the baseline may migrate its copy to a newer schema
        shutil.copy(db, base_db)
        for _ in range(repeats):  # a fresh process each time: nothing cached; new and baseline interleaved
            firsts.append(_first_build(db, None))
            if baseline is not None:
                bases.append(_first_build(base_db, baseline))
        store = open_store(db)
        digest = build(topic, (f"{YEAR}-01", f"{YEAR}-12"), ReportOptions(), store=store)
        t0 = time.perf_counter()
        pdf = render(digest, "pdf", "en")
        t_pdf = time.perf_counter() - t0
        t0 = time.perf_counter()
        html_zh = render(digest, "html", "zh-Hans")
        t_zh = time.perf_counter() - t0
        store.close()
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / "bench-report.en.pdf").write_bytes(pdf)
            (keep / "bench-report.zh-Hans.html").write_bytes(html_zh)
    b = statistics.median(f[0] for f in firsts)
    h = statistics.median(f[1] for f in firsts)
    print(f"\n1) {firsts[0][2]} included papers over 12 months (set-up {setup:.1f} s, not timed)")
    print("| step | seconds (median of %d, fresh process) |" % repeats)
    print("|---|---|")
    print(f"| (imports, not timed: {statistics.median(f[3] for f in firsts):.2f}) | |")
    print(f"| build | {b:.2f} |")
    print(f"| HTML (en) | {h:.2f} |")
    print(f"| build + HTML | {b + h:.2f} (target <= 3 s: {'ok' if b + h <= 3 else 'SLOW'}) |")
    if bases:
        bb = statistics.median(x[0] + x[1] for x in bases)
        print(f"| baseline build + HTML ({baseline}) | {bb:.2f}; ratio {(b + h) / bb:.2f} |")
    print(f"| HTML (zh-Hans), warm | {t_zh:.2f} |")
    print(f"| PDF (en), warm | {t_pdf:.2f} |")


def bench_store(repeats: int) -> None:
    from litwatch.ingest import import_files
    from litwatch import jobs
    from litwatch.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "shared.db"
        store = open_store(db)
        t0 = time.perf_counter()
        result = import_files(store, [shared_data_dir()])
        t_import = time.perf_counter() - t0
        records = store.count()

        def once(name: str) -> tuple[float, dict[str, float], int]:
            marks: dict[str, float] = {}
            runs = len(store.runs(limit=None))
            t = time.perf_counter()
            jobs.report(store=store, topic="stem-cell-depression", date_from="2015-01", date_to="2025-12", fmt="html",
                        offline=True, output=Path(tmp) / f"{name}.html",
                        progress=lambda e: marks.setdefault(e.stage, time.perf_counter()))
            end = time.perf_counter()
            order = [k for k in ("screen", "annotate", "build", "render") if k in marks] + ["end"]
            marks["end"] = end
            steps = {k: marks[n] - marks[k] for k, n in zip(order, order[1:])}
            return end - t, steps, len(store.runs(limit=None)) - runs

        first, first_steps, first_rows = once("report")
        repeats_ = [once("report") for _ in range(repeats)]  # the same report to the same file
        store.close()
    rep = statistics.median(r[0] for r in repeats_)
    rep_steps = {k: statistics.median(r[1][k] for r in repeats_) for k in repeats_[0][1]}
    rows = [r[2] for r in repeats_]
    without_screen = rep - rep_steps.get("screen", 0.0)
    print(f"\n2) whole shared-data store: {records:,} records ({result.read:,} read, import {t_import:.0f} s, not timed);"
          " default topic, 2015-01..2025-12, HTML")
    print("| | first | repeat (median of %d) | ratio |" % repeats)
    print("|---|---|---|---|")
    for k in ("screen", "annotate", "build", "render"):
        print(f"| {k} | {first_steps.get(k, 0):.2f} s | {rep_steps.get(k, 0):.2f} s | |")
    print(f"| total | {first:.2f} s | {rep:.2f} s | {rep / first:.2f} (target <= 0.3: {'ok' if rep / first <= 0.3 else 'NO'}) |")
    print(f"| total without screening (issue 11's step) | {first - first_steps.get('screen', 0):.2f} s | "
          f"{without_screen:.2f} s | target <= 2 s: {'ok' if without_screen <= 2 else 'NO'} |")
    print(f"| run rows added | {first_rows} | {rows} | (a repeat: screening's own row until issue 11 lands; none from annotation or report) |")


def zh_share() -> None:
    from litwatch.annotate import annotate_store
    from litwatch.ingest import import_files
    from litwatch.report import ReportOptions, build, render
    from litwatch.screen import update_screening
    from litwatch.store import open_store

    examples = shared_data_dir().parent / "examples" / "roundup-references.ris"
    fixtures = REPO / "tests" / "report" / "fixtures"
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "zh.db")
        import_files(store, [examples, fixtures / "topic-papers.xml", fixtures / "undated.ris"])
        update_screening(store, "stem-cell-depression")
        annotate_store(store, "stem-cell-depression")
        md = render(build("stem-cell-depression", ("2025-01", "2025-12"), ReportOptions(), store=store),
                    "md", "zh-Hans").decode()
        store.close()
    months = re.sub(r"\]\(<[^>]*>\)", "]", md.split("## 按月进展")[1].split("## 注册临床试验")[0])
    han, latin = len(re.findall(r"[\u4e00-\u9fff]", months)), len(re.findall(r"[A-Za-z]", months))
    print(f"\n3) zh-Hans month section (roundup references + fixtures): {han / (han + latin):.0%} of letters are Chinese"
          f" ({han} Han, {latin} Latin; titles, journal names and quotations stay as published)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="write the 1,000-paper reports into this folder")
    ap.add_argument("--skip-store", action="store_true", help="skip the whole-store measurement (minutes)")
    ap.add_argument("--baseline-src", type=Path, default=REPO.parents[1] / "main" / "src",
                    help="the src/ folder of the baseline code (default: ../../main/src)")
    args = ap.parse_args()
    baseline = args.baseline_src if (args.baseline_src / "litwatch" / "report").is_dir() else None
    bench_thousand(args.records, args.repeats, args.keep, baseline)
    if not args.skip_store:
        bench_store(args.repeats)
    zh_share()


if __name__ == "__main__":
    main()
