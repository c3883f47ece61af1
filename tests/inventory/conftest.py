from __future__ import annotations

from typing import Any

import pytest

from handel.catalog.models import Product, ProductChannel
from handel.channels.models import Channel
from handel.inventory import services

SOURCES = [
    # code, kind, postal code, city, country, priority, ships, pickup
    ("rotterdam", "warehouse", "3087 BM", "Rotterdam", "NL", 10, True, False),
    ("venlo", "warehouse", "5928 PR", "Venlo", "NL", 10, True, False),
    ("antwerp", "warehouse", "2030", "Antwerpen", "BE", 20, True, False),
    ("rotterdam-store", "store", "3012 EL", "Rotterdam", "NL", 50, False, True),
    ("amsterdam-store", "store", "1012 PH", "Amsterdam", "NL", 50, False, True),
]
NAMES = {
    "rotterdam": "Rotterdam warehouse",
    "venlo": "Venlo warehouse",
    "antwerp": "Antwerp warehouse",
    "rotterdam-store": "Rotterdam store",
    "amsterdam-store": "Amsterdam store",
}


@pytest.fixture
def sources(channels: Any) -> dict[str, Any]:
    """Three warehouses and two pickup stores; b2c sells from all, b2b from the warehouses."""
    created = {}
    for code, kind, postal_code, city, country, priority, ships, pickup in SOURCES:
        created[code] = services.create_source(
            actor=None,
            code=code,
            name=NAMES[code],
            kind=kind,
            postal_code=postal_code,
            city=city,
            country=country,
            priority=priority,
            ships=ships,
            pickup=pickup,
            opening_hours={"mon": "09:00-18:00"} if pickup else {},
            channel_codes=["b2c", "b2b"] if ships else ["b2c"],
        )
    return created


def set_stock(sku: str, source: str, on_hand: int, safety_stock: int = 0) -> None:
    services.bulk_update_stock(
        actor=None,
        updates=[services.StockUpdate(sku=sku, source_code=source, on_hand=on_hand, safety_stock=safety_stock)],
    )


@pytest.fixture
def publish(channels: Any):
    """Make SKUs visible in the catalog of the given channels."""

    def make(*skus: str, channel_codes: tuple[str, ...] = ("b2c", "b2b")) -> None:
        channel_ids = list(Channel.objects.filter(code__in=channel_codes).values_list("id", flat=True))
        for sku in skus:
            product, _ = Product.objects.get_or_create(
                sku=sku, defaults={"name": sku.title(), "status": Product.Status.ACTIVE}
            )
            for channel_id in channel_ids:
                ProductChannel.objects.get_or_create(product=product, channel_id=channel_id)

    return make
