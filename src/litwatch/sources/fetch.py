"""`fetch`: run a topic's (or a raw) query against the live sources into the store, resumably.

A fetch is one run in the store's runs log. Each source's query is planned as parts, each part
walked in batches; a batch and the checkpoint that moves past it are written in one
transaction, so a run stopped by Ctrl-C, a crash or kill -9 resumes exactly after the last
stored batch (`resume=RUN_ID`, or the same call again) and never stores a record twice.

`since_last_run` asks each source only for what was added or revised since the day its previous
complete fetch of the same query reached, and the summary reports what changed: new records,
updated records and trial status changes.

A dated fetch (`date_from`/`date_to`, what the monthly report asks for) also asks for what each
service entered in the `entry_window_days` (setting LITWATCH_FETCH_ENTRY_WINDOW, default 60)
before the range's end (or the day of the run, if earlier): PubMed's entry date, Europe PMC's
first index date, ClinicalTrials.gov's last update. An article published in March and indexed
in April is so fetched by April's run, and lands in March.

The services' search warnings (PubMed's PhraseNotFound, FieldNotFound, ...) are kept per source
and, as one list of one-line strings, in the run's `counts["warnings"]`.

A storage error (a full disk, a read-only file) ends the run as failed with a StoreError saying
how many records were stored before it.
"""

from __future__ import annotations

import calendar
import time
from datetime import timedelta
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable

import httpx

import sqlite3

from litwatch import config
from litwatch.errors import SourceError, StoreError, UsageError
from litwatch.records import Record
from litwatch.sources import checkpoints, connector_class
from litwatch.sources.base import Part, Window
from litwatch.sources.http import HttpClient, HttpOptions
from litwatch.services import DEFAULT_SOURCES, SOURCE_NAMES, SOURCES
from litwatch.store.upsert import COUNT_NAMES, StoreCounts

__all__ = ["fetch", "has_successful_fetch", "FetchSummary", "SourceSummary", "FetchInterrupted", "parse_day"]


@dataclass(slots=True, kw_only=True)
class SourceSummary(StoreCounts):
    source: str
    query: str
    status: str = "pending"  # ok | failed | interrupted | pending
    since: str | None = None
    parts: int = 0
    total: int = 0  # records the service said the query holds
    batches: int = 0
    batches_skipped: int = 0  # stored by the run this one resumed
    requests: int = 0
    retries: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FetchSummary:
    run_id: int
    status: str
    target: str
    topic: str | None
    resumed_from: int | None
    sources: dict[str, SourceSummary]
    status_changes: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duration_s: float = 0.0

    def totals(self) -> dict[str, int]:
        keys = COUNT_NAMES + ("requests", "retries")
        return {k: sum(getattr(s, k) for s in self.sources.values()) for k in keys}

    def warnings(self) -> list[str]:
        """The services' search warnings of every source, once each, as one-line strings."""
        return list(dict.fromkeys(" ".join(w.split()) for s in self.sources.values() for w in s.warnings))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["totals"] = self.totals()
        return d


class FetchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a fetch: the run is logged as interrupted and can be resumed."""

    def __init__(self, run_id: int) -> None:
        super().__init__(f"fetch run {run_id} interrupted")
        self.run_id = run_id


# -- arguments ---------------------------------------------------------------------------------


def parse_day(value: str | date | None, *, end: bool = False, name: str = "date") -> date | None:
    """YYYY-MM-DD, YYYY-MM or YYYY; a month or year means its first day, or its last with end=True."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        if len(text) == 7:
            y, m = int(text[:4]), int(text[5:7])
            return date(y, m, calendar.monthrange(y, m)[1]) if end else date(y, m, 1)
        if len(text) == 4 and text.isdigit():
            return date(int(text), 12, 31) if end else date(int(text), 1, 1)
    except ValueError:
        pass
    raise UsageError(f"{name} must be written YYYY-MM-DD (or YYYY-MM), not {value!r}", hint="e.g. --from 2025-01-01")


def _resolve_target(target: str, sources: list[str] | None) -> tuple[str | None, dict[str, str]]:
    """(topic name or None, query per source) for a topic name/path or a raw query string."""
    topic = _load_topic_if_named(target)
    if topic is not None:
        # whitespace collapsed: profiles spread queries over lines; logs and state keys want one line
        queries = {s: " ".join(q.split()) for s, q in dict(topic.queries).items() if q and q.strip()}
        chosen = sources or [s for s in DEFAULT_SOURCES if s in queries]
        missing = [s for s in chosen if s not in queries]
        if missing:
            raise UsageError(
                f"topic {topic.name!r} has no query for {', '.join(missing)}",
                hint=f"its queries are for: {', '.join(queries) or 'no source'}; add one to the profile",
            )
        return topic.name, {s: queries[s] for s in chosen}
    if not target.strip():
        raise UsageError("empty query", hint='give a topic name or a query, e.g. litwatch fetch "depression AND exosome"')
    return None, {s: " ".join(target.split()) for s in (sources or DEFAULT_SOURCES)}


