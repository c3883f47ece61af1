"""The whole checkout through the API: every delivery option, every payment outcome."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from handel.inventory.models import Reservation, StockItem
from handel.orders.models import Order
from handel.payments.models import Payment
from handel.payments.providers import test_gateway
from tests.checkout.conftest import ADDRESS, set_stock
from tests.checkout.flow import add, address, body, choose, new_cart, options, place, ready_cart
from tests.conftest import assert_problem

# Payment and cancellation events are delivered after commit: real transactions.
pytestmark = pytest.mark.django_db(transaction=True)


def reserved(sku: str) -> int:
    return sum(StockItem.objects.filter(sku=sku).values_list("reserved", flat=True))


def test_guest_checkout_by_card_places_the_order_at_the_cart_price(api, shop):
    cart = new_cart(api)
    shown = add(api, cart, ("A", 2), ("B", 1))
    assert [line["total"] for line in shown["lines"]] == ["24.20", "24.20"]  # 10.00 and 20.00 net + 21 %
    address(api, cart)
    shown = choose(api, cart, "flat_rate")
    assert shown["shipping"] == "5.99"  # 4.95 net + 21 %
    assert shown["grand_total"] == "54.39"
    response = place(api, cart, "card", key="k-1")
    assert response.status_code == 201, response.content
    placed = body(response)
    assert placed["status"] == "processing" and placed["payment"]["status"] == "authorized"
    order = Order.objects.get(number=placed["order_number"])
    assert str(order.grand_total) == shown["grand_total"] == placed["grand_total"]
    assert [(line.sku, line.quantity, str(line.total_gross)) for line in order.lines.order_by("position")] == [
        ("A", 2, "24.20"),
        ("B", 1, "24.20"),
    ]
    assert order.status == "processing"
    assert order.delivery["method"] == "flat_rate"
    assert order.delivery["allocation"] == [{"source": "main", "lines": [["A", 2], ["B", 1]]}]
    assert Reservation.objects.get(reference=order.number).status == "active"
    assert reserved("A") == 2
    assert Payment.objects.get(reference=order.number).status == "authorized"
    confirmation = [message for message in mail.outbox if order.number in message.subject]
    assert confirmation and shown["grand_total"] in confirmation[0].body
    assert body(api.call("get", f"/checkout/carts/{cart}"))["status"] == "ordered"


def test_the_same_idempotency_key_places_one_order(api, shop):
    cart = ready_cart(api)
    first = place(api, cart, "bank_transfer", key="same")
    second = place(api, cart, "bank_transfer", key="same")
    assert first.status_code == second.status_code == 201
    assert body(first) == body(second)
    assert Order.objects.count() == 1


def test_a_guest_api_client_without_cookies_retries_safely(api, shop):
    """Machine clients keep no cookies: the retry with the same key is still the same request
    (the cart's unguessable path is the guest's identity), and no session is made for it."""
    from django.contrib.sessions.models import Session

    from tests.conftest import ApiClient

    cart = ready_cart(api)
    sessions = Session.objects.count()
    first = place(ApiClient(), cart, "bank_transfer", key="no-cookies")
    second = place(ApiClient(), cart, "bank_transfer", key="no-cookies")
    assert first.status_code == second.status_code == 201, second.content
    assert second["Idempotent-Replayed"] == "true"
    assert body(first) == body(second)
    assert Order.objects.count() == 1
    assert Session.objects.count() == sessions
    other = ready_cart(api)
    assert place(ApiClient(), other, "bank_transfer", key="no-cookies").status_code == 201  # another cart's key
    assert Order.objects.count() == 2


def test_an_offline_payment_is_recorded_with_the_order_and_its_events_delivered(api, shop):
    from handel.core.models import AuditEntry, OutboxEvent

    cart = ready_cart(api)
    response = place(api, cart, "bank_transfer")
    assert response.status_code == 201, response.content
    number = body(response)["order_number"]
    order = Order.objects.get(number=number)
    payment = Payment.objects.get(reference=number)
    assert payment.status == "awaiting_transfer" and payment.amount == order.grand_total
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"reservation.created", "order.placed", "cart.ordered", "payment.started"} <= actions
    events = OutboxEvent.objects.filter(created_at__gte=order.placed_at)
    assert {"order.placed", "orders.products_sold", "checkout.order_confirmed", "payment.pending"} <= set(
        events.values_list("name", flat=True)
    )
    assert not events.filter(processed_at__isnull=True).exists()  # delivered at once (embedded default)


@pytest.mark.parametrize(
    ("method", "extra", "order_status", "payment_status"),
    [
        ("bank_transfer", {}, "pending_payment", "awaiting_transfer"),
        ("cash_on_delivery", {}, "processing", "awaiting_transfer"),
    ],
)
def test_offline_payments(api, shop, method, extra, order_status, payment_status):
    cart = ready_cart(api)
    response = place(api, cart, method, **extra)
    assert response.status_code == 201, response.content
    order = Order.objects.get(number=body(response)["order_number"])
    assert order.status == order_status
    assert Payment.objects.get(reference=order.number).status == payment_status


@pytest.mark.parametrize("card", [test_gateway.DECLINED, test_gateway.INSUFFICIENT_FUNDS])
def test_a_declined_card_cancels_the_order_and_reopens_the_cart(api, shop, card):
    cart = ready_cart(api)
    response = place(api, cart, "card", card={"number": card, "expiry": "12/35", "cvc": "123"})
    problem = assert_problem(response, 402)
    order = Order.objects.get(number=problem["order_number"])
    assert order.status == "cancelled"
    assert reserved("A") == 0  # order.cancelled released the hold
    assert body(api.call("get", f"/checkout/carts/{cart}"))["status"] == "open"
    retry = place(api, cart, "card")
    assert retry.status_code == 201, retry.content


@pytest.mark.parametrize(("approve", "final"), [(True, "processing"), (False, "pending_payment")])
def test_three_d_secure(api, shop, client, approve, final):
    cart = ready_cart(api)
    response = place(api, cart, "card", card={"number": test_gateway.CHALLENGE, "expiry": "12/35", "cvc": "123"})
    assert response.status_code == 201, response.content
    placed = body(response)
    assert placed["status"] == "pending_payment" and placed["payment"]["status"] == "requires_action"
    action_url = placed["payment"]["action_url"]
    assert action_url
    assert client.post(action_url, {"outcome": "approve" if approve else "fail"}).status_code == 302
    order = Order.objects.get(number=placed["order_number"])
    assert order.status == final


def test_asynchronous_card_confirmation(api, shop):
    cart = ready_cart(api)
    response = place(api, cart, "card", card={"number": test_gateway.ASYNCHRONOUS, "expiry": "12/35", "cvc": "123"})
    assert response.status_code == 201, response.content
    number = body(response)["order_number"]
    # The test gateway's signed webhook travels through the outbox; in the embedded default it is
    # delivered as soon as the payment row commits, so the answer may already say "authorized".
    assert body(response)["payment"]["status"] in ("pending", "authorized")
    assert Payment.objects.get(reference=number).status == "authorized"
    assert Order.objects.get(number=number).status == "processing"


@pytest.mark.parametrize("code", ["flat_rate", "table_rate", "express"])
def test_shipping_options(api, shop, code):
    cart = ready_cart(api, delivery=code)
    response = place(api, cart, "bank_transfer")
    assert response.status_code == 201, response.content
    order = Order.objects.get(number=body(response)["order_number"])
    assert order.delivery["method"] == code
    assert order.shipping_gross > 0


def test_free_delivery_above_the_threshold(api, shop):
    cart = new_cart(api)
    add(api, cart, ("B", 4))
    address(api, cart)
    codes = [option["code"] for option in options(api, cart)["items"]]
    assert "free" in codes
    choose(api, cart, "free")
    order = Order.objects.get(number=body(place(api, cart, "bank_transfer"))["order_number"])
    assert order.shipping_gross == 0 and order.grand_total == Decimal("96.80")


def test_store_pickup_only_where_the_stock_is(api, shop):
    cart = new_cart(api)
    add(api, cart, ("A", 3))
    address(api, cart)
    codes = [option["code"] for option in options(api, cart)["items"]]
    assert "pickup:ams-store" in codes
    choose(api, cart, "pickup:ams-store")
    order = Order.objects.get(number=body(place(api, cart, "bank_transfer"))["order_number"])
    assert order.delivery["method"] == "pickup"
    assert order.delivery["allocation"] == [{"source": "ams-store", "lines": [["A", 3]]}]
    other = new_cart(api)
    add(api, other, ("B", 1))
    address(api, other)
    assert not any(option["kind"] == "pickup" for option in options(api, other)["items"])


def test_scheduled_delivery_slots_have_a_capacity(api, shop, settings):
    settings.HANDEL_DELIVERY = {"slot_capacity": 1}
    cart = new_cart(api)
    add(api, cart, ("A", 1))
    address(api, cart)
    slot = next(option for option in options(api, cart)["items"] if option["kind"] == "scheduled")
    choose(api, cart, slot["code"])
    order = Order.objects.get(number=body(place(api, cart, "bank_transfer"))["order_number"])
    assert order.delivery["date"] == slot["details"]["date"] and order.delivery["slot"] == slot["details"]["slot"]
    second = new_cart(api)
    add(api, second, ("A", 1))
    address(api, second)
    assert slot["code"] not in [option["code"] for option in options(api, second)["items"]]


def test_split_delivery_when_the_allocation_splits(api, shop):
    set_stock({("B", "main"): 2})
    cart = new_cart(api)
    add(api, cart, ("B", 6))
    address(api, cart)
    listed = options(api, cart)
    assert listed["shipments"] == 2
    choose(api, cart, "flat_rate")
    order = Order.objects.get(number=body(place(api, cart, "bank_transfer"))["order_number"])
    assert order.delivery["split"] is True
    assert sorted((item["source"], item["lines"][0][1]) for item in order.delivery["allocation"]) == [
        ("main", 1),
        ("south", 5),
    ]


def test_multi_address_checkout(api, shop):
    cart = new_cart(api)
    lines = add(api, cart, ("A", 1), ("B", 1))["lines"]
    response = api.call(
        "put",
        f"/checkout/carts/{cart}/addresses",
        {
            "email": "ann@example.com",
            "shipping_address": ADDRESS,
            "extra_addresses": {"office": {**ADDRESS, "street": "Kalverstraat 2", "first_name": "Bob"}},
            "line_addresses": {str(lines[1]["id"]): "office"},
        },
    )
    assert response.status_code == 200, response.content
    choose(api, cart, "flat_rate")
    order = Order.objects.get(number=body(place(api, cart, "bank_transfer"))["order_number"])
    assert {line.sku: line.options.get("ship_to") for line in order.lines.all()} == {"A": None, "B": "office"}
    assert order.delivery["addresses"]["office"]["street"] == "Kalverstraat 2"


def test_digital_products_need_no_delivery_or_stock(api, shop):
    cart = new_cart(api)
    add(api, cart, ("DIG", 1))
    address(api, cart)
    assert [option["code"] for option in options(api, cart)["items"]] == ["digital"]
    choose(api, cart, "digital")
    order = Order.objects.get(number=body(place(api, cart, "card"))["order_number"])
    line = order.lines.get()
    assert line.tax_rate == Decimal("9.00") and order.grand_total == Decimal("32.70")
    assert order.delivery["allocation"] == []


def test_kits_and_bundles_reserve_their_components(api, shop):
    cart = new_cart(api)
    response = api.call(
        "post",
        f"/checkout/carts/{cart}/lines",
        {"lines": [{"sku": "KIT", "quantity": 1}, {"sku": "BUN", "quantity": 2, "options": {"main": ["B"]}}]},
    )
    assert response.status_code == 200, response.content
    address(api, cart)
    choose(api, cart, "flat_rate")
    order = Order.objects.get(number=body(place(api, cart, "bank_transfer"))["order_number"])
    assert reserved("A") == 1 and reserved("B") == 4
    assert order.lines.get(sku="BUN").options["choices"] == {"main": ["B"]}


def test_staff_cancel_releases_the_stock(api, shop, make_user):
    from handel.orders import services as order_services

    cart = ready_cart(api)
    number = body(place(api, cart, "bank_transfer"))["order_number"]
    assert reserved("A") == 2
    order_services.cancel_order(number=number, actor=make_user(staff=True), reason="customer called")
    assert reserved("A") == 0
    assert Reservation.objects.get(reference=number).status == "released"


def test_payment_methods_for_the_cart(api, shop):
    cart = ready_cart(api)
    codes = [method["code"] for method in body(api.call("get", f"/checkout/carts/{cart}/payment-methods"))]
    assert codes == ["card", "bank_transfer", "cash_on_delivery"]
