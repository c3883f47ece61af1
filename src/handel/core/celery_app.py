"""The Celery app. Eager (in-process) unless CELERY_BROKER_URL is set.

Workers: `celery -A handel.core.celery_app worker -B` runs the periodic jobs declared in
handel/wiring.py through Celery beat; without a broker, `handel jobs run-due` (cron) runs them.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handel.settings")

app = Celery("handel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def schedule_periodic_jobs(sender: Celery, **_: object) -> None:
    from handel.core import jobs

    for job in jobs.periodic_jobs():
        sender.add_periodic_task(
            job.interval.total_seconds(), sender.signature("handel.core.run_periodic_job", args=[job.name])
        )
