"""Multi-address checkout: each destination is served from the stock nearest to it, priced as a
shipment of its own, reserved in one transaction under one reference, and shipped per destination
and source (issue 7)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from handel.catalog import services as catalog_services
from handel.checkout.models import Cart
from handel.inventory import queries as inventory_queries
from handel.inventory import services as inventory_services
from handel.inventory.models import Reservation, ReservationLine, StockItem
from handel.orders import lifecycle
from handel.orders import services as order_services
from handel.orders.models import Order
from handel.pricing import services as pricing_services
from tests.checkout.conftest import ADDRESS, product, set_stock
from tests.checkout.flow import add, body, choose, new_cart, options, place
from tests.conftest import assert_problem

OFFICE_DE = {
    "first_name": "Bob",
    "last_name": "Maier",
    "street": "Invalidenstrasse 1",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
}
OFFICE_NL = {**ADDRESS, "street": "Coolsingel 40", "postal_code": "3011 AD", "city": "Rotterdam"}


@pytest.fixture
def warehouses(shop: dict[str, Any]) -> dict[str, Any]:
    """The shop's NL warehouses (main near Rotterdam, south near Venlo) and one in Germany."""
    inventory_services.create_source(
        actor=None,
        code="berlin",
        name="Berlin",
        country="DE",
        postal_code="12529",
        city="Schoenefeld",
        priority=10,
        ships=True,
        pickup=False,
        channel_codes=["b2c", "b2b"],
    )
    set_stock({("A", "main"): 10, ("B", "main"): 10, ("B", "south"): 0, ("A", "berlin"): 10, ("B", "berlin"): 10})
    return shop


def multi_cart(api: Any, home: list[tuple[str, int]], office: list[tuple[str, int]], **changes: Any) -> str:
    """A cart whose `home` lines go to the main (Amsterdam) address and `office` lines elsewhere."""
    cart = new_cart(api)
    lines = add(api, cart, *home, *office)["lines"]
    office_skus = {sku for sku, _ in office}
    response = api.call(
        "put",
        f"/checkout/carts/{cart}/addresses",
        {
            "email": "ann@example.com",
            "shipping_address": ADDRESS,
            "extra_addresses": {"office": changes.get("office_address", OFFICE_DE)},
            "line_addresses": {str(line["id"]): "office" for line in lines if line["sku"] in office_skus},
        },
    )
    assert response.status_code == 200, response.content
    return cart


def held() -> list[tuple[str, str, str, int]]:
    return sorted(
        (line.destination, line.sku, line.source.code, line.quantity)
        for line in ReservationLine.objects.filter(reservation__status="active").select_related("source")
    )


def reserved() -> dict[tuple[str, str], int]:
    return {
        (item.sku, item.source.code): item.reserved
        for item in StockItem.objects.select_related("source").filter(reserved__gt=0)
    }


@pytest.mark.django_db(transaction=True)
def test_each_destination_is_served_from_its_nearby_warehouse(api, warehouses):
    cart = multi_cart(api, home=[("A", 2)], office=[("B", 1)])
    listed = options(api, cart)
    standard = next(item for item in listed["items"] if item["code"] == "flat_rate")
    assert listed["shipments"] == 2
    assert standard["price_net"] == "9.90"  # 4.95 per destination
    assert [(part["key"], part["country"], part["price"]) for part in standard["details"]["destinations"]] == [
        ("", "NL", "4.95"),
        ("office", "DE", "4.95"),
    ]
    shown = choose(api, cart, "flat_rate")
    assert shown["shipping"] == "11.98"  # 9.90 net + 21 %

    placed = place(api, cart, "bank_transfer")
    assert placed.status_code == 201, placed.content
    order = Order.objects.get(number=body(placed)["order_number"])
    assert str(order.grand_total) == shown["grand_total"]
    assert order.shipping_net == Decimal("9.90")
    # One reservation for the order; each line held at the warehouse near its destination.
    assert Reservation.objects.filter(reference=order.number).count() == 1
    assert held() == [("", "A", "main", 2), ("office", "B", "berlin", 1)]
    assert order.delivery["allocation"] == [
        {"source": "main", "destination": "", "lines": [["A", 2]]},
        {"source": "berlin", "destination": "office", "lines": [["B", 1]]},
    ]
    assert order.delivery["shipments"] == 2 and order.delivery["split"] is True
    home, office = order.delivery["destinations"]
    assert (home["key"], home["address"]["city"], home["price_net"]) == ("", "Amsterdam", "4.95")
    assert home["allocation"] == [{"source": "main", "lines": [["A", 2]]}]
    assert (office["key"], office["address"]["city"], office["price_net"]) == ("office", "Berlin", "4.95")
    assert office["allocation"] == [{"source": "berlin", "lines": [["B", 1]]}]
    assert {line.sku: line.options.get("ship_to", "") for line in order.lines.all()} == {"A": "", "B": "office"}
    assert inventory_queries.verify_ledger() == []


