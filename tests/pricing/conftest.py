from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

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
