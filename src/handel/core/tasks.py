from __future__ import annotations

from celery import shared_task

from handel.core import events


@shared_task(name="handel.core.deliver_outbox_events")
def deliver_outbox_events(event_ids: list[int]) -> int:
    return events.deliver(event_ids)


@shared_task(name="handel.core.run_periodic_job")
def run_periodic_job(name: str) -> None:
    from handel.core import jobs

    jobs.run_job(name)
