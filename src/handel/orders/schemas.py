from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class OrderLineOut(Schema):
    position: int
    sku: str
    name: str
    kind: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    total_net: Decimal
    total_gross: Decimal
    options: dict[str, Any]
    note: str


class OrderEventOut(Schema):
    at: datetime
    kind: str
    from_status: str
    to_status: str
    message: str


class OrderSummaryOut(Schema):
    number: str
    status: str
    customer_status: str
    channel_code: str
    currency: str
    grand_total: Decimal
    placed_at: datetime
    purchase_order_number: str


class OrderOut(OrderSummaryOut):
    email: str
    prices_include_tax: bool
    subtotal_net: Decimal
    subtotal_gross: Decimal
    discount_total: Decimal
    shipping_net: Decimal
    shipping_gross: Decimal
    tax_total: Decimal
    payment_method: str
    billing_address: dict[str, Any]
    shipping_address: dict[str, Any] | None
    delivery: dict[str, Any]
    tax_breakdown: list[dict[str, Any]]
    version: int
    lines: list[OrderLineOut]
    timeline: list[OrderEventOut]


class OrderPage(Schema):
    items: list[OrderSummaryOut]
    meta: dict[str, int]


class TransitionIn(Schema):
    status: str = Field(max_length=20)
    reason: str = Field("", max_length=500)


class NoteIn(Schema):
    message: str = Field(min_length=1, max_length=2000)
    customer_visible: bool = False
