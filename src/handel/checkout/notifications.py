"""Mail checkout sends (through the outbox, after the order's transaction committed)."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail


def send_order_confirmation(payload: dict[str, Any]) -> None:
    """`checkout.order_confirmed`: the order as it was recorded, at the prices the buyer saw."""
    currency = payload["currency"]
    basis = "incl." if payload.get("prices_include_tax") else "excl."
    rows = [
        f"  {line['quantity']} x {line['name']} ({line['sku']}) at {line['unit_price']} {currency}: "
        f"{line['total']} {currency}"
        for line in payload["lines"]
    ]
    body = "\n".join(
        [
            "Thank you for your order.",
            "",
            f"Order {payload['number']}",
            "",
            *rows,
            "",
            f"Delivery ({payload.get('delivery', '')}): {payload['shipping']} {currency}",
            f"Tax: {payload['tax_total']} {currency}",
            f"Total to pay: {payload['grand_total']} {currency} (prices {basis} tax)",
            f"Payment: {payload['payment_method'].replace('_', ' ')}",
        ]
    )
    send_mail(
        subject=f"Your order {payload['number']}", message=body, from_email=None, recipient_list=[payload["email"]]
    )
