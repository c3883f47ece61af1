"""Building a full reindex's documents in worker processes while this process writes them.

Turning 100,000 products into documents is Python work (texts, terms, prices) that one process
does on one core; the writing (COPY or executemany) and the database's own work need another. So
`reindex_all` lets forked worker processes build the batches, in order, while it writes each one
as it arrives. The workers only read the catalog, prices and stock (committed data), each over its
own database connection; the writing process keeps its single transaction, so searches still see
the old index until it commits.

Workers are forked only where the caller asks (`handel search reindex`): never in a server
process, whose other threads would be copied mid-request. Where the workers could not see the
data (inside a transaction that is not committed yet, as in tests), in a daemonic process (which
may not fork) or for a few batches, the batches are built here, one after the other.
HANDEL_REINDEX_PROCESSES sets the number of workers (default: the number of cores, at most 2; 1
builds here). A worker that dies (killed, out of memory) fails the reindex, which then changes
nothing, instead of leaving it waiting.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction

from handel.core.whole_numbers import whole_number

T = TypeVar("T")
MIN_BATCHES = 3

_job: dict[str, Callable[[Any], Any]] = {}  # what the forked workers run, set before the fork
_inherited: list[Any] = []  # in a worker: database connections of the parent, never used or closed


def _start_worker() -> None:
    """In a forked worker. The parent closed its connections before the fork, but one it could not
    close (a test's live server keeps its own open) would be shared with this process: it is put
    aside, not closed (closing would end the parent's session on the shared socket), and the
    worker opens its own. A server's signal handlers (gunicorn's SIGTERM) are not the worker's."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is not None:
            _inherited.append(wrapper.connection)
            wrapper.connection = None


def _build_in_worker(batch: Any) -> Any:
    return _job["build"](batch)


def worker_count(batches: int) -> int:
    setting = os.environ.get("HANDEL_REINDEX_PROCESSES", "").strip()
    processes = whole_number(setting, digits=3)
    if setting and processes is None:
        raise ImproperlyConfigured(f"HANDEL_REINDEX_PROCESSES must be a whole number, not {setting!r}")
    wanted = processes or min(2, os.cpu_count() or 1)
    if (
        wanted < 2
        or batches < MIN_BATCHES
        or transaction.get_connection().in_atomic_block
        or multiprocessing.current_process().daemon
    ):
        return 1
    return wanted


@contextmanager
def built(
    batches: Sequence[Sequence[int]], build: Callable[[Sequence[int]], T], *, in_workers: bool = False
) -> Iterator[Iterator[T]]:
    """The results of `build` for each batch, in order: made by worker processes forked now (before
    the caller opens its transaction) when `in_workers` and they can be used, else here."""
    workers = worker_count(len(batches)) if in_workers else 1
    if workers < 2:
        yield (build(batch) for batch in batches)
        return
    # The workers must not share this process's connections: close them before the fork (this
    # process reconnects when it next queries, the workers open their own).
    connections.close_all()
    _job["build"] = build
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker)
    try:
        yield pool.map(_build_in_worker, batches)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _job.clear()
