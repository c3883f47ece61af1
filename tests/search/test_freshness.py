"""Catalog, price and stock changes reach the index through the outbox events, at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from handel.catalog import services as catalog_services
from handel.inventory import services as inventory_services
from handel.pricing import services as pricing_services
from handel.search import queries
from handel.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def skus(query: str = "", **options: Any) -> list[str]:
    return [
        hit["sku"] for hit in queries.search_products(channel_code="b2b", query=query, locale="en", **options)["hits"]
    ]


def test_product_changes(search_catalog: Any, django_capture_on_commit_callbacks: Any) -> None:
    assert skus("impact") == []
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.update_product(actor=None, sku="DRL-300", changes={"name": "Impact wrench 12 V"})
    assert skus("impact") == ["DRL-300"]
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.update_product(actor=None, sku="DRL-300", changes={"status": "archived"})
    assert skus("impact") == []
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.delete_product(actor=None, sku="HAM-2")
    assert "HAM-2" not in skus("hammer")
    assert not SearchDocument.objects.filter(sku="HAM-2").exists()


def test_category_rename(search_catalog: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.update_category(actor=None, path="tools/saws", changes={"name": "Sawing machines"})
    assert skus("sawing") == ["SAW-1"]


def test_price_and_stock_changes(search_catalog: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        pricing_services.set_price_entries(
            actor=None,
            price_list_code="base",
            entries=[pricing_services.EntryInput(sku="HAM-2", unit_price=Decimal("5.00"))],
        )
    assert skus(sort="price_asc")[0] == "HAM-2"
    assert skus(filters={"availability": ["in_stock"]}).count("SCR-1") == 1
    with django_capture_on_commit_callbacks(execute=True):
        inventory_services.bulk_update_stock(
            actor=None, updates=[inventory_services.StockUpdate(sku="SCR-1", source_code="main", on_hand=0)]
        )
    assert "SCR-1" not in skus(filters={"availability": ["in_stock"]})
    assert "SCR-1" in skus(filters={"availability": ["out_of_stock"]})


def test_reindex_command(search_catalog: Any) -> None:
    SearchDocument.objects.all().delete()
    assert skus("drill") == []
    call_command("search", "reindex")
    assert skus("drill")[0] in {"DRL-100", "DRL-200", "DRL-300", "PRESS-1"}
    assert SearchDocument.objects.count() == 2 * (9 + 10)  # b2b: 9 products, b2c: 10; two languages each
