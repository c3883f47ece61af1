"""Outbox event handlers that keep the index fresh (declared in handel/wiring.py EVENT_HANDLERS)."""

from __future__ import annotations

from typing import Any

from handel.search import indexing


def on_products_changed(payload: dict[str, Any]) -> None:
    skus = [str(sku) for sku in payload.get("skus", [])]
    product_ids = indexing.product_ids_for_skus(skus)
    indexing.index_products(product_ids)
    known = indexing.existing_skus(skus)
    gone = [sku for sku in skus if sku not in known]
    if gone:
        indexing.remove_skus(gone)


def on_products_deleted(payload: dict[str, Any]) -> None:
    indexing.remove_skus([str(sku) for sku in payload.get("skus", [])])


def on_category_changed(payload: dict[str, Any]) -> None:
    indexing.index_products(indexing.product_ids_in_categories(str(payload.get("path", ""))))


def on_catalog_structure_changed(payload: dict[str, Any]) -> None:
    """A category moved or deleted, or an assortment changed: paths and visibility of any number
    of products changed, so every document is rebuilt."""
    indexing.reindex_all()


def on_prices_changed(payload: dict[str, Any]) -> None:
    skus = payload.get("skus")
    indexing.refresh_prices([str(sku) for sku in skus] if skus else None)


def on_stock_changed(payload: dict[str, Any]) -> None:
    """inventory.availability_changed {"skus": [...]} and inventory.stock_low {"items": [{"sku": ...}]}."""
    skus = {str(sku) for sku in payload.get("skus", [])}
    skus |= {str(item["sku"]) for item in payload.get("items", []) if isinstance(item, dict) and "sku" in item}
    if skus:
        indexing.refresh_availability(sorted(skus))


def on_products_sold(payload: dict[str, Any]) -> None:
    """Orders will emit this with {"units": {"SKU": n}} for the best-selling sort."""
    units = {str(sku): int(count) for sku, count in (payload.get("units") or {}).items()}
    if units:
        indexing.add_sales(units)
