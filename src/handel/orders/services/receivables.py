"""Accounts receivable: payments recorded against open invoices, and reminders when they are late."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from handel.companies import services as company_services
from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, field_error
from handel.orders.models import CustomerPayment, DunningNotice, Invoice, PaymentAllocation

OPEN = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)


def _apply(invoice: Invoice, amount: Decimal) -> None:
    invoice.amount_paid += amount
    invoice.status = Invoice.Status.PAID if invoice.open_amount <= 0 else Invoice.Status.PARTIALLY_PAID
    invoice.save(update_fields=["amount_paid", "status"])


def record_customer_payment(
    *,
    reference: str,
    amount: Decimal,
    currency: str,
    received_on: date,
    invoice_numbers: list[str] | None = None,
    allocations: list[tuple[str, Decimal]] | None = None,
    actor: Any = None,
) -> CustomerPayment:
    """Book money received. Either name the split (`allocations`), or the invoices to settle oldest
    first (`invoice_numbers`). A payment may cover several invoices or part of one; a replayed
    reference changes nothing."""
    if amount <= 0:
        raise InvalidInput("the amount must be positive", errors=[field_error(["body", "amount"], "must be > 0")])
    with transaction.atomic(durable=True):
        existing = CustomerPayment.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
        if allocations is None:
            numbers = invoice_numbers or []
            invoices = list(Invoice.objects.select_for_update().filter(number__in=numbers).order_by("due_on", "id"))
            if len(invoices) != len(set(numbers)) or not invoices:
                raise InvalidInput("unknown invoice", errors=[field_error(["body", "invoice_numbers"], "unknown")])
            left, split = amount, []
            for invoice in invoices:
                share = min(left, invoice.open_amount)
                if share > 0:
                    split.append((invoice, share))
                    left -= share
        else:
            by_number = {
                inv.number: inv
                for inv in Invoice.objects.select_for_update().filter(number__in=[number for number, _ in allocations])
            }
            split = []
            for index, (number, share) in enumerate(allocations):
                invoice = by_number.get(number)
                if invoice is None:
                    raise InvalidInput(
                        "unknown invoice", errors=[field_error(["body", "allocations", index, "invoice"], "unknown")]
                    )
                if share <= 0 or share > invoice.open_amount:
                    raise InvalidInput(
                        "allocation larger than the invoice's open amount",
                        errors=[
                            field_error(
                                ["body", "allocations", index, "amount"], f"between 0 and {invoice.open_amount}"
                            )
                        ],
                    )
                split.append((invoice, share))
            if sum((share for _, share in split), Decimal(0)) > amount:
                raise InvalidInput(
                    "the allocations add up to more than the payment",
                    errors=[field_error(["body", "allocations"], "more than the amount")],
                )
        if any(invoice.currency != currency for invoice, _ in split):
            raise InvalidInput(
                "the payment's currency differs from an invoice's",
                errors=[field_error(["body", "currency"], "must match the invoices")],
            )
        first = split[0][0] if split else None
        try:
            with transaction.atomic():
                payment = CustomerPayment.objects.create(
                    reference=reference,
                    amount=amount,
                    currency=currency,
                    received_on=received_on,
                    customer_id=first.customer_id if first else None,
                    company_id=first.company_id if first else None,
                )
        except IntegrityError as exc:
            raise Conflict("this payment reference is being recorded already") from exc
        for invoice, share in split:
            PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=share)
            _apply(invoice, share)
        audit.record(
            actor=actor,
            action="receivable.payment_recorded",
            obj=payment,
            data={"allocations": [[invoice.number, str(share)] for invoice, share in split]},
        )
    for invoice, share in split:
        if invoice.company_id and invoice.order.payment_method == "on_account":
            company_services.record_payment(
                company_code=invoice.company.code, amount=share, reference=f"{reference}:{invoice.number}"
            )
    _refresh_overdue_flags({invoice.company_id for invoice, _ in split if invoice.company_id})
    return payment


def settle_from_captured_payment(*, invoice: Invoice, amount: Decimal, reference: str) -> None:
    """A card capture pays the invoice issued for it."""
    record_customer_payment(
        reference=reference,
        amount=amount,
        currency=invoice.currency,
        received_on=timezone.localdate(),
        invoice_numbers=[invoice.number],
    )


def _refresh_overdue_flags(company_ids: set[int]) -> None:
    today = timezone.localdate()
    for company_id in company_ids:
        overdue = Invoice.objects.filter(company_id=company_id, status__in=OPEN, due_on__lt=today).exists()
        company_services.set_overdue_status(company_id=company_id, overdue=overdue)


REMINDER_WORDING = {
    1: "a friendly reminder",
    2: "a second reminder",
    3: "a final notice before we stop deliveries on account",
}


def run_dunning(today: date | None = None) -> int:
    """Send the next reminder level for each overdue invoice (levels at HANDEL_DUNNING_DAYS)."""
    today = today or timezone.localdate()
    thresholds = sorted(settings.HANDEL_DUNNING_DAYS)
    sent = 0
    overdue = Invoice.objects.filter(status__in=OPEN, due_on__lt=today).select_related("order")
    for invoice in overdue:
        days = (today - invoice.due_on).days
        level = sum(1 for threshold in thresholds if days >= threshold)
        if level <= invoice.reminders_sent:
            continue
        try:
            with transaction.atomic(durable=True):
                DunningNotice.objects.create(invoice=invoice, level=level, days_overdue=days)
                Invoice.objects.filter(pk=invoice.pk).update(reminders_sent=level)
                audit.record(actor=None, action="invoice.reminder_sent", obj=invoice, data={"level": level})
        except IntegrityError:
            continue
        wording = REMINDER_WORDING.get(level, REMINDER_WORDING[3])
        send_mail(
            subject=f"Payment reminder {level}: invoice {invoice.number}",
            message=(
                f"Hello,\n\nThis is {wording}: invoice {invoice.number} of {invoice.issued_on} for "
                f"{invoice.open_amount} {invoice.currency} was due on {invoice.due_on} ({days} days ago).\n"
                f"Please pay to {invoice.seller.get('iban', '')} quoting {invoice.number}.\n"
            ),
            from_email=None,
            recipient_list=[invoice.order.email],
        )
        sent += 1
    _refresh_overdue_flags(set(overdue.exclude(company_id=None).values_list("company_id", flat=True)))
    return sent
