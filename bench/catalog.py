"""Catalog: CSV import throughput, and the public product list (page of 50 with attributes, images
and variant summaries) at the demo's large size.

    CATALOG_BENCH_SIZE=small|medium|large (default large; smoke mode always small)
"""

from __future__ import annotations

import csv
import io
import os
import random
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import Result, latency_results, time_calls
from handel.catalog import demo
from handel.catalog.importing import import_products
from handel.catalog.models import Attribute, Product
from handel.catalog.records import COLUMNS, Record, attribute_columns, to_csv_row
from handel.channels.demo import build as build_channels
from handel.core.demo import DemoContext
from handel.customers.demo import build as build_customers

IMPORT_ROWS = 20_000
LIST_PAGES = 200


def run(smoke: bool) -> list[Result]:
    size = "small" if smoke else os.environ.get("CATALOG_BENCH_SIZE", "large")
    context = DemoContext(size=size)
    build_channels(context)
    build_customers(DemoContext(size="small"))
    results: list[Result] = []

    started = time.perf_counter()
    demo.build(context)
    elapsed = time.perf_counter() - started
    total = Product.objects.count()
    results.append(
        Result(
            f"demo catalog build ({size}, {total} products)",
            "time",
            round(elapsed, 1),
            "s",
            details={"products": total},
        )
    )
    started = time.perf_counter()
    demo.build(DemoContext(size=size))
    results.append(
        Result(f"demo catalog rebuild, nothing changes ({size})", "time", round(time.perf_counter() - started, 1), "s")
    )

    results += _product_list(smoke, total)
    results += _import(200 if smoke else IMPORT_ROWS)
    return results


def _product_list(smoke: bool, total: int) -> list[Result]:
    client = Client(SERVER_NAME="localhost")
    rng = random.Random(1)
    pages = {
        code: max(1, Product.objects.filter(parent__isnull=True, channels__code=code).count() // 50)
        for code in ("b2b", "b2c")
    }

    def page_in(first: int, last: int) -> Callable[[], None]:
        def one_page() -> None:
            channel = rng.choice(["b2b", "b2c"])
            number = rng.randint(first, min(last, pages[channel]))
            response = client.get(
                f"/api/v1/catalog/products?page_size=50&page={number}", headers={"X-Handel-Channel": channel}
            )
            assert response.status_code == 200, response.content

        return one_page

    def filtered_page() -> None:
        channel, query = rng.choice(
            [
                ("b2b", "category=tools/power-tools&attr=cordless:true"),
                ("b2c", "category=apparel&attr=colour:navy,red"),
                ("b2b", "attr=thread:m8&brand=wurth"),
                ("b2c", "attr=features:bluetooth"),
            ]
        )
        response = client.get(f"/api/v1/catalog/products?page_size=50&{query}", headers={"X-Handel-Channel": channel})
        assert response.status_code == 200, response.content

    browse, deep = page_in(1, 10), page_in(1, 10**6)
    browse()
    with CaptureQueriesContext(connection) as queries:
        browse()
    repeat = 20 if smoke else LIST_PAGES
    name = f"GET /catalog/products page of 50 ({total} products)"
    results = [Result(f"{name}: SQL", "queries", len(queries), "", "<= 10")]
    results += latency_results(f"{name}, pages 1-10", time_calls(browse, repeat), target="<= 30 ms")
    results += latency_results(f"{name}, any page (deep offsets)", time_calls(deep, repeat))
    results += latency_results(
        f"GET /catalog/products filtered, page of 50 ({total} products)", time_calls(filtered_page, repeat // 2)
    )
    return results


def _prefixed(record: Record, prefix: str) -> Record:
    """The record with every SKU in it renamed, so that the import creates new products."""
    record = dict(record)
    record["sku"] = prefix + record["sku"]
    if record.get("parent_sku"):
        record["parent_sku"] = prefix + record["parent_sku"]
    record["relations"] = [cell.replace(":", ":" + prefix, 1) for cell in record.get("relations", [])]
    record["kit_components"] = [prefix + cell for cell in record.get("kit_components", [])]
    record["bundle_groups"] = [
        {**group, "options": [{**option, "sku": prefix + option["sku"]} for option in group["options"]]}
        for group in record.get("bundle_groups", [])
    ]
    return record


def _csv(records: list[Record]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=COLUMNS + attribute_columns(Attribute.objects.all()), restval="", lineterminator="\n"
    )
    writer.writeheader()
    for record in records:
        writer.writerow(to_csv_row({key: value for key, value in record.items() if key in writer.fieldnames}))
    return out.getvalue()


def _import(rows: int) -> list[Result]:
    prefix = f"IMP{int(time.time()) % 100000}-"
    records = [_prefixed(record, prefix) for record in demo.generate_records(random.Random(7), rows)]
    text = _csv(records)
    results = []
    for label in ("new products", "same file again (nothing changes)"):
        # The import writes its events to the outbox; delivering them (search indexing and the like)
        # is the consumers' work, done by Celery workers in production, and is not timed here.
        with mock.patch("handel.core.events._deliver_claimed", lambda events: 0):
            started = time.perf_counter()
            report = import_products(text=text, format="csv")
            elapsed = time.perf_counter() - started
        assert not report.errors, report.errors[:3]
        details: dict[str, Any] = {k: v for k, v in report.as_dict().items() if k != "errors"}
        results.append(
            Result(
                f"CSV import, {rows} rows: {label}",
                "rate",
                round(rows / elapsed),
                "per s",
                ">= 2000" if label == "new products" else "",
                details=details,
            )
        )
    return results
