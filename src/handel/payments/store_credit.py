"""The store credit ledger: Handel's own money, granted (refunds), adjusted by staff, spent at
checkout and given back, each booking in the transaction of the payment it belongs to."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from handel.core import audit
from handel.core.errors import Conflict, DomainError, InvalidInput, field_error
from handel.core.events import emit
from handel.core.money import known_currencies, round_amount
from handel.payments.bookkeeping import clean_amount, record_transaction
from handel.payments.models import (
    Payment,
    PaymentTransaction,
    StoreCreditAccount,
    StoreCreditEntry,
)

STORE_CREDIT = "store_credit"
S = Payment.Status


class InsufficientStoreCredit(DomainError):
    status = 409
    slug = "store-credit-insufficient"
    title = "Not enough store credit"


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


def _lock_account(customer_id: int, currency: str, *, create: bool) -> StoreCreditAccount | None:
    """Lock the customer's account row (PostgreSQL); SQLite's IMMEDIATE transactions already hold
    the one write lock. The conditional UPDATE in `_book` is what keeps the balance from going
    below zero on both."""
    account = StoreCreditAccount.objects.select_for_update().filter(customer_id=customer_id, currency=currency).first()
    if account is None and create:
        try:
            with transaction.atomic():
                StoreCreditAccount.objects.create(customer_id=customer_id, currency=currency)
        except IntegrityError:
            pass  # opened by a concurrent grant; lock theirs
        account = StoreCreditAccount.objects.select_for_update().get(customer_id=customer_id, currency=currency)
    return account


def _book(
    account: StoreCreditAccount,
    *,
    kind: str,
    amount: Decimal,
    reference: str,
    payment: Payment | None = None,
    note: str = "",
    actor: Any = None,
) -> StoreCreditEntry:
    """Move the balance by `amount` and append the entry, in the caller's transaction. A debit
    checks and lowers the balance in one statement, so concurrent spending cannot overdraw it."""
    rows = StoreCreditAccount.objects.filter(pk=account.pk)
    if amount < 0:
        rows = rows.filter(balance__gte=-amount)
    if not rows.update(balance=F("balance") + amount, updated_at=timezone.now()):
        account.refresh_from_db(fields=["balance"])
        raise InsufficientStoreCredit(
            f"{-amount} {account.currency} of store credit is needed; {account.balance} {account.currency} is left",
            extra={"balance": str(account.balance), "currency": account.currency},
        )
    account.refresh_from_db(fields=["balance", "updated_at"])
    return StoreCreditEntry.objects.create(
        account=account,
        kind=kind,
        amount=amount,
        balance_after=account.balance,
        reference=reference[:100],
        payment=payment,
        note=note[:255],
        created_by=_user_or_none(actor),
    )


def grant_store_credit(
    *, customer_id: int, currency: str, amount: Decimal, reference: str, actor: Any = None, note: str = ""
) -> StoreCreditEntry:
    """Credit a customer's store credit for a credit memo (`reference` is its number), once per
    memo. Runs inside the caller's transaction, so the memo and the credit commit together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("grant_store_credit must run inside the credit memo's transaction")
    amount = clean_amount(amount, currency)
    existing = StoreCreditEntry.objects.filter(kind=StoreCreditEntry.Kind.GRANT, reference=reference).first()
    if existing is not None:
        return existing
    account = _lock_account(customer_id, currency, create=True)
    assert account is not None  # created when missing
    entry = _book(account, kind=StoreCreditEntry.Kind.GRANT, amount=amount, reference=reference, note=note, actor=actor)
    audit.record(
        actor=actor,
        action="store_credit.granted",
        obj=account,
        data={"amount": str(amount), "reference": reference, "balance": str(entry.balance_after)},
    )
    return entry


