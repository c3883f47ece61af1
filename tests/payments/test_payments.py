from __future__ import annotations

import json
import re
import time
from decimal import Decimal

import pytest
from django.test import Client

from handel.core.errors import InvalidInput
from handel.core.tokens import SCOPES
from handel.payments import queries, services
from handel.payments.models import Payment, TestGatewayCharge, WebhookReceipt
from handel.payments.providers import test_gateway
from tests.conftest import ApiClient, assert_problem

CARD = {"expiry": "12/39", "cvc": "123"}


def pay(number: str, amount: str = "100.00", **kwargs) -> Payment:
    return services.start_payment(
        reference="ORD-000001",
        method="card",
        amount=Decimal(amount),
        currency="EUR",
        card={**CARD, "number": number},
        return_url="/checkout/done/",
        **kwargs,
    )


@pytest.mark.django_db
def test_an_approved_card_is_authorized_captured_in_parts_and_refunded_in_parts():
    payment = pay(test_gateway.APPROVED)
    assert payment.status == "authorized" and payment.card_last4 == "4242" and payment.card_brand == "visa"
    payment = services.capture_payment(public_id=str(payment.public_id), amount=Decimal("60.00"))
    assert payment.status == "partially_captured" and payment.captured_amount == Decimal("60.00")
    payment = services.capture_payment(public_id=str(payment.public_id))
    assert payment.status == "captured" and payment.captured_amount == Decimal("100.00")
    with pytest.raises(services.PaymentStateError):
        services.capture_payment(public_id=str(payment.public_id))
    payment = services.refund_payment(public_id=str(payment.public_id), amount=Decimal("25.00"))
    assert payment.status == "partially_refunded"
    with pytest.raises(InvalidInput):
        services.refund_payment(public_id=str(payment.public_id), amount=Decimal("80.00"))
    payment = services.refund_payment(public_id=str(payment.public_id))
    assert payment.status == "refunded" and payment.refunded_amount == Decimal("100.00")
    charge = TestGatewayCharge.objects.get(charge_id=payment.provider_reference)
    assert charge.captured == Decimal("100.00") and charge.refunded == Decimal("100.00")
    assert [t.kind for t in payment.transactions.all()] == ["authorize", "capture", "capture", "refund", "refund"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "code"),
    [(test_gateway.DECLINED, "card_declined"), (test_gateway.INSUFFICIENT_FUNDS, "insufficient_funds")],
)
def test_declines_are_recorded_with_their_reason(number, code):
    payment = pay(number)
    assert payment.status == "failed" and payment.failure_code == code
    assert payment.transactions.get().success is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("card", "field"),
    [
        ({"number": "4242424242424241", **CARD}, "number"),
        ({"number": test_gateway.APPROVED, "expiry": "01/20", "cvc": "123"}, "expiry"),
        ({"number": test_gateway.APPROVED, "expiry": "12/39", "cvc": "12"}, "cvc"),
    ],
)
def test_invalid_card_details_are_refused_before_anything_is_charged(card, field):
    with pytest.raises(InvalidInput) as refused:
        services.start_payment(reference="R", method="card", amount=Decimal("5.00"), currency="EUR", card=card)
    assert refused.value.errors[0]["loc"][-1] == field
    assert not TestGatewayCharge.objects.exists()


@pytest.mark.django_db
def test_a_voided_authorization_cannot_be_captured():
    payment = services.void_payment(public_id=str(pay(test_gateway.APPROVED).public_id))
    assert payment.status == "voided"
    with pytest.raises(services.PaymentStateError):
        services.capture_payment(public_id=str(payment.public_id))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("outcome", "status"), [("approve", "authorized"), ("fail", "failed")])
