from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from handel.orders import services
from handel.orders.types import AddressSnapshot, LineSnapshot, OrderSnapshot
from tests.companies.conftest import company_with_roles  # noqa: F401 (a shared fixture)

ADDRESS = AddressSnapshot(
    first_name="Ann", last_name="Smit", street="Damrak 1", postal_code="1012 LG", city="Amsterdam", country="NL"
)


def line(sku: str = "DRILL-1", quantity: int = 2, net: str = "100.00", rate: str = "21.00") -> LineSnapshot:
    total_net = Decimal(net)
    tax = (total_net * Decimal(rate) / 100).quantize(Decimal("0.01"))
    return LineSnapshot(
        sku=sku,
        name=f"Product {sku}",
        quantity=quantity,
        unit_price=total_net / quantity,
        discount=Decimal("0.00"),
        tax_rate=Decimal(rate),
        tax_amount=tax,
        total_net=total_net,
        total_gross=total_net + tax,
    )


def snapshot(lines: tuple[LineSnapshot, ...] | None = None, shipping_net: str = "5.00", **overrides) -> OrderSnapshot:
    lines = lines if lines is not None else (line(), line("SAW-2", 1, "40.00"))
    shipping_net_amount = Decimal(shipping_net)
    shipping_gross = (shipping_net_amount * Decimal("1.21")).quantize(Decimal("0.01"))
    net = sum((item.total_net for item in lines), Decimal(0))
    gross = sum((item.total_gross for item in lines), Decimal(0))
    tax = sum((item.tax_amount for item in lines), Decimal(0)) + shipping_gross - shipping_net_amount
    values = dict(
        channel_code="b2c",
        currency="EUR",
        locale="nl",
        email="ann@example.com",
        prices_include_tax=True,
        lines=lines,
        billing_address=ADDRESS,
        shipping_address=ADDRESS,
        delivery={"method": "flat_rate"},
        shipping_net=shipping_net_amount,
        shipping_gross=shipping_gross,
        discount_total=Decimal("0.00"),
        subtotal_net=net,
        subtotal_gross=gross,
        tax_total=tax,
        grand_total=gross + shipping_gross,
        payment_method="card",
    )
    values.update(overrides)
    return OrderSnapshot(**values)


@pytest.fixture
def place():
    def make(**overrides):
        with transaction.atomic():
            return services.record_order(snapshot=snapshot(**overrides))

    return make
