from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol


@dataclass(frozen=True)
class ProviderResult:
    """What a provider answered. `status` is one of: authorized, requires_action, pending,
    captured, voided, refunded, failed."""

    status: str
    provider_reference: str = ""
    amount: Decimal = Decimal("0")
    action_url: str = ""
    error_code: str = ""
    message: str = ""
    card_brand: str = ""
    card_last4: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str
    kind: str  # payment.authorized | payment.failed | payment.captured | payment.refunded
    provider_reference: str
    amount: Decimal = Decimal("0")
    merchant_reference: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class WebhookRejected(Exception):
    """The webhook's signature or body is not valid."""


class PaymentProvider(Protocol):
    code: str

    def authorize(
        self, *, amount: Decimal, currency: str, card: dict[str, str], return_url: str, reference: str
    ) -> ProviderResult: ...

    def capture(self, *, provider_reference: str, amount: Decimal) -> ProviderResult: ...

    def void(self, *, provider_reference: str) -> ProviderResult: ...

    def refund(self, *, provider_reference: str, amount: Decimal) -> ProviderResult: ...

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent: ...
