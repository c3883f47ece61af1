"""One reservation for an order shipped to several addresses: each destination allocated from the
sources nearest to it, out of one pool of stock, in one transaction; never oversold."""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connections

from handel.core.errors import DomainError, InvalidInput
from handel.inventory import queries, services
from handel.inventory.allocation import Destination, SourceCandidate, allocate_destinations
from handel.inventory.errors import OutOfStock
from handel.inventory.models import Reservation, ReservationLine, StockItem
from tests.inventory.conftest import set_stock

pytestmark = pytest.mark.django_db


def source(code: str, country: str, postal_code: str, priority: int = 10, **available: int) -> SourceCandidate:
    return SourceCandidate(code, country, postal_code, priority, ships=True, pickup=False, available=available)


def test_each_destination_takes_from_the_nearest_source_and_leaves_the_rest():
    sources = [source("rotterdam", "NL", "3087", A=3, B=1), source("antwerp", "BE", "2030", A=2, B=5)]
    allocation = allocate_destinations(
        [
            Destination("", (("A", 2),), "NL", "2611"),
            Destination("gent", (("A", 2), ("B", 1)), "BE", "9000"),
            Destination("delft", (("A", 1),), "NL", "2611"),
        ],
        sources,
    )
    assert [(s.destination, s.source_code, s.lines) for s in allocation.shipments] == [
        ("", "rotterdam", (("A", 2),)),
        ("gent", "antwerp", (("A", 2), ("B", 1))),
        ("delft", "rotterdam", (("A", 1),)),  # the last A nearby
    ]
    assert allocation.quantities() == {("rotterdam", "A"): 3, ("antwerp", "A"): 2, ("antwerp", "B"): 1}


def test_a_destination_falls_back_to_what_the_ones_before_it_left():
    sources = [source("rotterdam", "NL", "3087", A=2), source("antwerp", "BE", "2030", A=2)]
    allocation = allocate_destinations(
        [Destination("", (("A", 1),), "NL", "3011"), Destination("office", (("A", 2),), "NL", "3011")], sources
    )
    assert [(s.destination, s.source_code, s.lines) for s in allocation.shipments] == [
        ("", "rotterdam", (("A", 1),)),
        ("office", "antwerp", (("A", 2),)),  # antwerp serves both units: one shipment, not two
    ]


def test_the_shortage_is_counted_over_every_destination():
    sources = [source("rotterdam", "NL", "3087", A=2), source("antwerp", "BE", "2030", A=2)]
    with pytest.raises(OutOfStock) as refused:
        allocate_destinations(
            [Destination("", (("A", 2),), "NL", "3011"), Destination("gent", (("A", 3),), "BE", "9000")], sources
        )
    assert refused.value.shortages == {"A": (5, 4)}


def held(reference: str) -> list[tuple[str, str, str, int]]:
    return sorted(
        (line.destination, line.sku, line.source.code, line.quantity)
        for line in ReservationLine.objects.filter(
            reservation__reference=reference, reservation__status="active"
        ).select_related("source")
    )


def test_reserving_per_destination_holds_each_near_its_address(sources):
    set_stock("CHAIR", "rotterdam", 5)
    set_stock("CHAIR", "antwerp", 5)
    result = services.reserve_stock(
        reference="ORD-1",
        channel_code="b2c",
        destinations=[
            services.Destination("", (("CHAIR", 2),), "NL", "3011"),
            services.Destination("gent", (("CHAIR", 1), ("CHAIR", 2)), "BE", "9000"),
        ],
    )
    assert [(s.destination, s.source_code, s.lines) for s in result.allocation.shipments] == [
        ("", "rotterdam", (("CHAIR", 2),)),
        ("gent", "antwerp", (("CHAIR", 3),)),
    ]
    assert held("ORD-1") == [("", "CHAIR", "rotterdam", 2), ("gent", "CHAIR", "antwerp", 3)]
    stored = Reservation.objects.get(reference="ORD-1")
    assert (stored.ship_to_country, stored.ship_to_postcode) == ("NL", "3011")
    # What the reservation reads back says the same, destination by destination.
    again = queries.reservation_result(stored, list(stored.lines.select_related("source")))
    assert again.allocation.shipments == result.allocation.shipments
    assert queries.verify_ledger() == []