def adjust_store_credit(
    *, actor: Any, customer_email: str, currency: str, amount: Decimal, reason: str
) -> StoreCreditEntry:
    """Staff add (positive `amount`) or take away (negative) store credit, with a reason. Taking
    away more than the balance is refused."""
    errors = []
    customer = get_user_model().objects.filter(email__iexact=customer_email.strip()).first()
    if customer is None:
        errors.append(field_error(["body", "customer_email"], "no customer with this email address"))
    if currency not in known_currencies():
        errors.append(field_error(["body", "currency"], "not ISO 4217"))
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount == 0:
        errors.append(field_error(["body", "amount"], "must not be zero"))
    elif currency in known_currencies() and round_amount(amount, currency) != amount:
        errors.append(field_error(["body", "amount"], f"too many decimals for {currency}"))
    if not reason.strip():
        errors.append(field_error(["body", "reason"], "required"))
    if errors:
        raise InvalidInput("the adjustment is not valid", errors=errors)
    assert customer is not None
    with transaction.atomic(durable=True):
        account = _lock_account(customer.pk, currency, create=amount > 0)
        if account is None:
            raise InsufficientStoreCredit(f"{customer_email} has no store credit in {currency} to take away")
        entry = _book(
            account,
            kind=StoreCreditEntry.Kind.ADJUSTMENT,
            amount=amount,
            reference="adjustment",  # who adjusted is created_by, kept from the customer's view
            note=reason.strip(),
            actor=actor,
        )
        audit.record(
            actor=actor,
            action="store_credit.adjusted",
            obj=account,
            data={"amount": str(amount), "reason": reason.strip(), "balance": str(entry.balance_after)},
        )
    return entry


def pay_with_store_credit(
    *,
    reference: str,
    amount: Decimal,
    currency: str,
    customer_id: int | None,
    details: dict[str, Any],
    actor: Any,
    savepoint: bool = True,
) -> Payment:
    """Take the whole amount from the customer's store credit: the payment is captured at once.
    `savepoint=False` (placement): no savepoint of its own inside the caller's transaction."""
    if customer_id is None:
        raise InvalidInput(
            "store credit needs a customer account",
            errors=[field_error(["body", "payment_method"], "sign in to pay with store credit")],
        )
    # Like the other offline methods it joins the caller's transaction (placement): a refusal
    # then takes the order back with it. Placement asks for no savepoint: its audit row and events
    # then join the placement's, in the order they happened (core.batching).
    with transaction.atomic(savepoint=savepoint):
        if StoreCreditEntry.objects.filter(kind=StoreCreditEntry.Kind.SPEND, reference=reference).exists():
            raise Conflict(f"{reference} is already paid with store credit", slug="already-paid")
        account = _lock_account(customer_id, currency, create=False)
        if account is None:
            raise InsufficientStoreCredit(f"there is no store credit in {currency}")
        payment = Payment.objects.create(
            reference=reference,
            method=STORE_CREDIT,
            provider=STORE_CREDIT,
            currency=currency,
            amount=amount,
            authorized_amount=amount,
            captured_amount=amount,
            status=S.CAPTURED,
            details=details,
        )
        entry = _book(account, kind=StoreCreditEntry.Kind.SPEND, amount=-amount, reference=reference, payment=payment)
        record_transaction(payment, PaymentTransaction.Kind.CAPTURE, None, amount, message="taken from store credit")
        audit.record(
            actor=actor,
            action="payment.captured",
            obj=payment,
            data={"method": STORE_CREDIT, "amount": str(amount), "balance": str(entry.balance_after)},
        )
        emit("payment.authorized", {"payment_id": payment.pk, "reference": reference})
        emit("payment.captured", {"payment_id": payment.pk, "reference": reference, "amount": str(amount)})
    return payment


def give_store_credit_back(payment: Payment, amount: Decimal, *, note: str, actor: Any) -> None:
    """Store credit spent on `payment` goes back to the balance it came from (in the caller's transaction)."""
    spent = StoreCreditEntry.objects.filter(payment=payment, kind=StoreCreditEntry.Kind.SPEND).first()
    if spent is None:
        return
    account = StoreCreditAccount.objects.select_for_update().get(pk=spent.account_id)
    entry = _book(
        account,
        kind=StoreCreditEntry.Kind.REVERSAL,
        amount=amount,
        reference=payment.reference,
        payment=payment,
        note=note,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="store_credit.given_back",
        obj=account,
        data={"amount": str(amount), "reference": payment.reference, "balance": str(entry.balance_after)},
    )
