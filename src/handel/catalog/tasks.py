from __future__ import annotations

from celery import shared_task

from handel.catalog import services

# The project's Celery app must exist before a shared task is sent, or Celery falls back to a
# default app that knows neither the broker settings nor eager mode.
from handel.core import celery_app  # noqa: F401


@shared_task(name="handel.catalog.run_import_job")  # type: ignore[untyped-decorator]
def run_import_job(job_id: int) -> str:
    return str(services.run_import_job_now(job_id).status)
