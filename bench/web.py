"""How fast is the web app under a team's load? 50 concurrent clients over loopback against
`litwatch serve` on the whole shared-data store (~10,000 records, screened and annotated).

Routes: the search page (/records?q=...), the record page (/records/{id}) and a screening POST
(/topics/{topic}/decisions, each client a different reviewer). Goals on this machine: p99 < 100 ms
for the reads, < 200 ms for the decisions. Baseline, measured in the same run: the same route
with one client at a time (the service time without queueing); the ratio column is p99 under
load over that p50. Two loads: 50 clients sending back to back (saturation: then p99 is about
clients / throughput), and 50 clients pausing about --think seconds between requests, as people
reading abstracts do. Bounded: --requests per route and load, and --seconds per phase at most.

    python bench/web.py [--db STORE] [--clients 50] [--requests 1000] [--seconds 60] [--workers 1]

Without --db the store is built once into bench/out/web-shared.db (import of the shared data,
then the refresh job for the topic) and reused by later runs. The server runs in its own process
(`litwatch serve`); the clients share the machine with it, so the numbers include that contention.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parents[1]
TOPIC = "stem-cell-depression"
PASSWORD = "bench-passphrase"
QUERIES = ["depression", '"stem cell"', "mesenchymal", "asthma", "mice AND stress", "cancer", "exosome*",
           '"randomized controlled trial"', "brain", "inflammation", "cohort", "children"]


def build_store(path: Path) -> None:
    from litwatch import jobs
    from litwatch.config import shared_data_dir
    from litwatch.store import open_store

    path.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    with open_store(path) as store:
        summary = jobs.ingest(store=store, paths=[shared_data_dir()])
        print(f"imported {summary.new} records in {time.perf_counter() - t:.0f} s", flush=True)
        t = time.perf_counter()
        jobs.refresh(store=store, topic=TOPIC)
        print(f"screened and annotated in {time.perf_counter() - t:.0f} s", flush=True)


def add_reviewers(path: Path, n: int) -> list[str]:
    from litwatch.accounts import add_user, get_user
    from litwatch.store import open_store

    names = [f"bench-{i:02d}" for i in range(n)]
    with open_store(path) as store:
        for name in names:
            if get_user(store, name) is None:
                add_user(store, name, "reviewer", PASSWORD)
    return names


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, work: Path, workers: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    work.mkdir(parents=True, exist_ok=True)
    # a file, not a pipe: a pipe nobody reads fills up and then stalls the server mid-bench
    log = open(work / "server.log", "wb")  # noqa: SIM115 - the server process holds it until the end
    proc = subprocess.Popen([sys.executable, "-m", "litwatch.cli", "serve", "--db", str(db), "--port", str(port),
                             "--work-dir", str(work), "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                            stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                raise SystemExit((work / "server.log").read_text(errors="replace"))
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


class Client:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: the load generator shares the
    machine with the server, so it should spend as little CPU per request as it can."""

    def __init__(self, port: int, cookie: str, token: str) -> None:
        self.port, self.cookie, self.token = port, cookie, token
        self.reader = self.writer = None
        self.used = 0.0

    async def request(self, method: str, path: str, form: dict[str, str] | None = None) -> int:
        try:
            return await self._request(method, path, form)
        except (asyncio.IncompleteReadError, ConnectionError):  # the server closed an idle connection
            self.reader = self.writer = None
            return await self._request(method, path, form)

    async def _request(self, method: str, path: str, form: dict[str, str] | None = None) -> int:
        if self.writer is not None and time.monotonic() - self.used > 4:  # uvicorn keeps idle ones 5 s
            self.writer.close()
            self.writer = None
        self.used = time.monotonic()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        body = urlencode(form).encode() if form else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nCookie: lw_session={self.cookie}\r\n"
                f"Accept: application/json, text/html\r\nContent-Length: {len(body)}\r\n")
        if form:
            head += "Content-Type: application/x-www-form-urlencoded\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if headers.get("connection") == "close":
            self.writer.close()
            self.reader = self.writer = None
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def log_in(port: int, name: str) -> Client:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = c.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token, "next": "/"})
        if r.status_code != 303:
            raise SystemExit(f"login of {name} failed: {r.status_code}")
        page = c.get("/records?q=x")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return Client(port, c.cookies["lw_session"], token)


