"""Pricing: price lists, tiers, catalog and dynamic rules, promotions and coupons, tax, the price engine.

Public entry points (see docs/pricing.md):
- `handel.pricing.queries.load_pricing_context(...)` loads a `PricingContext` in one pass;
- `handel.pricing.engine.price_items(context, items)` and `price_cart(context, lines, coupons)`
  compute, pure and deterministic;
- `handel.pricing.services.record_promotion_usage(...)` records used promotions and coupons inside
  the caller's order transaction.
"""
