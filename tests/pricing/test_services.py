"""Pricing write use cases: validation, audit, coupon generation and export, usage limits, the
dynamic price change log and rule previews."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from handel.channels.models import Channel
from handel.core.errors import Conflict, InvalidInput, NotFound
from handel.core.models import AuditEntry
from handel.pricing import services
from handel.pricing.models import Coupon, PriceChangeLog, PriceListEntry
from handel.pricing.previews import preview_rule

D = Decimal


def test_price_list_validation(pricing):
    with pytest.raises(Conflict):
        services.create_price_list(actor=None, code="dealer", name="Again", currency="EUR")
    with pytest.raises(InvalidInput):
        services.create_price_list(actor=None, code="x", name="X", currency="ABC")
    with pytest.raises(InvalidInput):
        services.create_price_list(actor=None, code="x", name="X", currency="USD", parent="b2c-base")
    with pytest.raises(InvalidInput):
        services.create_price_list(
            actor=None, code="x", name="X", currency="EUR", assignments=[{"kind": "planet", "key": "mars"}]
        )
    with pytest.raises(InvalidInput):  # a cycle: base derives from dealer, which derives from base
        services.update_price_list(actor=None, code="b2c-base", changes={"parent": "dealer"})
    with pytest.raises(Conflict):
        services.delete_price_list(actor=None, code="b2c-base")


def test_setting_entries_replaces_a_skus_tiers_and_is_audited(pricing):
    services.set_price_entries(
        actor=None,
        price_list_code="b2c-base",
        entries=[services.EntryInput("A", D("11.00")), services.EntryInput("A", D("8.00"), 50)],
    )
    assert list(
        PriceListEntry.objects.filter(price_list__code="b2c-base", sku="A").values_list("min_quantity", "unit_price")
    ) == [(1, D("11.00")), (50, D("8.00"))]
    services.set_price_entries(
        actor=None, price_list_code="b2c-base", replace_skus=False, entries=[services.EntryInput("A", D("10.50"))]
    )
    assert list(
        PriceListEntry.objects.filter(price_list__code="b2c-base", sku="A").values_list("min_quantity", "unit_price")
    ) == [(1, D("10.50")), (50, D("8.00"))]
    assert AuditEntry.objects.filter(action="price_list.entries_set").count() >= 3
    with pytest.raises(InvalidInput):
        services.set_price_entries(
            actor=None,
            price_list_code="b2c-base",
            entries=[services.EntryInput("A", D("1")), services.EntryInput("A", D("2"))],
        )
    with pytest.raises(NotFound):
        services.set_price_entries(actor=None, price_list_code="nope", entries=[services.EntryInput("A", D("1"))])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "stock"}, "stock_below"),
        ({"kind": "demand"}, "min_sell_through_percent"),
        ({"kind": "time"}, "time_from"),
        ({"adjustment_value": D("-100")}, "adjustment_value"),
        ({"weekdays": [7]}, "weekdays"),
        ({"starts_at": timezone.now(), "ends_at": timezone.now() - timedelta(days=1)}, "ends_at"),
    ],
)
def test_rule_validation(db, fields, field):
    with pytest.raises(InvalidInput) as raised:
        services.create_rule(actor=None, code="bad", fields={"name": "Bad", "adjustment_value": D("-10"), **fields})
    assert field in str(raised.value.errors)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"action": "percent_off_cart", "value": D("120")}, "value"),
        ({"action": "amount_off_cart", "value": D("0")}, "value"),
        ({"action": "buy_x_get_y"}, "buy_quantity"),
        ({"action": "tiered_spend", "tiers": []}, "tiers"),
        ({"action": "free_gift"}, "gift_sku"),
    ],
)
def test_promotion_validation(db, fields, field):
    with pytest.raises(InvalidInput) as raised:
        services.create_promotion(actor=None, code="bad", fields={"name": "Bad", **fields})
    assert field in str(raised.value.errors)


def test_ten_thousand_unique_coupons_in_one_go_and_csv_export(db):
    services.create_promotion(
        actor=None, code="mail", fields={"name": "Mailing", "action": "percent_off_cart", "value": D("5")}
    )
    batch = services.generate_coupons(actor=None, promotion_code="mail", quantity=10_000, prefix="XMAS-")
    codes = list(Coupon.objects.filter(batch=batch).values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 10_000
    assert all(code.startswith("XMAS-") and len(code) == 15 for code in codes)
    rows = list(
        csv.reader(
            io.StringIO("".join(services.coupons_csv(Coupon.objects.filter(batch=batch).select_related("promotion"))))
        )
    )
    assert rows[0][0] == "code" and len(rows) == 10_001
    assert {row[0] for row in rows[1:]} == set(codes)
    second = services.generate_coupons(actor=None, promotion_code="mail", quantity=100, prefix="XMAS-")
    assert Coupon.objects.filter(batch=second).count() == 100
    assert Coupon.objects.count() == 10_100


def test_coupon_codes_are_unique_and_normalised(db):
    services.create_promotion(actor=None, code="p", fields={"name": "P", "action": "percent_off_cart", "value": D("5")})
    coupon = services.create_coupon(actor=None, promotion_code="p", code=" summer ")
    assert coupon.code == "SUMMER"
    with pytest.raises(Conflict):
        services.create_coupon(actor=None, promotion_code="p", code="Summer")
    with pytest.raises(InvalidInput):
        services.create_coupon(actor=None, promotion_code="p", code="no spaces")


def record(code="p", coupon="", customer="c-1", order="ORD-1"):
    with transaction.atomic(durable=True):
        return services.record_promotion_usage(
            order_reference=order,
            customer_key=customer,
            used=[services.UsedPromotion(promotion_code=code, coupon_code=coupon)],
        )


def test_usage_limits_per_promotion_customer_and_coupon(db):
    services.create_promotion(
        actor=None,
        code="p",
        fields={
            "name": "P",
            "action": "percent_off_cart",
            "value": D("5"),
            "usage_limit": 3,
            "usage_limit_per_customer": 2,
        },
    )
    services.create_coupon(actor=None, promotion_code="p", code="TWICE", usage_limit=2)
    record(coupon="TWICE", order="1")
    record(coupon="TWICE", customer="c-2", order="2")
    with pytest.raises(Conflict, match="coupon"):
        record(coupon="TWICE", customer="c-3", order="3")
    record(customer="c-1", order="4")
    with pytest.raises(Conflict, match="used up"):
        record(customer="c-4", order="5")  # the promotion's limit of 3
    services.update_promotion(actor=None, code="p", changes={"usage_limit": None})
    with pytest.raises(Conflict, match="already"):
        record(customer="c-1", order="6")  # c-1 used it twice
    with pytest.raises(Conflict, match="recorded"):
        record(customer="c-9", order="4")  # the same order twice


def test_dynamic_price_changes_are_logged_with_their_reason(pricing):
    services.create_rule(
        actor=None,
        code="scarce",
        fields={
            "name": "Scarce",
            "kind": "stock",
            "stock_below": 5,
            "adjustment_value": D("10"),
            "is_active": True,
            "channels": ["b2c"],
        },
    )
    from handel.inventory import services as inventory_services

    inventory_services.create_source(
        actor=None,
        code="main",
        name="Main",
        country="NL",
        postal_code="1000 AA",
        city="Amsterdam",
        channel_codes=["b2c"],
    )
    inventory_services.bulk_update_stock(
        actor=None,
        updates=[
            inventory_services.StockUpdate(sku="A", source_code="main", on_hand=2),
            inventory_services.StockUpdate(sku="B", source_code="main", on_hand=100),
        ],
    )
    assert services.log_dynamic_price_changes() == 1
    log = PriceChangeLog.objects.get()
    assert (log.sku, log.channel_code, log.old_price, log.new_price) == ("A", "b2c", D("10.00"), D("11.00"))
    assert log.rule_codes == ["scarce"] and "stock level 2" in log.reason
    assert services.log_dynamic_price_changes() == 0  # nothing changed since
    inventory_services.bulk_update_stock(
        actor=None, updates=[inventory_services.StockUpdate(sku="A", source_code="main", on_hand=50)]
    )
    assert services.log_dynamic_price_changes() == 1
    back = PriceChangeLog.objects.order_by("-id").first()
    assert (back.old_price, back.new_price, back.reason) == (D("11.00"), D("10.00"), "dynamic rules no longer apply")


def test_preview_shows_what_an_inactive_rule_would_change(pricing):
    services.create_rule(
        actor=None, code="b-sale", fields={"name": "B sale", "adjustment_value": D("-25"), "skus": ["B"]}
    )
    preview = preview_rule(code="b-sale", channel=Channel.objects.get(code="b2c"))
    assert preview.checked == 2
    assert [(c.sku, c.price_without_rule, c.price_with_rule) for c in preview.changes] == [
        ("B", D("20.00"), D("15.00"))
    ]
    dealer = preview_rule(code="b-sale", channel=Channel.objects.get(code="b2c"), customer_group="dealer")
    assert [(c.sku, c.price_without_rule, c.price_with_rule) for c in dealer.changes] == [("B", D("17.00"), D("12.75"))]
    with pytest.raises(NotFound):
        preview_rule(code="nope", channel=Channel.objects.get(code="b2c"))


def test_sold_units_from_orders_feed_the_demand_rules(db):
    from handel.pricing.models import DailySales

    services.on_products_sold({"units": {"A": 3, "B": 0}})
    services.on_products_sold({"units": {"A": 2}})
    services.on_products_sold({})
    assert list(DailySales.objects.values_list("sku", "units")) == [("A", 5)]
