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
