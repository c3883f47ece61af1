from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from handel.core.models import OutboxEvent
from handel.core.tokens import SCOPES
from handel.orders import lifecycle, services
from handel.orders.models import CreditMemo, Invoice, Order, ReturnPolicy, ReturnRequest
from handel.payments import services as payment_services
from handel.payments.providers import test_gateway
from tests.conftest import assert_problem

CARD = {"number": test_gateway.APPROVED, "expiry": "12/39", "cvc": "123"}
DRILL = {"position": 1, "quantity": 1, "reason": "damaged", "condition": "opened"}


@pytest.fixture
def delivered_order(place, make_user):
    def make(customer):
        order = place(customer_id=customer.pk)
        payment = payment_services.start_payment(
            reference=order.number, method="card", amount=order.grand_total, currency="EUR", card=CARD
        )
        payment_services.capture_payment(public_id=str(payment.public_id))
        services.on_payment_captured(
            {"reference": order.number, "payment_id": payment.pk, "amount": str(order.grand_total)}
        )
        for status in (lifecycle.PROCESSING, lifecycle.SHIPPED, lifecycle.DELIVERED):
            Order.objects.filter(pk=order.pk).update(status=status)
        return Order.objects.get(pk=order.pk), payment

    return make


@pytest.mark.django_db
def test_a_return_end_to_end_with_restock_and_refund_through_the_gateway(delivered_order, make_user, api_for):
    customer = make_user()
    order, payment = delivered_order(customer)
    client = api_for(customer)
    response = client.call(
        "post", "/returns", {"order": order.number, "lines": [DRILL], "resolution": "refund", "note": "box was crushed"}
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert number == "RMA-000001" and response.json()["status"] == "requested"
    staff = api_for(make_user(superuser=True), scopes=tuple(SCOPES))
    approved = staff.call("post", f"/returns/{number}/decision", {"approve": True, "comment": "sorry!"}).json()
    assert approved["status"] == "approved" and "original packaging" in approved["instructions"]
    received = staff.call(
        "post",
        f"/returns/{number}/receipt",
        {"lines": [{"position": 1, "received_quantity": 1, "outcome": "restock", "source_code": "rotterdam"}]},
    )
    assert received.json()["status"] == "received"
    event = OutboxEvent.objects.get(name="return.received")
    assert event.payload["restock"] == [{"sku": "DRILL-1", "quantity": 1, "source_code": "rotterdam"}]
    done = staff.call("post", f"/returns/{number}/complete", {"refund_to": "original_payment"}).json()
    assert done["status"] == "completed" and done["credit_memo_number"] == "CM-000001"
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("60.50")
    assert CreditMemo.objects.get().invoice == Invoice.objects.get(order=order)
    mine = client.call("get", f"/returns/{number}").json()
    assert mine["status_label"] == "Completed"


@pytest.mark.django_db
def test_requests_outside_the_rules_are_refused_and_write_nothing(delivered_order, make_user, api_for):
    customer, stranger = make_user(), make_user()
    order, _ = delivered_order(customer)
    client = api_for(customer)
    body = assert_problem(
        client.call(
            "post", "/returns", {"order": order.number, "resolution": "refund", "lines": [{**DRILL, "quantity": 3}]}
        ),
        422,
    )
    assert body["errors"][0]["loc"] == ["body", "lines", 0, "quantity"]
    assert_problem(
        client.call(
            "post", "/returns", {"order": order.number, "resolution": "refund", "lines": [{**DRILL, "reason": "meh"}]}
        ),
        422,
    )
    assert_problem(
        api_for(stranger).call("post", "/returns", {"order": order.number, "resolution": "refund", "lines": [DRILL]}),
        404,
    )
    ReturnPolicy.objects.create(channel_code="b2c", window_days=14)
    order.events.filter(kind="placed").update(at=timezone.now() - timedelta(days=30))
    Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - timedelta(days=30))
    body = assert_problem(
        client.call("post", "/returns", {"order": order.number, "resolution": "refund", "lines": [DRILL]}), 409
    )
    assert body["type"] == "urn:handel:problem:return-window-closed"
    assert not ReturnRequest.objects.exists()


