"""Segments under concurrent writes (parallel processes, real transactions): two creates of one
code end in one segment and a refusal; a customer's order events and a segment's recompute or
rule change, run at once, neither deadlock nor leave memberships that disagree with the rules."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from handel.core.errors import Conflict
from handel.customers import services
from handel.customers.models import CustomerGroup, Segment, SegmentMembership, User
from handel.customers.queries import segments_of

CREATORS = 4
ROUNDS = 12


def _outcome(queue: multiprocessing.Queue, work: Any, *args: Any) -> None:
    connections.close_all()
    try:
        result = work(*args)
        queue.put(result or "done")
    except Conflict as exc:
        queue.put(f"refused: {exc.slug}")
    except Exception as exc:  # reported to the test, which names it
        queue.put(f"failed: {type(exc).__name__}: {exc}")
    finally:
        connections.close_all()


def _run_parallel(jobs: list[tuple[Any, ...]]) -> list[str]:
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_outcome, args=(queue, *job)) for job in jobs]
    for process in processes:
        process.start()
    outcomes = [queue.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return outcomes


def _create(start: Any) -> str:
    start.wait(timeout=60)
    services.create_segment(actor=None, code="vip", name="VIP", rules={"min_orders": 1})
    return "created"


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_code_make_one_segment_and_refuse_the_others(monkeypatch):
    # Saving waits a moment, so that every creator has checked that the code is free before the
    # first one inserts: the race a check-then-insert loses on PostgreSQL. (SQLite serialises
    # the transactions, so there the check refuses them.)
    save = Segment.save

    def slow_save(self: Segment, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            time.sleep(0.5)
        save(self, *args, **kwargs)

    monkeypatch.setattr(Segment, "save", slow_save)
    start = multiprocessing.get_context("fork").Barrier(CREATORS)
    outcomes = _run_parallel([(_create, start)] * CREATORS)
    assert sorted(outcomes) == ["created"] + ["refused: segment-exists"] * (CREATORS - 1), outcomes
    assert list(Segment.objects.values_list("code", flat=True)) == ["vip"]


def _order_events(customer_ids: list[int], start: Any) -> str:
    start.wait(timeout=60)
    for round_ in range(ROUNDS):
        for customer_id in customer_ids:
            number = f"ORD-{round_}-{customer_id}-{uuid.uuid4().hex[:6]}"
            facts = {
                "customer_id": customer_id,
                "total": Decimal("10.00"),
                "currency": "EUR",
                "placed_at": timezone.now() - timedelta(days=1),
            }
            services.record_order_history(number=number, event="placed", facts=facts)
            services.record_order_history(number=number, event="cancelled", facts=facts)
    return "done"


def _opt_in_and_out(customer_ids: list[int], start: Any) -> str:
    start.wait(timeout=60)
    for round_ in range(ROUNDS):
        for customer in User.objects.filter(pk__in=customer_ids):
            services.update_profile(user=customer, changes={"marketing_opt_in": round_ % 2 == 1})
    return "done"


def _join_and_leave_the_group(customer_ids: list[int], start: Any) -> str:
    start.wait(timeout=60)
    for round_ in range(ROUNDS):
        for customer_id in customer_ids:
            code = "wholesale" if round_ % 2 == 1 else None
            services.assign_customer_group(actor=None, user_id=customer_id, group_code=code)
    return "done"


NOBODY = {"min_orders": 1, "marketing_opt_in": None, "customer_groups": None}  # every order is cancelled
FANS = {"min_orders": None, "marketing_opt_in": True, "customer_groups": None}
WHOLESALE = {"min_orders": None, "marketing_opt_in": None, "customer_groups": ["wholesale"]}


def _change_rules(code: str, start: Any) -> str:
    start.wait(timeout=60)
    for rules in (FANS, WHOLESALE, NOBODY) * (ROUNDS // 2):
        services.update_segment(actor=None, code=code, changes={"rules": rules})
        services.recompute_segment(code=code)
    return "done"


CUSTOMER_CHANGES = [_order_events, _opt_in_and_out, _join_and_leave_the_group]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every write transaction")
@pytest.mark.parametrize("customer_change", CUSTOMER_CHANGES, ids=["order events", "opt-in", "customer group"])
@pytest.mark.django_db(transaction=True)
def test_customer_and_segment_recomputes_at_once_neither_deadlock_nor_go_stale(make_user, customer_change):
    # A customer's change (an order event, the profile's opt-in, their group) recomputes their
    # segments; a rule change recomputes the segment's members. Both write the same memberships.
    CustomerGroup.objects.create(code="wholesale", name="Wholesale")
    customers = [make_user(marketing_opt_in=True) for _ in range(6)]
    for code in ("first", "second"):
        services.create_segment(actor=None, code=code, name=code.title(), rules=FANS)
    start = multiprocessing.get_context("fork").Barrier(4)
    ids = [customer.pk for customer in customers]
    outcomes = _run_parallel(
        [
            (customer_change, ids[:3], start),
            (customer_change, ids[3:], start),
            (_change_rules, "first", start),
            (_change_rules, "second", start),
        ]
    )
    assert outcomes == ["done"] * 4, outcomes
    # Both segments end on a rule nobody meets: nobody is left in them, and recomputing from
    # scratch finds nothing to change.
    assert [segments_of(customer) for customer in customers] == [set()] * len(customers)
    assert not SegmentMembership.objects.exists()
    for code in ("first", "second"):
        change = services.recompute_segment(code=code)
        assert (change.added, change.removed) == (0, 0)
