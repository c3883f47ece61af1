"""Cart lines: minimums and increments, assortment, saved for later, notes, coupons, merge at login,
staff carts on a customer's behalf."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handel.checkout import services
from handel.checkout.models import Cart
from handel.orders.models import Order
from tests.checkout.conftest import add_promotion
from tests.checkout.flow import add, address, body, choose, new_cart, place
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_minimum_and_increment_are_enforced(api, shop):
    cart = new_cart(api)
    problem = assert_problem(
        api.call("post", f"/checkout/carts/{cart}/lines", {"lines": [{"sku": "MIN", "quantity": 3}]}), 422
    )
    assert problem["errors"][0]["type"] == "below_minimum"
    problem = assert_problem(
        api.call("post", f"/checkout/carts/{cart}/lines", {"lines": [{"sku": "MIN", "quantity": 7}]}), 422
    )
    assert problem["errors"][0]["type"] == "adjusted"
    assert add(api, cart, ("MIN", 10))["lines"][0]["quantity"] == 10
    line = body(api.call("get", f"/checkout/carts/{cart}"))["lines"][0]
    assert_problem(api.call("patch", f"/checkout/carts/{cart}/lines/{line['id']}", {"quantity": 12}), 422)


def test_unknown_unassorted_and_unpriced_skus_are_refused(api, shop):
    cart = new_cart(api)
    problem = assert_problem(
        api.call(
            "post",
            f"/checkout/carts/{cart}/lines",
            {
                "lines": [
                    {"sku": "NOPE", "quantity": 1},
                    {"sku": "B2B-ONLY", "quantity": 1},
                    {"sku": "NOPRICE", "quantity": 1},
                ]
            },
        ),
        422,
    )
    assert [error["type"] for error in problem["errors"]] == ["unknown_sku", "not_in_assortment", "no_price"]
    assert body(api.call("get", f"/checkout/carts/{cart}"))["lines"] == []


def test_bundles_need_valid_choices(api, shop):
    cart = new_cart(api)
    problem = assert_problem(
        api.call(
            "post",
            f"/checkout/carts/{cart}/lines",
            {"lines": [{"sku": "BUN", "quantity": 1, "options": {"main": ["KIT"]}}]},
        ),
        422,
    )
    assert problem["errors"][0]["type"] == "needs_choice"
    shown = add(api, cart, ("BUN", 1))
    assert shown["lines"][0]["options"]["choices"] == {"main": ["A"]}


def test_same_line_adds_up_notes_and_save_for_later(api, shop):
    cart = new_cart(api)
    add(api, cart, ("A", 1))
    shown = add(api, cart, ("A", 2))
    assert [(line["sku"], line["quantity"]) for line in shown["lines"]] == [("A", 3)]
    line_id = shown["lines"][0]["id"]
    shown = body(api.call("patch", f"/checkout/carts/{cart}/lines/{line_id}", {"note": "gift wrap"}))
    assert shown["lines"][0]["note"] == "gift wrap"
    shown = body(api.call("patch", f"/checkout/carts/{cart}/lines/{line_id}", {"saved_for_later": True}))
    assert shown["lines"] == [] and shown["saved_for_later"][0]["sku"] == "A" and shown["grand_total"] == "0.00"
    shown = body(api.call("patch", f"/checkout/carts/{cart}/lines/{line_id}", {"saved_for_later": False}))
    assert shown["lines"][0]["quantity"] == 3
    shown = body(api.call("delete", f"/checkout/carts/{cart}/lines/{line_id}"))
    assert shown["lines"] == []
    assert_problem(api.call("delete", f"/checkout/carts/{cart}/lines/{line_id}"), 404)


def test_coupon_discount_is_on_the_order(api, shop):
    add_promotion("TENOFF", coupon="SAVE10")
    cart = new_cart(api)
    add(api, cart, ("B", 2))
    shown = body(api.call("post", f"/checkout/carts/{cart}/coupons", {"code": "SAVE10"}))
    assert shown["discount_total"] == "4.00" and shown["promotions"][0]["coupon"] == "SAVE10"
    address(api, cart)
    shown = choose(api, cart, "flat_rate")
    order = Order.objects.get(number=body(place(api, cart, "bank_transfer"))["order_number"])
    assert str(order.grand_total) == shown["grand_total"]
    assert order.promotions[0]["coupon"] == "SAVE10"
    removed = new_cart(api)
    add(api, removed, ("B", 2))
    api.call("post", f"/checkout/carts/{removed}/coupons", {"code": "SAVE10"})
    assert body(api.call("delete", f"/checkout/carts/{removed}/coupons/save10"))["coupons"] == []


def test_guest_cart_merges_into_the_customer_cart_at_login(api, shop, make_user, client):
    guest = new_cart(api)
    add(api, guest, ("A", 1), ("B", 1))
    user = make_user()
    client.force_login(user)
    own = body(
        client.post("/api/v1/checkout/carts", content_type="application/json", headers={"X-Handel-Channel": "b2c"})
    )["id"]
    client.post(
        f"/api/v1/checkout/carts/{own}/lines", {"lines": [{"sku": "A", "quantity": 2}]}, content_type="application/json"
    )
    merged = services.merge_guest_cart(guest_cart_id=guest, user=user)
    assert str(merged.public_id) == own
    shown = body(client.get(f"/api/v1/checkout/carts/{own}"))
    assert sorted((line["sku"], line["quantity"]) for line in shown["lines"]) == [("A", 3), ("B", 1)]
    assert Cart.objects.get(public_id=guest).status == "merged"


def test_staff_order_on_behalf_uses_the_customer_prices(api_for, shop, make_user):
    from handel.customers.models import CustomerGroup
    from handel.pricing import services as pricing_services

    group = CustomerGroup.objects.create(code="vip", name="VIP")
    customer = make_user("vip@example.com", customer_group=group)
    pricing_services.create_price_list(
        actor=None, code="vip", name="VIP", currency="EUR", assignments=[{"kind": "customer_group", "key": "vip"}]
    )
    pricing_services.set_price_entries(
        actor=None, price_list_code="vip", entries=[pricing_services.EntryInput("A", Decimal("5.00"))]
    )
    staff = make_user(staff=True, perms=["orders.add_order"])
    client = api_for(staff, scopes=("orders:write",))
    response = client.call(
        "post", "/checkout/carts", {"customer_email": "vip@example.com"}, headers={"X-Handel-Channel": "b2c"}
    )
    assert response.status_code == 201, response.content
    cart = body(response)["id"]
    assert add(client, cart, ("A", 2))["lines"][0]["total"] == "12.10"  # 2 x 5.00 + 21 %
    address(client, cart)
    choose(client, cart, "flat_rate")
    order = Order.objects.get(number=body(place(client, cart, "bank_transfer"))["order_number"])
    assert order.customer_id == customer.pk and order.placed_by_staff_id == staff.pk
    plain = api_for(make_user(), scopes=("orders:write",))
    assert_problem(plain.call("post", "/checkout/carts", {"customer_email": "vip@example.com"}), 403)
    no_scope = api_for(staff, scopes=("account",))
    assert_problem(no_scope.call("post", "/checkout/carts", {"customer_email": "vip@example.com"}), 403)