def _load_topic_if_named(target: str):
    try:
        from litwatch.topics import list_topics, load_topic
    except ImportError:  # topics not installed yet: everything is a raw query
        return None
    names = set()
    for t in list_topics():
        names.add(t if isinstance(t, str) else getattr(t, "name", None))
    if target in names or target.endswith(".toml"):
        return load_topic(target)
    return None


def _check_sources(sources) -> list[str] | None:
    if sources is None:
        return None
    chosen = [s.strip().lower() for s in (sources.split(",") if isinstance(sources, str) else sources) if s.strip()]
    bad = [s for s in chosen if s not in SOURCE_NAMES]
    if bad:
        raise UsageError(f"unknown source {bad[0]!r}", hint="choose from: " + ", ".join(SOURCE_NAMES))
    return list(dict.fromkeys(chosen)) or None


# -- the run -----------------------------------------------------------------------------------


def fetch(
    store,
    query_or_topic: str | None,
    sources=None,
    date_from=None,
    date_to=None,
    since_last_run: bool = False,
    resume: int | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    *,
    batch_size: int | None = None,
    datetype: str = "pdat",
    transport: httpx.BaseTransport | None = None,
    options: HttpOptions | None = None,
    connector_options: dict[str, dict[str, Any]] | None = None,
    entry_window_days: int | None = None,
) -> FetchSummary:
    """Fetch `query_or_topic` from the live sources into `store`; see the module docstring.

    `progress(source, done, total)` hears of every stored batch (total: what the service said the
    query holds, None while not known); the library draws nothing.

    Raises SourceError (after logging the run as failed) when a source fails for good; the
    batches stored before that stay stored and a rerun resumes after them. Raises StoreError
    when the store cannot be written (the run is logged as failed where it still can be).
    """
    if entry_window_days is None:
        entry_window_days = int(config.get_float("fetch_entry_window_days"))
    params, previous = _run_params(store, query_or_topic, sources, date_from, date_to, since_last_run, resume,
                                   batch_size, datetype, entry_window_days)
    run_id = store.start_run("fetch", {**params, "resumed_from": previous})
    if previous:
        checkpoints.inherit(store, previous, run_id)
    summary = FetchSummary(run_id, "running", params["target"], params["topic"], previous, {})
    started = time.monotonic()
    failures: list[SourceError] = []
    try:
        ctx = _RunContext(store, run_id, params, transport, options, connector_options or {},
                          progress if callable(progress) else None, summary)
        for source, query in params["queries"].items():
            s = _SourceRun(ctx, source, query)
            summary.sources[source] = s.summary
            s.run()
            if s.failure is not None:
                failures.append(s.failure)
    except KeyboardInterrupt:
        _finish(store, summary, "interrupted", started)
        raise FetchInterrupted(run_id) from None
    except StoreError as exc:
        raise _store_failed(store, summary, exc, started) from None
    except BaseException as exc:
        summary.errors.append(f"internal error: {type(exc).__name__}: {exc}")
        _finish(store, summary, "failed", started)
        raise
    _finish(store, summary, "failed" if failures else "ok", started)
    if failures:
        first = failures[0]
        hint = f"{first.hint}; " if first.hint else ""
        hint += f"run {run_id} is logged as failed"
        if getattr(first, "transient", False):
            hint += "; rerun the same command to go on from there"
        err = SourceError(first.message, hint=hint)
        err.source = first.source
        err.summary = summary  # type: ignore[attr-defined]
        raise err
    return summary


def _store_failed(store, summary: FetchSummary, exc: StoreError, started: float) -> StoreError:
    """The error that ends a run the store could not take: what was stored, and whether the log says so."""
    summary.errors.append(exc.one_line())
    try:
        _finish(store, summary, "failed", started)
        logged = f"run {summary.run_id} is logged as failed"
    except (StoreError, sqlite3.Error):
        logged = f"run {summary.run_id} could not even be logged as failed"
    stored = summary.totals()["read"]
    err = StoreError(f"{exc.message}; {stored} record(s) had been stored before it, {logged}",
                     hint="free disk space or make the database writable, then rerun the same command to go on")
    err.summary = summary  # type: ignore[attr-defined]
    return err


