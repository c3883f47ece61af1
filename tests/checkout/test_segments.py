"""Customer segments in the order flow: a placed order reaches the customer's order history (and
so the rule segments) through the orders' events, a cancelled one leaves it; a promotion for a
segment applies to its members' carts only, consumers and company buyers alike, never a guest's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handel.customers import services as customer_services
from handel.customers.models import CustomerStats
from handel.customers.queries import segments_of
from handel.orders import services as order_services
from handel.orders.models import Order
from tests.checkout.conftest import add_promotion
from tests.checkout.flow import body, place, ready_cart
from tests.checkout.test_company import company_cart

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_placed_order_counts_for_the_customers_segments_until_it_is_cancelled(api_for, shop, make_user):
    customer_services.create_segment(actor=None, code="buyers", name="Buyers", rules={"min_orders": 1})
    customer_services.create_segment(actor=None, code="big", name="Big", rules={"min_total_spent": "1000"})
    customer = make_user()
    client = api_for(customer, scopes=("orders:write",))
    placed = place(client, ready_cart(client, ("A", 2)), "bank_transfer")
    assert placed.status_code == 201, placed.content
    order = Order.objects.get(number=body(placed)["order_number"])
    stats = CustomerStats.objects.get(customer=customer)
    assert (stats.order_count, stats.total_spent) == (1, order.grand_total)
    assert stats.first_order_at == stats.last_order_at == order.placed_at
    assert segments_of(customer) == {"buyers"}

    order_services.cancel_order(number=order.number, actor=make_user(staff=True), reason="changed their mind")
    stats = CustomerStats.objects.get(customer=customer)
    assert (stats.order_count, stats.total_spent, stats.last_order_at) == (0, Decimal("0"), None)
    assert segments_of(customer) == frozenset()


def test_a_guests_order_changes_no_customer(api, shop):
    customer_services.create_segment(actor=None, code="buyers", name="Buyers", rules={"min_orders": 1})
    assert place(api, ready_cart(api, ("A", 1)), "bank_transfer").status_code == 201
    assert not CustomerStats.objects.exists()


def test_a_segment_promotion_applies_to_its_members_carts_only(api, api_for, shop, make_user, company_with_roles):
    customer_services.create_segment(actor=None, code="vip", name="VIP", kind="manual")
    add_promotion("vip-thanks", value=Decimal("10"), segments=["vip"])
    member, other = make_user(), make_user()
    _, users, _ = company_with_roles
    customer_services.add_segment_members(actor=None, code="vip", customer_ids=[member.pk, users["buyer"].pk])

    def promotions(client, cart):
        response = client.call("get", f"/checkout/carts/{cart}")
        assert response.status_code == 200, response.content
        return [promotion["code"] for promotion in body(response)["promotions"]], body(response)["discount_total"]

    member_client = api_for(member, scopes=("orders:write",))
    assert promotions(member_client, ready_cart(member_client, ("A", 2))) == (["vip-thanks"], "2.00")
    other_client = api_for(other, scopes=("orders:write",))
    assert promotions(other_client, ready_cart(other_client, ("A", 2))) == ([], "0.00")
    assert promotions(api, ready_cart(api, ("A", 2))) == ([], "0.00")
    # A company buyer's cart prices for the company, with the buyer's own segments.
    buyer_client, cart = company_cart(api_for, users["buyer"])
    codes, discount = promotions(buyer_client, cart)
    assert codes == ["vip-thanks"] and Decimal(discount) > 0
    # The pricing API's cart agrees.
    lines = {"lines": [{"sku": "A", "quantity": 2}]}
    headers = {"X-Handel-Channel": "b2c"}
    assert member_client.call("post", "/pricing/cart", lines, headers=headers).json()["discount_total"] == "2.00"
    assert other_client.call("post", "/pricing/cart", lines, headers=headers).json()["discount_total"] == "0.00"
    assert api.call("post", "/pricing/cart", lines, headers=headers).json()["discount_total"] == "0.00"

    # Placing the member's order records the promotion like any other.
    placed = place(member_client, ready_cart(member_client, ("A", 1)), "bank_transfer")
    assert placed.status_code == 201, placed.content
    assert Order.objects.get(number=body(placed)["order_number"]).promotions[0]["code"] == "vip-thanks"
