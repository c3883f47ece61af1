"""Periodic jobs, declared once in handel/wiring.py (PERIODIC_JOBS).

Run by Celery beat in production, or by `handel jobs run-due` (e.g. from cron) in the
embedded default. A job whose interval has passed since its last start is due.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from handel.core.events import wiring
from handel.core.models import JobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[[], object]
    interval: timedelta
    description: str = ""


def periodic_jobs() -> list[PeriodicJob]:
    return list(wiring().PERIODIC_JOBS)


def get_job(name: str) -> PeriodicJob:
    for job in periodic_jobs():
        if job.name == name:
            return job
    raise KeyError(f"no periodic job named {name!r}")


def due_jobs(now: datetime | None = None) -> list[PeriodicJob]:
    now = now or timezone.now()
    runs = {run.name: run for run in JobRun.objects.all()}
    due = []
    for job in periodic_jobs():
        run = runs.get(job.name)
        if run is None or run.last_started_at is None or run.last_started_at + job.interval <= now:
            due.append(job)
    return due


def run_job(name: str) -> None:
    job = get_job(name)
    with transaction.atomic():
        JobRun.objects.update_or_create(name=name, defaults={"last_started_at": timezone.now()})
    error = ""
    try:
        job.run()
    except Exception as exc:
        logger.exception("periodic job %s failed", name)
        error = f"{type(exc).__name__}: {exc}"
    JobRun.objects.filter(name=name).update(last_finished_at=timezone.now(), last_error=error[:2000])
    if error:
        raise RuntimeError(f"job {name} failed: {error}")


def run_due() -> list[tuple[str, str]]:
    """Run every due job; returns (name, 'ok' or the error) for each."""
    results = []
    for job in due_jobs():
        try:
            run_job(job.name)
            results.append((job.name, "ok"))
        except RuntimeError as exc:
            results.append((job.name, str(exc)))
    return results
