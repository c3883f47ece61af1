"""Invoices, credit memos and account statements: for the customer (own, or company by role) and staff."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from handel.companies.queries import viewer_for
from handel.core.api import AUTH, require_scope, require_staff, require_user
from handel.core.errors import InvalidInput, NotFound, PermissionDenied, field_error
from handel.core.pagination import paginate
from handel.orders import pdf, queries, services, statements
from handel.orders.models import CreditMemo, Invoice

router = Router(tags=["invoices"])


class InvoiceOut(Schema):
    number: str
    order_number: str = Field(validation_alias="order.number")
    issued_on: date
    due_on: date
    currency: str
    total_net: Decimal
    total_tax: Decimal
    total_gross: Decimal
    amount_paid: Decimal
    amount_credited: Decimal
    status: str
    reverse_charge: bool
    purchase_order_number: str
    vat_breakdown: list[dict[str, str]]


class InvoicePage(Schema):
    items: list[InvoiceOut]
    meta: dict[str, int]


class CreditMemoOut(Schema):
    number: str
    invoice_number: str = Field(validation_alias="invoice.number")
    issued_on: date
    currency: str
    reason: str
    refund_to: str
    total_net: Decimal
    total_tax: Decimal
    total_gross: Decimal


class CreditMemoPage(Schema):
    items: list[CreditMemoOut]
    meta: dict[str, int]


class CreditMemoLineIn(Schema):
    position: int
    quantity: int = Field(gt=0)


class CreditMemoIn(Schema):
    lines: list[CreditMemoLineIn] = Field(default_factory=list)
    shipping: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    refund_to: str
    reason: str = Field(min_length=1, max_length=255)


class AllocationIn(Schema):
    invoice: str
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)


class CustomerPaymentIn(Schema):
    reference: str = Field(min_length=1, max_length=100)
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: str = Field(min_length=3, max_length=3)
    received_on: date
    invoice_numbers: list[str] | None = None
    allocations: list[AllocationIn] | None = None


def _staff_can(request: HttpRequest, permission: str) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_staff and user.has_perm(permission))


def _invoice_for(request: HttpRequest, number: str) -> Invoice:
    user = require_user(request)
    if _staff_can(request, "orders.view_invoice"):
        invoice = Invoice.objects.select_related("order").filter(number=number).first()
    else:
        require_scope(request, "account")
        invoice = queries.invoices_visible_to(user).select_related("order").filter(number=number).first()
    if invoice is None:
        raise NotFound(f"no invoice {number}")
    return invoice


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/invoices", response=InvoicePage, operation_id="list_invoices", auth=AUTH)
def list_invoices(request: HttpRequest, status: str = "", page: int = 1, page_size: int = 20) -> dict[str, Any]:
    user = require_user(request)
    require_scope(request, "account")
    invoices = queries.invoices_visible_to(user).select_related("order")
    if status:
        invoices = invoices.filter(status=status)
    return paginate(invoices, page=page, page_size=page_size, order_by=["-issued_on", "-id"]).as_dict()


@router.get("/invoices/{number}", response=InvoiceOut, operation_id="get_invoice", auth=AUTH)
def get_invoice(request: HttpRequest, number: str) -> Invoice:
    return _invoice_for(request, number)


@router.get("/invoices/{number}/pdf", operation_id="get_invoice_pdf", auth=AUTH)
def get_invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    invoice = _invoice_for(request, number)
    return _pdf(pdf.invoice_pdf(invoice), f"{invoice.number}.pdf")


@router.post("/orders/{number}/invoices", response={201: InvoiceOut}, operation_id="issue_invoice", auth=AUTH)
def issue_invoice(request: HttpRequest, number: str) -> Status[Invoice]:
    actor = require_staff(request, "orders.add_invoice", scope="orders:write")
    return Status(201, services.issue_invoice(order_number=number, actor=actor))


@router.get("/credit-memos", response=CreditMemoPage, operation_id="list_credit_memos", auth=AUTH)
def list_credit_memos(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    user = require_user(request)
    require_scope(request, "account")
    memos = queries.credit_memos_visible_to(user).select_related("invoice")
    return paginate(memos, page=page, page_size=page_size, order_by=["-issued_on", "-id"]).as_dict()


@router.get("/credit-memos/{number}/pdf", operation_id="get_credit_memo_pdf", auth=AUTH)
def get_credit_memo_pdf(request: HttpRequest, number: str) -> HttpResponse:
    user = require_user(request)
    memos = (
        CreditMemo.objects.all()
        if _staff_can(request, "orders.view_creditmemo")
        else (queries.credit_memos_visible_to(user))
    )
    memo = memos.select_related("invoice__order").filter(number=number).first()
    if memo is None:
        raise NotFound(f"no credit memo {number}")
    return _pdf(pdf.credit_memo_pdf(memo), f"{memo.number}.pdf")


@router.post(
    "/invoices/{number}/credit-memos", response={201: CreditMemoOut}, operation_id="create_credit_memo", auth=AUTH
)
def create_credit_memo(request: HttpRequest, number: str, payload: CreditMemoIn) -> Status[CreditMemo]:
    actor = require_staff(request, "orders.add_creditmemo", scope="orders:write")
    memo = services.create_credit_memo(
        invoice_number=number,
        lines=[(line.position, line.quantity) for line in payload.lines],
        shipping=payload.shipping,
        refund_to=payload.refund_to,
        reason=payload.reason,
        actor=actor,
    )
    return Status(201, memo)


@router.post("/receivables/payments", response={201: dict}, operation_id="record_customer_payment", auth=AUTH)
def record_customer_payment(request: HttpRequest, payload: CustomerPaymentIn) -> Status[dict[str, Any]]:
    actor = require_staff(request, "orders.add_customerpayment", scope="orders:write")
    if payload.invoice_numbers is None and payload.allocations is None:
        raise InvalidInput(
            "name the invoices or the allocations",
            errors=[field_error(["body", "invoice_numbers"], "or allocations; one is required")],
        )
    payment = services.record_customer_payment(
        reference=payload.reference,
        amount=payload.amount,
        currency=payload.currency.upper(),
        received_on=payload.received_on,
        invoice_numbers=payload.invoice_numbers,
        actor=actor,
        allocations=[(a.invoice, a.amount) for a in payload.allocations] if payload.allocations is not None else None,
    )
    return Status(
        201,
        {
            "reference": payment.reference,
            "allocations": [
                {"invoice": allocation.invoice.number, "amount": str(allocation.amount)}
                for allocation in payment.allocations.select_related("invoice")
            ],
        },
    )


@router.get("/statement", operation_id="get_statement", auth=AUTH)
def get_statement(request: HttpRequest, format: str = "json", as_of: date | None = None, currency: str = "EUR") -> Any:
    """The caller's account statement (their company's, if their role may see invoices):
    JSON, CSV (format=csv) or PDF (format=pdf)."""
    user = require_user(request)
    require_scope(request, "account")
    viewer = viewer_for(user)
    if viewer is not None and not viewer.can(queries.SEE_INVOICES):
        raise PermissionDenied("your role does not allow seeing invoices and statements")
    statement = statements.statement_for(
        customer_id=user.pk,
        company_id=viewer.company_id if viewer else None,
        as_of=as_of or timezone.localdate(),
        holder=viewer.company_code if viewer else user.email,
        currency=currency.upper(),
    )
    if format == "csv":
        response = HttpResponse(statements.statement_csv(statement), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="statement.csv"'
        return response
    if format == "pdf":
        return _pdf(pdf.statement_pdf(statement), "statement.pdf")
    if format != "json":
        raise InvalidInput("format must be json, csv or pdf", errors=[field_error(["query", "format"], "json|csv|pdf")])
    return statements.statement_as_dict(statement)
