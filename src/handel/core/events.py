"""The transactional outbox.

`emit()` writes an event row in the caller's transaction. After commit the event is delivered:
in-process at once in the embedded default, or by a Celery task when a broker is configured.
Which handlers an event reaches is declared in one table, `EVENT_HANDLERS` in handel/wiring.py.
Undelivered events (a handler failed, the process died) are retried by the periodic job
`deliver_outbox`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from handel.core import batching
from handel.core.models import OutboxEvent

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
MAX_ATTEMPTS = 10
CLAIM_TIMEOUT = timedelta(minutes=5)


def wiring() -> Any:
    return import_module(settings.HANDEL_WIRING)


def handlers_for(name: str) -> Sequence[Handler]:
    table: Mapping[str, Sequence[Handler]] = wiring().EVENT_HANDLERS
    return table.get(name, ())


class _Batch:
    """The events of one transaction, delivered together by the first of their commit hooks."""

    def __init__(self) -> None:
        self.events: list[OutboxEvent] = []
        self.sent = False
        # An event emitted inside a savepoint is gone if the savepoint was rolled back.
        self.uncertain = False

    def send(self) -> None:
        if not self.sent:
            self.sent = True
            if settings.CELERY_TASK_ALWAYS_EAGER:
                events = self.events
                if self.uncertain:  # deliver what the database kept, as it kept it
                    events = list(OutboxEvent.objects.filter(pk__in={event.pk for event in events}).order_by("id"))
                _deliver_claimed(events)
            else:
                from handel.core.tasks import deliver_outbox_events

                deliver_outbox_events.delay([event.pk for event in self.events])


_BATCH = "handel_outbox_batch"


def emit(name: str, payload: dict[str, Any]) -> OutboxEvent:
    """Record an event in the current transaction; it is delivered after commit, together with
    the transaction's other events (an event rolled back with a savepoint is simply not found).

    In the embedded default (no broker) this process delivers the events itself right after the
    commit, so they are written already claimed by it: no other deliverer takes them unless this
    process dies before it is done (then the retry job reclaims them after CLAIM_TIMEOUT)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("emit() must be called inside the transaction that makes the change")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        event = OutboxEvent(name=name, payload=payload, claimed_at=timezone.now(), attempts=1)
    else:
        event = OutboxEvent(name=name, payload=payload)
    batching.save(event)
    batch = connection.__dict__.get(_BATCH)
    # A batch whose commit hooks are gone was rolled back: this transaction starts a new one.
    if batch is None or batch.sent or not any(hook[1] == batch.send for hook in connection.run_on_commit):
        batch = connection.__dict__[_BATCH] = _Batch()
    batch.events.append(event)
    batch.uncertain = batch.uncertain or any(connection.savepoint_ids)
    transaction.on_commit(batch.send)
    return event


def deliver(event_ids: Sequence[int], reclaim_before: datetime | None = None) -> int:
    """Run the handlers of the given pending events, in order. Returns how many were delivered.

    The events are claimed together, so that two deliverers never run an event's handlers at the
    same time; those delivered are marked processed together at the end (a failed one is
    released for the retry job at once)."""
    return _deliver_claimed(_claim(list(event_ids), reclaim_before))


def _deliver_claimed(claimed: Sequence[OutboxEvent]) -> int:
    delivered: list[int] = []
    try:
        for event in claimed:
            if _run_handlers(event):
                delivered.append(event.pk)
    finally:
        if delivered:
            with batching.without_flush_wait():
                OutboxEvent.objects.filter(pk__in=delivered).update(processed_at=timezone.now(), last_error="")
    return len(delivered)


def _claim(event_ids: list[int], reclaim_before: datetime | None) -> list[OutboxEvent]:
    if not event_ids:
        return []
    claimable = Q(claimed_at__isnull=True)
    if reclaim_before is not None:
        claimable |= Q(claimed_at__lt=reclaim_before)
    # A short transaction of its own: the handlers run outside any transaction afterwards (each
    # calls services that open their own durable one).
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update()
            .filter(claimable, pk__in=event_ids, processed_at__isnull=True)
            .order_by("id")
        )
        if events:
            OutboxEvent.objects.filter(pk__in=[event.pk for event in events]).update(
                claimed_at=timezone.now(), attempts=F("attempts") + 1
            )
    return events


def _run_handlers(event: OutboxEvent) -> bool:
    try:
        for handler in handlers_for(event.name):
            handler(dict(event.payload))
    except Exception as exc:
        logger.exception("outbox event %s #%s failed", event.name, event.pk)
        OutboxEvent.objects.filter(pk=event.pk).update(
            claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    return True


def deliver_pending(limit: int = 500) -> int:
    """Retry events that were not delivered yet, or whose deliverer died (the periodic job)."""
    stale = timezone.now() - CLAIM_TIMEOUT
    ids = list(
        OutboxEvent.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    return deliver(ids, reclaim_before=stale)
