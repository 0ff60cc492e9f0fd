"""The one polite HTTP client every live connector goes through.

Politeness and robustness live here so connectors stay small:

- a per-host rate limit (a sliding window: never more than `limit` requests in any `period`),
  shared by every client in the process that talks to the same host; NCBI's JSON 429
  (`{"error":"API rate limit exceeded",...,"limit":"3"}`, no Retry-After) lowers it to the limit named;
- retries with exponential backoff and jitter on 5xx, 408, 429, timeouts, connection errors and
  bodies the caller finds truncated or malformed (its `parse` raises `BadReply`);
- `Retry-After` honoured on 429/503, in seconds or as an HTTP-date, up to a cap: a service asking
  for a longer wait ends the request with one line naming the time it asked for;
- limits on what a reply may cost: an overall deadline per request (connection, headers and body
  together: a body trickling in byte by byte is cut off), and a largest body per service, streamed
  and counted as it arrives (also after un-gzipping), then refused with a clear error;
- redirects followed only to the same scheme and host (or a host in LITWATCH_HTTP_REDIRECT_HOSTS),
  never carrying credentials (api_key, email) to another host;
- identification: a User-Agent naming litwatch, NCBI `tool`/`email`/`api_key`, Crossref `mailto`;
- an optional on-disk cache of good replies (LITWATCH_CACHE_DIR), opt-in per request;
- GET, or POST for requests too long for a URL (`post`).

httpx errors never leave this module: they become `SourceError` naming the source and a hint.
Knobs are rows of `litwatch.config.SETTINGS` (so tests and impatient users can shrink them):
LITWATCH_HTTP_TIMEOUT (s, per read), LITWATCH_HTTP_DEADLINE (s, per request), LITWATCH_HTTP_RETRIES,
LITWATCH_HTTP_BACKOFF (base s), LITWATCH_HTTP_MAX_RETRY_AFTER (s), LITWATCH_HTTP_MAX_BODY_MB and
LITWATCH_HTTP_MAX_BODY_<SOURCE> (MiB), LITWATCH_HTTP_REDIRECT_HOSTS, LITWATCH_CACHE_TTL (s), and
LITWATCH_HTTP_RATE_<SOURCE> ("requests/seconds", e.g. LITWATCH_HTTP_RATE_CLINICALTRIALS=10/60).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from litwatch import config
from litwatch.errors import SourceError
from litwatch.sources._deadline import deadline_scope, deadline_transport
from litwatch.services import SOURCES, Source

__all__ = [
    "SOURCES",
    "SourceInfo",
    "HttpOptions",
    "RateLimiter",
    "Reply",
    "BadReply",
    "HttpClient",
    "make_client",
    "limiter_for",
    "parse_retry_after",
    "max_body_bytes",
]

T = TypeVar("T")


SourceInfo = Source  # what a client needs of its service: label, base-URL setting, rate, largest reply

NCBI_RATE_WITH_KEY = (10, 1.0)
CROSSREF_POLITE_RATE = (10, 1.0)
_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
_SECRET_PARAMS = frozenset({"api_key", "email", "mailto", "tool"})


def _setting_float(name: str, default: float) -> float:
    value = config.get(name)
    try:
        return float(value) if value else default
    except ValueError:
        return default


def _env_rate(source: str) -> tuple[int, float] | None:
    """'10/1' (requests / seconds) from LITWATCH_HTTP_RATE_<SOURCE>."""
    value = config.rate_override(source) or ""
    count, _, period = value.partition("/")
    try:
        return (int(count), float(period or 1)) if value else None
    except ValueError:
        return None


@dataclass(slots=True)
class HttpOptions:
    """Timeouts, limits, retries and cache; `from_env()` reads the settings (LITWATCH_HTTP_*)."""

    timeout: float = 30.0  # per read (and connect)
    deadline: float = 300.0  # per request, from the first byte sent to the last byte of the body
    retries: int = 5  # attempts after the first
    backoff: float = 1.0  # first backoff, doubled each retry
    backoff_max: float = 60.0
    max_retry_after: float = 120.0  # a server asking for a longer wait is reported, not obeyed
    connect_retries: int = 3  # a host that cannot be reached at all rarely comes back within seconds
    max_body: int | None = None  # bytes; None: the service's own limit (SourceInfo.max_body_mb)
    max_redirects: int = 5
    redirect_hosts: tuple[str, ...] = ()  # other hosts redirects may lead to
    cache_dir: Path | None = None
    cache_ttl: float = 86400.0

    @classmethod
    def from_env(cls) -> "HttpOptions":
        cache = config.get("cache_dir")
        hosts = config.get("http_redirect_hosts") or ""
        return cls(
            timeout=_setting_float("http_timeout", 30.0),
            deadline=_setting_float("http_deadline", 300.0),
            retries=int(_setting_float("http_retries", 5)),
            backoff=_setting_float("http_backoff", 1.0),
            backoff_max=_setting_float("http_backoff_max", 60.0),
            max_retry_after=_setting_float("http_max_retry_after", 120.0),
            redirect_hosts=tuple(h.strip().lower() for h in hosts.split(",") if h.strip()),
            cache_dir=Path(cache) if cache else None,
            cache_ttl=_setting_float("cache_ttl", 86400.0),
        )


def max_body_bytes(source: str) -> int:
    """The largest reply body read from `source`: LITWATCH_HTTP_MAX_BODY_<SOURCE> or _MB, else its default."""
    value = config.max_body_override(source)
    try:
        mb = float(value) if value else SOURCES[source].max_body_mb
    except ValueError:
        mb = SOURCES[source].max_body_mb
    return max(1, int(mb * (1 << 20)))


class RateLimiter:
    """At most `limit` requests in any window of `period` seconds (sliding log), thread-safe."""

    # the margin leaves room for the jitter between sending and arriving: services count arrivals
    def __init__(self, limit: int, period: float, *, margin: float = 0.05, clock=time.monotonic, sleep=time.sleep):
        self.limit, self.period, self.margin = max(1, int(limit)), float(period), margin
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def update(self, limit: int, period: float) -> None:
        with self._lock:
            self.limit, self.period = max(1, int(limit)), float(period)

    def acquire(self) -> float:
        """Wait until one more request fits the window; returns the seconds waited."""
        waited = 0.0
        with self._lock:  # holding the lock while sleeping serialises callers, which is the point
            while True:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.period + self.margin:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return waited
                pause = self._sent[0] + self.period + self.margin - now
                self._sleep(pause)
                waited += pause


_limiters: dict[str, RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(source: str, host: str, limit: int, period: float) -> RateLimiter:
    """The process-wide limiter of `source` at `host`, set to the given rate.

    Shared so that two clients of one service in one process still respect one limit together.
    """
    with _limiters_lock:
        key = f"{source}@{host}"
        lim = _limiters.get(key)
        if lim is None:
            lim = _limiters[key] = RateLimiter(limit, period)
        elif (lim.limit, lim.period) != (limit, period):
            lim.update(limit, period)
        return lim


@dataclass(slots=True)
class Reply:
    """A complete HTTP reply: the body has been read in full."""

    status: int
    url: str
    headers: dict[str, str]
    content: bytes
    from_cache: bool = False

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; a body that does not parse is a `BadReply` (truncated or garbled)."""
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise BadReply(f"invalid JSON ({exc})") from None


