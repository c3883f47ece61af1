"""The payment methods Handel knows. Merchants switch them on per channel (PaymentMethodConfig)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MethodSpec:
    code: str
    name: str
    provider: str  # a provider code, or "offline"
    online: bool
    business_only: bool = False
    needs_po_number: bool = False
    needs_company_credit: bool = False
    # Offered only to a signed-in customer whose store credit covers the whole amount.
    needs_store_credit: bool = False


METHODS: dict[str, MethodSpec] = {
    spec.code: spec
    for spec in (
        MethodSpec("card", "Credit or debit card", "test_gateway", online=True),
        MethodSpec("bank_transfer", "Bank transfer", "offline", online=False),
        MethodSpec("cash_on_delivery", "Cash on delivery", "offline", online=False),
        MethodSpec(
            "purchase_order",
            "Purchase order (invoice)",
            "offline",
            online=False,
            business_only=True,
            needs_po_number=True,
        ),
        MethodSpec("store_credit", "Store credit", "store_credit", online=False, needs_store_credit=True),
        MethodSpec(
            "on_account", "Pay on account", "offline", online=False, business_only=True, needs_company_credit=True
        ),
    )
}