@pytest.mark.django_db(transaction=True)
def test_a_destination_short_of_stock_nearby_is_served_from_further_away(api, warehouses):
    set_stock({("B", "berlin"): 0})
    cart = multi_cart(api, home=[("A", 2)], office=[("B", 3)])
    choose(api, cart, "flat_rate")
    order = Order.objects.get(number=body(place(api, cart, "bank_transfer"))["order_number"])
    assert held() == [("", "A", "main", 2), ("office", "B", "main", 3)]
    assert [(item["destination"], item["source"]) for item in order.delivery["allocation"]] == [
        ("", "main"),
        ("office", "main"),
    ]


@pytest.mark.django_db(transaction=True)
def test_split_destinations_become_one_shipment_per_destination_and_source(api, warehouses):
    # Berlin has 3 of the 5 B the office wants: the rest comes from the Dutch main warehouse.
    set_stock({("B", "berlin"): 3, ("B", "main"): 2})
    cart = multi_cart(api, home=[("A", 2)], office=[("B", 5)])
    listed = options(api, cart)
    assert listed["shipments"] == 3
    standard = next(item for item in listed["items"] if item["code"] == "flat_rate")
    assert standard["name"] == "Standard delivery to 2 addresses, in 3 shipments"
    choose(api, cart, "flat_rate")
    number = body(place(api, cart, "bank_transfer"))["order_number"]
    assert held() == [("", "A", "main", 2), ("office", "B", "berlin", 3), ("office", "B", "main", 2)]

    order_services.transition_order(number=number, to=lifecycle.PROCESSING, actor=None, reason="paid")
    shipments = order_services.plan_shipments(order_number=number)
    planned = sorted(
        (
            shipment.source_code,
            shipment.address["city"],
            [(line.position, line.sku, line.quantity) for line in shipment.lines.all()],
        )
        for shipment in shipments
    )
    assert planned == [
        ("berlin", "Berlin", [(2, "B", 3)]),
        ("main", "Amsterdam", [(1, "A", 2)]),
        ("main", "Berlin", [(2, "B", 2)]),
    ]
    # Shipping them takes the units from the source each left from.
    for shipment in shipments:
        order_services.update_shipment_status(number=shipment.number, status="in_transit")
    assert reserved() == {}
    assert Reservation.objects.get(reference=number).status == "shipped"
    assert Order.objects.get(number=number).status == lifecycle.SHIPPED
    assert inventory_queries.verify_ledger() == []


