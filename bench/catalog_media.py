"""Catalog media and engagement: image upload with renditions, the media summary of a list page,
a product's media, its reviews and a full compare list, on the small demo catalog."""

from __future__ import annotations

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import Result, latency_results, time_calls
from handel.catalog import demo as catalog_demo
from handel.catalog.engagement import demo as engagement_demo
from handel.catalog.engagement.models import Review
from handel.catalog.media import demo as media_demo
from handel.catalog.media import samples, services
from handel.catalog.media.models import ProductImage
from handel.catalog.media.queries import media_for_products
from handel.catalog.queries import visible_products
from handel.channels.demo import build as build_channels
from handel.core.demo import DemoContext
from handel.customers.demo import build as build_customers


def run(smoke: bool) -> list[Result]:
    context = DemoContext(size="small")
    build_channels(context)
    build_customers(context)
    catalog_demo.build(context)
    results: list[Result] = []

    started = time.perf_counter()
    media_demo.build(context)
    engagement_demo.build(context)
    images = ProductImage.objects.count()
    results.append(
        Result(f"demo media + reviews build ({images} images)", "time", round(time.perf_counter() - started, 1), "s")
    )

    products = list(visible_products(channel_code="b2c").order_by("sku").values_list("id", "sku")[:50])
    picture = samples.product_picture("bench", colour=(200, 60, 20), size=1200, format="JPEG")
    count = 5 if smoke else 40
    started = time.perf_counter()
    for index in range(count):
        services.add_image(actor=None, sku=products[index % len(products)][1], data=picture)
    elapsed = time.perf_counter() - started
    results.append(Result("upload 1200px JPEG + 4 WebP renditions", "rate", round(count / elapsed, 1), "per s"))

    ids = [product_id for product_id, _ in products]
    with CaptureQueriesContext(connection) as captured:
        media_for_products(ids)
    repeat = 20 if smoke else 300
    results += latency_results(
        f"media_for_products (page of {len(ids)})", time_calls(lambda: media_for_products(ids), repeat)
    )
    results.append(Result(f"media_for_products (page of {len(ids)})", "queries", len(captured), "SQL"))

    client = Client(SERVER_NAME="localhost", headers={"X-Handel-Channel": "b2c"})
    sku = products[0][1]
    assert client.get(f"/api/v1/catalog/products/{sku}/media").status_code == 200
    results += latency_results(
        "GET /catalog/products/{sku}/media",
        time_calls(lambda: client.get(f"/api/v1/catalog/products/{sku}/media"), repeat),
    )
    review_sku = (
        Review.objects.filter(status="approved", product_id__in=ids).values_list("product__sku", flat=True).first()
        or sku
    )
    results += latency_results(
        "GET /catalog/products/{sku}/reviews",
        time_calls(lambda: client.get(f"/api/v1/catalog/products/{review_sku}/reviews"), repeat),
    )
    for _, compared in products[:4]:
        added = client.post("/api/v1/catalog/compare/items", data={"sku": compared}, content_type="application/json")
        assert added.status_code == 201, added.content
    results += latency_results(
        "GET /catalog/compare (4 products)", time_calls(lambda: client.get("/api/v1/catalog/compare"), repeat)
    )
    return results
