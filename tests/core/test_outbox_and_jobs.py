from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from handel.core import events, jobs
from handel.core.models import JobRun, OutboxEvent

received: list[dict] = []


def record_handler(payload: dict) -> None:
    received.append(payload)


def failing_handler(payload: dict) -> None:
    raise RuntimeError("downstream is down")


@pytest.fixture
def wiring(monkeypatch):
    import handel.wiring as module

    received.clear()
    monkeypatch.setitem(module.EVENT_HANDLERS, "test.happened", [record_handler])
    monkeypatch.setitem(module.EVENT_HANDLERS, "test.fails", [failing_handler])
    return module


@pytest.mark.django_db(transaction=True)
def test_events_are_delivered_after_commit_in_process(wiring):
    with transaction.atomic():
        events.emit("test.happened", {"n": 1})
        assert received == []  # not before the commit
    assert received == [{"n": 1}]
    assert OutboxEvent.objects.get().processed_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_emits_nothing(wiring):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        events.emit("test.happened", {"n": 2})
        1 / 0  # noqa: B018
    assert received == []
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_event_rolled_back_with_its_savepoint_is_not_delivered(wiring):
    from handel.core import audit
    from handel.core.batching import written_together
    from handel.core.models import AuditEntry

    with transaction.atomic(), written_together():
        events.emit("test.happened", {"n": "kept"})
        audit.record(actor=None, action="test.kept", object_type="test", object_id="1")
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            events.emit("test.happened", {"n": "undone"})
            audit.record(actor=None, action="test.undone", object_type="test", object_id="2")
            1 / 0  # noqa: B018
    assert received == [{"n": "kept"}]
    assert list(OutboxEvent.objects.values_list("payload", flat=True)) == [{"n": "kept"}]
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.kept"]


@pytest.mark.django_db(transaction=True)
def test_failed_events_stay_pending_and_are_retried(wiring, monkeypatch):
    with transaction.atomic():
        event = events.emit("test.fails", {"n": 3})
    event.refresh_from_db()
    assert event.processed_at is None and event.attempts == 1 and "downstream" in event.last_error
    monkeypatch.setitem(wiring.EVENT_HANDLERS, "test.fails", [record_handler])
    assert events.deliver_pending() == 1
    event.refresh_from_db()
    assert event.processed_at is not None and received == [{"n": 3}]
    assert events.deliver_pending() == 0  # delivered once only


@pytest.mark.django_db(transaction=True)
def test_an_event_claimed_by_a_dead_deliverer_is_picked_up_later(wiring):
    event = OutboxEvent.objects.create(
        name="test.happened", payload={"n": 4}, claimed_at=timezone.now() - timedelta(minutes=10)
    )
    assert events.deliver_pending() == 1
    event.refresh_from_db()
    assert event.processed_at is not None


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError):
        events.emit("test.happened", {})


@pytest.mark.django_db(transaction=True)
def test_sign_up_sends_the_welcome_mail_through_the_outbox(api):
    response = api.call("post", "/auth/signup", {"email": "new@example.com", "password": "a-Long-passphrase-42"})
    assert response.status_code == 201
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    assert OutboxEvent.objects.get(name="customer.signed_up").processed_at is not None


@pytest.mark.django_db(transaction=True)
def test_run_due_runs_each_due_job_once_per_interval(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(
        "handel.wiring.PERIODIC_JOBS",
        [
            jobs.PeriodicJob("count", lambda: calls.append(1), timedelta(hours=1)),
        ],
    )
    call_command("jobs", "run-due")
    call_command("jobs", "run-due")
    assert calls == [1]
    assert "nothing is due" in capsys.readouterr().out
    JobRun.objects.filter(name="count").update(last_started_at=timezone.now() - timedelta(hours=2))
    call_command("jobs", "run-due")
    assert calls == [1, 1]


@pytest.mark.django_db(transaction=True)
def test_the_declared_jobs_run(capsys):
    call_command("jobs", "list")
    assert "deliver_outbox" in capsys.readouterr().out
    call_command("jobs", "run-due")
    assert JobRun.objects.filter(name="deliver_outbox", last_error="").exists()


def test_celery_runs_eagerly_without_a_broker(settings):
    from handel.core.celery_app import app

    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert app.conf.task_always_eager is True


@pytest.mark.django_db(transaction=True)
def test_bookkeeping_commits_do_not_wait_for_the_disk_but_changes_do():
    from django.db import connection, transaction

    from handel.core.batching import without_flush_wait

    if connection.vendor != "postgresql":
        pytest.skip("SQLite in WAL mode never waits for the disk at commit")

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return str(cursor.fetchone()[0])

    with without_flush_wait():
        assert setting() == "off"
    with transaction.atomic():
        assert setting() == "on"
        with without_flush_wait():  # inside a change that must reach the disk: nothing changes
            assert setting() == "on"
        assert setting() == "on"


def test_a_bulk_job_spares_the_collector_and_restores_it():
    import gc

    from handel.core.batching import fewer_collections

    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    with fewer_collections():
        assert gc.get_threshold()[0] >= 50_000
        assert gc.get_freeze_count() >= frozen
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == frozen  # a heap frozen before (a server worker's) stays frozen


@pytest.mark.django_db(transaction=True)
def test_rows_of_an_inner_block_without_savepoint_are_written_with_the_others():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from handel.core import audit
    from handel.core.batching import written_together
    from handel.core.models import AuditEntry

    with CaptureQueriesContext(connection) as queries, transaction.atomic(), written_together():
        audit.record(actor=None, action="test.outer", object_type="test", object_id="1")
        with transaction.atomic(savepoint=False):
            audit.record(actor=None, action="test.inner", object_type="test", object_id="2")
    inserts = [query for query in queries.captured_queries if "INSERT" in query["sql"] and "auditentry" in query["sql"]]
    assert len(inserts) == 1
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == ["test.inner", "test.outer"]
