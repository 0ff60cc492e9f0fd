"""How many records a scan includes per topic, per year and per design, straight from its Parquet.

Counts come from the latest occurrence of each PMID (scan/order.py), so update files and
deletions are applied; the file and record totals come from the manifest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from litwatch.scan.order import connect
from litwatch.scan.plan import latest_entries

__all__ = ["ScanSummary", "scan_summary", "BY_TOPIC_SQL", "BY_YEAR_SQL", "BY_DESIGN_SQL"]

BY_TOPIC_SQL = "SELECT topic, label, count(*) AS n FROM latest GROUP BY topic, label ORDER BY topic, label"
BY_YEAR_SQL = ("SELECT topic, year, count(*) AS n FROM latest WHERE label = 'include' "
               "GROUP BY topic, year ORDER BY topic, year NULLS LAST")
BY_DESIGN_SQL = ("SELECT topic, coalesce(design, 'design:other') AS design, count(*) AS n FROM latest "
                 "WHERE label = 'include' GROUP BY ALL ORDER BY topic, n DESC, design")


@dataclass
class ScanSummary:
    dir: str
    files: int = 0
    records: int = 0  # records read, over all files (a PMID in two files counts twice)
    deleted: int = 0  # deletions read
    issues: int = 0
    included: dict[str, int] = field(default_factory=dict)  # topic -> included (latest versions)
    undecided: dict[str, int] = field(default_factory=dict)  # topic -> undecided candidates
    by_year: dict[str, dict[str, int]] = field(default_factory=dict)  # topic -> year -> n
    by_design: dict[str, dict[str, int]] = field(default_factory=dict)  # topic -> design -> n
    settings: list[dict[str, Any]] = field(default_factory=list)  # distinct settings the files were made with
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def scan_summary(out: str | Path) -> ScanSummary:
    """The summary of the scan in folder `out`; UsageError when it holds no scan."""
    con = connect(out)
    s = ScanSummary(str(out))
    try:
        for topic, label, n in con.execute(BY_TOPIC_SQL).fetchall():
            (s.included if label == "include" else s.undecided)[topic] = n
        for topic, year, n in con.execute(BY_YEAR_SQL).fetchall():
            s.by_year.setdefault(topic, {})[str(year) if year is not None else "unknown"] = n
        for topic, design, n in con.execute(BY_DESIGN_SQL).fetchall():
            s.by_design.setdefault(topic, {})[design] = n
        parts = {Path(p).name[: -len(".parquet")] for (p,) in con.execute(
            "SELECT DISTINCT filename FROM read_parquet(?, filename = true)", [str(Path(out) / "parts" / "*.parquet")]
        ).fetchall()}
    finally:
        con.close()
    entries = latest_entries(Path(out))
    s.files = len(parts)
    for name in sorted(parts):
        e = entries.get(name)
        if e is None:
            s.warnings.append(f"{name}: a Parquet part without a manifest line (a scan stopped before noting it)")
            continue
        c = e.get("counts", {})
        s.records += c.get("records", 0)
        s.deleted += c.get("deleted", 0)
        s.issues += c.get("issues", 0)
        if e.get("settings") not in s.settings:
            s.settings.append(e.get("settings"))
    for settings in s.settings:  # topics that found nothing are counted too
        for name in sorted((settings or {}).get("topics", {})):
            s.included.setdefault(name, 0)
            s.undecided.setdefault(name, 0)
    if len(s.settings) > 1:
        s.warnings.append(f"the files were scanned with {len(s.settings)} different settings (litwatch, "
                          "topics or vocabulary): rerun the scan to make them one")
    return s
