"""A dynamic bundle costs the sum of the options chosen, for this buyer: the same on the product
page, in the cart and on the order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handel.catalog import services as catalog_services
from handel.orders.models import Order
from tests.checkout.conftest import product
from tests.checkout.flow import address, body, choose, new_cart, place

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dynamic(shop):
    catalog_services.create_product(
        actor=None,
        record=product(
            "DYN",
            kind="bundle",
            bundle_pricing="dynamic",
            bundle_groups=[
                {
                    "code": "main",
                    "name": "Main",
                    "required": True,
                    "min": 1,
                    "max": 1,
                    "options": [{"sku": "A", "quantity": 2, "default": True}, {"sku": "B"}],
                },
                {
                    "code": "extra",
                    "name": "Extra",
                    "required": False,
                    "min": 0,
                    "max": 1,
                    "options": [{"sku": "DIG", "quantity": 1}],
                },
            ],
        ),
    )


def add_bundle(api, cart, options):
    response = api.call(
        "post", f"/checkout/carts/{cart}/lines", {"lines": [{"sku": "DYN", "quantity": 1, "options": options}]}
    )
    assert response.status_code == 200, response.content
    return body(response)["lines"][-1]


def test_the_cart_prices_a_dynamic_bundle_by_its_options_and_the_order_keeps_it(api, dynamic, client):
    cart = new_cart(api)
    # Two of A (10.00 net each) by default; B (20.00 net) and the licence DIG (30.00 net) chosen,
    # taxed as the bundle is (21 %).
    assert Decimal(add_bundle(api, cart, {})["total"]) == Decimal("24.20")
    assert Decimal(add_bundle(api, cart, {"main": ["B"], "extra": ["DIG"]})["total"]) == Decimal("60.50")
    page = client.get("/product-price/DYN/", {"option-main": "B", "option-extra": "DIG", "quantity": "1"})
    assert "60.50" in page.content.decode()
    address(api, cart)
    choose(api, cart, "flat_rate")
    response = place(api, cart, "bank_transfer", key="dyn-1")
    assert response.status_code == 201, response.content
    order = Order.objects.get(number=body(response)["order_number"])
    assert sorted(str(line.unit_price) for line in order.lines.all()) == ["24.2000", "60.5000"]


def test_before_the_buyer_chooses_a_dynamic_bundle_costs_its_preselected_options_everywhere(api, dynamic, client):
    """Listings, search, compare and the prices API show what the cart charges for the bundle as
    preselected (2 x A), not a price of the bundle's own."""
    from handel.pricing import services as pricing_services

    # A list entry of the bundle's own must not win over its options.
    pricing_services.set_price_entries(
        actor=None, price_list_code="b2c-base", entries=[pricing_services.EntryInput("DYN", Decimal("99.00"))]
    )
    quoted = api.call("post", "/pricing/prices", {"items": [{"sku": "DYN", "quantity": 1}]})
    assert quoted.status_code == 200, quoted.content
    assert Decimal(body(quoted)["items"][0]["unit_price"]) == Decimal("24.20")
    cart = new_cart(api)
    assert Decimal(add_bundle(api, cart, {})["total"]) == Decimal("24.20")
    page = client.get("/product-price/DYN/", {"quantity": "1"})
    assert "24.20" in page.content.decode()


def test_a_dynamic_bundle_without_a_preselection_for_a_required_group_keeps_its_own_price(api, shop):
    from handel.pricing import services as pricing_services

    catalog_services.create_product(
        actor=None,
        record=product(
            "DYN2",
            kind="bundle",
            bundle_pricing="dynamic",
            bundle_groups=[
                {
                    "code": "main",
                    "name": "Main",
                    "required": True,
                    "min": 1,
                    "max": 1,
                    "options": [{"sku": "A", "quantity": 1}, {"sku": "B"}],
                }
            ],
        ),
    )
    pricing_services.set_price_entries(
        actor=None, price_list_code="b2c-base", entries=[pricing_services.EntryInput("DYN2", Decimal("15.00"))]
    )
    quoted = api.call("post", "/pricing/prices", {"items": [{"sku": "DYN2", "quantity": 1}]})
    assert Decimal(body(quoted)["items"][0]["unit_price"]) == Decimal("18.15")  # its own 15.00 + 21 %
