"""Mail about orders' documents."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage

from handel.orders import pdf
from handel.orders.models import Invoice


def send_invoice(payload: dict[str, Any]) -> None:
    invoice = Invoice.objects.select_related("order").filter(pk=payload["invoice_id"]).first()
    if invoice is None:
        return
    message = EmailMessage(
        subject=f"Invoice {invoice.number} for order {invoice.order.number}",
        body=(
            f"Hello,\n\nPlease find invoice {invoice.number} attached: {invoice.total_gross} {invoice.currency}, "
            f"due on {invoice.due_on}.\n"
        ),
        to=[invoice.order.email],
    )
    message.attach(f"{invoice.number}.pdf", pdf.invoice_pdf(invoice), "application/pdf")
    message.send()
