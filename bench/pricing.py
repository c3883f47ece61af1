"""Pricing: 1,000 SKUs for a customer with 3 applicable price lists, tiers and 20 active rules;
a 100-line cart with 20 active promotions. Each measured as load + compute (what a caller waits
for: the selector's queries included, with what the process keeps), as compute only (the pure
engine over a loaded context), as the first call after a price change, and through HTTP.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import Result, latency_results, percentile, time_calls
from handel.catalog import services as catalog_services
from handel.catalog.importing import import_products
from handel.catalog.models import Category, Product
from handel.catalog.records import COLUMNS, to_csv_row
from handel.channels.demo import build as build_channels
from handel.channels.models import Channel
from handel.core.demo import DemoContext
from handel.customers.models import CustomerGroup, User
from handel.inventory import services as inventory_services
from handel.inventory.models import Source
from handel.pricing import services
from handel.pricing.engine import ProductFilter, price_cart, price_items
from handel.pricing.models import Coupon, PriceList, PriceListEntry, PriceRule, Promotion, PromotionUsage
from handel.pricing.queries import load_pricing_context

SKU_COUNT = 1000
CART_LINES = 100
CATEGORIES = ["tools", "tools/drills", "tools/saws", "garden", "garden/hoses", "office"]
PREFIX = "PRB-"


def _catalog(count: int) -> list[str]:
    rng = random.Random(5)
    for path in CATEGORIES:
        if not Category.objects.filter(path=path).exists():
            parent, _, slug = path.rpartition("/")
            catalog_services.create_category(actor=None, slug=slug, name=slug.title(), parent_path=parent or None)
    skus = [f"{PREFIX}{index:05d}" for index in range(count)]
    records = [
        {
            "sku": sku,
            "kind": "simple",
            "status": "active",
            "name": f"Bench product {sku}",
            "categories": [rng.choice(CATEGORIES)],
            "cost_price": str(Decimal(rng.randint(200, 4000)) / 100),
            "msrp": str(Decimal(rng.randint(6000, 20000)) / 100),
            "channels": ["b2c", "b2b"],
            "tax_class": rng.choice(["standard", "standard", "reduced"]),
        }
        for sku in skus
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(to_csv_row(record))
    report = import_products(text=out.getvalue(), format="csv")
    assert not report.errors, report.errors[:3]
    return skus


def _stock(skus: list[str]) -> None:
    """Two warehouses serve the B2B channel, with stock of every SKU: the stock rule reads it."""
    rng = random.Random(11)
    for code in ("bench-north", "bench-south"):
        if not Source.objects.filter(code=code).exists():
            inventory_services.create_source(actor=None, code=code, name=code, country="NL", channel_codes=["b2b"])
        inventory_services.bulk_update_stock(
            actor=None,
            updates=[
                inventory_services.StockUpdate(sku=sku, source_code=code, on_hand=rng.randint(0, 8000)) for sku in skus
            ],
        )


def _pricing(skus: list[str]) -> User:
    rng = random.Random(9)
    with transaction.atomic():
        PromotionUsage.objects.filter(promotion__code__startswith="bench-").delete()
        Coupon.objects.filter(promotion__code__startswith="bench-").delete()
        Promotion.objects.filter(code__startswith="bench-").delete()
        PriceRule.objects.filter(code__startswith="bench-").delete()
        PriceList.objects.filter(code__startswith="bench-", parent__isnull=False).delete()
        PriceList.objects.filter(code__startswith="bench-").delete()
        group, _ = CustomerGroup.objects.get_or_create(code="bench-dealer", defaults={"name": "Bench dealer"})
        customer = User.objects.filter(email="bench-pricing@handel.local").first() or User.objects.create_user(
            email="bench-pricing@handel.local", password=None
        )
        customer.customer_group = group
        customer.save()
    for country, rate in (("NL", "21"), ("DE", "19")):
        services.set_tax_rate(actor=None, country=country, rate=Decimal(rate))
    services.set_tax_rate(actor=None, country="NL", rate=Decimal("9"), tax_class="reduced")
    # three lists apply to the customer: the channel's base, the group's (derived, with own tiers), their own
    services.create_price_list(
        actor=None,
        code="bench-base",
        name="Base",
        currency="EUR",
        is_base=True,
        assignments=[{"kind": "channel", "key": "b2b"}],
    )
    services.create_price_list(
        actor=None,
        code="bench-dealer",
        name="Dealer",
        currency="EUR",
        parent="bench-base",
        adjustment_percent=Decimal("-15"),
        assignments=[{"kind": "customer_group", "key": "bench-dealer"}],
    )
    services.create_price_list(
        actor=None,
        code="bench-contract",
        name="Contract",
        currency="EUR",
        priority=5,
        assignments=[{"kind": "customer", "key": str(customer.public_id)}],
    )
    base, dealer, contract = [], [], []
    for sku in skus:
        price = Decimal(rng.randint(500, 15000)) / 100
        base += [
            services.EntryInput(sku, price),
            services.EntryInput(sku, (price * Decimal("0.95")).quantize(Decimal("0.01")), 10),
            services.EntryInput(sku, (price * Decimal("0.9")).quantize(Decimal("0.01")), 50),
        ]
        if rng.random() < 0.3:
            dealer += [
                services.EntryInput(sku, (price * Decimal("0.8")).quantize(Decimal("0.01"))),
                services.EntryInput(sku, (price * Decimal("0.75")).quantize(Decimal("0.01")), 25),
            ]
        if rng.random() < 0.1:
            contract.append(services.EntryInput(sku, (price * Decimal("0.7")).quantize(Decimal("0.01"))))
    services.set_price_entries(actor=None, price_list_code="bench-base", entries=base)
    services.set_price_entries(actor=None, price_list_code="bench-dealer", entries=dealer)
    services.set_price_entries(actor=None, price_list_code="bench-contract", entries=contract)
    # 20 active rules as a merchant sets them up: most target a category or a list of SKUs, some a
    # customer group, a time window or the stock level.
    for index in range(20):
        kind = "catalog" if index < 17 else ("time" if index < 19 else "stock")
        fields = {
            "name": f"Bench rule {index}",
            "kind": kind,
            "is_active": True,
            "priority": index % 5,
            "adjustment_value": Decimal(rng.choice([-10, -5, -3, 2, 4])),
            "min_margin_percent": Decimal(5),
        }
        if 10 <= index < 14:
            fields["skus"] = rng.sample(skus, min(50, len(skus)))
        else:
            fields["category_paths"] = [CATEGORIES[index % len(CATEGORIES)]]
        if 14 <= index < 17:
            fields["customer_groups"] = ["bench-dealer"]
        if kind == "time":
            fields["weekdays"] = [0, 1, 2, 3, 4, 5, 6]
        if kind == "stock":
            fields["stock_at_least"] = 10_000
        services.create_rule(actor=None, code=f"bench-rule-{index:02d}", fields=fields)
    actions = [
        "percent_off_lines",
        "amount_off_lines",
        "percent_off_cart",
        "amount_off_cart",
        "fixed_price",
        "buy_x_get_y",
        "tiered_spend",
        "free_shipping",
        "free_gift",
        "percent_off_lines",
    ]
    for index in range(20):
        action = actions[index % len(actions)]
        fields = {
            "name": f"Bench promotion {index}",
            "action": action,
            "priority": index % 4,
            "value": Decimal(5 if "percent" in action else 3 if action != "fixed_price" else 20),
        }
        if action == "buy_x_get_y":
            fields.update(buy_quantity=2, get_quantity=1)
        if action == "tiered_spend":
            fields["tiers"] = [{"min_subtotal": "100", "percent": "2"}, {"min_subtotal": "1000", "percent": "4"}]
        if action == "free_gift":
            fields["gift_sku"] = skus[0]
        if index % 2:
            fields["target_category_paths"] = [rng.choice(CATEGORIES)]
        if index % 5 == 0:
            fields["min_subtotal"] = Decimal(50)
        services.create_promotion(actor=None, code=f"bench-promo-{index:02d}", fields=fields)
    return customer


def cpu_times(function: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    """CPU time of this process per call (ms): on a shared machine, wall time also counts the time
    other processes hold the cores; CPU time is what the engine itself costs."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        function()
        samples.append((time.process_time() - started) * 1000)
    return samples


