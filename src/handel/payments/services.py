"""Write use cases for payments: start, capture, void, refund, webhooks, the test gateway's challenge;
the store credit ledger is in `store_credit` (its use cases are re-exported here).

Provider calls stand outside database transactions (a real provider is a network call); the
payment row is written before the call and updated after it, each in its own transaction.
Store credit is Handel's own money: it is taken, and given back, in the payment's transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from handel.core import audit
from handel.core.errors import Conflict, DomainError, InvalidInput, NotFound, field_error
from handel.core.events import emit
from handel.payments.bookkeeping import clean_amount, record_transaction
from handel.payments.methods import METHODS
from handel.payments.models import (
    Payment,
    PaymentTransaction,
    WebhookReceipt,
)
from handel.payments.providers import provider
from handel.payments.providers.base import ProviderResult, WebhookRejected
from handel.payments.providers.test_gateway import TestGateway, sign
from handel.payments.store_credit import STORE_CREDIT, give_store_credit_back, pay_with_store_credit

# The store credit use cases live in handel/payments/store_credit.py; services is their public entry.
from handel.payments.store_credit import InsufficientStoreCredit as InsufficientStoreCredit
from handel.payments.store_credit import adjust_store_credit as adjust_store_credit
from handel.payments.store_credit import grant_store_credit as grant_store_credit

S = Payment.Status
# Providers that are not called over the network: their steps are booked here directly.
LOCAL_PROVIDERS = frozenset({"offline", STORE_CREDIT})


class PaymentDeclined(DomainError):
    status = 402
    slug = "payment-declined"
    title = "The payment was declined"


class PaymentStateError(DomainError):
    status = 409
    slug = "payment-state"
    title = "The payment cannot do that now"


def start_payment(
    *,
    reference: str,
    method: str,
    amount: Decimal,
    currency: str,
    card: dict[str, str] | None = None,
    return_url: str = "",
    details: dict[str, Any] | None = None,
    actor: Any = None,
    customer_id: int | None = None,
    savepoint: bool = True,
) -> Payment:
    """Pay for `reference` with `method`. Offline methods wait for the money; cards are authorized
    (possibly after a 3-D Secure challenge or an asynchronous confirmation); store credit is taken
    from the balance of `customer_id` at once (`savepoint=False`: inside the caller's transaction
    without a savepoint of its own, as placement asks)."""
    spec = METHODS.get(method)
    if spec is None:
        raise InvalidInput(
            f"unknown payment method '{method}'",
            errors=[field_error(["body", "method"], f"one of {', '.join(METHODS)}")],
        )
    amount = clean_amount(amount, currency)
    details = dict(details or {})
    if spec.needs_po_number and not str(details.get("po_number", "")).strip():
        raise InvalidInput(
            "a purchase order number is required", errors=[field_error(["body", "po_number"], "required")]
        )
    if spec.online and not card:
        raise InvalidInput("card details are required", errors=[field_error(["body", "card"], "required")])
    if spec.needs_store_credit:
        return pay_with_store_credit(
            reference=reference,
            amount=amount,
            currency=currency,
            customer_id=customer_id,
            details=details,
            actor=actor,
            savepoint=savepoint,
        )
    fields = {
        "reference": reference,
        "method": method,
        "provider": spec.provider,
        "currency": currency,
        "amount": amount,
        "return_url": return_url,
        "details": details,
    }
    if not spec.online:
        # Offline money arrives later (transfer, cash) or is settled on account against the invoice.
        # Nothing leaves the process, so this joins the caller's transaction when there is one
        # (placement records the order and its payment in one).
        status = S.AUTHORIZED if method in ("on_account", "purchase_order") else S.AWAITING_TRANSFER
        with transaction.atomic(savepoint=False):
            payment = Payment.objects.create(
                **fields, status=status, authorized_amount=amount if status == S.AUTHORIZED else Decimal("0")
            )
            audit.record(actor=actor, action="payment.started", obj=payment, data={"method": method})
            emit(
                "payment.authorized" if status == S.AUTHORIZED else "payment.pending",
                {"payment_id": payment.pk, "reference": reference},
            )
        return payment
    with transaction.atomic(durable=True):
        payment = Payment.objects.create(**fields)
    result = provider(spec.provider).authorize(
        amount=amount, currency=currency, card=card or {}, return_url=return_url, reference=str(payment.public_id)
    )
    with transaction.atomic(durable=True):
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        before = payment.status
        payment.provider_reference = result.provider_reference
        payment.card_brand, payment.card_last4 = result.card_brand, result.card_last4
        record_transaction(payment, PaymentTransaction.Kind.AUTHORIZE, result, amount)
        if result.status == "failed":
            payment.status = S.FAILED
            payment.failure_code, payment.failure_message = result.error_code, result.message
        elif result.status == "requires_action":
            payment.status, payment.action_url = S.REQUIRES_ACTION, result.action_url
        elif result.status == "pending":
            pass  # stays pending, unless the provider's webhook already confirmed it
        else:
            payment.status, payment.authorized_amount = S.AUTHORIZED, amount
        payment.save()
        audit.record(actor=actor, action=f"payment.{payment.status}", obj=payment, data={"method": method})
        if payment.status != before and payment.status in (S.AUTHORIZED, S.FAILED):
            emit(f"payment.{payment.status}", {"payment_id": payment.pk, "reference": reference})
    return payment


def _locked(public_id: str) -> Payment:
    payment = Payment.objects.select_for_update().filter(public_id=public_id).first()
    if payment is None:
        raise NotFound("no such payment")
    return payment


def capture_payment(*, public_id: str, amount: Decimal | None = None, actor: Any = None) -> Payment:
    """Capture all or part of what is authorized. Offline payments are marked as paid."""
    with transaction.atomic(durable=True):
        payment = _locked(public_id)
        if payment.status not in (S.AUTHORIZED, S.PARTIALLY_CAPTURED, S.AWAITING_TRANSFER):
            raise PaymentStateError(f"a {payment.get_status_display().lower()} payment cannot be captured")
        ceiling = payment.amount if payment.status == S.AWAITING_TRANSFER else payment.authorized_amount
        remaining = ceiling - payment.captured_amount
        amount = clean_amount(amount if amount is not None else remaining, payment.currency)
        if amount > remaining:
            raise InvalidInput(
                f"at most {remaining} {payment.currency} can still be captured",
                errors=[field_error(["body", "amount"], f"at most {remaining}")],
            )
    result = (
        provider(payment.provider).capture(provider_reference=payment.provider_reference, amount=amount)
        if payment.provider not in LOCAL_PROVIDERS
        else ProviderResult("captured", amount=amount)
    )
    with transaction.atomic(durable=True):
        payment = _locked(public_id)
        record_transaction(payment, PaymentTransaction.Kind.CAPTURE, result, amount)
        if result.status == "failed":
            payment.save(update_fields=["updated_at"])
            raise PaymentDeclined(result.message or "the capture failed", slug="capture-failed")
        if payment.status == S.AWAITING_TRANSFER:
            payment.authorized_amount = payment.amount
        payment.captured_amount += amount
        payment.status = S.CAPTURED if payment.captured_amount >= payment.authorized_amount else S.PARTIALLY_CAPTURED
        payment.save()
        audit.record(actor=actor, action="payment.captured", obj=payment, data={"amount": str(amount)})
        emit("payment.captured", {"payment_id": payment.pk, "reference": payment.reference, "amount": str(amount)})
    return payment


def void_payment(*, public_id: str, actor: Any = None) -> Payment:
    with transaction.atomic(durable=True):
        payment = _locked(public_id)
        if payment.status in (S.VOIDED, S.FAILED):
            return payment
        if payment.captured_amount > 0:
            raise PaymentStateError("a captured payment is refunded, not voided")
    # A payment the provider never took (no reference: the card was refused before it) has
    # nothing to void there.
    result = (
        provider(payment.provider).void(provider_reference=payment.provider_reference)
        if payment.provider not in LOCAL_PROVIDERS and payment.provider_reference
        else ProviderResult("voided")
    )
    with transaction.atomic(durable=True):
        payment = _locked(public_id)
        record_transaction(payment, PaymentTransaction.Kind.VOID, result)
        if result.status == "failed":
            payment.save(update_fields=["updated_at"])
            raise PaymentStateError(result.message or "the void failed")
        payment.status = S.VOIDED
        payment.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="payment.voided", obj=payment)
        emit("payment.voided", {"payment_id": payment.pk, "reference": payment.reference})
    return payment


def refund_payment(*, public_id: str, amount: Decimal | None = None, actor: Any = None, reason: str = "") -> Payment:
    with transaction.atomic(durable=True):
        payment = _locked(public_id)
        refundable = payment.captured_amount - payment.refunded_amount
        if refundable <= 0:
            raise PaymentStateError("nothing captured is left to refund")
        amount = clean_amount(amount if amount is not None else refundable, payment.currency)
        if amount > refundable:
            raise InvalidInput(
                f"at most {refundable} {payment.currency} can be refunded",
                errors=[field_error(["body", "amount"], f"at most {refundable}")],
            )
    result = (
        provider(payment.provider).refund(provider_reference=payment.provider_reference, amount=amount)
        if payment.provider not in LOCAL_PROVIDERS
        else ProviderResult("refunded", amount=amount)
    )
    with transaction.atomic(durable=True):
        payment = _locked(public_id)
        record_transaction(payment, PaymentTransaction.Kind.REFUND, result, amount)
        if result.status == "failed":
            payment.save(update_fields=["updated_at"])
            raise PaymentDeclined(result.message or "the refund failed", slug="refund-failed")
        Payment.objects.filter(pk=payment.pk).update(refunded_amount=F("refunded_amount") + amount)
        payment.refresh_from_db()
        payment.status = S.REFUNDED if payment.refunded_amount >= payment.captured_amount else S.PARTIALLY_REFUNDED
        payment.save(update_fields=["status", "updated_at"])
        if payment.provider == STORE_CREDIT:
            give_store_credit_back(payment, amount, note=reason or "refund", actor=actor)
        audit.record(
            actor=actor, action="payment.refunded", obj=payment, data={"amount": str(amount), "reason": reason}
        )
        emit("payment.refunded", {"payment_id": payment.pk, "reference": payment.reference, "amount": str(amount)})
    return payment


def receive_webhook(*, provider_code: str, body: bytes, headers: dict[str, str]) -> Payment | None:
    """Apply a provider's signed notification, once per event id."""
    try:
        gateway = provider(provider_code)
    except KeyError as exc:
        raise NotFound(f"no payment provider '{provider_code}'") from exc
    try:
        event = gateway.parse_webhook(body=body, headers=headers)
    except WebhookRejected as exc:
        raise InvalidInput(f"webhook rejected: {exc}", slug="webhook-rejected") from exc
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                WebhookReceipt.objects.create(provider=provider_code, event_id=event.event_id)
        except IntegrityError:
            return Payment.objects.filter(provider=provider_code, provider_reference=event.provider_reference).first()
        payment = (
            Payment.objects.select_for_update()
            .filter(provider=provider_code, provider_reference=event.provider_reference)
            .first()
        )
        if payment is None and event.merchant_reference:
            # The webhook may overtake the answer to our own call: find the payment by our id.
            payment = (
                Payment.objects.select_for_update()
                .filter(provider=provider_code, public_id=event.merchant_reference)
                .first()
            )
            if payment is not None:
                payment.provider_reference = event.provider_reference
        if payment is None:
            raise NotFound("the webhook names an unknown payment")
        result = ProviderResult(
            "failed" if event.kind == "payment.failed" else "ok",
            event.provider_reference,
            event.amount,
            message=event.kind,
        )
        record_transaction(payment, PaymentTransaction.Kind.WEBHOOK, result, event.amount)
        if event.kind == "payment.authorized" and payment.status in (S.PENDING, S.REQUIRES_ACTION):
            payment.status, payment.authorized_amount, payment.action_url = S.AUTHORIZED, payment.amount, ""
            payment.save()
            emit("payment.authorized", {"payment_id": payment.pk, "reference": payment.reference})
        elif event.kind == "payment.failed" and payment.status in (S.PENDING, S.REQUIRES_ACTION):
            payment.status, payment.action_url = S.FAILED, ""
            payment.failure_code, payment.failure_message = "authentication_failed", "3-D Secure was not completed."
            payment.save()
            emit("payment.failed", {"payment_id": payment.pk, "reference": payment.reference})
        audit.record(
            actor=None, action="payment.webhook", obj=payment, data={"kind": event.kind, "event": event.event_id}
        )
    return payment


