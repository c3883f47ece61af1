"""With a broker configured, outbox events go through a real Celery worker (Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from handel.core.models import OutboxEvent


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


PRODUCER = (
    "import django; django.setup();"
    "from django.db import transaction; from handel.core import events;"
    "event = None\n"
    "with transaction.atomic():\n"
    "    event = events.emit('customer.anonymised', {'user_id': 0})\n"
    "print(event.pk)"
)


@pytest.mark.django_db(transaction=True)
def test_events_are_delivered_by_a_celery_worker_when_a_broker_is_set():
    """Producer and worker are separate processes configured from the environment, as in production."""
    if not _redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379")
    broker = "redis://127.0.0.1:6379/14"
    import redis

    redis.Redis.from_url(broker).flushdb()
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "handel.settings",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "handel.core.celery_app",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        produced = subprocess.run(
            [sys.executable, "-c", PRODUCER], env=env, capture_output=True, text=True, timeout=120, check=True
        )
        event = OutboxEvent.objects.get(pk=int(produced.stdout.strip().splitlines()[-1]))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            event.refresh_from_db()
            if event.processed_at is not None:
                break
            time.sleep(0.2)
        assert event.processed_at is not None, "the worker did not deliver the event"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
