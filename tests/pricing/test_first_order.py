"""A first-order promotion applies to a signed-in customer's cart until their first order is
reported, wherever the cart is priced (the API's cart, checkout's context, staff's explanation)."""

from __future__ import annotations

import pytest

from handel.channels.models import Channel
from handel.pricing import services
from handel.pricing.engine import price_cart
from handel.pricing.queries import Buyer, buyer_for, load_pricing_context


@pytest.fixture
def welcome(pricing):
    services.create_promotion(
        actor=None,
        code="welcome",
        fields={"name": "Welcome", "action": "percent_off_cart", "value": "10", "first_order_only": True},
    )


def _discount(client, lines):
    return client.call("post", "/pricing/cart", {"lines": lines}).json()["discount_total"]


def test_a_new_customer_gets_the_first_order_promotion_until_they_have_ordered(api_for, make_user, api, welcome):
    customer = make_user()
    client = api_for(customer)
    lines = [{"sku": "A", "quantity": 2}]
    assert _discount(client, lines) == "2.00"
    # The same context reaches checkout (buyer_for) and the engine.
    channel = Channel.objects.get(code="b2c")
    context = load_pricing_context(
        channel=channel, skus=["A"], customer=customer, buyer=buyer_for(customer), with_promotions=True
    )
    assert context.is_first_order is True
    assert str(price_cart(context, [("A", 2)]).discount_total) == "2.00"

    services.on_products_sold({"units": {"A": 2}, "customer_id": customer.pk, "order": "ORD-000001"})
    assert _discount(client, lines) == "0.00"
    again = load_pricing_context(
        channel=channel, skus=["A"], customer=customer, buyer=buyer_for(customer), with_promotions=True
    )
    assert again.is_first_order is False
    # A guest's first order is unknown: the promotion needs a signed-in customer.
    assert _discount(api, lines) == "0.00"


def test_orders_are_counted_per_customer(make_user, welcome):
    first, second = make_user(), make_user()
    services.on_products_sold({"units": {"A": 1}, "customer_id": first.pk})
    services.on_products_sold({"units": {"A": 1}, "customer_id": first.pk})
    channel = Channel.objects.get(code="b2c")
    contexts = [
        load_pricing_context(channel=channel, skus=["A"], customer=who, with_promotions=True) for who in (first, second)
    ]
    assert [context.is_first_order for context in contexts] == [False, True]
    # Staff may still explain a first order for anyone.
    forced = load_pricing_context(
        channel=channel, skus=["A"], customer=first, buyer=Buyer(is_first_order=True), with_promotions=True
    )
    assert forced.is_first_order is True