class BadReply(Exception):
    """Raised by a caller's `parse` when a 2xx body is truncated or malformed: retry the request."""


@dataclass(slots=True)
class ClientStats:
    requests: int = 0
    retries: int = 0
    cache_hits: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    waited_s: float = 0.0
    notes: list[str] = field(default_factory=list)  # one-line remarks for the run log (a lowered rate, ...)

    def fault(self, kind: str) -> None:
        self.faults[kind] = self.faults.get(kind, 0) + 1


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _parse_interval(value: str | None) -> float | None:
    """Crossref's x-rate-limit-interval: '1s', '60s', '1m'."""
    if not value:
        return None
    v = value.strip().lower()
    scale = {"s": 1.0, "m": 60.0, "h": 3600.0}.get(v[-1:], None)
    try:
        return float(v[:-1]) * scale if scale else float(v)
    except ValueError:
        return None


class ResponseCache:
    """Good replies on disk, keyed by URL and parameters (credentials left out), for `ttl` seconds."""

    def __init__(self, root: Path, ttl: float) -> None:
        self.root, self.ttl = Path(root), ttl

    def key(self, url: str, params: dict[str, Any]) -> str:
        kept = sorted((k, str(v)) for k, v in params.items() if k not in _SECRET_PARAMS)
        return hashlib.sha1(json.dumps([url, kept]).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def load(self, key: str) -> Reply | None:
        path = self._path(key)
        try:
            if time.time() - path.stat().st_mtime > self.ttl:
                return None
            data = json.loads(path.read_text("utf-8"))
            return Reply(data["status"], data["url"], data["headers"], data["body"].encode("utf-8"), True)
        except (OSError, ValueError, KeyError):
            return None

    def save(self, key: str, reply: Reply) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            body = {"status": reply.status, "url": _redact(reply.url), "headers": reply.headers, "body": reply.text()}
            tmp.write_text(json.dumps(body), "utf-8")
            os.replace(tmp, path)  # atomic: a reader never sees half a file
        except OSError:
            pass  # a cache that cannot be written is only a missed saving


class _TooLarge(Exception):
    def __init__(self, size: int, announced: bool) -> None:
        super().__init__(size)
        self.size, self.announced = size, announced


class HttpClient:
    """Requests to one source's base URL, politely; `get(..., parse=fn)` returns fn(reply)."""

    def __init__(
        self,
        source: str,
        *,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        options: HttpOptions | None = None,
        rate: tuple[int, float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        self.source = source
        self.info = SOURCES[source]
        self.base_url = (base_url or config.get(self.info.url_setting) or "").rstrip("/") + "/"
        self.options = options or HttpOptions.from_env()
        self.max_body = self.options.max_body or max_body_bytes(source)
        self.stats = ClientStats()
        self._sleep = sleep
        self._email = config.get("email")
        self._api_key = config.get("ncbi_api_key")
        base = urlsplit(self.base_url)
        self.host = base.netloc or self.base_url
        self._origin = (base.scheme.lower(), (base.hostname or "").lower(), base.port)
        self.limiter = limiter_for(source, self.host, *(rate or self._default_rate()))
        self._cache = ResponseCache(self.options.cache_dir, self.options.cache_ttl) if self.options.cache_dir else None
        self._client = httpx.Client(
            transport=transport if transport is not None else deadline_transport(),
            headers={"User-Agent": config.user_agent(), "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(self.options.timeout),
            follow_redirects=False,  # followed here, only where they may go: see _redirect_target
        )

    # -- setup ------------------------------------------------------------------------------
    def _default_rate(self) -> tuple[int, float]:
        override = _env_rate(self.source)
        if override:
            return override
        if self.source == "pubmed" and self._api_key:
            return NCBI_RATE_WITH_KEY
        if self.source == "crossref" and self._email:
            return CROSSREF_POLITE_RATE
        return self.info.rate

    def _identify(self, params: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in params.items() if v is not None}
        if self.source == "pubmed":
            out.setdefault("tool", "litwatch")
            if self._email:
                out.setdefault("email", self._email)
            if self._api_key:
                out.setdefault("api_key", self._api_key)
        elif self.source == "crossref" and self._email:
            out.setdefault("mailto", self._email)
        return out

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sending ----------------------------------------------------------------------------
    def get(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        parse: Callable[[Reply], T] | None = None,
        cache: bool = False,
        not_found: Callable[[Reply], T] | None = None,
        refused: Callable[[Reply], T] | None = None,
    ) -> T:
        """GET base_url/path; retries until `parse` accepts a 2xx reply, or raises SourceError.

        `not_found`, when given, turns a 404 into a value (e.g. an unknown DOI -> None).
        `refused`, when given, judges any other 4xx reply first: it may return a value, raise
        BadReply (retry) or raise an error of its own; when it returns None the usual one-line
        SourceError follows.
        """
        return self._request("GET", path, params, parse, cache, not_found, refused)

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        parse: Callable[[Reply], T] | None = None,
        not_found: Callable[[Reply], T] | None = None,
        refused: Callable[[Reply], T] | None = None,
    ) -> T:
        """POST a form to base_url/path (for queries or id lists too long for a URL); as `get` otherwise."""
        return self._request("POST", path, data, parse, False, not_found, refused)

    def _request(self, method, path, params, parse, cache, not_found, refused):
        url = self.base_url + path.lstrip("/")
        sent = self._identify(params or {})
        parse = parse or (lambda r: r)
        key = self._cache.key(url, sent) if (cache and self._cache) else None
        if key:
            hit = self._cache.load(key)  # type: ignore[union-attr]
            if hit is not None:
                try:
                    value = parse(hit)
                    self.stats.cache_hits += 1
                    return value
                except BadReply:
                    pass  # a damaged cache file: fetch afresh
        return self._send_with_retries(method, url, sent, parse, key, not_found, refused)

    def _send_with_retries(self, method, url, params, parse, key, not_found, refused):
        opts = self.options
        reason, unreachable, attempt = "no attempt made", 0, 0
        for attempt in range(opts.retries + 1):
            if attempt:
                self.stats.retries += 1
            delay: float | None = None
            at_least = 0.0
            try:
                reply = self._send_once(method, url, params)
                if 200 <= reply.status < 300:
                    value = parse(reply)
                    if key:
                        self._cache.save(key, reply)  # type: ignore[union-attr]
                    return value
                if reply.status == 404 and not_found is not None:
                    return not_found(reply)
                if refused is not None:
                    value = refused(reply)
                    if value is not None:
                        return value
                raise self._refused(reply)
            except _Retryable as exc:
                reason, delay, at_least = exc.reason, exc.delay, exc.at_least
                unreachable = unreachable + 1 if exc.unreachable else 0
                if unreachable > opts.connect_retries:
                    break
            except BadReply as exc:
                said = getattr(exc, "service_said", False)  # a passing failure the service itself reported
                self.stats.fault("service-busy" if said else "bad-body")
                reason = str(exc) if said else f"malformed reply ({exc})"
            if attempt == opts.retries:
                break
            wait = delay if delay is not None else max(at_least, self._backoff(attempt))
            if wait > opts.max_retry_after:
                until = (datetime.now(timezone.utc) + timedelta(seconds=wait)).strftime("%Y-%m-%d %H:%M UTC")
                raise SourceError(
                    f"{reason}: the service asks to wait {wait:.0f} s before retrying (until {until}), "
                    f"longer than the {opts.max_retry_after:.0f} s litwatch waits",
                    source=self.info.label,
                    hint="try again after that time (or raise LITWATCH_HTTP_MAX_RETRY_AFTER)",
                )
            self.stats.waited_s += wait
            self._sleep(wait)
        err = SourceError(f"gave up after {attempt + 1} attempts: {reason}", source=self.info.label,
                          hint=self._network_hint())
        err.transient = True  # type: ignore[attr-defined]  # worth trying again later, unlike a 4xx
        raise err

    def _backoff(self, attempt: int) -> float:
        cap = min(self.options.backoff_max, self.options.backoff * (2**attempt))
        return cap * (0.5 + random.random() / 2)  # jitter keeps parallel clients from retrying in step

    def _send_once(self, method: str, url: str, params: dict[str, Any]) -> Reply:
        deadline = time.monotonic() + self.options.deadline
        try:
            with deadline_scope(deadline):
                reply = self._exchange(method, url, params, deadline)
        except _TooLarge as exc:
            self.stats.fault("too-large")
            mb = self.max_body / (1 << 20)
            said = f" (it announced {exc.size / (1 << 20):,.0f} MiB)" if exc.announced else ""
            raise SourceError(
                f"the reply to {_redact(url)} is larger than the {mb:g} MiB litwatch reads from "
                f"{self.info.label}{said}; not read",
                source=self.info.label,
                hint=f"ask for smaller pages (--batch-size), or raise LITWATCH_HTTP_MAX_BODY_{self.source.upper()} (MiB)",
            ) from None
        except httpx.TimeoutException:
            if time.monotonic() >= deadline:
                self.stats.fault("deadline")
                raise _Retryable(f"no complete reply within the {self.options.deadline:g} s deadline") from None
            self.stats.fault("timeout")
            raise _Retryable(f"no reply within {self.options.timeout:g} s") from None
        except httpx.ConnectError as exc:
            self.stats.fault("connect")
            raise _Retryable(_connect_reason(self.host, exc), unreachable=True) from None
        except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.DecodingError) as exc:
            # resets, and bodies shorter than their Content-Length, land here
            self.stats.fault("broken")
            raise _Retryable(f"connection broken ({_short(exc)})") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError) as exc:
            raise SourceError(
                f"bad URL {_redact(url)!r} ({_short(exc)})",
                source=self.info.label,
                hint=f"check the base URL setting ({config.SETTINGS[self.info.url_setting].env})",
            ) from None
        except httpx.HTTPError as exc:
            self.stats.fault("other")
            raise _Retryable(f"HTTP error ({_short(exc)})") from None
        self._adopt_rate(reply.headers)
        if reply.status in _RETRY_STATUS:
            self.stats.fault(str(reply.status))
            wait = parse_retry_after(reply.headers.get("retry-after")) if reply.status in (429, 503) else None
            at_least = self._rate_refused(reply) if reply.status == 429 and wait is None else 0.0
            raise _Retryable(f"HTTP {reply.status}", wait, at_least=at_least)
        return reply

    def _exchange(self, method: str, url: str, params: dict[str, Any], deadline: float) -> Reply:
        """One request, its redirects (where allowed) and its body, within the deadline and body limit."""
        query: dict[str, Any] | None = params
        for hop in range(self.options.max_redirects + 1):
            self.stats.waited_s += self.limiter.acquire()  # a redirect's hop is a request to a host too
            if not hop:
                self.stats.requests += 1
            if method == "POST":
                request = self._client.build_request("POST", url, data=query)
            else:
                request = self._client.build_request("GET", url, params=query)
            resp = self._client.send(request, stream=True)
            try:
                if resp.status_code in _REDIRECT_STATUS and resp.headers.get("location"):
                    if method == "POST" and resp.status_code != 303:
                        raise self._redirect_refused(url, resp.headers["location"], "a POST is not sent on")
                    url = self._redirect_target(str(resp.url), resp.headers["location"])
                    method, query = "GET", None  # the Location names its own query; ours is not resent
                    continue
                content = self._read_body(resp, deadline)
                return Reply(resp.status_code, str(resp.url), dict(resp.headers), content)
            finally:
                resp.close()
        raise SourceError(f"more than {self.options.max_redirects} redirects from {_redact(url)}",
                          source=self.info.label, hint=f"check the base URL setting ({self._url_env()})")

    def _read_body(self, resp: httpx.Response, deadline: float) -> bytes:
        limit = self.max_body
        announced = resp.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > limit and "content-encoding" not in resp.headers:
            raise _TooLarge(int(announced), True)
        parts: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():  # un-gzipped: a small gzip of a huge body is counted as what it is
            size += len(chunk)
            if size > limit:
                raise _TooLarge(size, False)
            parts.append(chunk)
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("the request's deadline passed")
        return b"".join(parts)

    def _redirect_target(self, current: str, location: str) -> str:
        """Where a redirect may lead: the same scheme and host, or an allowed host (without our credentials)."""
        target = urljoin(current, location)
        parts = urlsplit(target)
        scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
        same = (scheme, host, port) == self._origin
        allowed = host in self.options.redirect_hosts and scheme in ("https", self._origin[0])
        if not (same or allowed):
            raise self._redirect_refused(current, target, "another host")
        if not same:
            target = _redact(target)  # the service asked for them in its Location: they stay here
        self.stats.fault("redirect")
        return target

    def _redirect_refused(self, current: str, target: str, why: str) -> SourceError:
        shown = urlsplit(target)
        return SourceError(
            f"{_redact(current)} redirects to {shown.scheme}://{shown.netloc}{shown.path} ({why}); not followed",
            source=self.info.label,
            hint=f"check the base URL setting ({self._url_env()}), or allow the host in LITWATCH_HTTP_REDIRECT_HOSTS",
        )

    def _rate_refused(self, reply: Reply) -> float:  # the least wait before the next attempt
        """NCBI's 429 says in JSON how many requests a second it counted and allows, without Retry-After
        ({"error":"API rate limit exceeded","api-key":"1.2.3.4","count":"17","limit":"3"}, reported in
        github.com/MVesuviusC/primerTree/issues/33 and biocommons/bioutils#16): slow down to that limit
        and wait out one window before the next attempt."""
        try:
            data = json.loads(reply.content)
            limit = int(data.get("limit")) if isinstance(data, dict) and data.get("limit") else None
        except (ValueError, TypeError):
            limit = None
        lim = self.limiter
        if limit and limit < lim.limit:
            lim.update(limit, lim.period)
            counted = data.get("api-key", "")
            who = f" (requests counted against {counted}: was the API key accepted?)" if counted and "." in str(counted) else ""
            self.stats.notes.append(f"{self.info.label}: the service allows {limit} requests per second{who}; slowed down to that")
        return lim.period

    def _adopt_rate(self, headers: dict[str, str]) -> None:
        """Crossref states its limit in every reply; follow it (never faster than it says)."""
        limit, interval = headers.get("x-rate-limit-limit"), _parse_interval(headers.get("x-rate-limit-interval"))
        if limit and interval and limit.isdigit():
            lim = self.limiter
            if (int(limit), interval) != (lim.limit, lim.period):
                lim.update(int(limit), interval)

    def _refused(self, reply: Reply) -> SourceError:
        detail = _brief(reply.text())
        if "api key" in detail.lower() or "api_key" in detail.lower():
            hint = "check NCBI_API_KEY (or unset it to use the lower keyless rate)"
        elif reply.status in (401, 403):
            hint = "the service refused access; check NCBI_API_KEY / LITWATCH_EMAIL, or wait and retry"
        elif reply.status == 404:
            hint = f"check the base URL setting ({self._url_env()})"
        elif reply.status in _REDIRECT_STATUS:
            hint = f"a redirect without a Location; check the base URL setting ({self._url_env()})"
        else:
            hint = f"check the query syntax for {self.info.label}"
        text = f"HTTP {reply.status} for {_redact(reply.url)}" + (f": {detail}" if detail else "")
        return SourceError(text, source=self.info.label, hint=hint)

    def _url_env(self) -> str:
        return config.SETTINGS[self.info.url_setting].env

    def _network_hint(self) -> str:
        return f"check the network connection, {self.info.label}'s status page or the base URL ({self._url_env()})"


class _Retryable(Exception):
    def __init__(self, reason: str, delay: float | None = None, *, unreachable: bool = False,
                 at_least: float = 0.0) -> None:
        super().__init__(reason)
        self.reason, self.delay, self.unreachable, self.at_least = reason, delay, unreachable, at_least


_DNS_FAILURE = ("name or service not known", "nodename nor servname", "temporary failure in name resolution",
                "getaddrinfo failed", "no address associated")


def _connect_reason(host: str, exc: BaseException) -> str:
    text = _short(exc)
    if any(m in text.lower() for m in _DNS_FAILURE):
        return f"cannot resolve {host.split(':')[0]} (DNS lookup failed: is the computer offline?)"
    return f"cannot connect to {host} ({text})"


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _brief(text: str, limit: int = 200) -> str:
    """The gist of an error body: JSON message fields when present, else the text squeezed to one line."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for k in ("message", "error", "errorMessage", "detail"):
            if isinstance(data.get(k), (str, list)):
                text = str(data[k])
                break
    one = " ".join(text.split())
    return one[:limit] + ("..." if len(one) > limit else "")


def _redact(url: str) -> str:
    """A URL fit for messages and logs: credentials dropped."""
    parts = httpx.URL(url)
    kept = [(k, v) for k, v in parts.params.multi_items() if k not in _SECRET_PARAMS]
    return str(parts.copy_with(params=kept))


def make_client(source: str, *, transport: httpx.BaseTransport | None = None, options: HttpOptions | None = None) -> HttpClient:
    """A client for `source` with the base URL from settings/environment."""
    return HttpClient(source, transport=transport, options=options)


# -- large files ------------------------------------------------------------------------------
# Appended for the PubMed mirror (sources/mirror.py): HttpClient reads each reply whole into
# memory, which a 40 MB baseline file should not be. Self-contained on purpose: it shares only
# the options, the per-host rate limiter and the identification with HttpClient.


@dataclass(slots=True)
class Download:
    """What `download` did: the bytes now in the file (or in `content`), and how it got them."""

    url: str
    size: int  # bytes in the file (or in content) after the download
    resumed_from: int = 0  # bytes that were in the file before the call and were continued
    attempts: int = 1
    content: bytes | None = None  # the body, when no file was given

    @property
    def received(self) -> int:
        return self.size - self.resumed_from


class _Transfer:
    """Where the body goes (a file or memory) and which of the bytes there predate this call."""

    def __init__(self, dest: Path | None, resume: bool) -> None:
        self.dest, self.buffer = dest, (bytearray() if dest is None else None)
        if dest is not None and dest.exists() and not resume:
            dest.write_bytes(b"")
        self.kept = self.size()  # lowered when a reply starts the body again from an earlier byte

    def size(self) -> int:
        if self.buffer is not None:
            return len(self.buffer)
        return self.dest.stat().st_size if self.dest.exists() else 0

    def write(self, resp: httpx.Response, start: int, progress) -> None:
        self.kept = min(self.kept, start)
        total = _total_size(resp, start)
        done = start
        if self.buffer is not None:
            del self.buffer[start:]
            for chunk in resp.iter_bytes():
                self.buffer.extend(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
            return
        with open(self.dest, "r+b" if start else "wb") as sink:
            try:
                sink.seek(start)
                sink.truncate()
                for chunk in resp.iter_bytes():
                    sink.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            finally:  # what arrived stays, on disk, for the next attempt to continue
                sink.flush()
                os.fsync(sink.fileno())


def download(
    url: str,
    dest: Path | None = None,
    *,
    resume: bool = True,
    source: str = "NLM files",
    url_setting: str = "LITWATCH_PUBMED_FILES_URL",
    options: HttpOptions | None = None,
    transport: httpx.BaseTransport | None = None,
    rate: tuple[int, float] = (3, 1.0),
    progress: Callable[[int, int | None], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Download:
    """GET `url` into the file `dest`, streamed, continuing what is there; or into memory (dest None).

    With `resume`, bytes already in `dest` are continued with a Range request: a 206 reply is
    appended, a 200 (a server that ignores ranges) starts the file again, a 416 (nothing left to
    send) leaves it as it is. A body that breaks off is retried from the bytes received, with
    backoff and a per-host rate limit; the file is flushed to disk before returning. Whether the
    bytes are the right ones is for the caller to check (a checksum): this function never
    renames or deletes `dest`. `progress(bytes_so_far, total_or_None)` follows the body.
    Raises SourceError naming `source`: a 4xx at once, other failures after the retries.
    """
    opts = options or HttpOptions.from_env()
    limiter = limiter_for("download:" + source, urlsplit(url).netloc or url, *rate)
    headers = {"User-Agent": config.user_agent(), "Accept-Encoding": "identity"}
    transfer = _Transfer(dest, resume)
    reason = "no attempt made"
    with httpx.Client(transport=transport, headers=headers, timeout=httpx.Timeout(opts.timeout),
                      follow_redirects=True) as client:
        for attempt in range(opts.retries + 1):
            limiter.acquire()
            try:
                status = _stream_once(client, url, transfer, progress)
            except httpx.TimeoutException:
                reason = f"no reply within {opts.timeout:g} s"
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                reason = f"connection broken ({_short(exc)})"  # resets and bodies cut short land here
            except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError) as exc:
                raise SourceError(f"bad URL {url!r} ({_short(exc)})", source=source,
                                  hint=f"check the base URL ({url_setting})") from None
            else:
                if status < 300:
                    content = bytes(transfer.buffer) if transfer.buffer is not None else None
                    return Download(url, transfer.size(), transfer.kept, attempt + 1, content)
                if status not in _RETRY_STATUS:
                    raise SourceError(f"HTTP {status} for {url}", source=source,
                                      hint=f"check the base URL ({url_setting})" if status == 404 else None)
                reason = f"HTTP {status}"
            if attempt < opts.retries:
                sleep(min(opts.backoff_max, opts.backoff * (2**attempt)) * (0.5 + random.random() / 2))
    err = SourceError(f"gave up on {url} after {opts.retries + 1} attempts: {reason}", source=source,
                      hint="run the same command again: it goes on where it stopped")
    err.transient = True  # type: ignore[attr-defined]
    raise err


def _stream_once(client: httpx.Client, url: str, transfer: _Transfer, progress) -> int:
    """One GET continuing from the bytes there; returns the status (2xx: the body is in)."""
    have = transfer.size()
    with client.stream("GET", url, headers={"Range": f"bytes={have}-"} if have else {}) as resp:
        status = resp.status_code
        if status == 416 and have:  # nothing left to send: every byte is there already
            return 200
        if status >= 300:
            resp.read()
            return status
        transfer.write(resp, have if status == 206 else 0, progress)
        return status


def _total_size(resp: httpx.Response, start: int) -> int | None:
    """The whole file's size, from Content-Range ('bytes 10-99/100') or Content-Length."""
    rng = resp.headers.get("content-range", "")
    if "/" in rng and rng.rsplit("/", 1)[1].isdigit():
        return int(rng.rsplit("/", 1)[1])
    length = resp.headers.get("content-length")
    return start + int(length) if length and length.isdigit() else None


__all__ += ["Download", "download"]
