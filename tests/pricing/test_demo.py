"""The demo prices every visible demo SKU, idempotently."""

from __future__ import annotations

from typing import Any

import pytest

from handel.catalog import demo as catalog_demo
from handel.catalog.queries import visible_products
from handel.channels.models import Channel
from handel.core.demo import DemoContext
from handel.customers import demo as customers_demo
from handel.pricing import demo
from handel.pricing.engine import price_cart, price_items
from handel.pricing.models import PriceListEntry
from handel.pricing.queries import load_pricing_context


@pytest.mark.django_db
def test_demo_prices_every_visible_sku_and_is_idempotent(channels: Any) -> None:
    context = DemoContext()
    customers_demo.build(context)
    catalog_demo.build(context)
    demo.build(context)
    entries = PriceListEntry.objects.count()
    demo.build(DemoContext())
    assert PriceListEntry.objects.count() == entries
    for code in ("b2c", "b2b"):
        channel = Channel.objects.get(code=code)
        skus = list(visible_products(channel_code=code).values_list("sku", flat=True)[:50])
        assert skus
        pricing = load_pricing_context(channel=channel, skus=skus, with_promotions=True)
        assert all(result.found for result in price_items(pricing, [(sku, 1) for sku in skus]))
        cart = price_cart(pricing, [(sku, 3) for sku in skus[:5]])
        assert cart.gross_total > 0
