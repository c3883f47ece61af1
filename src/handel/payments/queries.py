"""Read side of payments: which methods a buyer may use, and payments by reference."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from handel.payments.methods import METHODS
from handel.payments.models import Payment, PaymentMethodConfig


@dataclass(frozen=True)
class AvailableMethod:
    code: str
    name: str
    online: bool
    needs_po_number: bool
    instructions: str


def available_methods(
    *, channel_code: str, amount: Decimal, is_business_buyer: bool, can_pay_on_account: bool
) -> list[AvailableMethod]:
    configs = {config.code: config for config in PaymentMethodConfig.objects.filter(enabled=True)}
    methods = []
    for code, config in sorted(configs.items(), key=lambda item: (item[1].sort_order, item[0])):
        spec = METHODS.get(code)
        if spec is None or (config.channels and channel_code not in config.channels):
            continue
        if spec.business_only and not is_business_buyer:
            continue
        if spec.needs_company_credit and not can_pay_on_account:
            continue
        if (config.min_amount is not None and amount < config.min_amount) or (
            config.max_amount is not None and amount > config.max_amount
        ):
            continue
        methods.append(AvailableMethod(code, spec.name, spec.online, spec.needs_po_number, config.instructions))
    return methods


def payments_for(reference: str) -> QuerySet[Payment]:
    return Payment.objects.filter(reference=reference).order_by("created_at", "id")


def payment_by_public_id(public_id: str) -> Payment | None:
    return Payment.objects.filter(public_id=public_id).first()
