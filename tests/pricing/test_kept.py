"""A process keeps price lists, rules, tax rates and product facts between pricing calls, and a
buyer still sees a change at once: whoever makes it, from whichever process, by whatever path."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from handel.catalog import services as catalog_services
from handel.channels.models import Channel
from handel.pricing import kept, services
from handel.pricing.engine import price_items
from handel.pricing.models import PriceListEntry, TaxRate
from handel.pricing.queries import load_pricing_context

D = Decimal


def price(sku: str, quantity: int = 1) -> Decimal | None:
    context = load_pricing_context(channel=Channel.objects.get(code="b2c"), skus=[sku])
    result = price_items(context, [(sku, quantity)])[0]
    return result.unit_price if result.found else None


def gross(sku: str) -> Decimal:
    context = load_pricing_context(channel=Channel.objects.get(code="b2c"), skus=[sku])
    return price_items(context, [(sku, 1)])[0].line.gross


@pytest.fixture
def drill(catalog_products):
    services.create_rule(
        actor=None,
        code="tools-sale",
        fields={
            "name": "15% off tools",
            "adjustment_value": D("-15"),
            "category_paths": ["tools"],
            "min_margin_percent": D("0"),
            "is_active": True,
        },
    )


def test_a_price_changed_through_the_service_shows_at_once(pricing):
    assert price("A") == D("10.00")
    services.set_price_entries(actor=None, price_list_code="b2c-base", entries=[services.EntryInput("A", D("12.00"))])
    assert price("A") == D("12.00")


def test_a_price_changed_behind_the_services_back_shows_at_once(pricing):
    assert price("A") == D("10.00")
    PriceListEntry.objects.filter(sku="A", min_quantity=1).update(unit_price=D("11.00"))
    assert price("A") == D("11.00")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pricing_pricelistentry WHERE sku = 'A'")
    assert price("A") is None


def test_rules_tax_rates_and_lists_switched_off_show_at_once(drill):
    assert price("A") == D("8.50")  # 10.00 - 15%
    services.update_rule(actor=None, code="tools-sale", changes={"is_active": False})
    assert price("A") == D("10.00")
    assert gross("A") == D("12.10")  # the b2c list is entered excluding tax, NL 21%
    TaxRate.objects.filter(country="NL", tax_class="standard").update(rate=D("10"))
    assert gross("A") == D("11.00")
    services.update_price_list(actor=None, code="b2c-base", changes={"is_active": False})
    assert price("A") is None


def test_catalog_changes_to_cost_and_categories_show_at_once(drill):
    assert price("A") == D("8.50")
    catalog_services.update_product(actor=None, sku="A", changes={"cost_price": "9.00"})
    assert price("A") == D("9.00")  # the rule's floor: never below cost
    catalog_services.update_product(actor=None, sku="A", changes={"categories": ["books"]})
    assert price("A") == D("10.00")  # the tools rule no longer applies


def test_a_change_rolled_back_is_not_kept(pricing):
    assert price("A") == D("10.00")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.set_price_entries(
            actor=None, price_list_code="b2c-base", entries=[services.EntryInput("A", D("1.00"))]
        )
        assert price("A") == D("1.00")  # inside the transaction its own change counts
        raise RuntimeError("roll back")
    assert price("A") == D("10.00")


def test_a_new_product_and_its_price_show_at_once(pricing):
    assert price("NEW") is None
    catalog_services.create_product(
        actor=None, record={"sku": "NEW", "kind": "simple", "status": "active", "name": "New", "tax_class": "reduced"}
    )
    services.set_price_entries(actor=None, price_list_code="b2c-base", entries=[services.EntryInput("NEW", D("4.00"))])
    assert price("NEW") == D("4.00")
    assert gross("NEW") == D("4.36")  # reduced rate 9%: the new product's tax class counts


def test_a_warm_call_asks_only_what_changes_with_every_order(pricing, django_assert_num_queries):
    skus = [f"SKU-{index}" for index in range(200)]
    services.set_price_entries(
        actor=None, price_list_code="b2c-base", entries=[services.EntryInput(sku, D("3.00")) for sku in skus]
    )
    channel = Channel.objects.get(code="b2c")
    load_pricing_context(channel=channel, skus=skus)
    with django_assert_num_queries(1):  # the revisions' tokens
        context = load_pricing_context(channel=channel, skus=skus)
    assert {result.unit_price for result in price_items(context, [(sku, 1) for sku in skus])} == {D("3.00")}
    with django_assert_num_queries(3):  # the tokens, then the one new SKU's facts and entries
        load_pricing_context(channel=channel, skus=[*skus, "A"])


def test_a_full_memory_starts_again_and_prices_stay_right(pricing, settings):
    settings.HANDEL_PRICING_KEPT_ITEMS = 3
    services.set_price_entries(
        actor=None,
        price_list_code="b2c-base",
        entries=[services.EntryInput(f"S-{index}", D(index + 1)) for index in range(10)],
    )
    assert price("S-0") == D(1)
    first_facts, first_prices = kept._facts, kept._pricing
    assert [price(f"S-{index}") for index in range(10)] == [D(index + 1) for index in range(10)]
    # past 3 items a part starts again: it never holds more than the limit and one call's SKU
    assert kept._facts is not first_facts and kept._facts.size <= 3 + 1
    assert kept._pricing is not first_prices and kept._pricing.size <= 3 + 1


def test_a_price_change_keeps_the_facts_and_a_catalog_change_keeps_the_prices(drill, django_assert_max_num_queries):
    assert price("A") == D("8.50")
    services.set_price_entries(actor=None, price_list_code="b2c-base", entries=[services.EntryInput("A", D("20.00"))])
    with django_assert_max_num_queries(10) as asked:
        assert price("A") == D("17.00")
    tables = " ".join(query["sql"] for query in asked.captured_queries)
    assert "pricing_pricelistentry" in tables and "catalog_product" not in tables
    catalog_services.update_product(actor=None, sku="A", changes={"cost_price": "18.00"})
    with django_assert_max_num_queries(10) as asked:
        assert price("A") == D("18.00")  # the floor
    tables = " ".join(query["sql"] for query in asked.captured_queries)
    assert "catalog_product" in tables and "pricing_pricelistentry" not in tables


def _change_price_elsewhere(queue: multiprocessing.Queue) -> None:
    connections.close_all()
    try:
        services.set_price_entries(
            actor=None, price_list_code="b2c-base", entries=[services.EntryInput("A", D("13.00"))]
        )
        queue.put("done")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_change_made_by_another_process_shows_at_once(pricing):
    assert price("A") == D("10.00")  # this process now keeps the b2c list's entry for A
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    connections.close_all()
    other = context.Process(target=_change_price_elsewhere, args=(queue,))
    other.start()
    assert queue.get(timeout=60) == "done"
    other.join(timeout=30)
    assert other.exitcode == 0
    assert price("A") == D("13.00")
