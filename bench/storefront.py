"""Storefront: server render time of category and product pages (issue 10: p95 <= 80 ms at
100,000 products), through Django's whole request stack in-process, warm.

The catalog is the demo catalog at HANDEL_BENCH_STOREFRONT_SIZE (small = 1,000, large = 100,000
products incl. variants; default large; smoke uses small), indexed for search. Pages are asked
for as a guest of each channel, the price engine computing every shown price.
"""

from __future__ import annotations

import os
import random
import time

from django.db import connection
from django.test import Client

from bench.harness import Result, latency_results, time_calls
from bench.search import _build_catalog
from handel.catalog.browsing import Viewer
from handel.catalog.models import Product
from handel.search import indexing

PAGES = 300


def _paths(channel: str) -> list[str]:
    return list(Viewer(channel_code=channel).categories().order_by("path").values_list("path", flat=True)[:200])


def _skus(channel: str, rng: random.Random, count: int) -> list[str]:
    skus = list(
        Product.objects.filter(parent__isnull=True, status="active", channels__code=channel)
        .order_by("id")
        .values_list("sku", flat=True)
    )
    return rng.sample(skus, min(count, len(skus)))


def run(smoke: bool) -> list[Result]:
    size = "small" if smoke else os.environ.get("HANDEL_BENCH_STOREFRONT_SIZE", "large")
    build_seconds = _build_catalog(size)
    started = time.perf_counter()
    indexing.reindex_all()
    index_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # Fresh planner statistics after the bulk load, as autovacuum would give them shortly after.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = Product.objects.count()
    rng = random.Random(10)
    repeat = 30 if smoke else PAGES
    results: list[Result] = [
        Result(
            f"storefront: catalog of {total} products built and indexed",
            "time",
            round(build_seconds + index_seconds, 1),
            "s",
        )
    ]
    for channel in ("b2c", "b2b"):
        results += _pages(channel, _skus(channel, rng, repeat), repeat, total)
    return results


def _pages(channel: str, skus: list[str], repeat: int, total: int) -> list[Result]:
    client = Client(SERVER_NAME="localhost", headers={"X-Handel-Channel": channel})
    categories = _paths(channel)
    state = {"index": 0}

    def category_page() -> None:
        path = categories[state["index"] % len(categories)]
        state["index"] += 1
        response = client.get(f"/c/{path}/", {"page": 1 + state["index"] % 3})
        assert response.status_code == 200, (path, response.status_code)

    def product_page() -> None:
        sku = skus[state["index"] % len(skus)]
        state["index"] += 1
        response = client.get(f"/p/{sku}/")
        assert response.status_code == 200, (sku, response.status_code)

    return latency_results(
        f"storefront {channel}: GET /c/<category>/ ({total} products)",
        time_calls(category_page, repeat, warmup=10),
        "<= 80 ms",
    ) + latency_results(
        f"storefront {channel}: GET /p/<sku>/ ({total} products)",
        time_calls(product_page, repeat, warmup=10),
        "<= 80 ms",
    )