async def run_route(clients, route: str, ids: list[int], total: int, seconds: float, think: float = 0.0) -> dict:
    """`len(clients)` clients send requests back to back (or with a random pause of `think`
    seconds on average, as people do) until `total` are done or time is up."""
    times: list[float] = []
    errors: dict[int, int] = {}  # status -> count, for replies other than 200/201
    left = total
    end = time.monotonic() + seconds
    rng = random.Random(7)

    def next_request(i: int):
        if route == "search":
            return "GET", "/records?" + urlencode({"q": rng.choice(QUERIES)}), None
        if route == "record":
            return "GET", f"/records/{rng.choice(ids)}?topic={TOPIC}", None
        label = rng.choice(["include", "exclude"])
        return "POST", f"/topics/{TOPIC}/decisions", {"record_id": str(rng.choice(ids)), "label": label,
                                                      "reason": "off topic" if label == "exclude" else "",
                                                      "csrf_token": clients[i].token}

    async def worker(i: int):
        nonlocal left
        c = clients[i]
        if think:
            await asyncio.sleep(rng.uniform(0, think))  # people do not start in step
        while left > 0 and time.monotonic() < end:
            left -= 1
            method, url, form = next_request(i)
            t = time.perf_counter()
            status = await c.request(method, url, form)
            times.append(time.perf_counter() - t)
            if status not in (200, 201):
                errors[status] = errors.get(status, 0) + 1
            if think:
                await asyncio.sleep(rng.expovariate(1 / think))

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(len(clients))))
    wall = time.perf_counter() - t0
    times.sort()
    return {"n": len(times), "errors": sum(errors.values()), "statuses": errors, "p50": _q(times, 0.50), "p99": _q(times, 0.99),
            "rate": len(times) / wall if wall else 0.0}


def _q(sorted_times: list[float], q: float) -> float:
    if not sorted_times:
        return float("nan")
    return sorted_times[min(len(sorted_times) - 1, int(q * len(sorted_times)))] * 1000


async def bench(clients: list[Client], ids: list[int], args) -> list[tuple]:
    goals = {"search": 100, "record": 100, "decision": 200}
    rows = []
    for route in ("search", "record", "decision"):
        await run_route(clients[:1], route, ids, 20, 30)  # warm the server's caches and connections
        base_line = await run_route(clients[:1], route, ids, max(50, args.requests // 10), args.seconds)
        loaded = await run_route(clients, route, ids, args.requests, args.seconds)
        paced = await run_route(clients, route, ids, args.requests, args.seconds, think=args.think)
        rows.append((route, base_line, loaded, paced, goals[route]))
    for c in clients:
        await c.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="a store to serve (default: build bench/out/web-shared.db once)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=1000, help="requests per route under load (default 1000)")
    ap.add_argument("--seconds", type=float, default=60, help="longest time per route and phase (default 60)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (litwatch serve --workers)")
    ap.add_argument("--think", type=float, default=1.0,
                    help="mean pause between a client's requests in the paced phase, seconds (default 1)")
    args = ap.parse_args()

    db = args.db or REPO / "bench" / "out" / "web-shared.db"
    if not db.exists():
        build_store(db)
    names = add_reviewers(db, args.clients)
    from litwatch.store import open_store

    with open_store(db) as store:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM records WHERE deleted = 0")]
    port = free_port()
    work = db.parent / "web-work"
    server = start_server(db, port, work, args.workers)
    try:
        clients = [log_in(port, name) for name in names]
        rows = asyncio.run(bench(clients, ids, args))
    finally:
        server.terminate()
        server.wait(10)
    print(f"\nlitwatch serve --workers {args.workers} on {len(ids)} records, {args.clients} concurrent clients over loopback, "
          f"{os.cpu_count()} CPUs (shared machine: other work ran at the same time)")
    print(f"clients: 1 = one at a time (the baseline); {args.clients} = back to back; {args.clients}~{args.think:g}s = "
          f"each pausing {args.think:g} s on average between requests, as people reading do")
    print(f"{'route':<10}{'clients':>10}{'requests':>9}{'errors':>7}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}"
          f"{'goal p99':>10}{'p99/base p50':>14}")
    for route, base_line, loaded, paced, goal in rows:
        for label, r in (("1", base_line), (str(args.clients), loaded), (f"{args.clients}~{args.think:g}s", paced)):
            ratio = r["p99"] / base_line["p50"] if base_line["p50"] else float("nan")
            met = "" if label == "1" else ("  met" if r["p99"] < goal else "  missed")
            print(f"{route:<10}{label:>10}{r['n']:>9}{r['errors']:>7}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['rate']:>8.0f}"
                  f"{'< ' + str(goal):>10}{ratio:>14.1f}{met}")
    odd = [f"{route} {label}: " + ", ".join(f"{n} x {st}" for st, n in sorted(r["statuses"].items()))
           for route, *phases, _goal in rows
           for label, r in zip(("1", str(args.clients), f"{args.clients}~{args.think:g}s"), phases) if r["statuses"]]
    if odd:
        print("replies other than 200/201: " + "; ".join(odd) + f" (the server's log: {work / 'server.log'})")


if __name__ == "__main__":
    main()
