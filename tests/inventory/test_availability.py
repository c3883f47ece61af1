"""What a buyer is told: in stock, low stock, backorder with date, pre-order, out of stock, per store."""

from __future__ import annotations

from datetime import date

import pytest

from handel.inventory import queries, services
from tests.inventory.conftest import set_stock

pytestmark = pytest.mark.django_db


def test_states(sources):
    set_stock("PLENTY", "rotterdam", 50)
    set_stock("FEW", "venlo", 4)
    set_stock("KEPT-BACK", "venlo", 6, safety_stock=6)
    set_stock("LATER", "rotterdam", 0)
    services.set_stock_policy(actor=None, sku="LATER", allow_backorder=True, backorder_expected_on=date(2027, 1, 4))
    services.set_stock_policy(actor=None, sku="NEW", is_preorder=True, release_on=date(2027, 2, 1))
    found = queries.availability(["PLENTY", "FEW", "KEPT-BACK", "LATER", "NEW", "UNKNOWN"], channel_code="b2c")
    assert {sku: (info.state, info.salable, info.can_order) for sku, info in found.items()} == {
        "PLENTY": ("in_stock", 50, True),
        "FEW": ("low_stock", 4, True),
        "KEPT-BACK": ("out_of_stock", 0, False),
        "LATER": ("backorder", 0, True),
        "NEW": ("preorder", 0, True),
        "UNKNOWN": ("out_of_stock", 0, False),
    }
    assert found["LATER"].expected_on == date(2027, 1, 4)
    assert found["NEW"].expected_on == date(2027, 2, 1)


def test_the_low_stock_threshold_is_per_sku(sources):
    set_stock("CHAIR", "rotterdam", 20)
    services.set_stock_policy(actor=None, sku="CHAIR", low_stock_threshold=25)
    assert queries.availability(["CHAIR"], channel_code="b2c")["CHAIR"].state == "low_stock"


def test_reserved_units_are_not_available(sources):
    set_stock("CHAIR", "rotterdam", 6)
    services.reserve_stock(reference="ORD-1", channel_code="b2c", lines=[("CHAIR", 6)])
    assert queries.availability(["CHAIR"], channel_code="b2c")["CHAIR"].state == "out_of_stock"


def test_per_store_quantities_for_pickup(sources):
    set_stock("CHAIR", "rotterdam-store", 3)
    set_stock("CHAIR", "rotterdam", 40)
    stores = queries.availability(["CHAIR"], channel_code="b2c")["CHAIR"].stores
    assert [(s.source_code, s.quantity) for s in stores] == [("amsterdam-store", 0), ("rotterdam-store", 3)]
    assert stores[1].label == "3 at the Rotterdam store"
    assert queries.availability(["CHAIR"], channel_code="b2b")["CHAIR"].stores == ()


@pytest.mark.django_db(transaction=True)
def test_channel_changes_take_effect_at_once(sources):
    set_stock("CHAIR", "antwerp", 9)
    assert queries.salable_quantities(["CHAIR"], "b2b") == {"CHAIR": 9}
    services.set_channel_sources(actor=None, channel_code="b2b", source_codes=["rotterdam", "venlo"])
    assert queries.salable_quantities(["CHAIR"], "b2b") == {"CHAIR": 0}
    services.update_source(actor=None, code="antwerp", changes={"is_active": False})
    assert queries.salable_quantities(["CHAIR"], "b2c") == {"CHAIR": 0}


def test_availability_for_a_viewer_leaves_out_what_they_cannot_see(sources, publish):
    publish("SHOP-ONLY", channel_codes=("b2c",))
    publish("EVERYWHERE")
    set_stock("SHOP-ONLY", "rotterdam", 9)
    set_stock("HIDDEN", "rotterdam", 9)
    assert set(queries.availability_for_viewer(["SHOP-ONLY", "EVERYWHERE", "HIDDEN"], channel_code="b2c")) == {
        "SHOP-ONLY",
        "EVERYWHERE",
    }
    assert set(queries.availability_for_viewer(["SHOP-ONLY", "EVERYWHERE"], channel_code="b2b")) == {"EVERYWHERE"}


def test_availability_of_many_skus_takes_a_fixed_number_of_queries(sources, django_assert_max_num_queries):
    services.bulk_update_stock(
        actor=None,
        updates=[
            services.StockUpdate(sku=f"SKU-{n:04d}", source_code=code, on_hand=n % 7)
            for n in range(300)
            for code in ("rotterdam", "amsterdam-store")
        ],
    )
    queries.channel_sources("b2c")
    # stock, stock policies, and which of the SKUs are kits or downloads
    with django_assert_max_num_queries(3):
        found = queries.availability([f"SKU-{n:04d}" for n in range(300)], channel_code="b2c")
    assert found["SKU-0006"].salable == 12


def test_kits_are_as_available_as_their_scarcest_component_and_downloads_always(sources):
    from handel.catalog.models import KitComponent, Product

    drill = Product.objects.create(sku="DRILL", name="Drill", status=Product.Status.ACTIVE)
    battery = Product.objects.create(sku="BATTERY", name="Battery", status=Product.Status.ACTIVE)
    kit = Product.objects.create(sku="KIT", name="Drill kit", kind=Product.Kind.KIT, status=Product.Status.ACTIVE)
    KitComponent.objects.create(kit=kit, product=drill, quantity=1)
    KitComponent.objects.create(kit=kit, product=battery, quantity=2)
    Product.objects.create(sku="EBOOK", name="Manual", kind=Product.Kind.VIRTUAL, status=Product.Status.ACTIVE)
    set_stock("DRILL", "rotterdam", 10)
    set_stock("BATTERY", "rotterdam", 7)
    set_stock("DRILL", "venlo", 5)
    found = queries.availability(["KIT", "EBOOK"], channel_code="b2c")
    # 7 batteries make 3 kits at rotterdam; venlo has drills but no batteries
    assert (found["KIT"].state, found["KIT"].salable) == ("low_stock", 3)
    assert (found["EBOOK"].state, found["EBOOK"].can_order) == ("in_stock", True)
    set_stock("BATTERY", "rotterdam", 1)
    assert queries.availability(["KIT"], channel_code="b2c")["KIT"].state == "out_of_stock"