def test_the_same_destinations_again_keep_the_hold_and_moved_lines_take_a_new_one(sources):
    set_stock("CHAIR", "rotterdam", 5)
    set_stock("CHAIR", "antwerp", 5)
    first = [
        services.Destination("", (("CHAIR", 2),), "NL", "3011"),
        services.Destination("gent", (("CHAIR", 1),), "BE", "9000"),
    ]
    services.reserve_stock(reference="ORD-1", channel_code="b2c", destinations=first)
    services.reserve_stock(reference="ORD-1", channel_code="b2c", destinations=first)
    assert Reservation.objects.filter(reference="ORD-1").count() == 1
    # The same units, but all of them to Gent now: the hold is taken again, near Gent.
    moved = [services.Destination("gent", (("CHAIR", 3),), "BE", "9000")]
    services.reserve_stock(reference="ORD-1", channel_code="b2c", destinations=moved)
    assert held("ORD-1") == [("gent", "CHAIR", "antwerp", 3)]
    assert sorted(Reservation.objects.filter(reference="ORD-1").values_list("status", flat=True)) == [
        "active",
        "released",
    ]
    assert StockItem.objects.get(sku="CHAIR", source__code="rotterdam").reserved == 0
    assert queries.verify_ledger() == []


def test_bad_destinations_are_refused_and_change_nothing(sources):
    set_stock("CHAIR", "rotterdam", 5)
    nl = services.Destination("", (("CHAIR", 1),), "NL", "3011")
    with pytest.raises(InvalidInput) as refused:
        services.reserve_stock(
            reference="ORD-1",
            channel_code="b2c",
            destinations=[nl, services.Destination("gent", (("CHAIR", 0),), "BE", "9000")],
        )
    assert refused.value.errors[0]["loc"] == ["body", "destinations", 1, "lines", 0, "quantity"]
    with pytest.raises(InvalidInput):
        services.reserve_stock(reference="ORD-1", channel_code="b2c", destinations=[nl, nl])
    with pytest.raises(InvalidInput):
        services.reserve_stock(reference="ORD-1", channel_code="b2c", destinations=[])
    with pytest.raises(InvalidInput):  # a pickup is collected in one place
        services.reserve_stock(
            reference="ORD-1",
            channel_code="b2c",
            destinations=[nl, services.Destination("gent", (("CHAIR", 1),), "BE", "9000")],
            pickup_source_code="amsterdam-store",
        )
    with pytest.raises(ValueError):
        services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 1)], destinations=[nl])
    assert not Reservation.objects.exists()
    assert StockItem.objects.get(sku="CHAIR", source__code="rotterdam").reserved == 0


def test_releasing_gives_back_every_destination(sources):
    set_stock("CHAIR", "rotterdam", 5)
    set_stock("CHAIR", "antwerp", 5)
    services.reserve_stock(
        reference="ORD-1",
        channel_code="b2c",
        destinations=[
            services.Destination("", (("CHAIR", 2),), "NL", "3011"),
            services.Destination("gent", (("CHAIR", 1),), "BE", "9000"),
        ],
    )
    services.release_reservation(reference="ORD-1")
    assert sum(StockItem.objects.values_list("reserved", flat=True)) == 0
    assert queries.verify_ledger() == []


BUYERS = 10
UNITS = 5


def _buy(queue: multiprocessing.Queue, index: int) -> None:
    connections.close_all()
    # Half the buyers send the chair home and the table to Belgium, half the other way round, so
    # their stock rows overlap in both orders: the rows are locked in one id-ordered statement.
    home, away = (("CHAIR", 1),), (("TABLE", 1),)
    if index % 2:
        home, away = away, home
    try:
        services.reserve_stock(
            reference=f"ORD-{index:03d}",
            channel_code="b2c",
            destinations=[
                services.Destination("", home, "NL", "3011"),
                services.Destination("gent", away, "BE", "9000"),
            ],
        )
        queue.put("reserved")
    except DomainError as exc:
        queue.put(f"refused: {exc.slug}")
    except Exception as exc:  # report, never hang the parent
        queue.put(f"error: {type(exc).__name__}: {exc}")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_parallel_multi_destination_buyers_never_oversell(sources):
    set_stock("CHAIR", "rotterdam", 3)
    set_stock("CHAIR", "antwerp", 2)
    set_stock("TABLE", "venlo", 2)
    set_stock("TABLE", "antwerp", 3)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    buyers = [context.Process(target=_buy, args=(queue, index)) for index in range(BUYERS)]
    for buyer in buyers:
        buyer.start()
    outcomes = [queue.get(timeout=180) for _ in buyers]
    for buyer in buyers:
        buyer.join(timeout=60)
        assert buyer.exitcode == 0
    assert outcomes.count("reserved") == UNITS, outcomes
    assert all(outcome in ("reserved", "refused: out-of-stock") for outcome in outcomes), outcomes
    assert queries.salable_quantities(["CHAIR", "TABLE"], "b2c") == {"CHAIR": 0, "TABLE": 0}
    assert Reservation.objects.filter(status="active").count() == UNITS
    assert queries.verify_ledger() == []
