"""Invoices and credit memos. Numbers are gapless per series: taken inside the transaction that
writes the document, so a failure gives the number back."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from handel.channels.queries import get_channel
from handel.companies import services as company_services
from handel.companies.models import CompanyCredit
from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.core.events import emit
from handel.core.money import round_amount
from handel.core.numbering import next_number
from handel.orders.models import CreditMemo, CreditMemoLine, Invoice, InvoiceLine, Order
from handel.orders.services import receivables
from handel.payments import queries as payment_queries
from handel.payments import services as payment_services

INVOICE_SERIES = ("invoice", "INV-")
CREDIT_MEMO_SERIES = ("credit_memo", "CM-")
SHIPPING_SKU = "SHIPPING"


def _rate(net: Decimal, tax: Decimal) -> Decimal:
    return (tax / net * 100).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP) if net else Decimal("0")


def _breakdown(lines: list[dict[str, Any]], currency: str) -> list[dict[str, str]]:
    groups: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        groups[line["tax_rate"]][0] += line["total_net"]
        groups[line["tax_rate"]][1] += line["total_tax"]
    return [
        {"rate": str(rate), "net": str(round_amount(net, currency)), "tax": str(round_amount(tax, currency))}
        for rate, (net, tax) in sorted(groups.items())
    ]


def _payment_terms_days(order: Order) -> int:
    if order.company_id:
        credit = CompanyCredit.objects.filter(company_id=order.company_id).first()
        if credit is not None:
            return credit.payment_terms_days
    return int(settings.HANDEL_DEFAULT_PAYMENT_TERMS_DAYS)


def _uninvoiced(order: Order, quantities: dict[int, int] | None = None) -> list[dict[str, Any]]:
    """What of the order is not invoiced yet, as invoice lines; with `quantities` (order line
    position -> quantity) only that much. A line's last part takes the remainder, so the invoices
    of an order add up to the order to the cent."""
    invoiced: dict[str, dict[str, Any]] = defaultdict(lambda: {"quantity": 0, "net": Decimal(0), "tax": Decimal(0)})
    for line in InvoiceLine.objects.filter(invoice__order=order):
        entry = invoiced[f"{line.position}"]
        entry["quantity"] += line.quantity
        entry["net"] += line.total_net
        entry["tax"] += line.total_tax
    lines = []
    for order_line in order.lines.all():
        done = invoiced[f"{order_line.position}"]
        left = order_line.quantity - done["quantity"]
        quantity = left if quantities is None else min(left, quantities.get(order_line.position, 0))
        if quantity <= 0:
            continue
        if quantity == left:
            net, tax = order_line.total_net - done["net"], order_line.tax_amount - done["tax"]
        else:
            net = round_amount(order_line.total_net * quantity / order_line.quantity, order.currency)
            tax = round_amount(order_line.tax_amount * quantity / order_line.quantity, order.currency)
        lines.append(
            {
                "position": order_line.position,
                "sku": order_line.sku,
                "description": order_line.name,
                "quantity": quantity,
                "tax_rate": order_line.tax_rate,
                "unit_price_net": order_line.total_net / order_line.quantity,
                "total_net": net,
                "total_tax": tax,
            }
        )
    shipping_position = 10_000
    shipping_done = invoiced[f"{shipping_position}"]["quantity"]
    if order.shipping_gross and not shipping_done:
        shipping_tax = order.shipping_gross - order.shipping_net
        lines.append(
            {
                "position": shipping_position,
                "sku": SHIPPING_SKU,
                "description": "Shipping",
                "quantity": 1,
                "tax_rate": _rate(order.shipping_net, shipping_tax),
                "unit_price_net": order.shipping_net,
                "total_net": order.shipping_net,
                "total_tax": shipping_tax,
            }
        )
    return lines


def issue_invoice(*, order_number: str, quantities: dict[int, int] | None = None, actor: Any = None) -> Invoice:
    """Invoice what of the order is not invoiced yet (or, with `quantities`, that part of it)."""
    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update().filter(number=order_number).first()
        if order is None:
            raise NotFound(f"no order {order_number}")
        lines = _uninvoiced(order, quantities)
        if not lines or (quantities is not None and all(line["sku"] == SHIPPING_SKU for line in lines)):
            raise Conflict(f"order {order_number} is fully invoiced", slug="nothing-to-invoice")
        today = timezone.localdate()
        total_net = sum((line["total_net"] for line in lines), Decimal(0))
        total_tax = sum((line["total_tax"] for line in lines), Decimal(0))
        buyer = dict(order.billing_address)
        if order.company_id:
            buyer["vat_number"] = order.company.vat_number
        invoice = Invoice.objects.create(
            number=next_number(INVOICE_SERIES[0], prefix=INVOICE_SERIES[1]),
            order=order,
            customer_id=order.customer_id,
            company_id=order.company_id,
            currency=order.currency,
            issued_on=today,
            due_on=today + timedelta(days=_payment_terms_days(order)),
            seller=dict(settings.HANDEL_SELLER),
            buyer=buyer,
            purchase_order_number=order.purchase_order_number,
            total_net=total_net,
            total_tax=total_tax,
            total_gross=total_net + total_tax,
            vat_breakdown=_breakdown(lines, order.currency),
            reverse_charge=any(entry.get("reverse_charge") for entry in order.tax_breakdown),
        )
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=invoice,
                    position=line["position"],
                    sku=line["sku"],
                    description=line["description"],
                    quantity=line["quantity"],
                    unit_price_net=line["unit_price_net"],
                    tax_rate=line["tax_rate"],
                    total_net=line["total_net"],
                    total_tax=line["total_tax"],
                    total_gross=line["total_net"] + line["total_tax"],
                )
                for line in lines
            ]
        )
        audit.record(actor=actor, action="invoice.issued", obj=invoice, data={"order": order.number})
        emit("invoice.issued", {"invoice_id": invoice.pk, "number": invoice.number})
    return invoice


def on_payment_captured(payload: dict[str, Any]) -> None:
    """Channels that invoice at capture get the invoice when the money is captured."""
    order = Order.objects.filter(number=payload.get("reference", "")).first()
    if order is None:
        return
    channel = get_channel(order.channel_code)
    if channel is not None and channel.invoice_on != "capture":
        return
    if _uninvoiced(order):
        invoice = issue_invoice(order_number=order.number)
        receivables.settle_from_captured_payment(
            invoice=invoice,
            amount=min(Decimal(payload.get("amount", "0")), invoice.total_gross),
            reference=f"capture:{payload.get('payment_id')}:{invoice.number}",
        )


def create_credit_memo(
    *,
    invoice_number: str,
    lines: list[tuple[int, int]],
    shipping: Decimal = Decimal("0"),
    refund_to: str,
    reason: str,
    actor: Any = None,
) -> CreditMemo:
    """Credit (part of) an invoice: `lines` are (invoice line position, quantity); `shipping` is the
    gross shipping amount to give back. Refunds go back through the original payment's provider,
    to the customer's store credit (in the memo's transaction), to the company account, or nowhere
    (a correction)."""
    if refund_to not in CreditMemo.RefundTo.values:
        raise InvalidInput(
            "refund_to must be original_payment, store_credit, account or none",
            errors=[field_error(["body", "refund_to"], "original_payment, store_credit, account or none")],
        )
    if not reason.strip():
        raise InvalidInput("a credit memo needs a reason", errors=[field_error(["body", "reason"], "required")])
    with transaction.atomic(durable=True):
        invoice = Invoice.objects.select_for_update().select_related("order").filter(number=invoice_number).first()
        if invoice is None:
            raise NotFound(f"no invoice {invoice_number}")
        if refund_to == CreditMemo.RefundTo.STORE_CREDIT and invoice.order.customer_id is None:
            raise InvalidInput(
                "a guest order cannot be refunded as store credit",
                errors=[field_error(["body", "refund_to"], "the order has no customer account")],
            )
        by_position = {line.position: line for line in invoice.lines.all()}
        credited: dict[int, int] = defaultdict(int)
        for memo_line in CreditMemoLine.objects.filter(credit_memo__invoice=invoice):
            credited[memo_line.position] += memo_line.quantity
        memo_lines, errors = [], []
        for index, (position, quantity) in enumerate(lines):
            source = by_position.get(position)
            if source is None or source.sku == SHIPPING_SKU:
                errors.append(field_error(["body", "lines", index, "position"], "no such product line"))
                continue
            if quantity <= 0 or quantity > source.quantity - credited[position]:
                errors.append(
                    field_error(
                        ["body", "lines", index, "quantity"], f"between 1 and {source.quantity - credited[position]}"
                    )
                )
                continue
            net = round_amount(source.total_net * quantity / source.quantity, invoice.currency)
            tax = round_amount(source.total_tax * quantity / source.quantity, invoice.currency)
            memo_lines.append(
                {
                    "position": position,
                    "sku": source.sku,
                    "description": source.description,
                    "quantity": quantity,
                    "tax_rate": source.tax_rate,
                    "total_net": net,
                    "total_tax": tax,
                }
            )
        shipping_line = by_position.get(10_000)
        if shipping:
            already = sum((memo.shipping_refunded for memo in invoice.credit_memos.all()), Decimal(0))
            if shipping_line is None or shipping < 0 or shipping > shipping_line.total_gross - already:
                errors.append(field_error(["body", "shipping"], "more than the shipping left to credit"))
            else:
                tax = round_amount(shipping * shipping_line.tax_rate / (100 + shipping_line.tax_rate), invoice.currency)
                memo_lines.append(
                    {
                        "position": 10_000,
                        "sku": SHIPPING_SKU,
                        "description": "Shipping",
                        "quantity": 1,
                        "tax_rate": shipping_line.tax_rate,
                        "total_net": shipping - tax,
                        "total_tax": tax,
                    }
                )
        if errors or not memo_lines:
            raise InvalidInput(
                "the credit memo is not valid", errors=errors or [field_error(["body", "lines"], "nothing to credit")]
            )
        total_net = sum((line["total_net"] for line in memo_lines), Decimal(0))
        total_tax = sum((line["total_tax"] for line in memo_lines), Decimal(0))
        memo = CreditMemo.objects.create(
            number=next_number(CREDIT_MEMO_SERIES[0], prefix=CREDIT_MEMO_SERIES[1]),
            invoice=invoice,
            order=invoice.order,
            currency=invoice.currency,
            issued_on=timezone.localdate(),
            reason=reason.strip(),
            refund_to=refund_to,
            total_net=total_net,
            total_tax=total_tax,
            total_gross=total_net + total_tax,
            vat_breakdown=_breakdown(memo_lines, invoice.currency),
            shipping_refunded=shipping,
        )
        CreditMemoLine.objects.bulk_create(
            [
                CreditMemoLine(
                    credit_memo=memo,
                    position=line["position"],
                    sku=line["sku"],
                    description=line["description"],
                    quantity=line["quantity"],
                    tax_rate=line["tax_rate"],
                    total_net=line["total_net"],
                    total_tax=line["total_tax"],
                    total_gross=line["total_net"] + line["total_tax"],
                )
                for line in memo_lines
            ]
        )
        Invoice.objects.filter(pk=invoice.pk).update(amount_credited=F("amount_credited") + memo.total_gross)
        if refund_to == CreditMemo.RefundTo.STORE_CREDIT:
            assert invoice.order.customer_id is not None  # checked above
            payment_services.grant_store_credit(
                customer_id=invoice.order.customer_id,
                currency=memo.currency,
                amount=memo.total_gross,
                reference=memo.number,
                actor=actor,
                note=reason.strip(),
            )
        audit.record(
            actor=actor, action="credit_memo.issued", obj=memo, data={"invoice": invoice.number, "refund_to": refund_to}
        )
        emit("credit_memo.issued", {"credit_memo_id": memo.pk, "number": memo.number})
    _refund(memo, actor)
    return memo


def _refund(memo: CreditMemo, actor: Any) -> None:
    """Money goes back after the memo is committed (a provider call stays outside the transaction)."""
    if memo.refund_to == CreditMemo.RefundTo.ORIGINAL_PAYMENT:
        remaining = memo.total_gross
        for payment in payment_queries.payments_for(memo.order.number):
            refundable = payment.captured_amount - payment.refunded_amount
            if remaining <= 0 or refundable <= 0:
                continue
            amount = min(refundable, remaining)
            payment_services.refund_payment(
                public_id=str(payment.public_id), amount=amount, actor=actor, reason=f"credit memo {memo.number}"
            )
            remaining -= amount
        if remaining > 0:
            raise Conflict(
                f"{remaining} {memo.currency} could not go back to the original payment; refund it by hand",
                slug="refund-incomplete",
            )
    elif memo.refund_to == CreditMemo.RefundTo.ACCOUNT and memo.order.company_id:
        company_services.apply_credit_memo(
            company_code=memo.order.company.code, amount=memo.total_gross, reference=memo.number
        )
