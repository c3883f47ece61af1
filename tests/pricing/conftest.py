from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from handel.catalog import services as catalog_services
from handel.customers.models import CustomerGroup
from handel.pricing import services


@pytest.fixture
def pricing(channels: Any, db: Any) -> dict[str, Any]:
    """Tax rates, a base list per channel, a dealer list derived from the b2c base (-15%), a customer group."""
    for country, rate in (("NL", "21"), ("DE", "19"), ("BE", "21")):
        services.set_tax_rate(actor=None, country=country, rate=Decimal(rate))
    services.set_tax_rate(actor=None, country="NL", rate=Decimal("9"), tax_class="reduced")
    dealer_group = CustomerGroup.objects.create(code="dealer", name="Dealer", tax_class="standard")
    services.create_price_list(
        actor=None,
        code="b2c-base",
        name="Shop base",
        currency="EUR",
        is_base=True,
        assignments=[{"kind": "channel", "key": "b2c"}],
    )
    services.create_price_list(
        actor=None,
        code="b2b-base",
        name="Business base",
        currency="EUR",
        is_base=True,
        assignments=[{"kind": "channel", "key": "b2b"}],
    )
    services.create_price_list(
        actor=None,
        code="dealer",
        name="Dealer",
        currency="EUR",
        parent="b2c-base",
        adjustment_percent=Decimal("-15"),
        assignments=[{"kind": "customer_group", "key": "dealer"}],
    )
    services.set_price_entries(
        actor=None,
        price_list_code="b2c-base",
        entries=[
            services.EntryInput("A", Decimal("10.00")),
            services.EntryInput("A", Decimal("9.00"), 10),
            services.EntryInput("B", Decimal("20.00")),
        ],
    )
    services.set_price_entries(
        actor=None,
        price_list_code="b2b-base",
        entries=[
            services.EntryInput("A", Decimal("8.00")),
            services.EntryInput("B", Decimal("16.00")),
        ],
    )
    return {"dealer_group": dealer_group}


@pytest.fixture
def catalog_products(pricing: dict[str, Any]) -> None:
    """A drill (tools/drills, cost 8.00, MSRP 11.00) and a book (reduced tax, cost 5.00) as catalog products."""
    catalog_services.create_category(actor=None, slug="tools", name="Tools")
    catalog_services.create_category(actor=None, slug="drills", name="Drills", parent_path="tools")
    catalog_services.create_category(actor=None, slug="books", name="Books")
    catalog_services.create_product(
        actor=None,
        record={
            "sku": "A",
            "kind": "simple",
            "status": "active",
            "name": "Drill",
            "categories": ["tools/drills"],
            "cost_price": "8.00",
            "msrp": "11.00",
            "channels": ["b2c", "b2b"],
        },
    )
    catalog_services.create_product(
        actor=None,
        record={
            "sku": "B",
            "kind": "simple",
            "status": "active",
            "name": "Book",
            "categories": ["books"],
            "tax_class": "reduced",
            "cost_price": "5.00",
            "msrp": "30.00",
            "channels": ["b2c", "b2b"],
        },
    )
