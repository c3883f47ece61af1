"""Allocation: pure functions, no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handel.inventory.allocation import SourceCandidate, allocate, postcode_distance
from handel.inventory.errors import OutOfStock


def source(code, country="NL", postcode="3000", priority=10, ships=True, pickup=False, **available):
    return SourceCandidate(
        code=code,
        country=country,
        postal_code=postcode,
        priority=priority,
        ships=ships,
        pickup=pickup,
        available={sku.upper(): qty for sku, qty in available.items()},
    )


ROTTERDAM = dict(country="NL", postcode="3087 BM")
VENLO = dict(country="NL", postcode="5928 PR")
ANTWERP = dict(country="BE", postcode="2030", priority=20)


def test_one_source_serves_everything_when_it_can():
    sources = [source("rotterdam", **ROTTERDAM, a=5, b=5), source("venlo", **VENLO, a=5, b=5)]
    allocation = allocate([("A", 2), ("B", 1)], sources, ship_to_country="NL", ship_to_postcode="3011 AD")
    assert not allocation.is_split
    assert allocation.shipments[0].source_code == "rotterdam"
    assert allocation.shipments[0].lines == (("A", 2), ("B", 1))


def test_the_nearest_postcode_wins_between_equal_priorities():
    sources = [source("rotterdam", **ROTTERDAM, a=5), source("venlo", **VENLO, a=5)]
    to_eindhoven = allocate([("A", 1)], sources, ship_to_country="NL", ship_to_postcode="5611 AB")
    to_delft = allocate([("A", 1)], sources, ship_to_country="NL", ship_to_postcode="2611 AA")
    assert to_eindhoven.shipments[0].source_code == "venlo"
    assert to_delft.shipments[0].source_code == "rotterdam"


def test_a_source_in_the_delivery_country_comes_first():
    sources = [source("rotterdam", **ROTTERDAM, a=5), source("antwerp", **ANTWERP, a=5)]
    assert (
        allocate([("A", 1)], sources, ship_to_country="BE", ship_to_postcode="9000").shipments[0].source_code
        == "antwerp"
    )
    assert allocate([("A", 1)], sources, ship_to_country="NL").shipments[0].source_code == "rotterdam"


def test_priority_decides_within_a_country():
    sources = [source("second", priority=20, postcode="3000", a=5), source("first", priority=5, postcode="9999", a=5)]
    assert (
        allocate([("A", 1)], sources, ship_to_country="NL", ship_to_postcode="3000").shipments[0].source_code == "first"
    )


def test_stock_beats_nearness_when_the_near_source_cannot_serve_all_lines():
    sources = [source("rotterdam", **ROTTERDAM, a=5, b=0), source("venlo", **VENLO, a=5, b=5)]
    allocation = allocate([("A", 1), ("B", 1)], sources, ship_to_country="NL", ship_to_postcode="3011")
    assert [s.source_code for s in allocation.shipments] == ["venlo"]


def test_split_when_no_single_source_can_serve_all_lines():
    sources = [source("rotterdam", **ROTTERDAM, a=5, b=0), source("venlo", **VENLO, a=0, b=5)]
    allocation = allocate([("A", 2), ("B", 3)], sources, ship_to_country="NL", ship_to_postcode="3011")
    assert allocation.is_split
    assert allocation.quantities() == {("rotterdam", "A"): 2, ("venlo", "B"): 3}


def test_one_line_split_over_sources_when_none_holds_enough():
    sources = [source("rotterdam", **ROTTERDAM, a=3), source("venlo", **VENLO, a=3), source("antwerp", **ANTWERP, a=3)]
    allocation = allocate([("A", 7)], sources, ship_to_country="NL", ship_to_postcode="3011")
    assert allocation.quantities() == {("rotterdam", "A"): 3, ("venlo", "A"): 3, ("antwerp", "A"): 1}


def test_stores_that_only_offer_pickup_never_ship():
    sources = [source("store", pickup=True, ships=False, a=10), source("rotterdam", **ROTTERDAM, a=1)]
    with pytest.raises(OutOfStock) as refused:
        allocate([("A", 2)], sources, ship_to_country="NL")
    assert refused.value.shortages == {"A": (2, 1)}


def test_pickup_comes_from_the_chosen_store_only():
    sources = [source("store", pickup=True, ships=False, a=3), source("rotterdam", **ROTTERDAM, a=100)]
    allocation = allocate([("A", 3)], sources, pickup_source_code="store")
    assert allocation.quantities() == {("store", "A"): 3}
    with pytest.raises(OutOfStock):
        allocate([("A", 4)], sources, pickup_source_code="store")


def test_shortage_names_every_short_sku():
    with pytest.raises(OutOfStock) as refused:
        allocate([("A", 2), ("B", 1), ("C", 1)], [source("x", a=1, b=1)])
    assert refused.value.shortages == {"A": (2, 1), "C": (1, 0)}
    assert refused.value.slug == "out-of-stock"


def test_negative_availability_counts_as_nothing():
    with pytest.raises(OutOfStock):
        allocate([("A", 2)], [source("x", a=-3), source("y", a=1)])


def test_postcode_distance():
    assert postcode_distance("3011 AD", "3012 EL") == 1
    assert postcode_distance("1012", "5928") == 4916
    assert postcode_distance("", "3000") > 10**6


@given(
    stock=st.lists(st.lists(st.integers(0, 6), min_size=3, max_size=3), min_size=1, max_size=4),
    wanted=st.lists(st.integers(1, 8), min_size=3, max_size=3),
)
def test_allocation_serves_exactly_what_is_asked_and_never_more_than_a_source_holds(stock, wanted):
    skus = ["A", "B", "C"]
    sources = [
        SourceCandidate(
            code=f"s{i}",
            country="NL",
            postal_code=f"{1000 + i * 1000}",
            priority=i,
            ships=True,
            pickup=False,
            available=dict(zip(skus, row, strict=True)),
        )
        for i, row in enumerate(stock)
    ]
    lines = list(zip(skus, wanted, strict=True))
    try:
        allocation = allocate(lines, sources, ship_to_country="NL", ship_to_postcode="2500")
    except OutOfStock as refused:
        assert any(sum(row[i] for row in stock) < wanted[i] for i in range(3))
        assert set(refused.shortages) == {sku for i, sku in enumerate(skus) if sum(r[i] for r in stock) < wanted[i]}
        return
    quantities = allocation.quantities()
    for i, sku in enumerate(skus):
        assert sum(q for (_, s), q in quantities.items() if s == sku) == wanted[i]
    for index, row in enumerate(stock):
        for i, sku in enumerate(skus):
            assert quantities.get((f"s{index}", sku), 0) <= row[i]
    assert len({s.source_code for s in allocation.shipments}) == len(allocation.shipments)
