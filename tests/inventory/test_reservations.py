"""Reservations: taken, re-taken, released, expired, shipped; the ledger balances throughout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from handel.core import jobs
from handel.core.errors import InvalidInput, NotFound
from handel.inventory import queries, services
from handel.inventory.errors import OutOfStock
from handel.inventory.models import Reservation, StockItem, StockMovement
from tests.inventory.conftest import set_stock

pytestmark = pytest.mark.django_db


def item(sku, source):
    return StockItem.objects.get(sku=sku, source__code=source)


def test_reserving_holds_stock_and_allocates_the_nearest_source(sources):
    set_stock("CHAIR", "rotterdam", 5)
    set_stock("CHAIR", "venlo", 5)
    result = services.reserve_stock(
        reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 2)], ship_to_country="NL", ship_to_postcode="5611 AB"
    )
    assert result.allocation.quantities() == {("venlo", "CHAIR"): 2}
    assert item("CHAIR", "venlo").reserved == 2
    assert queries.salable_quantities(["CHAIR"], "b2c") == {"CHAIR": 8}
    assert queries.verify_ledger() == []


def test_safety_stock_is_never_sold(sources):
    set_stock("CHAIR", "rotterdam", 5, safety_stock=3)
    with pytest.raises(OutOfStock):
        services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 3)])
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 2)])
    assert queries.salable_quantities(["CHAIR"], "b2c") == {"CHAIR": 0}


def test_a_channel_sells_only_from_its_own_sources(sources):
    set_stock("CHAIR", "rotterdam-store", 5)
    with pytest.raises(OutOfStock):
        services.reserve_stock(reference="ORD-1", channel_code="b2b", lines=[("CHAIR", 1)])
    assert queries.salable_quantities(["CHAIR"], "b2b") == {"CHAIR": 0}
    assert queries.salable_quantities(["CHAIR"], "b2c") == {"CHAIR": 5}


def test_split_across_sources_is_recorded_line_by_line(sources):
    set_stock("CHAIR", "rotterdam", 1)
    set_stock("TABLE", "venlo", 1)
    result = services.reserve_stock(
        reference="ORD-1",
        channel_code="b2b",
        lines=[("CHAIR", 1), ("TABLE", 1)],
        ship_to_country="NL",
        ship_to_postcode="3011",
    )
    assert result.allocation.is_split
    stored = queries.reservation("ORD-1")
    assert sorted((line.sku, line.source.code, line.quantity) for line in stored.lines.all()) == [
        ("CHAIR", "rotterdam", 1),
        ("TABLE", "venlo", 1),
    ]


def test_pickup_reserves_at_the_chosen_store(sources):
    set_stock("CHAIR", "rotterdam", 50)
    set_stock("CHAIR", "amsterdam-store", 2)
    result = services.reserve_stock(
        reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 2)], pickup_source_code="amsterdam-store"
    )
    assert result.allocation.quantities() == {("amsterdam-store", "CHAIR"): 2}
    with pytest.raises(InvalidInput):
        services.reserve_stock(
            reference="ORD-2", channel_code="b2c", lines=[("CHAIR", 1)], pickup_source_code="rotterdam"
        )


def test_out_of_stock_reserves_nothing_at_all(sources):
    set_stock("CHAIR", "rotterdam", 5)
    with pytest.raises(OutOfStock) as refused:
        services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 2), ("TABLE", 1)])
    assert refused.value.shortages == {"TABLE": (1, 0)}
    assert item("CHAIR", "rotterdam").reserved == 0
    assert not Reservation.objects.exists()


def test_bad_lines_are_refused(sources):
    for lines in ([], [("", 1)], [("CHAIR", 0)], [("CHAIR", -1)]):
        with pytest.raises(InvalidInput):
            services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=lines)
    with pytest.raises(InvalidInput):
        services.reserve_stock(reference="ORD-1", channel_code="nope", lines=[("CHAIR", 1)])


def test_the_same_reference_twice_holds_once(sources):
    set_stock("CHAIR", "rotterdam", 5)
    services.reserve_stock(
        reference="CART-1", channel_code="b2c", lines=[("CHAIR", 2)], expires_at=timezone.now() + timedelta(minutes=15)
    )
    again = services.reserve_stock(reference="CART-1", channel_code="b2c", lines=[("CHAIR", 2)])
    assert again.expires_at is None, "the checkout hold became an order hold"
    assert item("CHAIR", "rotterdam").reserved == 2
    changed = services.reserve_stock(reference="CART-1", channel_code="b2c", lines=[("CHAIR", 3)])
    assert changed.allocation.quantities() == {("rotterdam", "CHAIR"): 3}
    assert item("CHAIR", "rotterdam").reserved == 3
    assert Reservation.objects.filter(reference="CART-1", status="active").count() == 1
    assert queries.verify_ledger() == []


def test_release_gives_the_stock_back_and_is_idempotent(sources):
    set_stock("CHAIR", "rotterdam", 5)
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 5)])
    services.release_reservation(reference="ORD-1")
    services.release_reservation(reference="ORD-1")
    assert item("CHAIR", "rotterdam").reserved == 0
    assert Reservation.objects.get(reference="ORD-1").status == "released"
    with pytest.raises(NotFound):
        services.release_reservation(reference="ORD-404")
    assert queries.verify_ledger() == []


def test_shipping_deducts_stock_and_writes_the_ledger(sources):
    set_stock("CHAIR", "rotterdam", 5)
    set_stock("TABLE", "rotterdam", 5)
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 3), ("TABLE", 1)])
    partial = services.ship_reservation(reference="ORD-1", lines=[("CHAIR", 1)])
    assert partial.status == "active"
    chair = item("CHAIR", "rotterdam")
    assert (chair.on_hand, chair.reserved) == (4, 2)
    done = services.ship_reservation(reference="ORD-1")
    assert done.status == "shipped"
    chair, table = item("CHAIR", "rotterdam"), item("TABLE", "rotterdam")
    assert (chair.on_hand, chair.reserved, table.on_hand, table.reserved) == (2, 0, 4, 0)
    shipped = StockMovement.objects.filter(kind="shipment", reference="ORD-1")
    assert sorted(shipped.values_list("sku", "quantity")) == [("CHAIR", -2), ("CHAIR", -1), ("TABLE", -1)]
    with pytest.raises(NotFound):
        services.ship_reservation(reference="ORD-1")
    assert queries.verify_ledger() == []


def test_shipping_more_than_is_held_is_refused(sources):
    set_stock("CHAIR", "rotterdam", 5)
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 1)])
    with pytest.raises(InvalidInput):
        services.ship_reservation(reference="ORD-1", lines=[("CHAIR", 2)])
    assert item("CHAIR", "rotterdam").on_hand == 5


def test_expired_checkout_holds_are_released_by_the_periodic_job(sources):
    set_stock("CHAIR", "rotterdam", 5)
    services.reserve_stock(
        reference="CART-OLD", channel_code="b2c", lines=[("CHAIR", 2)], expires_at=timezone.now() + timedelta(minutes=1)
    )
    services.reserve_stock(
        reference="CART-NEW", channel_code="b2c", lines=[("CHAIR", 1)], expires_at=timezone.now() + timedelta(hours=1)
    )
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 1)])
    assert services.expire_reservations() == 0
    assert services.expire_reservations(now=timezone.now() + timedelta(minutes=5)) == 1
    assert Reservation.objects.get(reference="CART-OLD").status == "expired"
    assert item("CHAIR", "rotterdam").reserved == 2
    assert queries.verify_ledger() == []


def test_reservation_expiry_is_a_periodic_job(sources):
    set_stock("CHAIR", "rotterdam", 5)
    services.reserve_stock(
        reference="CART-1", channel_code="b2c", lines=[("CHAIR", 2)], expires_at=timezone.now() + timedelta(seconds=30)
    )
    Reservation.objects.filter(reference="CART-1").update(expires_at=timezone.now() - timedelta(seconds=1))
    jobs.run_job("expire_reservations")
    assert item("CHAIR", "rotterdam").reserved == 0


def test_an_expiry_in_the_past_is_refused(sources):
    set_stock("CHAIR", "rotterdam", 5)
    with pytest.raises(InvalidInput):
        services.reserve_stock(
            reference="CART-1",
            channel_code="b2c",
            lines=[("CHAIR", 1)],
            expires_at=timezone.now() - timedelta(seconds=1),
        )


def test_a_repeated_shipment_is_booked_once(sources):
    set_stock("CHAIR", "rotterdam", 5)
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 3)])
    for _ in range(2):
        services.ship_reservation(reference="ORD-1", lines=[("CHAIR", 1)], shipment_reference="PARCEL-1")
    assert item("CHAIR", "rotterdam").on_hand == 4
    for _ in range(2):
        done = services.ship_reservation(reference="ORD-1", shipment_reference="PARCEL-2")
    assert done.status == "shipped"
    chair = item("CHAIR", "rotterdam")
    assert (chair.on_hand, chair.reserved) == (2, 0)
    assert queries.verify_ledger() == []
