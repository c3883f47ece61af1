"""The built-in test gateway: behaves like a real card processor, without an outside account.

Test cards (any future expiry, any 3-digit CVC):
  4242 4242 4242 4242  approved
  4000 0000 0000 0002  declined (card_declined)
  4000 0000 0000 9995  declined (insufficient_funds)
  4000 0000 0000 3220  3-D Secure challenge: the buyer approves or fails it on the gateway's page
  4000 0000 0000 0077  asynchronous: pending, confirmed later by a signed webhook

It keeps its own books (TestGatewayCharge), as a remote processor would, and reports outcomes
by signed webhooks (HMAC-SHA256 over "timestamp.body", header X-Test-Gateway-Signature), which
travel through the outbox (signed when sent, like a real processor's HTTP call) into the same
`receive_webhook` code path as the webhook endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from handel.core.errors import InvalidInput, field_error
from handel.core.events import emit
from handel.payments.models import TestGatewayCharge
from handel.payments.providers.base import ProviderResult, WebhookEvent, WebhookRejected

APPROVED = "4242424242424242"
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
CHALLENGE = "4000000000003220"
ASYNCHRONOUS = "4000000000000077"
SIGNATURE_HEADER = "X-Test-Gateway-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
WEBHOOK_EVENT = "payments.test_gateway_webhook"


def webhook_secret() -> str:
    configured: str = getattr(settings, "HANDEL_TEST_GATEWAY_SECRET", "")
    return configured or hashlib.sha256(f"test-gateway:{settings.SECRET_KEY}".encode()).hexdigest()


def sign(body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(webhook_secret().encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def luhn_valid(number: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit)
        if index % 2 == 1:
            value = value * 2 - 9 if value * 2 > 9 else value * 2
        total += value
    return total % 10 == 0


def _clean_card(card: dict[str, str]) -> tuple[str, str]:
    number = "".join(ch for ch in str(card.get("number", "")) if ch.isdigit())
    errors = []
    if not 12 <= len(number) <= 19 or not luhn_valid(number):
        errors.append(field_error(["body", "card", "number"], "not a valid card number"))
    expiry = str(card.get("expiry", ""))
    try:
        month, year = (int(part) for part in expiry.split("/"))
        year = year + 2000 if year < 100 else year
        if not 1 <= month <= 12 or (year, month) < (date.today().year, date.today().month):
            raise ValueError
    except ValueError:
        errors.append(field_error(["body", "card", "expiry"], "expired or not MM/YY"))
    cvc = str(card.get("cvc", ""))
    if not (cvc.isdigit() and len(cvc) in (3, 4)):
        errors.append(field_error(["body", "card", "cvc"], "3 or 4 digits"))
    if errors:
        raise InvalidInput("the card details are not valid", errors=errors)
    brand = (
        "visa" if number.startswith("4") else "mastercard" if number[:2] in {"51", "52", "53", "54", "55"} else ("card")
    )
    return number, brand


class TestGateway:
    __test__ = False  # not a pytest test class
    code = "test_gateway"

    def authorize(
        self, *, amount: Decimal, currency: str, card: dict[str, str], return_url: str, reference: str
    ) -> ProviderResult:
        number, brand = _clean_card(card)
        last4 = number[-4:]
        charge_id = f"tg_{secrets.token_hex(10)}"
        if number in (DECLINED, INSUFFICIENT_FUNDS):
            code = "card_declined" if number == DECLINED else "insufficient_funds"
            message = "The card was declined." if number == DECLINED else "The card has insufficient funds."
            return ProviderResult(
                "failed", charge_id, error_code=code, message=message, card_brand=brand, card_last4=last4
            )
        with transaction.atomic():
            charge = TestGatewayCharge.objects.create(
                charge_id=charge_id,
                card_last4=last4,
                currency=currency,
                authorized=amount,
                state="authorized",
                return_url=return_url,
                merchant_reference=reference,
            )
            if number == CHALLENGE:
                charge.state = "requires_action"
                charge.challenge_token = secrets.token_urlsafe(24)
                charge.save(update_fields=["state", "challenge_token"])
                return ProviderResult(
                    "requires_action",
                    charge_id,
                    amount,
                    f"/payments/test-gateway/3ds/{charge.challenge_token}/",
                    card_brand=brand,
                    card_last4=last4,
                )
            if number == ASYNCHRONOUS:
                charge.state = "pending"
                charge.save(update_fields=["state"])
                self._send_webhook("payment.authorized", charge, amount)
                return ProviderResult("pending", charge_id, amount, card_brand=brand, card_last4=last4)
        if number != APPROVED and not number.startswith("4"):
            return ProviderResult(
                "failed",
                charge_id,
                error_code="card_not_supported",
                message="This test gateway accepts its test cards only.",
            )
        return ProviderResult("authorized", charge_id, amount, card_brand=brand, card_last4=last4)

    def complete_challenge(self, *, token: str, approved: bool) -> TestGatewayCharge | None:
        """The buyer answered the 3-D Secure page: the outcome is reported by webhook."""
        with transaction.atomic():
            charge = (
                TestGatewayCharge.objects.select_for_update()
                .filter(challenge_token=token, state="requires_action")
                .first()
            )
            if charge is None:
                return None
            charge.state = "authorized" if approved else "failed"
            charge.save(update_fields=["state"])
            self._send_webhook("payment.authorized" if approved else "payment.failed", charge, charge.authorized)
        return charge

    def capture(self, *, provider_reference: str, amount: Decimal) -> ProviderResult:
        with transaction.atomic():
            charge = TestGatewayCharge.objects.select_for_update().filter(charge_id=provider_reference).first()
            if charge is None or charge.state not in ("authorized", "captured"):
                return ProviderResult(
                    "failed", provider_reference, error_code="not_capturable", message="The charge cannot be captured."
                )
            if charge.captured + amount > charge.authorized:
                return ProviderResult(
                    "failed",
                    provider_reference,
                    error_code="amount_too_large",
                    message="Capture exceeds the authorized amount.",
                )
            TestGatewayCharge.objects.filter(pk=charge.pk).update(captured=F("captured") + amount, state="captured")
        return ProviderResult("captured", provider_reference, amount)

    def void(self, *, provider_reference: str) -> ProviderResult:
        with transaction.atomic():
            updated = TestGatewayCharge.objects.filter(
                charge_id=provider_reference, state__in=["authorized", "requires_action", "pending"], captured=0
            ).update(state="voided")
        if not updated:
            return ProviderResult(
                "failed",
                provider_reference,
                error_code="not_voidable",
                message="Only uncaptured charges can be voided.",
            )
        return ProviderResult("voided", provider_reference)

    def refund(self, *, provider_reference: str, amount: Decimal) -> ProviderResult:
        with transaction.atomic():
            charge = TestGatewayCharge.objects.select_for_update().filter(charge_id=provider_reference).first()
            if charge is None or charge.refunded + amount > charge.captured:
                return ProviderResult(
                    "failed",
                    provider_reference,
                    error_code="amount_too_large",
                    message="Refund exceeds the captured amount.",
                )
            TestGatewayCharge.objects.filter(pk=charge.pk).update(refunded=F("refunded") + amount)
        return ProviderResult("refunded", provider_reference, amount)

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        signature = headers.get(SIGNATURE_HEADER) or headers.get(SIGNATURE_HEADER.lower(), "")
        try:
            parts = dict(item.split("=", 1) for item in signature.split(","))
            timestamp = int(parts["t"])
            expected = sign(body, timestamp)
        except (KeyError, ValueError) as exc:
            raise WebhookRejected("missing or malformed signature") from exc
        if not hmac.compare_digest(expected, signature):
            raise WebhookRejected("bad signature")
        if abs(time.time() - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
            raise WebhookRejected("signature too old")
        try:
            data: dict[str, Any] = json.loads(body)
            return WebhookEvent(
                merchant_reference=str(data.get("metadata", {}).get("payment", "")),
                event_id=str(data["id"]),
                kind=str(data["type"]),
                provider_reference=str(data["charge"]),
                amount=Decimal(str(data.get("amount", "0"))),
                data=data,
            )
        except (ValueError, KeyError, ArithmeticError) as exc:
            raise WebhookRejected("malformed body") from exc

    def _send_webhook(self, kind: str, charge: TestGatewayCharge, amount: Decimal) -> None:
        body = json.dumps(
            {
                "id": f"evt_{secrets.token_hex(8)}",
                "type": kind,
                "charge": charge.charge_id,
                "amount": str(amount),
                "metadata": {"payment": charge.merchant_reference},
            }
        ).encode()
        emit(WEBHOOK_EVENT, {"body": body.decode()})
