"""Back-in-stock notices (once per subscription) and low-stock alerts, through the outbox and email."""

from __future__ import annotations

import pytest
from django.core import mail

from handel.core.models import OutboxEvent
from handel.inventory import services
from handel.inventory.models import BackInStockSubscription
from tests.inventory.conftest import set_stock

pytestmark = pytest.mark.django_db(transaction=True)


def test_back_in_stock_is_sent_once_when_stock_returns(sources):
    set_stock("CHAIR", "rotterdam", 1)
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 1)])
    services.subscribe_back_in_stock(sku="CHAIR", channel_code="b2c", email="Anna@Example.com")
    services.subscribe_back_in_stock(sku="CHAIR", channel_code="b2c", email="anna@example.com")
    assert BackInStockSubscription.objects.count() == 1
    mail.outbox.clear()

    services.release_reservation(reference="ORD-1")
    assert [message.to for message in mail.outbox] == [["anna@example.com"]]
    assert "CHAIR" in mail.outbox[0].subject

    services.reserve_stock(reference="ORD-2", channel_code="b2c", lines=[("CHAIR", 1)])
    services.release_reservation(reference="ORD-2")
    set_stock("CHAIR", "rotterdam", 20)
    assert len(mail.outbox) == 1, "a subscription is notified once"
    assert BackInStockSubscription.objects.get().notified_at is not None


def test_back_in_stock_waits_for_stock_in_the_subscribers_channel(sources):
    services.subscribe_back_in_stock(sku="CHAIR", channel_code="b2b", email="buyer@example.com")
    mail.outbox.clear()
    set_stock("CHAIR", "amsterdam-store", 5)  # a b2c-only store
    assert mail.outbox == []
    set_stock("CHAIR", "venlo", 5)
    assert [message.to for message in mail.outbox] == [["buyer@example.com"]]


def test_no_event_when_nobody_waits(sources):
    set_stock("CHAIR", "rotterdam", 5)
    assert not OutboxEvent.objects.filter(name="inventory.back_in_stock").exists()


def test_low_stock_alerts_staff_when_stock_crosses_the_threshold(sources, make_user):
    make_user("keeper@example.com", staff=True, perms=["inventory.change_stockitem"])
    make_user("boss@example.com", superuser=True)
    make_user("intern@example.com", staff=True)
    make_user("customer@example.com")
    set_stock("CHAIR", "rotterdam", 10)
    services.set_stock_policy(actor=None, sku="CHAIR", low_stock_threshold=5)
    mail.outbox.clear()
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 4)])
    assert mail.outbox == []
    services.reserve_stock(reference="ORD-2", channel_code="b2c", lines=[("CHAIR", 2)])
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["boss@example.com", "keeper@example.com"]
    assert "CHAIR at Rotterdam warehouse: 4 left" in mail.outbox[0].body
    services.reserve_stock(reference="ORD-3", channel_code="b2c", lines=[("CHAIR", 1)])
    assert len(mail.outbox) == 1, "alerted when crossing, not on every sale below"


def test_events_for_listings_and_search(sources):
    set_stock("CHAIR", "rotterdam", 1)
    assert OutboxEvent.objects.filter(name="inventory.availability_changed").latest("id").payload == {"skus": ["CHAIR"]}
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 1)])
    assert OutboxEvent.objects.filter(name="inventory.availability_changed").count() == 2
    services.ship_reservation(reference="ORD-1")
    assert OutboxEvent.objects.get(name="inventory.stock_shipped").payload == {
        "reference": "ORD-1",
        "shipment_reference": None,
        "lines": [["CHAIR", "rotterdam", 1]],
    }
