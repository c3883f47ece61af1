"""Checks and records shared by the payment use cases: a valid amount, a provider step booked."""

from __future__ import annotations

from decimal import Decimal

from handel.core.errors import InvalidInput, field_error
from handel.core.money import known_currencies, round_amount
from handel.payments.models import (
    Payment,
    PaymentTransaction,
)
from handel.payments.providers.base import ProviderResult


def clean_amount(amount: Decimal, currency: str, field: str = "amount") -> Decimal:
    if currency not in known_currencies():
        raise InvalidInput("unknown currency", errors=[field_error(["body", "currency"], "not ISO 4217")])
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise InvalidInput("the amount must be positive", errors=[field_error(["body", field], "must be > 0")])
    if round_amount(amount, currency) != amount:
        raise InvalidInput(
            "the amount has more decimals than the currency",
            errors=[field_error(["body", field], f"too many decimals for {currency}")],
        )
    return amount


def record_transaction(
    payment: Payment,
    kind: str,
    result: ProviderResult | None,
    amount: Decimal = Decimal("0"),
    success: bool = True,
    message: str = "",
) -> None:
    PaymentTransaction.objects.create(
        payment=payment,
        kind=kind,
        amount=amount,
        success=success if result is None else result.status != "failed",
        provider_reference=result.provider_reference if result else "",
        error_code=result.error_code if result else "",
        message=(result.message if result else message)[:255],
    )
