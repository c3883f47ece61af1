"""A single-use coupon used by 10 parallel order transactions is accepted exactly once (service level,
parallel processes; run on SQLite and on PostgreSQL)."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from django.db import connections, transaction

from handel.core.errors import Conflict
from handel.pricing import services
from handel.pricing.models import Coupon, Promotion, PromotionUsage

WORKERS = 10


def _check_out(queue: multiprocessing.Queue, index: int, code: str, customer: str) -> None:
    connections.close_all()
    try:
        with transaction.atomic(durable=True):
            services.record_promotion_usage(
                order_reference=f"ORD-{index:03d}",
                customer_key=customer,
                used=[services.UsedPromotion(promotion_code="once", coupon_code=code, discount=Decimal("5.00"))],
            )
        queue.put("accepted")
    except Conflict as exc:
        queue.put(f"refused: {exc.slug}")
    finally:
        connections.close_all()


def _run_parallel(code: str, customers: list[str]) -> list[str]:
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [
        context.Process(target=_check_out, args=(queue, index, code, customers[index])) for index in range(WORKERS)
    ]
    for process in processes:
        process.start()
    outcomes = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_single_use_coupon_is_accepted_exactly_once():
    services.create_promotion(
        actor=None, code="once", fields={"name": "Once", "action": "amount_off_cart", "value": Decimal("5")}
    )
    services.create_coupon(actor=None, promotion_code="once", code="ONLY-ONCE", usage_limit=1)
    outcomes = _run_parallel("only-once", [f"customer-{index}" for index in range(WORKERS)])
    assert outcomes.count("accepted") == 1, outcomes
    assert outcomes.count("refused: coupon-used-up") == WORKERS - 1, outcomes
    assert Coupon.objects.get(code="ONLY-ONCE").times_used == 1
    assert PromotionUsage.objects.count() == 1
    # the refused orders rolled back their promotion counter too
    assert Promotion.objects.get(code="once").times_used == 1


@pytest.mark.django_db(transaction=True)
def test_promotion_limit_per_customer_holds_under_parallel_orders():
    services.create_promotion(
        actor=None,
        code="once",
        fields={
            "name": "Once each",
            "action": "amount_off_cart",
            "value": Decimal("5"),
            "usage_limit_per_customer": 1,
            "usage_limit": 3,
        },
    )
    services.create_coupon(actor=None, promotion_code="once", code="MANY", usage_limit=None)
    customers = ["same-customer"] * 5 + [f"other-{index}" for index in range(5)]
    outcomes = _run_parallel("MANY", customers)
    usages = list(PromotionUsage.objects.values_list("customer_key", flat=True))
    assert usages.count("same-customer") <= 1
    assert len(usages) == outcomes.count("accepted") == 3
    assert Promotion.objects.get(code="once").times_used == len(usages)
