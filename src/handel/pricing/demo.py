"""Demo pricing: EU VAT rates, a base list per channel (the shop's prices incl. VAT, the portal's
excl. VAT with volume tiers), a wholesale list derived from the portal's base (-15%), a VIP rule,
a dynamic rule left off for previewing, and a few promotions with coupons.

Runs after the catalog step (handel/wiring.py DEMO_STEPS); idempotent: a second run changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from handel.catalog.queries import product_facts, visible_products
from handel.channels.models import Channel
from handel.core.demo import DemoContext
from handel.pricing.models import (
    Coupon,
    PriceList,
    PriceListAssignment,
    PriceListEntry,
    PriceRule,
    PricingChannelSettings,
    Promotion,
    TaxRate,
)

# country: (standard, reduced) VAT in percent
VAT = {
    "NL": ("21", "9"),
    "BE": ("21", "6"),
    "DE": ("19", "7"),
    "FR": ("20", "5.5"),
    "LU": ("17", "8"),
    "AT": ("20", "10"),
}
CENT = Decimal("0.01")


def build(context: DemoContext) -> None:
    rng = context.random_for("pricing")
    with transaction.atomic():
        for country, (standard, reduced) in VAT.items():
            for tax_class, rate in (("standard", standard), ("reduced", reduced)):
                TaxRate.objects.update_or_create(
                    country=country,
                    region="",
                    tax_class=tax_class,
                    customer_tax_class="",
                    defaults={"rate": Decimal(rate), "name": f"{country} VAT"},
                )
        for channel in Channel.objects.filter(code__in=["b2c", "b2b"]):
            PricingChannelSettings.objects.update_or_create(
                channel=channel, defaults={"prices_entered_including_tax": channel.code == "b2c"}
            )
        b2c = _list("b2c-base", "Shop prices (incl. VAT)", "channel", "b2c", is_base=True)
        b2b = _list("b2b-base", "Business prices", "channel", "b2b", is_base=True)
        _list(
            "wholesale",
            "Wholesale (business prices -15%)",
            "customer_group",
            "wholesale",
            parent=b2b,
            adjustment_percent=Decimal("-15"),
        )
        for price_list, channel_code in ((b2c, "b2c"), (b2b, "b2b")):
            skus = sorted(
                visible_products(channel_code=channel_code, include_variants=True).values_list("sku", flat=True)
            )
            facts = product_facts(skus)
            entries = []
            for sku in skus:
                fact = facts[sku]
                if fact.msrp is not None:
                    price = fact.msrp if channel_code == "b2c" else fact.msrp / Decimal("1.21") * Decimal("0.9")
                elif fact.cost_price is not None:
                    price = fact.cost_price * Decimal("1.6")
                else:
                    price = Decimal(rng.randint(500, 20000)) / 100
                price = price.quantize(CENT)
                entries.append(PriceListEntry(price_list=price_list, sku=sku, min_quantity=1, unit_price=price))
                if channel_code == "b2b":
                    entries += [
                        PriceListEntry(
                            price_list=price_list,
                            sku=sku,
                            min_quantity=10,
                            unit_price=(price * Decimal("0.95")).quantize(CENT),
                        ),
                        PriceListEntry(
                            price_list=price_list,
                            sku=sku,
                            min_quantity=50,
                            unit_price=(price * Decimal("0.90")).quantize(CENT),
                        ),
                    ]
            existing = set(PriceListEntry.objects.filter(price_list=price_list).values_list("sku", "min_quantity"))
            PriceListEntry.objects.bulk_create(
                [entry for entry in entries if (entry.sku, entry.min_quantity) not in existing], batch_size=1000
            )
        PriceRule.objects.get_or_create(
            code="vip-ten",
            defaults={
                "name": "VIP: 10% off everything",
                "kind": "catalog",
                "is_active": True,
                "adjustment_value": Decimal(-10),
                "customer_groups": ["vip"],
                "min_margin_percent": Decimal(10),
            },
        )
        PriceRule.objects.get_or_create(
            code="scarce-stock",
            defaults={
                "name": "Scarce stock: +5% below 5 units (preview before switching on)",
                "kind": "stock",
                "is_active": False,
                "adjustment_value": Decimal(5),
                "stock_below": 5,
            },
        )
        welcome, _ = Promotion.objects.get_or_create(
            code="welcome",
            defaults={
                "name": "Welcome: 10% off your first order",
                "action": "percent_off_cart",
                "value": Decimal(10),
                "first_order_only": True,
                "requires_coupon": True,
                "usage_limit_per_customer": 1,
            },
        )
        Coupon.objects.get_or_create(
            code="WELCOME10", defaults={"promotion": welcome, "usage_limit": None, "usage_limit_per_customer": 1}
        )
        Promotion.objects.get_or_create(
            code="free-shipping-50",
            defaults={
                "name": "Free shipping from EUR 50",
                "action": "free_shipping",
                "min_subtotal": Decimal(50),
                "channels": ["b2c"],
            },
        )
        # Targets the customers demo's "vip" segment (3 orders or more), through the segment condition.
        Promotion.objects.get_or_create(
            code="vip-thanks",
            defaults={
                "name": "VIP: 5% off every order",
                "action": "percent_off_cart",
                "value": Decimal(5),
                "segments": ["vip"],
                "channels": ["b2c"],
            },
        )
        Promotion.objects.get_or_create(
            code="bulk-spend",
            defaults={
                "name": "Spend more, save more",
                "action": "tiered_spend",
                "channels": ["b2b"],
                "tiers": [{"min_subtotal": "500", "percent": "2"}, {"min_subtotal": "2000", "percent": "4"}],
            },
        )


def _list(
    code: str,
    name: str,
    kind: str,
    key: str,
    *,
    is_base: bool = False,
    parent: PriceList | None = None,
    adjustment_percent: Decimal = Decimal(0),
) -> PriceList:
    price_list, _ = PriceList.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "currency": "EUR",
            "is_base": is_base,
            "parent": parent,
            "adjustment_percent": adjustment_percent,
        },
    )
    PriceListAssignment.objects.get_or_create(price_list=price_list, kind=kind, key=key)
    return price_list