def test_three_d_secure_challenge_page_and_signed_webhook(outcome, status):
    payment = pay(test_gateway.CHALLENGE)
    assert payment.status == "requires_action"
    challenge_url = payment.action_url
    assert challenge_url.startswith("/payments/test-gateway/3ds/")
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(challenge_url)
    assert page.status_code == 200 and b"100.00 EUR" in page.content
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    response = browser.post(challenge_url, {"outcome": outcome, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/checkout/done/"
    payment.refresh_from_db()
    assert payment.status == status
    assert WebhookReceipt.objects.count() == 1
    assert payment.action_url == ""
    assert browser.get(challenge_url).status_code == 410


@pytest.mark.django_db(transaction=True)
def test_asynchronous_confirmation_arrives_by_webhook():
    payment = pay(test_gateway.ASYNCHRONOUS)
    payment.refresh_from_db()
    # The gateway's webhook went through the outbox after its own commit: the payment is confirmed.
    assert payment.status == "authorized"
    assert payment.transactions.filter(kind="webhook", success=True).exists()


def _signed(body: dict, timestamp: int | None = None) -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    return raw, {"X-Test-Gateway-Signature": test_gateway.sign(raw, timestamp)}


@pytest.mark.django_db
def test_the_webhook_endpoint_checks_signatures_and_handles_each_event_once():
    charge = TestGatewayCharge.objects.create(
        charge_id="tg_x", card_last4="0077", currency="EUR", authorized=Decimal("10.00"), state="pending"
    )
    payment = Payment.objects.create(
        reference="R",
        method="card",
        provider="test_gateway",
        currency="EUR",
        amount=Decimal("10.00"),
        provider_reference=charge.charge_id,
    )
    client = ApiClient()
    raw, headers = _signed({"id": "evt_1", "type": "payment.authorized", "charge": "tg_x", "amount": "10.00"})
    bad = client.call(
        "post", "/payments/webhooks/test_gateway", raw=raw, headers={"X-Test-Gateway-Signature": "t=1,v1=forged"}
    )
    assert_problem(bad, 422)
    stale_raw, stale_headers = _signed(
        {"id": "evt_0", "type": "payment.failed", "charge": "tg_x"}, timestamp=int(time.time()) - 3600
    )
    assert_problem(client.call("post", "/payments/webhooks/test_gateway", raw=stale_raw, headers=stale_headers), 422)
    payment.refresh_from_db()
    assert payment.status == "pending"
    for _ in range(2):
        response = client.call("post", "/payments/webhooks/test_gateway", raw=raw, headers=headers)
        assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == "authorized"
    assert payment.transactions.filter(kind="webhook").count() == 1
    assert_problem(client.call("post", "/payments/webhooks/nope", raw=raw, headers=headers), 404)


@pytest.mark.django_db
def test_offline_methods():
    transfer = services.start_payment(
        reference="ORD-2", method="bank_transfer", amount=Decimal("50.00"), currency="EUR"
    )
    assert transfer.status == "awaiting_transfer"
    transfer = services.capture_payment(public_id=str(transfer.public_id))
    assert transfer.status == "captured" and transfer.captured_amount == Decimal("50.00")
    with pytest.raises(InvalidInput) as refused:
        services.start_payment(reference="ORD-3", method="purchase_order", amount=Decimal("50.00"), currency="EUR")
    assert refused.value.errors[0]["loc"] == ["body", "po_number"]
    po = services.start_payment(
        reference="ORD-3",
        method="purchase_order",
        amount=Decimal("50.00"),
        currency="EUR",
        details={"po_number": "PO-7781"},
    )
    assert po.status == "authorized" and po.details["po_number"] == "PO-7781"
    with pytest.raises(InvalidInput):
        services.start_payment(
            reference="ORD-4",
            method="card",
            amount=Decimal("0.001"),
            currency="EUR",
            card={**CARD, "number": test_gateway.APPROVED},
        )


@pytest.mark.django_db
def test_methods_depend_on_channel_buyer_and_credit():
    consumer = [
        m.code
        for m in queries.available_methods(
            channel_code="b2c", amount=Decimal("10"), is_business_buyer=False, can_pay_on_account=False
        )
    ]
    assert consumer == ["card", "bank_transfer", "cash_on_delivery"]
    business = [
        m.code
        for m in queries.available_methods(
            channel_code="b2b", amount=Decimal("10"), is_business_buyer=True, can_pay_on_account=True
        )
    ]
    assert business == ["card", "bank_transfer", "purchase_order", "on_account"]
    no_credit = [
        m.code
        for m in queries.available_methods(
            channel_code="b2b", amount=Decimal("10"), is_business_buyer=True, can_pay_on_account=False
        )
    ]
    assert "on_account" not in no_credit


@pytest.mark.django_db
def test_staff_capture_through_the_api_is_idempotent_and_guarded(api_for, make_user):
    payment = pay(test_gateway.APPROVED)
    customer = api_for(make_user())
    assert_problem(customer.call("post", f"/payments/{payment.public_id}/capture", {"amount": "10.00"}), 403)
    staff = api_for(make_user(superuser=True), scopes=tuple(SCOPES))
    first = staff.call(
        "post", f"/payments/{payment.public_id}/capture", {"amount": "10.00"}, headers={"Idempotency-Key": "cap-1"}
    )
    again = staff.call(
        "post", f"/payments/{payment.public_id}/capture", {"amount": "10.00"}, headers={"Idempotency-Key": "cap-1"}
    )
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    payment.refresh_from_db()
    assert payment.captured_amount == Decimal("10.00")
    body = assert_problem(staff.call("post", f"/payments/{payment.public_id}/capture", {"amount": "500.00"}), 422)
    assert body["errors"][0]["loc"] == ["body", "amount"]
    refund = staff.call("post", f"/payments/{payment.public_id}/refund", {"amount": "4.00", "reason": "damaged"})
    assert refund.json()["refunded_amount"] == "4.00"
    assert_problem(staff.call("get", "/payments/00000000-0000-0000-0000-000000000000"), 404)