def cpu_results(name: str, samples: list[float]) -> list[Result]:
    return [
        Result(name, "cpu p50", round(statistics.median(samples), 3), "ms"),
        Result(name, "cpu p95", round(percentile(samples, 95), 3), "ms"),
    ]


def run(smoke: bool) -> list[Result]:
    build_channels(DemoContext())
    count = 100 if smoke else SKU_COUNT
    skus = _catalog(count)
    _stock(skus)
    customer = _pricing(skus)
    channel = Channel.objects.get(code="b2b")
    rng = random.Random(3)
    items = [(sku, rng.choice([1, 1, 2, 12, 60])) for sku in skus]
    lines = [(sku, rng.randint(1, 20)) for sku in rng.sample(skus, min(CART_LINES, count))]
    repeat = 10 if smoke else 100
    results: list[Result] = []

    context = load_pricing_context(channel=channel, skus=skus, customer=customer)
    assert len(context.rules) == 20 and len(context.price_lists) == 3
    # What stays in memory from here on is frozen, as each server worker freezes its start-up
    # heap (handel/wsgi.py): the collector's full passes walk only what the calls allocate.
    gc.collect()
    gc.freeze()
    priced = price_items(context, items)
    assert all(result.found for result in priced)
    fired = sum(1 for result in priced for step in result.explanation if step.kind == "rule") / len(priced)
    label = f"price {count} SKUs (3 lists, tiers, 20 rules)"
    results.append(Result(f"{label}: rules applied per SKU", "mean", round(fired, 2), ""))
    results += latency_results(f"{label}: compute only", time_calls(lambda: price_items(context, items), repeat))
    results += cpu_results(f"{label}: compute only", cpu_times(lambda: price_items(context, items), repeat))
    # What a listing or the search index asks: the same prices without their explanations.
    results += latency_results(
        f"{label}: compute only, without explanations",
        time_calls(lambda: price_items(context, items, explain=False), repeat),
    )
    results += cpu_results(
        f"{label}: compute only, without explanations",
        cpu_times(lambda: price_items(context, items, explain=False), repeat),
    )
    # The worst case: every one of the 20 rules applies to every SKU.
    everywhere = replace(
        context,
        rules=tuple(
            replace(rule, products=ProductFilter(), customer_groups=frozenset(), kind="catalog")
            for rule in context.rules
        ),
    )
    results += latency_results(
        f"{label}: compute only, all 20 rules apply to every SKU",
        time_calls(lambda: price_items(everywhere, items), repeat),
    )

    def load_and_price() -> None:
        price_items(load_pricing_context(channel=channel, skus=skus, customer=customer), items)

    # What a caller waits for: the context loaded (what the process keeps checked against the
    # revisions, stock read fresh) and the prices computed.
    load_and_price()
    with CaptureQueriesContext(connection) as queries:
        load_and_price()
    results.append(Result(f"{label}: SQL queries", "queries", len(queries), ""))
    results += latency_results(f"{label}: load + compute", time_calls(load_and_price, repeat), target="<= 20 ms")
    results += cpu_results(f"{label}: load + compute", cpu_times(load_and_price, repeat))

    # The first call after staff change a price: everything kept is read again.
    base_entry = PriceListEntry.objects.filter(price_list__code="bench-base", sku=skus[0], min_quantity=1)
    price = base_entry.values_list("unit_price", flat=True).get()

    def change_a_price() -> None:
        nonlocal price
        price += Decimal("0.01")
        base_entry.update(unit_price=price)

    # ...and after the catalog changes a product (its cost): the product facts are read again.
    product = Product.objects.filter(sku=skus[-1])
    cost = product.values_list("cost_price", flat=True).get()

    def change_a_product() -> None:
        nonlocal cost
        cost += Decimal("0.01")
        product.update(cost_price=cost)

    for change, what in ((change_a_price, "a price change"), (change_a_product, "a catalog change")):
        change()
        with CaptureQueriesContext(connection) as queries:
            load_and_price()
        results.append(Result(f"{label}, first call after {what}: SQL queries", "queries", len(queries), ""))
        results += latency_results(
            f"{label}: load + compute, first call after {what}",
            time_calls(load_and_price, max(5, repeat // 2), warmup=0, before=change),
        )

    cart_skus = [sku for sku, _ in lines]
    cart_context = load_pricing_context(channel=channel, skus=cart_skus, customer=customer, with_promotions=True)
    assert len(cart_context.promotions) == 20
    cart = price_cart(cart_context, lines)
    cart_label = f"cart of {len(lines)} lines, 20 promotions"
    results.append(Result(f"{cart_label}: promotions applied", "count", len(cart.applied_promotions), ""))
    results += latency_results(
        f"{cart_label}: compute only", time_calls(lambda: price_cart(cart_context, lines), repeat)
    )
    results += cpu_results(f"{cart_label}: compute only", cpu_times(lambda: price_cart(cart_context, lines), repeat))

    def load_and_price_cart() -> None:
        ctx = load_pricing_context(channel=channel, skus=cart_skus, customer=customer, with_promotions=True)
        price_cart(ctx, lines)

    results += latency_results(
        f"{cart_label}: load + compute", time_calls(load_and_price_cart, repeat), target="<= 25 ms"
    )

    client = Client(SERVER_NAME="localhost")
    client.force_login(customer)
    body = json.dumps({"items": [{"sku": sku, "quantity": quantity} for sku, quantity in items]})

    def http_prices() -> None:
        response = client.post(
            "/api/v1/pricing/prices", body, content_type="application/json", headers={"X-Handel-Channel": "b2b"}
        )
        assert response.status_code == 200, response.content

    results += latency_results(
        f"POST /pricing/prices, {count} SKUs (HTTP, signed-in dealer)", time_calls(http_prices, max(5, repeat // 4))
    )
    return results
