"""Account statements: invoices, payments and credit memos of a customer or company, with the
balance and its aging (current, 1-30, 31-60, 61-90, 90+ days past due)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from handel.orders.models import CreditMemo, CustomerPayment, Invoice

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


@dataclass(frozen=True)
class StatementEntry:
    on: date
    kind: str  # invoice | payment | credit_memo
    number: str
    description: str
    debit: Decimal
    credit: Decimal
    due_on: date | None = None


@dataclass
class Statement:
    as_of: date
    holder: str
    currency: str
    entries: list[StatementEntry] = field(default_factory=list)
    aging: dict[str, Decimal] = field(default_factory=dict)

    @property
    def balance(self) -> Decimal:
        return sum((entry.debit - entry.credit for entry in self.entries), Decimal(0))


def _bucket(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "1-30"
    if days_overdue <= 60:
        return "31-60"
    if days_overdue <= 90:
        return "61-90"
    return "90+"


def statement_for(
    *,
    customer_id: int | None = None,
    company_id: int | None = None,
    as_of: date,
    holder: str = "",
    currency: str = "EUR",
) -> Statement:
    owner = Q(company_id=company_id) if company_id else Q(customer_id=customer_id, company_id__isnull=True)
    invoices = list(Invoice.objects.filter(owner, issued_on__lte=as_of, currency=currency).order_by("issued_on", "id"))
    memos = CreditMemo.objects.filter(invoice__in=invoices, issued_on__lte=as_of).order_by("issued_on", "id")
    payments = CustomerPayment.objects.filter(owner, received_on__lte=as_of, currency=currency)
    statement = Statement(as_of=as_of, holder=holder, currency=currency)
    statement.entries += [
        StatementEntry(i.issued_on, "invoice", i.number, f"Order {i.order.number}", i.total_gross, Decimal(0), i.due_on)
        for i in invoices
    ]
    statement.entries += [
        StatementEntry(m.issued_on, "credit_memo", m.number, m.reason, Decimal(0), m.total_gross) for m in memos
    ]
    statement.entries += [
        StatementEntry(p.received_on, "payment", p.reference, "Payment received", Decimal(0), p.amount)
        for p in payments
    ]
    statement.entries.sort(key=lambda entry: (entry.on, entry.kind != "invoice", entry.number))
    aging = dict.fromkeys(BUCKETS, Decimal(0))
    for invoice in invoices:
        if invoice.open_amount > 0:
            aging[_bucket((as_of - invoice.due_on).days)] += invoice.open_amount
    statement.aging = aging
    return statement


def statement_csv(statement: Statement) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "type", "number", "description", "due", "debit", "credit"])
    for entry in statement.entries:
        writer.writerow(
            [
                entry.on.isoformat(),
                entry.kind,
                entry.number,
                entry.description,
                entry.due_on.isoformat() if entry.due_on else "",
                entry.debit,
                entry.credit,
            ]
        )
    writer.writerow([])
    writer.writerow(["balance", "", "", "", "", statement.balance, ""])
    for bucket in BUCKETS:
        writer.writerow([f"aging {bucket}", "", "", "", "", statement.aging[bucket], ""])
    return out.getvalue()


def statement_as_dict(statement: Statement) -> dict[str, Any]:
    return {
        "as_of": statement.as_of,
        "holder": statement.holder,
        "currency": statement.currency,
        "balance": statement.balance,
        "aging": statement.aging,
        "entries": [entry.__dict__ for entry in statement.entries],
    }
