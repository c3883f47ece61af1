"""The price engine: pure functions over frozen dataclasses. No database access, no Django.

    price_items(context, [(sku, quantity), ...]) -> list[PriceResult]
    price_cart(context, [(sku, quantity), ...], coupons) -> CartResult

Build the context with `handel.pricing.queries.load_pricing_context` (or by hand in tests).
"""

from handel.pricing.engine.prices import PriceBook, price_items
from handel.pricing.engine.promotions import normalise_coupon_code, price_cart
from handel.pricing.engine.types import (
    AppliedPromotion,
    Assignment,
    CartLineInput,
    CartLineResult,
    CartResult,
    CouponData,
    ExplanationStep,
    GiftLine,
    PriceListData,
    PriceResult,
    PriceRuleData,
    PricingContext,
    ProductFilter,
    ProductPricingFacts,
    PromotionData,
    PromotionTier,
    TaxedAmount,
    TaxRateData,
    TaxSetup,
    TierPrice,
)

__all__ = [
    "AppliedPromotion",
    "Assignment",
    "CartLineInput",
    "CartLineResult",
    "CartResult",
    "CouponData",
    "ExplanationStep",
    "GiftLine",
    "PriceBook",
    "PriceListData",
    "PriceResult",
    "PriceRuleData",
    "PricingContext",
    "ProductFilter",
    "ProductPricingFacts",
    "PromotionData",
    "PromotionTier",
    "TaxRateData",
    "TaxSetup",
    "TaxedAmount",
    "TierPrice",
    "normalise_coupon_code",
    "price_cart",
    "price_items",
]
