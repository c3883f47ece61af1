"""Hand-built pricing contexts for the pure engine tests (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from handel.core.countries import EU_COUNTRIES
from handel.pricing.engine import (
    Assignment,
    PriceListData,
    PricingContext,
    ProductPricingFacts,
    TaxRateData,
    TaxSetup,
    TierPrice,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday
D = Decimal


def tiers(*pairs: tuple[int, str]) -> tuple[TierPrice, ...]:
    return tuple(TierPrice(min_quantity=quantity, unit_price=D(price)) for quantity, price in pairs)


def base_list(
    entries: dict[str, tuple[TierPrice, ...]], *, code: str = "base", channel: str = "b2c", **fields: Any
) -> PriceListData:
    return PriceListData(
        code=code,
        name=code.title(),
        currency=fields.pop("currency", "EUR"),
        is_base=True,
        assignments=(Assignment("channel", channel),),
        entries=entries,
        **fields,
    )


def price_list(
    code: str, kind: str, key: str, entries: dict[str, tuple[TierPrice, ...]] | None = None, **fields: Any
) -> PriceListData:
    return PriceListData(
        code=code,
        name=code.title(),
        currency=fields.pop("currency", "EUR"),
        assignments=(Assignment(kind, key),),
        entries=entries or {},
        **fields,
    )


def tax_setup(**fields: Any) -> TaxSetup:
    defaults: dict[str, Any] = {
        "seller_country": "NL",
        "destination_country": "NL",
        "rates": (
            TaxRateData("NL", D("21")),
            TaxRateData("NL", D("9"), tax_class="reduced"),
            TaxRateData("DE", D("19")),
            TaxRateData("BE", D("21")),
        ),
        "eu_countries": EU_COUNTRIES,
    }
    defaults.update(fields)
    return TaxSetup(**defaults)


def context(
    *, lists: tuple[PriceListData, ...] = (), products: dict[str, ProductPricingFacts] | None = None, **fields: Any
) -> PricingContext:
    defaults: dict[str, Any] = {"channel_code": "b2c", "currency": "EUR", "at": NOW, "tax": tax_setup()}
    defaults.update(fields)
    return PricingContext(price_lists=lists, products=products or {}, **defaults)


def facts(sku: str, **fields: Any) -> ProductPricingFacts:
    return ProductPricingFacts(sku=sku, **fields)


def simple_context(prices: dict[str, str], **fields: Any) -> PricingContext:
    """A base list with one price per SKU, excl. tax, no rules."""
    lists = (base_list({sku: tiers((1, price)) for sku, price in prices.items()}),)
    return context(lists=lists, **fields)


__all__ = [
    "NOW",
    "D",
    "base_list",
    "context",
    "facts",
    "price_list",
    "replace",
    "simple_context",
    "tax_setup",
    "tiers",
]
