"""Mail about orders' documents."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage

from handel.orders import pdf
from handel.orders.models import CreditMemo, Invoice
from handel.payments import queries as payment_queries


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


def send_credit_memo(payload: dict[str, Any]) -> None:
    """The customer gets the credit memo, and hears where the money went."""
    memo = CreditMemo.objects.select_related("order").filter(pk=payload["credit_memo_id"]).first()
    if memo is None or not memo.order.email:
        return
    body = f"Hello,\n\nPlease find credit memo {memo.number} attached: {memo.total_gross} {memo.currency}.\n"
    if memo.refund_to == CreditMemo.RefundTo.STORE_CREDIT and memo.order.customer_id:
        balance = payment_queries.store_credit_balance(customer_id=memo.order.customer_id, currency=memo.currency)
        body += (
            f"The amount was added to your store credit, which you can spend on your next order. "
            f"Your store credit is now {balance} {memo.currency}.\n"
        )
    elif memo.refund_to == CreditMemo.RefundTo.ORIGINAL_PAYMENT:
        body += "The amount goes back to the payment you made for this order.\n"
    message = EmailMessage(
        subject=f"Credit memo {memo.number} for order {memo.order.number}", body=body, to=[memo.order.email]
    )
    message.attach(f"{memo.number}.pdf", pdf.credit_memo_pdf(memo), "application/pdf")
    message.send()


def send_shipment_update(payload: dict[str, Any]) -> None:
    from django.core.mail import send_mail

    from handel.orders.carriers import CARRIERS
    from handel.orders.models import Shipment

    shipment = Shipment.objects.select_related("order").filter(pk=payload["shipment_id"]).first()
    if shipment is None:
        return
    carrier = CARRIERS.get(shipment.carrier)
    address = shipment.address or {}
    link = (
        carrier.link(shipment.tracking_number, address.get("country", ""), address.get("postal_code", ""))
        if (carrier)
        else ""
    )
    send_mail(
        subject=f"Order {shipment.order.number}: {shipment.get_status_display().lower()}",
        message=(
            f"Hello,\n\nShipment {shipment.number} of order {shipment.order.number} is now: "
            f"{shipment.get_status_display().lower()}.\n" + (f"Track it here: {link}\n" if link else "")
        ),
        from_email=None,
        recipient_list=[shipment.order.email],
    )


def send_return_update(payload: dict[str, Any]) -> None:
    from django.core.mail import send_mail

    from handel.orders.models import ReturnRequest

    request = ReturnRequest.objects.select_related("order").filter(pk=payload["return_id"]).first()
    if request is None:
        return
    lines = [f"Return {request.number} for order {request.order.number}: {request.get_status_display()}."]
    if request.status == ReturnRequest.Status.APPROVED and request.instructions:
        lines.append(request.instructions)
    if request.staff_comment:
        lines.append(request.staff_comment)
    send_mail(
        subject=f"Return {request.number}: {request.get_status_display().lower()}",
        message="Hello,\n\n" + "\n\n".join(lines) + "\n",
        from_email=None,
        recipient_list=[request.order.email],
    )
