"""A single-use coupon used by 10 parallel checkouts (processes) is accepted exactly once; the
refused checkouts write nothing (no order, no hold)."""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connections

from handel.checkout import placement
from handel.core.errors import DomainError
from handel.inventory.models import Reservation
from handel.orders.models import Order
from handel.pricing.models import Coupon, PromotionUsage
from tests.checkout.conftest import add_promotion
from tests.checkout.flow import ready_cart

WORKERS = 10


def _place(queue: multiprocessing.Queue, cart: str) -> None:
    connections.close_all()
    try:
        placement.place_order(
            public_id=cart, user=None, request=placement.PlacementRequest(payment_method="bank_transfer")
        )
        queue.put("placed")
    except DomainError as exc:
        queue.put(f"refused: {exc.slug}")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_single_use_coupon_by_ten_parallel_checkouts(api, shop):
    add_promotion("ONCE", coupon="ONLY-ONCE", usage_limit=1)
    carts = []
    for _ in range(WORKERS):
        cart = ready_cart(api, ("A", 1))
        assert api.call("post", f"/checkout/carts/{cart}/coupons", {"code": "ONLY-ONCE"}).status_code == 200
        carts.append(cart)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_place, args=(queue, cart)) for cart in carts]
    for process in processes:
        process.start()
    outcomes = [queue.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert outcomes.count("placed") == 1, outcomes
    assert all(outcome.startswith("refused: coupon") or outcome == "placed" for outcome in outcomes), outcomes
    assert Order.objects.count() == 1
    assert Reservation.objects.count() == 1
    assert Coupon.objects.get(code="ONLY-ONCE").times_used == 1
    assert PromotionUsage.objects.count() == 1
