from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router
from ninja.decorators import decorate_view

from handel.channels.queries import channel_for_request
from handel.core.api import AUTH, require_staff
from handel.core.errors import NotFound
from handel.core.idempotency import idempotent
from handel.payments import queries, services
from handel.payments.models import Payment
from handel.payments.schemas import AmountIn, PaymentDetailOut, PaymentMethodOut, RefundIn

router = Router(tags=["payments"])


@router.get("/methods", response=list[PaymentMethodOut], operation_id="list_payment_methods", auth=None)
def list_payment_methods(request: HttpRequest, amount: Decimal = Decimal("0")) -> Any:
    """The methods this buyer may use in this channel. Business-only methods need a company account
    (the checkout adds the buyer's company context)."""
    channel = channel_for_request(request)
    return queries.available_methods(
        channel_code=channel.code if channel else "", amount=amount, is_business_buyer=False, can_pay_on_account=False
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