def _finish(store, summary: FetchSummary, status: str, started: float) -> None:
    summary.status = status
    summary.duration_s = round(time.monotonic() - started, 3)
    for s in summary.sources.values():
        if s.status == "pending" and status == "interrupted":
            s.status = status
    counts = {
        "totals": summary.totals(),
        "sources": {k: asdict(v) for k, v in summary.sources.items()},
        "status_changes": summary.status_changes,
        "duration_s": summary.duration_s,
        "warnings": summary.warnings(),
    }
    errors = list(summary.errors)
    for s in summary.sources.values():
        errors += s.errors[:_MAX_LOGGED_ERRORS]
        if len(s.errors) > _MAX_LOGGED_ERRORS:
            errors.append(f"{s.source}: ... and {len(s.errors) - _MAX_LOGGED_ERRORS} more item errors")
    for s in counts["sources"].values():
        s["errors"] = s["errors"][:_MAX_LOGGED_ERRORS]
    store.finish_run(summary.run_id, status, counts, errors)


_MAX_LOGGED_ERRORS = 200


def _run_params(store, target, sources, date_from, date_to, since_last_run, resume, batch_size, datetype,
                entry_window_days=0):
    """The run's parameters, and the id of the stopped run it continues (or None)."""
    if resume is not None:
        old = store.get_run(int(resume))
        if old["kind"] != "fetch":
            raise UsageError(f"run {resume} is an {old['kind']} run, not a fetch", hint="`litwatch runs --kind fetch`")
        if old["status"] == "ok":
            raise UsageError(f"fetch run {resume} finished already; nothing to resume",
                             hint="run the fetch again, or use --since-last-run for what is new")
        params = {k: v for k, v in old["params"].items() if k != "resumed_from"}
        return params, int(resume)
    if datetype not in ("pdat", "edat"):
        raise UsageError(f"unknown PubMed date type {datetype!r}", hint="use pdat (publication) or edat (entry)")
    lo, hi = parse_day(date_from, name="--from"), parse_day(date_to, end=True, name="--to")
    if lo and hi and lo > hi:
        raise UsageError(f"--from {lo} is after --to {hi}")
    if since_last_run and (lo or hi):
        raise UsageError("--since-last-run cannot be combined with --from/--to", hint="use one or the other")
    topic, queries = _resolve_target(target or "", _check_sources(sources))
    today = datetime.now(timezone.utc).date()
    entry_from = entry_to = None
    if (lo or hi) and entry_window_days and entry_window_days > 0:
        entry_to = min(hi or today, today)
        entry_from = entry_to - timedelta(days=int(entry_window_days))
    windows = {}
    for source, query in queries.items():
        since = checkpoints.last_complete(store, source, query) if since_last_run else None
        windows[source] = Window(lo, hi, since, today, entry_from, entry_to).to_dict()
    params = {
        "target": target,
        "topic": topic,
        "queries": queries,
        "sources": list(queries),
        "date_from": lo.isoformat() if lo else None,
        "date_to": hi.isoformat() if hi else None,
        "since_last_run": bool(since_last_run),
        "windows": windows,
        "until": today.isoformat(),
        "batch_size": batch_size,
        "datetype": datetype,
        "entry_window_days": int(entry_window_days or 0) if (lo or hi) else 0,
    }
    return params, _stopped_run(store, params)


_SAME_RUN_KEYS = ("target", "queries", "date_from", "date_to", "since_last_run", "batch_size", "datetype",
                  "entry_window_days")


def _stopped_run(store, params: dict) -> int | None:
    """The latest fetch run of the same command that did not finish ok, unless a later one did."""
    for run in store.runs(kind="fetch", limit=200):
        if all(run["params"].get(k, 0 if k == "entry_window_days" else None) == params[k] for k in _SAME_RUN_KEYS):
            if run["status"] == "ok":
                return None
            if run["params"].get("until") == params["until"] or not params["since_last_run"]:
                params["windows"], params["until"] = run["params"]["windows"], run["params"]["until"]
                return run["id"]
            return None
    return None


@dataclass(slots=True)
class _RunContext:
    store: Any
    run_id: int
    params: dict[str, Any]
    transport: httpx.BaseTransport | None
    options: HttpOptions | None
    connector_options: dict[str, dict[str, Any]]
    progress: Callable[[str, int, int | None], None] | None
    summary: FetchSummary

    def connector_opts(self, source: str) -> dict[str, Any]:
        opts = dict(self.connector_options.get(source, {}))
        if self.params.get("batch_size"):
            opts.setdefault(SOURCES[source].size_arg, self.params["batch_size"])
        if source == "pubmed":
            opts.setdefault("datetype", self.params.get("datetype") or "pdat")
        return opts


