"""Read side of payments: which methods a buyer may use, payments by reference, store credit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from handel.channels.queries import get_channel
from handel.payments.methods import METHODS
from handel.payments.models import Payment, PaymentMethodConfig, StoreCreditAccount, StoreCreditEntry


@dataclass(frozen=True)
class AvailableMethod:
    code: str
    name: str
    online: bool
    needs_po_number: bool
    instructions: str


def available_methods(
    *,
    channel_code: str,
    amount: Decimal,
    is_business_buyer: bool,
    can_pay_on_account: bool,
    customer_id: int | None = None,
) -> list[AvailableMethod]:
    """`customer_id` is the signed-in buyer: store credit is offered when it covers `amount`."""
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
        if spec.needs_store_credit and not _store_credit_covers(customer_id, channel_code, amount):
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


def _store_credit_covers(customer_id: int | None, channel_code: str, amount: Decimal) -> bool:
    channel = get_channel(channel_code)
    if customer_id is None or channel is None or amount <= 0:
        return False
    return store_credit_balance(customer_id=customer_id, currency=channel.currency) >= amount


def store_credit_balance(*, customer_id: int, currency: str) -> Decimal:
    account = StoreCreditAccount.objects.filter(customer_id=customer_id, currency=currency).only("balance").first()
    return account.balance if account is not None else Decimal("0.00")


def store_credit_accounts(customer_id: int) -> list[StoreCreditAccount]:
    """The customer's store credit, one account per currency they ever had credit in."""
    return list(StoreCreditAccount.objects.filter(customer_id=customer_id).order_by("currency"))


def store_credit_entries(*, customer_id: int, currency: str | None = None) -> QuerySet[StoreCreditEntry]:
    """The customer's ledger, newest first."""
    entries = StoreCreditEntry.objects.filter(account__customer_id=customer_id).select_related("account")
    if currency:
        entries = entries.filter(account__currency=currency)
    return entries.order_by("-created_at", "-id")