def deliver_test_gateway_webhook(payload: dict[str, Any]) -> None:
    """The test gateway 'sends' its webhook: sign now and hand it to the webhook code path."""
    body = payload["body"].encode()
    receive_webhook(provider_code="test_gateway", body=body, headers={"X-Test-Gateway-Signature": sign(body)})


def complete_test_challenge(*, token: str, approved: bool) -> str:
    """The buyer answered the test gateway's 3-D Secure page; returns where to send them next."""
    gateway = provider("test_gateway")
    assert isinstance(gateway, TestGateway)
    charge = gateway.complete_challenge(token=token, approved=approved)
    if charge is None:
        raise Conflict("this challenge is finished or unknown", slug="challenge-finished")
    return charge.return_url or "/"


def on_order_cancelled(payload: dict[str, Any]) -> None:
    """An order was cancelled: void what is only authorized, refund what was captured. Store credit
    spent on the order goes back to the customer's balance (a reversal entry)."""
    for payment in Payment.objects.filter(reference=payload["number"]):
        if payment.status in (S.PENDING, S.REQUIRES_ACTION, S.AUTHORIZED, S.AWAITING_TRANSFER):
            void_payment(public_id=str(payment.public_id))
        elif payment.captured_amount > payment.refunded_amount:
            refund_payment(public_id=str(payment.public_id), reason="order cancelled")
