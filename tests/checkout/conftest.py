"""A small shop for checkout tests, built with the catalog, pricing, inventory and payments services.

b2c (prices incl. tax, NL 21 %, reduced 9 %) and b2b (excl. tax). Products: simple A and B,
MIN (minimum 5, steps of 5), a digital licence DIG, a kit KIT (A + 2 B), a bundle BUN (choose A or
B), B2B-ONLY (only in the b2b catalog), NOPRICE (no price). Stock: A and B at the main warehouse,
a little B at the south warehouse, A at the Amsterdam pickup store.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from handel.catalog import services as catalog_services
from handel.inventory import services as inventory_services
from handel.payments.methods import METHODS
from handel.payments.models import PaymentMethodConfig
from handel.pricing import services as pricing_services
from handel.procurement import services as procurement_services
from tests.companies.conftest import company_with_roles  # noqa: F401 (a shared fixture)

ADDRESS = {
    "first_name": "Ann",
    "last_name": "Smit",
    "street": "Damrak 1",
    "postal_code": "1012 LG",
    "city": "Amsterdam",
    "country": "NL",
}
CARD_APPROVED = {"number": "4242424242424242", "expiry": "12/35", "cvc": "123"}
PRICES = {"A": "10.00", "B": "20.00", "MIN": "2.00", "DIG": "30.00", "KIT": "45.00", "BUN": "40.00", "B2B-ONLY": "5.00"}


def product(sku: str, **fields: Any) -> dict[str, Any]:
    record = {
        "sku": sku,
        "kind": "simple",
        "status": "active",
        "name": f"Product {sku}",
        "channels": ["b2b", "b2c"],
        "categories": ["tools"],
        "weight_grams": 500,
    }
    record.update(fields)
    return record


@pytest.fixture
def shop(channels: None, db: Any) -> dict[str, Any]:
    catalog_services.create_category(actor=None, slug="tools", name="Tools")
    for record in (
        product("A"),
        product("B", weight_grams=1500),
        product("MIN", min_order_qty=5, order_increment=5),
        product("DIG", kind="virtual", digital_delivery="licence", tax_class="reduced", weight_grams=None),
        product("KIT", kind="kit", kit_components=["A*1", "B*2"]),
        product(
            "BUN",
            kind="bundle",
            bundle_pricing="fixed",
            bundle_price="40.00",
            bundle_groups=[
                {
                    "code": "main",
                    "name": "Main",
                    "required": True,
                    "min": 1,
                    "max": 1,
                    "options": [{"sku": "A", "quantity": 1, "default": True}, {"sku": "B"}],
                }
            ],
        ),
        product("B2B-ONLY", channels=["b2b"]),
        product("NOPRICE"),
    ):
        catalog_services.create_product(actor=None, record=record)
    for country, rate in (("NL", "21"), ("BE", "21"), ("DE", "19")):
        pricing_services.set_tax_rate(actor=None, country=country, rate=Decimal(rate))
    pricing_services.set_tax_rate(actor=None, country="NL", rate=Decimal("9"), tax_class="reduced")
    pricing_services.create_price_list(
        actor=None,
        code="b2c-base",
        name="Shop",
        currency="EUR",
        is_base=True,
        assignments=[{"kind": "channel", "key": "b2c"}],
    )
    pricing_services.create_price_list(
        actor=None,
        code="b2b-base",
        name="Business",
        currency="EUR",
        is_base=True,
        assignments=[{"kind": "channel", "key": "b2b"}],
    )
    entries = [pricing_services.EntryInput(sku, Decimal(price)) for sku, price in PRICES.items()]
    pricing_services.set_price_entries(actor=None, price_list_code="b2c-base", entries=entries)
    pricing_services.set_price_entries(actor=None, price_list_code="b2b-base", entries=entries)
    for code, country, postal_code, priority, ships, pickup in (
        ("main", "NL", "3087 BM", 10, True, False),
        ("south", "NL", "5928 PR", 20, True, False),
        ("ams-store", "NL", "1012 PH", 50, False, True),
    ):
        inventory_services.create_source(
            actor=None,
            code=code,
            name=code.title(),
            country=country,
            postal_code=postal_code,
            city="City",
            priority=priority,
            ships=ships,
            pickup=pickup,
            channel_codes=["b2c", "b2b"],
        )
    set_stock(
        {
            ("A", "main"): 100,
            ("B", "main"): 100,
            ("MIN", "main"): 100,
            ("BUN", "main"): 0,
            ("B", "south"): 5,
            ("A", "ams-store"): 10,
        }
    )
    for position, code in enumerate(METHODS):
        PaymentMethodConfig.objects.update_or_create(code=code, defaults={"enabled": True, "sort_order": position})
    return {}


def set_stock(levels: dict[tuple[str, str], int]) -> None:
    inventory_services.bulk_update_stock(
        actor=None,
        updates=[
            inventory_services.StockUpdate(sku=sku, source_code=source, on_hand=on_hand)
            for (sku, source), on_hand in levels.items()
        ],
    )


def add_promotion(code: str, *, coupon: str | None = None, usage_limit: int | None = None, **fields: Any) -> None:
    values = {"name": code, "action": "percent_off_cart", "value": Decimal("10"), "requires_coupon": bool(coupon)}
    values.update(fields)
    pricing_services.create_promotion(actor=None, code=code, fields=values)
    if coupon:
        pricing_services.create_coupon(actor=None, promotion_code=code, code=coupon, usage_limit=usage_limit)


def approval_over_50(company, users):
    """The company's approvers must approve purchases over 50."""
    procurement_services.create_rule(
        actor=users["admin"],
        company_id=company.pk,
        name="Over 50",
        kind="order_total",
        threshold=Decimal("50"),
        approver_kind="role",
        approver_role="approver",
    )