@pytest.mark.django_db
def test_small_returns_for_listed_reasons_are_approved_automatically(delivered_order, make_user):
    ReturnPolicy.objects.create(
        channel_code="b2c", auto_approve_max_amount=Decimal("100.00"), auto_approve_reasons=["damaged", "defective"]
    )
    customer = make_user()
    order, _ = delivered_order(customer)
    request = services.request_return(user=customer, order_number=order.number, lines=[DRILL], resolution="refund")
    assert request.status == "approved" and request.auto_approved
    costly = services.request_return(
        user=customer,
        order_number=order.number,
        resolution="refund",
        lines=[{**DRILL, "position": 2, "reason": "changed_mind"}],
    )
    assert costly.status == "requested" and not costly.auto_approved


@pytest.mark.django_db
def test_a_replacement_is_a_no_charge_order(delivered_order, make_user):
    customer, staff = make_user(), make_user(staff=True)
    order, _ = delivered_order(customer)
    request = services.request_return(user=customer, order_number=order.number, lines=[DRILL], resolution="replacement")
    services.decide_return(number=request.number, approve=True, actor=staff)
    services.receive_return(
        number=request.number, actor=staff, lines=[{"position": 1, "received_quantity": 1, "outcome": "scrap"}]
    )
    done = services.complete_return(number=request.number, actor=staff)
    replacement = Order.objects.get(number=done.replacement_order_number)
    assert replacement.grand_total == Decimal("0.00") and replacement.status == lifecycle.PROCESSING
    assert [(line.sku, line.quantity) for line in replacement.lines.all()] == [("DRILL-1", 1)]


@pytest.mark.django_db
def test_rejection_and_cancellation(delivered_order, make_user, api_for, django_capture_on_commit_callbacks):
    customer = make_user()
    order, _ = delivered_order(customer)
    first = services.request_return(user=customer, order_number=order.number, lines=[DRILL], resolution="refund")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_return(number=first.number, approve=False, actor=make_user(staff=True), comment="used")
    assert any("rejected" in message.subject for message in mail.outbox)
    second = services.request_return(user=customer, order_number=order.number, lines=[DRILL], resolution="refund")
    assert api_for(customer).call("post", f"/returns/{second.number}/cancel").json()["status"] == "cancelled"
    assert_problem(api_for(customer).call("post", f"/returns/{second.number}/decision", {"approve": True}), 403)
    assert_problem(api_for(make_user()).call("get", f"/returns/{second.number}"), 404)


@pytest.mark.django_db(transaction=True)
def test_a_restocked_return_goes_back_on_hand_through_the_inventory_ledger(delivered_order, make_user, channels):
    """Across domains: the return's receipt reaches inventory through the outbox (return.received)."""
    from handel.inventory import queries as inventory_queries
    from handel.inventory import services as inventory_services

    staff = make_user(staff=True)
    inventory_services.create_source(
        actor=staff, code="rotterdam", name="Rotterdam", country="NL", channel_codes=["b2c"]
    )
    inventory_services.record_movement(actor=staff, kind="receipt", source_code="rotterdam", sku="DRILL-1", quantity=5)
    customer = make_user()
    order, payment = delivered_order(customer)
    request = services.request_return(user=customer, order_number=order.number, lines=[DRILL], resolution="refund")
    services.decide_return(number=request.number, approve=True, actor=staff)
    services.receive_return(
        number=request.number,
        actor=staff,
        lines=[{"position": 1, "received_quantity": 1, "outcome": "restock", "source_code": "rotterdam"}],
    )
    assert inventory_queries.salable_quantities(["DRILL-1"], "b2c") == {"DRILL-1": 6}
    assert inventory_queries.movements().filter(kind="return", reference=request.number).count() == 1
    assert inventory_queries.verify_ledger() == []
    services.complete_return(number=request.number, actor=staff)
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("60.50")
