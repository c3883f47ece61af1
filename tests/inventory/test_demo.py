from __future__ import annotations

import pytest

from handel.core.demo import DemoContext
from handel.inventory import demo, queries
from handel.inventory.models import ChannelSource, Source, StockItem, StockMovement

pytestmark = pytest.mark.django_db


def test_demo_stocks_the_catalog_skus_and_is_idempotent(channels, publish):
    publish(*[f"DEMO-{n:02d}" for n in range(20)])
    demo.build(DemoContext())
    assert Source.objects.count() == 5
    assert ChannelSource.objects.count() == 8
    assert StockItem.objects.filter(sku="DEMO-00").count() == 5
    movements = StockMovement.objects.count()
    demo.build(DemoContext())
    assert StockMovement.objects.count() == movements
    assert queries.verify_ledger() == []
    found = queries.availability([f"DEMO-{n:02d}" for n in range(20)], channel_code="b2c")
    assert {info.state for info in found.values()} >= {"in_stock", "out_of_stock", "backorder"}
