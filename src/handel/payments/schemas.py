from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from ninja import Schema
from pydantic import Field


class PaymentMethodOut(Schema):
    code: str
    name: str
    online: bool
    needs_po_number: bool
    instructions: str


class TransactionOut(Schema):
    kind: str
    amount: Decimal
    success: bool
    error_code: str
    message: str
    created_at: datetime


class PaymentOut(Schema):
    id: UUID = Field(validation_alias="public_id")
    reference: str
    method: str
    status: str
    currency: str
    amount: Decimal
    authorized_amount: Decimal
    captured_amount: Decimal
    refunded_amount: Decimal
    card_brand: str
    card_last4: str
    action_url: str
    failure_code: str
    failure_message: str
    created_at: datetime


class PaymentDetailOut(PaymentOut):
    transactions: list[TransactionOut]


class AmountIn(Schema):
    amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)


class RefundIn(AmountIn):
    reason: str = Field("", max_length=255)


class StoreCreditBalanceOut(Schema):
    currency: str
    balance: Decimal


class StoreCreditEntryOut(Schema):
    kind: str
    kind_label: str
    currency: str
    amount: Decimal
    balance_after: Decimal
    reference: str
    note: str
    created_at: datetime


class StoreCreditOut(Schema):
    balances: list[StoreCreditBalanceOut]
    entries: list[StoreCreditEntryOut]
    meta: dict[str, int]


class StoreCreditAdjustmentIn(Schema):
    customer_email: str = Field(min_length=1, max_length=254)
    currency: str = Field(min_length=3, max_length=3)
    amount: Decimal = Field(max_digits=14, decimal_places=2, description="positive adds credit, negative takes it away")
    reason: str = Field(min_length=1, max_length=255)


class StoreCreditAdjustmentOut(Schema):
    customer_email: str
    currency: str
    balance: Decimal
    entry: StoreCreditEntryOut
