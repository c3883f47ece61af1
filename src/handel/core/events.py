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


def emit(name: str, payload: dict[str, Any]) -> OutboxEvent:
    """Record an event in the current transaction; it is delivered after commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must be called inside the transaction that makes the change")
    event = OutboxEvent.objects.create(name=name, payload=payload)
    transaction.on_commit(lambda: schedule_delivery([event.pk]))
    return event


def schedule_delivery(event_ids: list[int]) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        deliver(event_ids)
    else:
        from handel.core.tasks import deliver_outbox_events

        deliver_outbox_events.delay(event_ids)


def deliver(event_ids: Sequence[int], reclaim_before: datetime | None = None) -> int:
    """Run the handlers of the given pending events. Returns how many were delivered."""
    delivered = 0
    for event in OutboxEvent.objects.filter(pk__in=list(event_ids), processed_at__isnull=True).order_by("id"):
        if _deliver_one(event, reclaim_before):
            delivered += 1
    return delivered


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


def _deliver_one(event: OutboxEvent, reclaim_before: datetime | None = None) -> bool:
    # Claim the event so that two deliverers never run its handlers at the same time. Handlers
    # run outside any transaction: each calls services that open their own durable transaction.
    claimable = Q(claimed_at__isnull=True)
    if reclaim_before is not None:
        claimable |= Q(claimed_at__lt=reclaim_before)
    claimed = OutboxEvent.objects.filter(claimable, pk=event.pk, processed_at__isnull=True).update(
        claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    try:
        for handler in handlers_for(event.name):
            handler(dict(event.payload))
    except Exception as exc:
        logger.exception("outbox event %s #%s failed", event.name, event.pk)
        OutboxEvent.objects.filter(pk=event.pk).update(
            claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    OutboxEvent.objects.filter(pk=event.pk).update(processed_at=timezone.now(), last_error="")
    return True
