"""Demo inventory: three warehouses, two pickup stores, stock for the catalog's demo SKUs.

Runs after the catalog demo step (handel/wiring.py DEMO_STEPS). Stock is set through the same
idempotent feed service that ERP feeds use, so a second run changes nothing and the ledger balances.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from handel.catalog.queries import product_facts, visible_products
from handel.channels.models import Channel
from handel.core.demo import DemoContext
from handel.inventory.models import ChannelSource, Source, StockPolicy
from handel.inventory.queries import forget_channel_sources
from handel.inventory.services import StockUpdate, bulk_update_stock

STORE_HOURS = {
    "mon": "12:00-18:00",
    "tue": "09:30-18:00",
    "wed": "09:30-18:00",
    "thu": "09:30-21:00",
    "fri": "09:30-18:00",
    "sat": "10:00-17:00",
    "sun": "",
}
SOURCES = [
    # code, name, kind, street, postal code, city, country, priority, ships, pickup, handling days
    (
        "rotterdam",
        "Rotterdam warehouse",
        "warehouse",
        "Waalhaven Oostzijde 50",
        "3087 BM",
        "Rotterdam",
        "NL",
        10,
        True,
        False,
        1,
    ),
    ("venlo", "Venlo warehouse", "warehouse", "Celsiusweg 20", "5928 PR", "Venlo", "NL", 10, True, False, 1),
    ("antwerp", "Antwerp warehouse", "warehouse", "Noorderlaan 120", "2030", "Antwerpen", "BE", 20, True, False, 2),
    ("rotterdam-store", "Rotterdam store", "store", "Lijnbaan 10", "3012 EL", "Rotterdam", "NL", 50, False, True, 0),
    (
        "amsterdam-store",
        "Amsterdam store",
        "store",
        "Kalverstraat 92",
        "1012 PH",
        "Amsterdam",
        "NL",
        50,
        False,
        True,
        0,
    ),
]
CHANNEL_SOURCES = {
    "b2c": ["rotterdam", "venlo", "antwerp", "rotterdam-store", "amsterdam-store"],
    "b2b": ["rotterdam", "venlo", "antwerp"],
}
STOCKED_KINDS = {"simple", "variant"}


def demo_skus() -> list[str]:
    """The catalog's sellable, shippable SKUs that hold their own stock (variants, not their parents)."""
    skus: set[str] = set()
    for channel_code in CHANNEL_SOURCES:
        skus.update(visible_products(channel_code=channel_code, include_variants=True).values_list("sku", flat=True))
    facts = product_facts(skus)
    return sorted(sku for sku, fact in facts.items() if fact.kind in STOCKED_KINDS and fact.is_shippable)


def build(context: DemoContext) -> None:
    rng = context.random_for("inventory")
    with transaction.atomic():
        sources = {}
        for code, name, kind, street, postal_code, city, country, priority, ships, pickup, days in SOURCES:
            sources[code], _ = Source.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "street": street,
                    "postal_code": postal_code,
                    "city": city,
                    "country": country,
                    "priority": priority,
                    "ships": ships,
                    "pickup": pickup,
                    "opening_hours": STORE_HOURS if pickup else {},
                    "handling_days": days,
                },
            )
        channels = {channel.code: channel for channel in Channel.objects.filter(code__in=CHANNEL_SOURCES)}
        for channel_code, codes in CHANNEL_SOURCES.items():
            if channel_code in channels:
                for code in codes:
                    ChannelSource.objects.get_or_create(channel=channels[channel_code], source=sources[code])
    forget_channel_sources()

    skus = demo_skus()
    updates = []
    for index, sku in enumerate(skus):
        # Most SKUs are well stocked, some run low, a few are sold out (and some of those can be backordered).
        pattern = index % 10
        for code in ("rotterdam", "venlo", "antwerp"):
            on_hand = 0 if pattern == 9 else rng.randint(1, 4) if pattern == 8 else rng.randint(10, 250)
            updates.append(StockUpdate(sku=sku, source_code=code, on_hand=on_hand, safety_stock=2 if on_hand else 0))
        for code in ("rotterdam-store", "amsterdam-store"):
            updates.append(StockUpdate(sku=sku, source_code=code, on_hand=0 if pattern >= 8 else rng.randint(0, 6)))
    for start in range(0, len(updates), 5000):
        bulk_update_stock(actor=None, updates=updates[start : start + 5000], feed="demo")
    expected = timezone.localdate() + timedelta(days=14)
    with transaction.atomic():
        for sku in skus[9::20]:
            StockPolicy.objects.update_or_create(
                sku=sku, defaults={"allow_backorder": True, "backorder_expected_on": expected}
            )
