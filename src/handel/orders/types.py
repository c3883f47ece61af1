"""What checkout hands to orders: a complete, already-priced snapshot. Orders store it as is."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class AddressSnapshot:
    first_name: str
    last_name: str
    street: str
    postal_code: str
    city: str
    country: str
    company_name: str = ""
    street2: str = ""
    region: str = ""
    phone: str = ""

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class LineSnapshot:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal  # as shown (incl. or excl. tax, see OrderSnapshot.prices_include_tax)
    discount: Decimal  # total discount on the line, as shown
    tax_rate: Decimal  # e.g. Decimal("21.00") for 21 %
    tax_amount: Decimal
    total_net: Decimal
    total_gross: Decimal
    kind: str = "simple"
    options: dict[str, Any] = field(default_factory=dict)
    explanation: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class OrderSnapshot:
    channel_code: str
    currency: str
    locale: str
    email: str
    prices_include_tax: bool
    lines: tuple[LineSnapshot, ...]
    billing_address: AddressSnapshot
    shipping_address: AddressSnapshot | None
    delivery: dict[str, Any]
    shipping_net: Decimal
    shipping_gross: Decimal
    discount_total: Decimal
    subtotal_net: Decimal
    subtotal_gross: Decimal
    tax_total: Decimal
    grand_total: Decimal
    payment_method: str
    customer_id: int | None = None
    company_id: int | None = None
    purchase_order_number: str = ""
    placed_by_staff_id: int | None = None
    promotions: tuple[dict[str, Any], ...] = ()
    tax_breakdown: tuple[dict[str, Any], ...] = ()
    notes: str = ""
