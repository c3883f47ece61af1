"""Refusals answer with problem+json and write nothing: no order, no hold, no usage, no payment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handel.inventory.models import Reservation
from handel.orders.models import Order
from handel.payments.models import Payment
from handel.pricing import services as pricing_services
from handel.pricing.models import Coupon, PromotionUsage
from tests.checkout.conftest import ADDRESS, add_promotion, set_stock
from tests.checkout.flow import add, body, new_cart, place, ready_cart
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db


def nothing_written() -> None:
    assert not Order.objects.exists()
    assert not Reservation.objects.exists()
    assert not Payment.objects.exists()
    assert not PromotionUsage.objects.exists()


def test_empty_cart(api, shop):
    cart = new_cart(api)
    problem = assert_problem(place(api, cart, "bank_transfer"), 422)
    assert problem["type"].endswith("cart-empty")
    nothing_written()


def test_price_changed_since_shown_is_refused_until_confirmed(api, shop):
    cart = ready_cart(api)
    shown = body(api.call("get", f"/checkout/carts/{cart}"))["grand_total"]
    pricing_services.set_price_entries(
        actor=None, price_list_code="b2c-base", entries=[pricing_services.EntryInput("A", Decimal("11"))]
    )
    problem = assert_problem(place(api, cart, "bank_transfer", expected_total=shown), 409)
    assert problem["type"].endswith("price-changed") and problem["shown_total"] == shown
    nothing_written()
    confirmed = place(api, cart, "bank_transfer", expected_total=shown, accept_price_change=True)
    assert confirmed.status_code == 201, confirmed.content
    assert body(confirmed)["grand_total"] == problem["total"]


def test_price_changed_against_the_last_total_shown(api, shop):
    cart = ready_cart(api)
    pricing_services.set_price_entries(
        actor=None, price_list_code="b2c-base", entries=[pricing_services.EntryInput("B", Decimal("25"))]
    )
    assert_problem(place(api, cart, "bank_transfer"), 409)
    nothing_written()


def test_out_of_stock(api, shop):
    cart = ready_cart(api, ("A", 2))
    set_stock({("A", "main"): 1, ("A", "ams-store"): 0})
    problem = assert_problem(place(api, cart, "bank_transfer", accept_price_change=True), 409)
    assert problem["type"].endswith("out-of-stock")
    nothing_written()


@pytest.mark.parametrize("changes", [{"postal_code": "ABC"}, {"country": "XX"}, {"street": ""}, {"country": "US"}])
def test_invalid_address(api, shop, changes):
    cart = new_cart(api)
    add(api, cart, ("A", 1))
    response = api.call(
        "put",
        f"/checkout/carts/{cart}/addresses",
        {"email": "ann@example.com", "shipping_address": {**ADDRESS, **changes}},
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["loc"][:2] == ["body", "shipping_address"]
    assert body(api.call("get", f"/checkout/carts/{cart}"))["shipping_address"] is None


def test_placement_without_address_or_delivery(api, shop):
    cart = new_cart(api)
    add(api, cart, ("A", 1))
    problem = assert_problem(place(api, cart, "bank_transfer"), 422)
    locations = {tuple(error["loc"]) for error in problem["errors"]}
    assert ("body", "shipping_address") in locations and ("body", "delivery") in locations
    nothing_written()


def test_expired_coupon(api, shop):
    add_promotion("TENOFF", coupon="SAVE10")
    cart = ready_cart(api)
    assert body(api.call("post", f"/checkout/carts/{cart}/coupons", {"code": "save10"})).get("coupons") == ["SAVE10"]
    Coupon.objects.filter(code="SAVE10").update(is_active=False)
    problem = assert_problem(place(api, cart, "bank_transfer", accept_price_change=True), 409)
    assert problem["type"].endswith("coupon-refused")
    nothing_written()
    refused = assert_problem(api.call("post", f"/checkout/carts/{new_cart(api)}/coupons", {"code": "SAVE10"}), 422)
    assert refused["type"].endswith("coupon-refused")


def test_unknown_payment_method_and_business_methods(api, shop):
    cart = ready_cart(api)
    assert_problem(place(api, cart, "bitcoin"), 422)
    assert_problem(place(api, cart, "on_account"), 403)
    assert_problem(place(api, cart, "card", card=None), 422)
    nothing_written()


def test_someone_elses_cart_is_not_found(api, shop, make_user, client):
    owner = make_user()
    client.force_login(owner)
    response = client.post(
        "/api/v1/checkout/carts", content_type="application/json", headers={"X-Handel-Channel": "b2c"}
    )
    cart = body(response)["id"]
    assert_problem(api.call("get", f"/checkout/carts/{cart}"), 404)
    assert_problem(api.call("post", f"/checkout/carts/{cart}/lines", {"lines": [{"sku": "A", "quantity": 1}]}), 404)
    assert_problem(api.call("get", "/checkout/carts/not-a-uuid"), 422)


def test_hostile_bodies_get_4xx(api, shop):
    cart = new_cart(api)
    for payload in (
        {"lines": []},
        {"lines": [{"sku": "A", "quantity": 0}]},
        {"lines": [{"sku": "A" * 500, "quantity": 1}]},
    ):
        response = api.call("post", f"/checkout/carts/{cart}/lines", payload)
        assert 400 <= response.status_code < 500, response.content
    assert api.call("post", f"/checkout/carts/{cart}/lines", raw="{not json").status_code < 500
    assert_problem(api.call("put", f"/checkout/carts/{cart}/delivery", {"code": "teleport"}), 422)
