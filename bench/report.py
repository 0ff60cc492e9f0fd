"""How fast is a year's report? 1,000 included records (real MEDLINE records repeated under new ids).

Targets on this machine: build + HTML <= 3 s, PDF <= 15 s. Screening and annotation of the copies
are set-up (the report command brings them up to date incrementally) and are not timed.

    python bench/report.py [--records 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--keep", type=Path, help="write the reports into this folder")
    args = ap.parse_args()

    from litwatch.annotate import annotate_store
    from litwatch.report import ReportOptions, build, render
    from litwatch.screen import update_screening
    from litwatch.store import open_store
    from litwatch.topics import load_topic

    topic = load_topic(PROFILE)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        store.upsert(_copies(_sources(topic), args.records))
        update_screening(store, topic)
        annotate_store(store, topic)
        setup = time.perf_counter() - t0

        t0 = time.perf_counter()
        digest = build(topic, (f"{YEAR}-01", f"{YEAR}-12"), ReportOptions(), store=store)
        t_build = time.perf_counter() - t0
        t0 = time.perf_counter()
        html = render(digest, "html", "en")
        t_html = time.perf_counter() - t0
        t0 = time.perf_counter()
        pdf = render(digest, "pdf", "en")
        t_pdf = time.perf_counter() - t0
        t0 = time.perf_counter()
        render(digest, "html", "zh-Hans")
        t_html_zh = time.perf_counter() - t0
        store.close()
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / "bench-report.en.html").write_bytes(html)
            (args.keep / "bench-report.en.pdf").write_bytes(pdf)

    print(f"records included: {digest.included} over {len(digest.months)} months "
          f"({len(digest.references)} references, {len(digest.provenance['quotes'])} quotes); set-up {setup:.1f} s")
    print(f"build          {t_build:6.2f} s")
    print(f"HTML (en)      {t_html:6.2f} s   build + HTML = {t_build + t_html:.2f} s (target <= 3 s): "
          f"{'ok' if t_build + t_html <= 3 else 'SLOW'}")
    print(f"HTML (zh-Hans) {t_html_zh:6.2f} s")
    print(f"PDF (en)       {t_pdf:6.2f} s   (target <= 15 s): {'ok' if t_pdf <= 15 else 'SLOW'}; "
          f"{len(pdf):,} bytes, {len(html):,} bytes of HTML")


if __name__ == "__main__":
    main()
