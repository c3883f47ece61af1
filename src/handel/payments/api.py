from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.decorators import decorate_view

from handel.channels.queries import channel_for_request
from handel.core.api import AUTH, require_scope, require_staff, require_user
from handel.core.errors import NotFound
from handel.core.idempotency import idempotent
from handel.core.pagination import DEFAULT_PAGE_SIZE, paginate
from handel.payments import queries, services
from handel.payments.models import Payment, StoreCreditEntry
from handel.payments.schemas import (
    AmountIn,
    PaymentDetailOut,
    PaymentMethodOut,
    RefundIn,
    StoreCreditAdjustmentIn,
    StoreCreditAdjustmentOut,
    StoreCreditOut,
)

router = Router(tags=["payments"])


@router.get("/methods", response=list[PaymentMethodOut], operation_id="list_payment_methods", auth=None)
def list_payment_methods(request: HttpRequest, amount: Decimal = Decimal("0")) -> Any:
    """The methods this buyer may use in this channel. Business-only methods need a company account
    (the checkout adds the buyer's company context)."""
    channel = channel_for_request(request)
    user = getattr(request, "user", None)
    return queries.available_methods(
        channel_code=channel.code if channel else "",
        amount=amount,
        is_business_buyer=False,
        can_pay_on_account=False,
        customer_id=user.pk if user is not None and user.is_authenticated else None,
    )


def _entry(entry: StoreCreditEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "kind_label": entry.get_kind_display(),
        "currency": entry.account.currency,
        "amount": entry.amount,
        "balance_after": entry.balance_after,
        "reference": entry.reference,
        "note": entry.note,
        "created_at": entry.created_at,
    }


@router.get("/store-credit", response=StoreCreditOut, operation_id="get_store_credit", auth=AUTH)
def get_store_credit(
    request: HttpRequest, currency: str | None = None, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> dict[str, Any]:
    """The signed-in customer's store credit: the balance per currency and the ledger, newest first."""
    user = require_user(request)
    require_scope(request, "account")
    balances = [
        {"currency": account.currency, "balance": account.balance} for account in queries.store_credit_accounts(user.pk)
    ]
    entries = paginate(
        queries.store_credit_entries(customer_id=user.pk, currency=currency), page=page, page_size=page_size
    )
    listed = entries.as_dict(_entry)
    return {"balances": balances, "entries": listed["items"], "meta": listed["meta"]}


@router.post(
    "/store-credit/adjustments",
    response={201: StoreCreditAdjustmentOut},
    operation_id="adjust_store_credit",
    auth=AUTH,
)
@decorate_view(idempotent("adjust_store_credit"))
def adjust_store_credit(request: HttpRequest, payload: StoreCreditAdjustmentIn) -> Status[dict[str, Any]]:
    """Staff add store credit (a positive amount) or take it away (negative), with a reason."""
    actor = require_staff(request, "payments.adjust_store_credit", scope="payments:write")
    entry = services.adjust_store_credit(
        actor=actor,
        customer_email=payload.customer_email,
        currency=payload.currency,
        amount=payload.amount,
        reason=payload.reason,
    )
    return Status(
        201,
        {
            "customer_email": entry.account.customer.email,
            "currency": entry.account.currency,
            "balance": entry.balance_after,
            "entry": _entry(entry),
        },
    )


@router.post("/webhooks/{provider_code}", response={200: dict}, operation_id="payment_webhook", auth=None)
def payment_webhook(request: HttpRequest, provider_code: str) -> dict[str, str]:
    """Signed notifications from a payment provider (the test gateway signs with HMAC-SHA256)."""
    services.receive_webhook(provider_code=provider_code, body=request.body, headers=dict(request.headers))
    return {"status": "received"}


def _payment(public_id: UUID) -> Payment:
    payment = Payment.objects.prefetch_related("transactions").filter(public_id=public_id).first()
    if payment is None:
        raise NotFound("no such payment")
    return payment


@router.get("/{public_id}", response=PaymentDetailOut, operation_id="get_payment", auth=AUTH)
def get_payment(request: HttpRequest, public_id: UUID) -> Payment:
    require_staff(request, "payments.view_payment", scope="payments:write")
    return _payment(public_id)


@router.post("/{public_id}/capture", response=PaymentDetailOut, operation_id="capture_payment", auth=AUTH)
@decorate_view(idempotent("capture_payment"))
def capture_payment(request: HttpRequest, public_id: UUID, payload: AmountIn) -> Payment:
    actor = require_staff(request, "payments.change_payment", scope="payments:write")
    services.capture_payment(public_id=str(public_id), amount=payload.amount, actor=actor)
    return _payment(public_id)


@router.post("/{public_id}/void", response=PaymentDetailOut, operation_id="void_payment", auth=AUTH)
def void_payment(request: HttpRequest, public_id: UUID) -> Payment:
    actor = require_staff(request, "payments.change_payment", scope="payments:write")
    services.void_payment(public_id=str(public_id), actor=actor)
    return _payment(public_id)


@router.post("/{public_id}/refund", response=PaymentDetailOut, operation_id="refund_payment", auth=AUTH)
@decorate_view(idempotent("refund_payment"))
def refund_payment(request: HttpRequest, public_id: UUID, payload: RefundIn) -> Payment:
    actor = require_staff(request, "payments.change_payment", scope="payments:write")
    services.refund_payment(public_id=str(public_id), amount=payload.amount, actor=actor, reason=payload.reason)
    return _payment(public_id)
