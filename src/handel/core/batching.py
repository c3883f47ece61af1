"""Cheaper bulk work: rows that a transaction only appends (audit entries, outbox events) written
together, bookkeeping that need not wait for the disk, and long jobs spared needless garbage
collection.

A use case that records several of them (placing an order records four audit entries and four
events) wraps its steps in `written_together()`: inside, `audit.record` and `emit` collect their
rows, and the block writes each kind with one INSERT when it ends, still inside the transaction.
Outside such a block every row is written at once, as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction

_PENDING = "handel_pending_rows"


@contextmanager
def written_together() -> Iterator[None]:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("written_together() must run inside the transaction that makes the change")
    if connection.__dict__.get(_PENDING) is not None:  # an outer block writes them
        yield
        return
    # Rows recorded inside a savepoint opened within the block are written at once, so that
    # rolling the savepoint back takes them with it; they then come before the rows collected so
    # far, and events are delivered in id order. So a step that may run inside such a block and
    # records events joins it with `atomic(savepoint=False)` unless it must roll back on its own.
    pending: tuple[int, list[models.Model]] = (_savepoints(connection), [])
    connection.__dict__[_PENDING] = pending
    try:
        yield
        by_model: dict[type[models.Model], list[models.Model]] = {}
        for row in pending[1]:
            by_model.setdefault(type(row), []).append(row)
        for model, rows in by_model.items():
            model._default_manager.bulk_create(rows)
    finally:
        connection.__dict__.pop(_PENDING, None)


def _savepoints(connection: Any) -> int:
    """Savepoints open now (an inner `atomic(savepoint=False)` opens none: it rolls back with its outer block)."""
    return sum(1 for savepoint in connection.savepoint_ids if savepoint)


def save(row: models.Model) -> None:
    """Insert the row now, or at the end of the surrounding `written_together()` block."""
    connection = transaction.get_connection()
    pending = connection.__dict__.get(_PENDING)
    if pending is None or _savepoints(connection) > pending[0]:
        row.save(force_insert=True)
    else:
        pending[1].append(row)


@contextmanager
def without_flush_wait() -> Iterator[None]:
    """A transaction whose commit need not wait for the disk, for bookkeeping a crash may lose
    without harm because it is redone: outbox delivery marks (events are delivered at least once),
    idempotency records (written before and after the durable change they guard) and derived
    counters. PostgreSQL commits it asynchronously, and the next durable commit flushes it with its
    own; SQLite (WAL, synchronous=NORMAL) never waits for the disk at commit. Inside a caller's
    transaction it changes nothing: the setting lasts to the commit, and the caller's change may
    need to reach the disk."""
    connection = transaction.get_connection()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


@contextmanager
def fewer_collections() -> Iterator[None]:
    """For a bulk job that allocates millions of short-lived objects (a full reindex): the objects
    that exist before it are frozen out of the garbage collector's scans and young objects are
    collected less often, so the collector stops rescanning Django's long-lived heap dozens of
    times. Everything is restored afterwards; reference counting still frees objects at once."""
    threshold = gc.get_threshold()
    # A server worker froze its start-up heap already (wsgi.py): unfreezing afterwards would undo that.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freeze:
            gc.unfreeze()
