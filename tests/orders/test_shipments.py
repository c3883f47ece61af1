from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core import mail

from handel.channels.models import Channel
from handel.core.models import OutboxEvent
from handel.core.tokens import SCOPES
from handel.orders import lifecycle, services
from handel.orders.models import Invoice, Order, Shipment
from handel.orders.services.shipments import sign_carrier_payload
from tests.conftest import ApiClient, assert_problem


@pytest.fixture
def paid_order(place, make_user):
    def make(**overrides):
        order = place(**overrides)
        services.transition_order(number=order.number, to=lifecycle.PROCESSING, actor=None, reason="paid")
        return Order.objects.get(pk=order.pk)

    return make


@pytest.mark.django_db(transaction=True)
def test_partial_shipments_move_the_order_and_tell_the_customer(paid_order, channels):
    order = paid_order()
    first = services.create_shipment(
        order_number=order.number, source_code="rotterdam", carrier="postnl", lines=[(1, 1)], tracking_number="3SABC123"
    )
    assert first.number == "SHP-000001" and first.status == "label_created"
    services.update_shipment_status(number=first.number, status="in_transit", location="Rotterdam hub")
    order.refresh_from_db()
    assert order.status == lifecycle.PARTIALLY_SHIPPED
    shipped = OutboxEvent.objects.get(name="shipment.shipped")
    assert shipped.payload == {
        "reference": order.number,
        "shipment": first.number,
        "source_code": "rotterdam",
        "lines": [["DRILL-1", 1]],
    }
    rest = services.create_shipment(order_number=order.number, source_code="venlo", carrier="dhl")
    assert sorted((line.position, line.quantity) for line in rest.lines.all()) == [(1, 1), (2, 1)]
    services.update_shipment_status(number=rest.number, status="in_transit")
    order.refresh_from_db()
    assert order.status == lifecycle.SHIPPED
    services.update_shipment_status(number=first.number, status="delivered")
    services.update_shipment_status(number=rest.number, status="delivered")
    order.refresh_from_db()
    assert order.status == lifecycle.DELIVERED
    assert any("delivered" in message.subject for message in mail.outbox)
    with pytest.raises(services.Conflict):
        services.update_shipment_status(number=first.number, status="in_transit")
    with pytest.raises(services.Conflict):
        services.create_shipment(order_number=order.number, source_code="venlo", carrier="dhl")


@pytest.mark.django_db
def test_shipments_refuse_more_than_was_ordered(paid_order):
    order = paid_order()
    from handel.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        services.create_shipment(order_number=order.number, source_code="rotterdam", carrier="postnl", lines=[(1, 3)])
    assert refused.value.errors[0]["loc"] == ["body", "lines", 0, "quantity"]
    with pytest.raises(InvalidInput):
        services.create_shipment(order_number=order.number, source_code="rotterdam", carrier="pigeon")
    assert not Shipment.objects.exists()


def _webhook(client, carrier, body, signature=None):
    raw = json.dumps(body).encode()
    return client.call(
        "post",
        f"/shipments/webhooks/{carrier}",
        raw=raw,
        headers={"X-Carrier-Signature": signature or sign_carrier_payload(carrier, raw)},
    )


@pytest.mark.django_db
def test_carrier_webhooks_are_signed_and_counted_once(paid_order):
    order = paid_order()
    shipment = services.create_shipment(
        order_number=order.number, source_code="rotterdam", carrier="dhl", tracking_number="JD0001"
    )
    client = ApiClient()
    update = {
        "event_id": "e-1",
        "tracking_number": "JD0001",
        "status": "in_transit",
        "location": "Venlo",
        "occurred_at": "2026-11-26T10:00:00+00:00",
    }
    assert_problem(_webhook(client, "dhl", update, signature="t=1,v1=forged"), 422)
    for _ in range(2):
        assert _webhook(client, "dhl", update).json() == {"shipment": shipment.number, "status": "in_transit"}
    assert shipment.events.filter(status="in_transit").count() == 1
    assert_problem(_webhook(client, "dhl", {**update, "event_id": "e-2", "tracking_number": "NOPE"}), 404)
    assert_problem(_webhook(client, "dhl", {**update, "event_id": "e-3", "status": "teleported"}), 422)


@pytest.mark.django_db
def test_invoicing_at_shipment_invoices_what_left_and_adds_up(paid_order, channels):
    Channel.objects.filter(code="b2c").update(invoice_on="shipment")
    from handel.channels.queries import forget_cached_channels

    forget_cached_channels()
    order = paid_order()
    first = services.create_shipment(order_number=order.number, source_code="a", carrier="own", lines=[(1, 1)])
    services.update_shipment_status(number=first.number, status="in_transit")
    second = services.create_shipment(order_number=order.number, source_code="a", carrier="own")
    services.update_shipment_status(number=second.number, status="in_transit")
    invoices = list(Invoice.objects.filter(order=order).order_by("id"))
    assert len(invoices) == 2
    assert sum((invoice.total_gross for invoice in invoices), Decimal(0)) == order.grand_total
    assert [line.sku for line in invoices[0].lines.all()] == ["DRILL-1", "SHIPPING"]


@pytest.mark.django_db
def test_customers_track_their_own_shipments_only(paid_order, make_user, api_for):
    owner, stranger = make_user(), make_user()
    order = paid_order(customer_id=owner.pk)
    shipment = services.create_shipment(
        order_number=order.number, source_code="rotterdam", carrier="postnl", tracking_number="3SXYZ"
    )
    body = api_for(owner).call("get", f"/shipments/{shipment.number}").json()
    assert body["tracking_url"] == "https://jouw.postnl.nl/track-and-trace/3SXYZ-NL-1012LG"
    assert api_for(owner).call("get", "/shipments").json()["meta"]["total"] == 1
    assert_problem(api_for(stranger).call("get", f"/shipments/{shipment.number}"), 404)
    assert api_for(stranger).call("get", "/shipments").json()["meta"]["total"] == 0
    staff = api_for(make_user(superuser=True), scopes=tuple(SCOPES))
    moved = staff.call("post", f"/shipments/{shipment.number}/status", {"status": "in_transit", "location": "Hub"})
    assert moved.status_code == 200 and moved.json()["events"][-1]["location"] == "Hub"
    assert_problem(api_for(owner).call("post", f"/shipments/{shipment.number}/status", {"status": "delivered"}), 403)
