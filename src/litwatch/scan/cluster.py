"""The Dask cluster a scan runs on: a LocalCluster of worker processes, or an existing scheduler.

One thread per worker: a task is one file and holds a CPU, and the reader, the rules and the
annotator hold the GIL, so more threads would only take turns. Every foreign error of
connecting (a bad address, nothing listening, a scheduler without workers) becomes a
UsageError naming the address.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litwatch.errors import UsageError

__all__ = ["dask_client", "check_scheduler_address", "worker_settings", "task_overhead"]

_ADDRESS = re.compile(r"^(tcp|tls|ucx|ws|wss)://(\[[0-9A-Fa-f:.]+\]|[^\s/:\[\]]+)(:\d+)?/?$")
CONNECT_TIMEOUT = 10.0  # seconds; LITWATCH_DASK_CONNECT_TIMEOUT overrides it
_START_HINT = "start one with `dask scheduler` and `dask worker tcp://HOST:8786`, or leave out --scheduler"


def check_scheduler_address(address: str) -> str:
    if not _ADDRESS.match(address.strip()):
        raise UsageError(f"bad scheduler address {address!r}", hint="write it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786")
    return address.strip()


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None, *,
                timeout: float | None = None) -> Iterator[Any]:
    """A distributed.Client: on `scheduler` (an address) or on a new LocalCluster of `workers`
    processes (default: one per CPU). Closed, with its cluster, on leaving."""
    from distributed import Client, LocalCluster

    if scheduler is not None and workers is not None:
        raise UsageError("give --workers or --scheduler, not both",
                         hint="an existing cluster has the workers it has; --workers starts a local one")
    if scheduler is not None:
        address = check_scheduler_address(scheduler)
        timeout = timeout or float(os.environ.get("LITWATCH_DASK_CONNECT_TIMEOUT") or CONNECT_TIMEOUT)
        try:
            client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {address} ({_short(exc)})", hint=_START_HINT) from None
        try:
            try:
                client.wait_for_workers(1, timeout=timeout)
            except (TimeoutError, OSError):
                raise UsageError(f"the Dask scheduler at {address} has no workers",
                                 hint="start some with `dask worker " + address + "`") from None
            yield client
        finally:
            client.close()
        return
    from litwatch.formats.pubmed.parallel import default_workers

    n = default_workers() if workers is None else workers
    if n < 1:
        raise UsageError("--workers must be 1 or more")
    # dashboard and HTTP routes on any free port: two scans on one machine would clash on 8787
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    try:
        client = Client(cluster, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def _short(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0][:160]


def worker_settings(client: Any) -> dict[str, dict[str, Any]]:
    """Each worker's plan.engine_settings(): what it would compute with."""
    from litwatch.scan.plan import engine_settings

    return client.run(engine_settings)


def _nothing(i: int) -> int:
    return i


def task_overhead(client: Any, tasks: int = 200) -> float:
    """Seconds per task the cluster spends on a task that does nothing (scheduling, sending the
    task and its result), measured with `tasks` of them in flight together."""
    started = time.perf_counter()
    client.gather(client.map(_nothing, range(tasks), pure=False))
    return (time.perf_counter() - started) / tasks
