"""Inventory: ERP stock feeds through the bulk API, availability of 1,000 SKUs at once."""

from __future__ import annotations

import json
import time

from django.db import connection, transaction
from django.test import Client

from bench.harness import Result, latency_results, time_calls
from handel.catalog.models import Product, ProductChannel
from handel.channels.demo import build as build_channels
from handel.channels.models import Channel
from handel.core import tokens
from handel.core.demo import DemoContext
from handel.customers.models import User
from handel.inventory import queries
from handel.inventory.demo import CHANNEL_SOURCES, SOURCES
from handel.inventory.models import ChannelSource, Source

BATCH = 5_000
WAREHOUSES = ("rotterdam", "venlo", "antwerp")


def _setup() -> str:
    build_channels(DemoContext())
    with transaction.atomic():
        for code, name, kind, street, postal_code, city, country, priority, ships, pickup, days in SOURCES:
            Source.objects.update_or_create(
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
                    "handling_days": days,
                },
            )
        for channel in Channel.objects.filter(code__in=CHANNEL_SOURCES):
            for source in Source.objects.filter(code__in=CHANNEL_SOURCES[channel.code]):
                ChannelSource.objects.get_or_create(channel=channel, source=source)
        user = User.objects.filter(email="bench-stock@handel.local").first() or User.objects.create_superuser(
            email="bench-stock@handel.local", password=None
        )
    queries.forget_channel_sources()
    issued = tokens.create_token(user=user, name="bench", scopes=["inventory:write", "inventory:read"])
    return issued.secret


def _publish(skus: list[str]) -> None:
    channel_ids = list(Channel.objects.values_list("id", flat=True))
    with transaction.atomic():
        products = Product.objects.bulk_create(
            [Product(sku=sku, name=sku, status=Product.Status.ACTIVE) for sku in skus], batch_size=1000
        )
        ProductChannel.objects.bulk_create(
            [
                ProductChannel(product=product, channel_id=channel_id)
                for product in products
                for channel_id in channel_ids
            ],
            batch_size=1000,
        )


def run(smoke: bool) -> list[Result]:
    token = _setup()
    client = Client(SERVER_NAME="localhost")
    run_id = f"B{time.time_ns() // 1_000_000}"
    total = 2_000 if smoke else 50_000
    batch = 1_000 if smoke else BATCH
    # Each update sets one SKU at one warehouse: 3 updates per SKU, new SKUs each run.
    updates = [
        {"sku": f"{run_id}-{n // 3:06d}", "source": WAREHOUSES[n % 3], "on_hand": (n * 7) % 40, "safety_stock": 1}
        for n in range(total)
    ]
    bodies = [
        json.dumps({"feed": "bench", "updates": updates[start : start + batch]}) for start in range(0, total, batch)
    ]

    def send_all() -> tuple[float, float]:
        # Wall time is the figure that counts; the process's CPU time is reported beside it
        # because the 2-core machine is shared, and on SQLite it is nearly all of the work.
        started, cpu_started = time.perf_counter(), time.process_time()
        for payload in bodies:
            response = client.generic(
                "POST",
                "/api/v1/inventory/stock/bulk",
                payload,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200, response.content[:500]
        return time.perf_counter() - started, time.process_time() - cpu_started

    first, first_cpu = send_all()
    replay, replay_cpu = send_all()
    new_name = f"inventory: bulk API, {total:,} new stock updates ({batch:,}/call)"
    replay_name = f"inventory: bulk API, {total:,} updates replayed (no change)"
    results = [
        Result(new_name, "total", round(first, 2), "s", "<= 10 s"),
        Result(new_name, "cpu", round(first_cpu, 2), "s"),
        Result(replay_name, "total", round(replay, 2), "s"),
        Result(replay_name, "cpu", round(replay_cpu, 2), "s"),
    ]

    skus = [f"{run_id}-{n:06d}" for n in range(1_000)]
    _publish(skus)
    if connection.vendor == "postgresql":
        # In production autovacuum analyses a table after a large load; a benchmark that loads
        # 50,000 rows and queries them seconds later must do it itself, or the planner works
        # from the statistics of an empty table.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE inventory_stockitem, inventory_stockpolicy, catalog_product, catalog_productchannel"
            )
    repeat = 20 if smoke else 200
    cpu_started = time.process_time()
    results += latency_results(
        "inventory: availability, 1,000 SKUs (query)",
        time_calls(lambda: queries.availability(skus, channel_code="b2c"), repeat),
        "<= 20 ms",
    )
    results.append(
        Result(
            "inventory: availability, 1,000 SKUs (query)",
            "cpu mean",
            round((time.process_time() - cpu_started) * 1000 / (repeat + 3), 3),
            "ms",
        )
    )
    payload = json.dumps({"skus": skus, "channel": "b2c"})
    results += latency_results(
        "inventory: POST /availability, 1,000 SKUs (HTTP, incl. catalog visibility)",
        time_calls(
            lambda: client.generic("POST", "/api/v1/inventory/availability", payload, content_type="application/json"),
            repeat,
        ),
    )
    return results
