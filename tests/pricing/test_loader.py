"""The loader builds the context from the database (price lists, catalog facts, stock) in a fixed
number of queries; prices come out as the resolution order says."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from handel.channels.models import Channel
from handel.inventory import services as inventory_services
from handel.pricing import services
from handel.pricing.engine import price_cart, price_items
from handel.pricing.queries import Buyer, load_pricing_context

D = Decimal


def b2c() -> Channel:
    return Channel.objects.get(code="b2c")


def prices(context, *items):
    return [result.unit_price if result.found else None for result in price_items(context, list(items))]


def test_guest_gets_the_channel_base_list(pricing):
    context = load_pricing_context(channel=b2c(), skus=["A", "B", "Z"])
    assert prices(context, ("A", 1), ("A", 10), ("B", 1), ("Z", 1)) == [D("10.00"), D("9.00"), D("20.00"), None]
    assert context.tax.prices_shown_including_tax is True
    b2b = load_pricing_context(channel=Channel.objects.get(code="b2b"), skus=["A"])
    assert prices(b2b, ("A", 1)) == [D("8.00")]


def test_group_customer_and_company_lists(pricing, make_user):
    dealer = make_user(customer_group=pricing["dealer_group"])
    context = load_pricing_context(channel=b2c(), skus=["A"], customer=dealer)
    assert prices(context, ("A", 1), ("A", 10)) == [D("8.50"), D("7.65")]
    services.create_price_list(
        actor=None, code="acme", name="Acme contract", currency="EUR", assignments=[{"kind": "company", "key": "acme"}]
    )
    services.set_price_entries(actor=None, price_list_code="acme", entries=[services.EntryInput("A", D("9.50"))])
    company = load_pricing_context(channel=b2c(), skus=["A"], customer=dealer, buyer=Buyer(company_key="acme"))
    assert company.company_key == "acme"
    assert prices(company, ("A", 1)) == [D("9.50")]  # the company list is more specific than the group's
    services.create_price_list(
        actor=None,
        code="personal",
        name="Personal",
        currency="EUR",
        assignments=[{"kind": "customer", "key": str(dealer.public_id)}],
    )
    services.set_price_entries(actor=None, price_list_code="personal", entries=[services.EntryInput("A", D("9.90"))])
    personal = load_pricing_context(channel=b2c(), skus=["A"], customer=dealer, buyer=Buyer(company_key="acme"))
    assert prices(personal, ("A", 1)) == [D("9.90")]


def test_prices_entered_including_tax_per_channel(pricing):
    services.set_channel_pricing(actor=None, channel_code="b2c", prices_entered_including_tax=True)
    result = price_items(load_pricing_context(channel=b2c(), skus=["A"]), [("A", 1)])[0]
    assert (result.line.net, result.line.tax, result.line.gross) == (D("8.26"), D("1.74"), D("10.00"))
    assert result.unit_display == D("10.00")
    excl = price_items(load_pricing_context(channel=Channel.objects.get(code="b2b"), skus=["A"]), [("A", 1)])[0]
    assert (excl.line.net, excl.line.gross, excl.unit_display) == (D("8.00"), D("9.68"), D("8.00"))


def test_reverse_charge_for_an_eu_business_buyer(pricing):
    context = load_pricing_context(
        channel=Channel.objects.get(code="b2b"), skus=["A"], buyer=Buyer(country="DE", vat_number="DE123456789")
    )
    result = price_items(context, [("A", 2)])[0]
    assert result.line.reverse_charge and result.line.tax == 0 and result.line.gross == D("16.00")


def test_query_count_does_not_grow_with_the_number_of_skus(pricing, django_assert_max_num_queries):
    services.set_price_entries(
        actor=None,
        price_list_code="b2c-base",
        entries=[services.EntryInput(f"SKU-{index}", D("1.00") + index) for index in range(300)],
    )
    services.create_rule(
        actor=None, code="ten", fields={"name": "Ten", "adjustment_value": D("-10"), "is_active": True}
    )
    channel = b2c()
    with django_assert_max_num_queries(12) as few:
        load_pricing_context(channel=channel, skus=[f"SKU-{index}" for index in range(5)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        context = load_pricing_context(channel=channel, skus=[f"SKU-{index}" for index in range(300)])
    assert all(result.found for result in price_items(context, [(f"SKU-{i}", 1) for i in range(300)]))


def test_catalog_facts_drive_rules_guard_rails_and_tax(catalog_products):
    context = load_pricing_context(channel=b2c(), skus=["A", "B"])
    assert context.products["A"].category_paths == ("tools", "tools/drills")
    assert context.products["A"].cost_price == D("8.00")
    assert context.products["B"].tax_class == "reduced"
    services.create_rule(
        actor=None,
        code="tools-sale",
        fields={
            "name": "30% off tools",
            "adjustment_value": D("-30"),
            "category_paths": ["tools"],
            "is_active": True,
            "min_margin_percent": D("5"),
        },
    )
    context = load_pricing_context(channel=b2c(), skus=["A", "B"])
    drill, book = price_items(context, [("A", 1), ("B", 1)])
    assert drill.unit_price == D("8.40")  # 10.00 - 30% = 7.00, floored at cost 8.00 + 5%
    assert [step.kind for step in drill.explanation][-2:] == ["guard_rail", "tax"]
    assert book.unit_price == D("20.00") and book.line.rate == D("9")


def test_stock_rule_reads_inventory(pricing):
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
            inventory_services.StockUpdate(sku="A", source_code="main", on_hand=3),
            inventory_services.StockUpdate(sku="B", source_code="main", on_hand=300),
        ],
    )
    services.create_rule(
        actor=None,
        code="scarce",
        fields={"name": "Scarce", "kind": "stock", "stock_below": 5, "adjustment_value": D("10"), "is_active": True},
    )
    context = load_pricing_context(channel=b2c(), skus=["A", "B"])
    assert context.stock_levels == {"A": 3, "B": 300}
    assert prices(context, ("A", 1), ("B", 1)) == [D("11.00"), D("20.00")]


def test_demand_rule_reads_sell_through(pricing):
    today = timezone.localdate()
    services.record_sales(day=today - timedelta(days=1), units_by_sku={"A": 60, "B": 1})
    services.record_sales(day=today - timedelta(days=30), units_by_sku={"B": 500})  # outside the window
    services.create_rule(
        actor=None,
        code="hot",
        fields={
            "name": "Hot",
            "kind": "demand",
            "min_sell_through_percent": D("50"),
            "demand_window_days": 7,
            "adjustment_value": D("5"),
            "is_active": True,
        },
    )
    context = load_pricing_context(channel=b2c(), skus=["A", "B"], stock_levels={"A": 40, "B": 99})
    assert context.sell_through_percent == {"A": D("60.00"), "B": D("1.00")}
    assert prices(context, ("A", 1), ("B", 1)) == [D("10.50"), D("20.00")]
    assert isinstance(today, date)


def test_cart_with_promotions_and_coupons_from_the_database(pricing, make_user):
    services.create_promotion(
        actor=None, code="welcome", fields={"name": "Welcome", "action": "percent_off_cart", "value": D("10")}
    )
    services.create_coupon(actor=None, promotion_code="welcome", code="hello10")
    customer = make_user()
    context = load_pricing_context(
        channel=b2c(), skus=["A", "B"], customer=customer, with_promotions=True, coupon_codes=["HELLO10", "nope"]
    )
    cart = price_cart(context, [("A", 2), ("B", 1)], ["HELLO10", "nope"])
    assert cart.accepted_coupons == ("HELLO10",)
    assert cart.discount_total == D("4.00")
    assert cart.rejected_coupons == (("NOPE", "unknown coupon"),)