class _SourceRun:
    """One source within a fetch run: plan (or reload) its parts, walk their batches, checkpoint."""

    def __init__(self, ctx: _RunContext, source: str, query: str) -> None:
        self.ctx, self.source, self.query = ctx, source, query
        self.store, self.run_id, self.progress = ctx.store, ctx.run_id, ctx.progress
        self.done = 0  # records (and bad items) stored so far, resumed batches included
        self.window = Window.from_dict(ctx.params["windows"][source])
        self.failure: SourceError | None = None
        since = self.window.since.isoformat() if self.window.since else None
        self.summary = SourceSummary(source=source, query=query, since=since)

    def run(self) -> None:
        started = time.monotonic()
        client = HttpClient(self.source, transport=self.ctx.transport, options=self.ctx.options)
        connector = _connector(self.source, client, self.ctx.connector_opts(self.source))
        try:
            self._walk(connector)
            self.summary.status = "ok"
            self._note_complete()
        except SourceError as exc:
            self.summary.status = "failed"
            self.summary.errors.append(exc.one_line())
            self.failure = exc
        finally:
            self.summary.warnings = list(dict.fromkeys(list(connector.warnings) + client.stats.notes))
            st = client.stats
            self.summary.requests, self.summary.retries, self.summary.faults = st.requests, st.retries, dict(st.faults)
            self.summary.duration_s = round(time.monotonic() - started, 3)
            client.close()

    def _walk(self, connector) -> None:
        planned = checkpoints.load_parts(self.store, self.run_id, self.source)
        if not planned:
            parts = connector.plan(self.query, self.window)
            checkpoints.save_plan(self.store, self.run_id, self.source, parts)
            planned = [(p, None, False, 0) for p in parts]
        self.summary.parts = len(planned)
        self.summary.total = sum(p.total or 0 for p, *_ in planned)
        self._tell(0, self.summary.total or None)
        for part, cursor, done, fetched in planned:
            if fetched:
                self._tell(fetched, self.summary.total or None)
            if done:
                self.summary.batches_skipped += 1
                continue
            for batch in connector.batches(part, cursor):
                self._store_batch(part, batch)
                self._tell(len(batch.records) + len(batch.issues), max(self.summary.total, 1))

    def _tell(self, advance: int, total: int | None) -> None:
        self.done += advance
        if self.progress is not None:
            self.progress(self.source, self.done, total)

    def _store_batch(self, part: Part, batch) -> None:
        try:
            with self.store.transaction() as conn:
                changes = _status_changes(self.store, batch.records)
                result = self.store.upsert(batch.records, run_id=self.run_id) if batch.records else None
                checkpoints.advance(conn, self.run_id, self.source, part, batch, len(batch.records) + len(batch.issues))
        except sqlite3.Error as exc:  # the checkpoint, or the commit, could not be written
            raise StoreError(f"{self.store.path}: could not store records: {exc}") from None
        self.summary.batches += 1
        self.summary.errors.extend(batch.issues)
        if batch.total is not None and part.total != batch.total:
            part.total = batch.total
        self.summary.total = max(self.summary.total, batch.total or 0)
        if result is not None:
            self.summary.add(result)
        self.ctx.summary.status_changes.extend(changes)

    def _note_complete(self) -> None:
        """A source fetched in full (no date limits) makes the query current up to the run's day."""
        w = self.window
        if w.date_from is None and w.date_to is None:
            checkpoints.mark_complete(self.store, self.source, self.query, self.run_id, w.until or date.today())


def _connector(source: str, client: HttpClient, opts: dict[str, Any]):
    return connector_class(source)(client, **opts)


def _status_changes(store, records: list[Record]) -> list[dict[str, Any]]:
    """Trials whose recruitment status differs from the stored one (read before the upsert)."""
    out = []
    for rec in records:
        if rec.trial is None or not rec.ids.nct:
            continue
        record_id = store.resolve(rec.ids.nct)
        if record_id is None:
            continue
        old = store.get(record_id)
        before = old.trial.status if old.trial else None
        if before and rec.trial.status and before != rec.trial.status:
            out.append({"nct": rec.ids.nct, "record_id": record_id, "old": before, "new": rec.trial.status})
    return out


# -- coverage for report ------------------------------------------------------------------------


def has_successful_fetch(store, topic_name: str, date_from=None, date_to=None) -> bool:
    """True when a fetch of this topic finished ok and covered [date_from, date_to] (days or months)."""
    lo = parse_day(date_from, name="date_from")
    hi = parse_day(date_to, end=True, name="date_to")
    today = datetime.now(timezone.utc).date()
    want_hi = min(hi, today) if hi else today
    for run in store.runs(kind="fetch", limit=None):
        p = run["params"]
        if run["status"] != "ok" or p.get("topic") != topic_name:
            continue
        run_lo = None if p.get("since_last_run") else parse_day(p.get("date_from"))
        # a run covers up to the earlier of its --to and the day it ran: on 10 June nothing of
        # July is there to fetch, whatever --to said
        ran = parse_day(p.get("until")) or parse_day((run.get("started_at") or "")[:10] or None) or today
        run_hi = min(parse_day(p.get("date_to")) or ran, ran)
        if (run_lo is None or (lo is not None and run_lo <= lo)) and run_hi >= want_hi:
            return True
    return False