@pytest.mark.django_db(transaction=True)
def test_not_enough_stock_for_all_destinations_together_is_refused_and_writes_nothing(api, warehouses):
    # Each destination alone could be served (20 A in all); together they want 22.
    cart = multi_cart(api, home=[("A", 2)], office=[("A", 20)])
    choose(api, cart, "flat_rate")
    before = reserved()
    refused = assert_problem(place(api, cart, "bank_transfer"), 409)
    assert refused["type"] == "urn:handel:problem:out-of-stock"
    assert refused["shortages"] == [{"sku": "A", "wanted": 22, "available": 20}]
    assert not Order.objects.exists()
    assert not Reservation.objects.exists()
    assert reserved() == before == {}
    assert Cart.objects.get(public_id=cart).status == Cart.Status.OPEN


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_multi_address_order_releases_every_destination(api, warehouses):
    cart = multi_cart(api, home=[("A", 2)], office=[("B", 1)])
    choose(api, cart, "flat_rate")
    number = body(place(api, cart, "bank_transfer"))["order_number"]
    assert reserved() == {("A", "main"): 2, ("B", "berlin"): 1}
    order_services.cancel_order(number=number, actor=None, reason="changed my mind")
    assert reserved() == {}
    assert Reservation.objects.get(reference=number).status == "released"
    assert inventory_queries.verify_ledger() == []


@pytest.mark.django_db(transaction=True)
def test_delivery_options_for_several_addresses_are_priced_per_destination(api, warehouses):
    # Both addresses are Dutch: one address would also get pickup and delivery slots.
    cart = multi_cart(api, home=[("A", 2)], office=[("B", 1)], office_address=OFFICE_NL)
    listed = options(api, cart)
    by_code = {item["code"]: item for item in listed["items"]}
    assert list(by_code) == ["flat_rate", "table_rate", "express"]
    assert by_code["flat_rate"]["name"] == "Standard delivery to 2 addresses"
    assert by_code["table_rate"]["price_net"] == "7.90"  # 1 kg and 1.5 kg, each up to 2 kg: 3.95 + 3.95
    assert by_code["express"]["price_net"] == "29.90"
    assert [part["weight_grams"] for part in by_code["table_rate"]["details"]["destinations"]] == [1000, 1500]

    # Free delivery is the order's: above the threshold every destination ships free.
    cart = multi_cart(api, home=[("A", 2)], office=[("B", 3)])
    free = options(api, cart)["items"][0]
    assert (free["code"], free["price_net"]) == ("free", "0.00")
    assert [part["price"] for part in free["details"]["destinations"]] == ["0.00", "0.00"]


@pytest.mark.django_db(transaction=True)
def test_lines_all_sent_elsewhere_are_allocated_for_that_address(api, warehouses):
    cart = multi_cart(api, home=[], office=[("A", 1), ("B", 1)])
    choose(api, cart, "flat_rate")
    order = Order.objects.get(number=body(place(api, cart, "bank_transfer"))["order_number"])
    assert held() == [("office", "A", "berlin", 1), ("office", "B", "berlin", 1)]
    assert order.shipping_net == Decimal("4.95")
    assert [part["key"] for part in order.delivery["destinations"]] == ["office"]


def _products(count: int) -> list[str]:
    skus = [f"P{index}" for index in range(1, count + 1)]
    for sku in skus:
        catalog_services.create_product(actor=None, record=product(sku))
    pricing_services.set_price_entries(
        actor=None,
        price_list_code="b2c-base",
        entries=[pricing_services.EntryInput(sku, Decimal("3.00")) for sku in skus],
    )
    set_stock({(sku, source): 50 for sku in skus for source in ("main", "berlin")})
    return skus


@pytest.mark.django_db
def test_placement_queries_do_not_grow_with_the_lines_per_destination(api, warehouses):
    skus = _products(12)

    def placement_queries(per_destination: int) -> int:
        home = [(sku, 1) for sku in skus[:per_destination]]
        office = [(sku, 1) for sku in skus[6 : 6 + per_destination]]
        cart = multi_cart(api, home=home, office=office)
        choose(api, cart, "flat_rate")
        with CaptureQueriesContext(connection) as captured:
            response = place(api, cart, "bank_transfer")
        assert response.status_code == 201, response.content
        assert len(ReservationLine.objects.filter(reservation__reference=body(response)["order_number"])) == (
            2 * per_destination
        )
        return len(captured)

    placement_queries(1)  # the first placement fills caches and creates the number series
    assert placement_queries(2) == placement_queries(6)
