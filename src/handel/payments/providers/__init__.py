"""Payment providers behind one small interface. Add a real provider by implementing
`PaymentProvider` and listing it in PROVIDERS; checkout never changes."""

from __future__ import annotations

from handel.payments.providers.base import PaymentProvider, ProviderResult, WebhookEvent
from handel.payments.providers.test_gateway import TestGateway

PROVIDERS: dict[str, PaymentProvider] = {"test_gateway": TestGateway()}


def provider(code: str) -> PaymentProvider:
    return PROVIDERS[code]


__all__ = ["PROVIDERS", "PaymentProvider", "ProviderResult", "WebhookEvent", "provider"]
