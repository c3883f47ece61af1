from __future__ import annotations

import multiprocessing
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connections

from handel.core.errors import InvalidInput
from handel.core.tokens import SCOPES
from handel.orders import services, statements
from handel.orders.models import CreditMemo, Invoice
from handel.payments import services as payment_services
from handel.payments.providers import test_gateway
from tests.conftest import assert_problem

CARD = {"number": test_gateway.APPROVED, "expiry": "12/39", "cvc": "123"}


def _issue_for(order_number: str, queue: multiprocessing.Queue) -> None:
    connections.close_all()
    try:
        queue.put(services.issue_invoice(order_number=order_number).number)
    except Exception as exc:
        queue.put(f"error {exc}")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_are_gapless_when_many_are_issued_at_once(place):
    orders = [place() for _ in range(12)]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_issue_for, args=(order.number, queue)) for order in orders]
    for process in processes:
        process.start()
    numbers = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert all(str(number).startswith("INV-") for number in numbers), numbers
    assert sorted(numbers) == [f"INV-{index:06d}" for index in range(1, 13)]
    assert Invoice.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_a_captured_card_payment_issues_a_paid_invoice_that_matches_the_order_and_mails_it(place):
    order = place()
    payment = payment_services.start_payment(
        reference=order.number, method="card", amount=order.grand_total, currency="EUR", card=CARD
    )
    payment_services.capture_payment(public_id=str(payment.public_id))
    invoice = Invoice.objects.get(order=order)
    assert invoice.number == "INV-000001"
    assert (invoice.total_net, invoice.total_tax, invoice.total_gross) == (
        order.subtotal_net + order.shipping_net,
        order.tax_total,
        order.grand_total,
    )
    assert sum((line.total_gross for line in invoice.lines.all()), Decimal(0)) == invoice.total_gross
    assert invoice.vat_breakdown == [{"rate": "21.000", "net": "145.00", "tax": "30.45"}]
    assert invoice.status == "paid" and invoice.open_amount == Decimal("0.00")
    sent = [m for m in mail.outbox if invoice.number in m.subject]
    assert sent and sent[0].attachments[0][0] == f"{invoice.number}.pdf"
    assert sent[0].attachments[0][1].startswith(b"%PDF")


@pytest.mark.django_db
def test_the_invoice_pdf_shows_the_vat_breakdown_and_reverse_charge(place, make_user, api_for):
    owner = make_user()
    order = place(customer_id=owner.pk, tax_breakdown=({"rate": "0", "reverse_charge": True},))
    invoice = services.issue_invoice(order_number=order.number)
    assert invoice.reverse_charge
    response = api_for(owner).call("get", f"/invoices/{invoice.number}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"VAT reverse charged" in response.content and invoice.number.encode() in response.content
    with pytest.raises(services.Conflict):
        services.issue_invoice(order_number=order.number)


@pytest.mark.django_db
def test_nobody_reads_another_customers_invoice_by_guessing(place, make_user, api_for):
    owner, stranger = make_user(), make_user()
    invoice = services.issue_invoice(order_number=place(customer_id=owner.pk).number)
    assert api_for(owner).call("get", f"/invoices/{invoice.number}").status_code == 200
    for path in (f"/invoices/{invoice.number}", f"/invoices/{invoice.number}/pdf"):
        assert_problem(api_for(stranger).call("get", path), 404)
    assert api_for(stranger).call("get", "/invoices").json()["meta"]["total"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_partial_credit_memo_refunds_through_the_original_payment(place, make_user, api_for):
    order = place()
    payment = payment_services.start_payment(
        reference=order.number, method="card", amount=order.grand_total, currency="EUR", card=CARD
    )
    payment_services.capture_payment(public_id=str(payment.public_id))
    invoice = Invoice.objects.get(order=order)
    drill = invoice.lines.get(sku="DRILL-1")
    staff = api_for(make_user(superuser=True), scopes=tuple(SCOPES))
    response = staff.call(
        "post",
        f"/invoices/{invoice.number}/credit-memos",
        {
            "lines": [{"position": drill.position, "quantity": 1}],
            "shipping": "6.05",
            "refund_to": "original_payment",
            "reason": "one drill arrived broken",
        },
    )
    assert response.status_code == 201, response.content
    memo = CreditMemo.objects.get()
    assert memo.number == "CM-000001"
    assert memo.total_gross == Decimal("60.50") + Decimal("6.05")  # one of two drills, and the shipping
    payment.refresh_from_db()
    assert payment.refunded_amount == memo.total_gross and payment.status == "partially_refunded"
    body = assert_problem(
        staff.call(
            "post",
            f"/invoices/{invoice.number}/credit-memos",
            {"lines": [{"position": drill.position, "quantity": 2}], "refund_to": "none", "reason": "again"},
        ),
        422,
    )
    assert body["errors"][0]["loc"] == ["body", "lines", 0, "quantity"]
    assert CreditMemo.objects.count() == 1
    pdf = staff.call("get", f"/credit-memos/{memo.number}/pdf")
    assert pdf.status_code == 200 and b"one drill arrived broken" in pdf.content


@pytest.mark.django_db
def test_payments_settle_several_invoices_and_the_statement_ages_the_rest(place, make_user):
    owner = make_user()
    invoices = [services.issue_invoice(order_number=place(customer_id=owner.pk).number) for _ in range(3)]
    today = date.today()
    for invoice, days_late in zip(invoices, (95, 40, -5), strict=True):
        Invoice.objects.filter(pk=invoice.pk).update(
            due_on=today - timedelta(days=days_late), issued_on=today - timedelta(days=days_late + 14)
        )
    total = invoices[0].total_gross
    services.record_customer_payment(
        reference="BANK-1",
        amount=total + Decimal("50.00"),
        currency="EUR",
        received_on=today,
        invoice_numbers=[i.number for i in invoices[:2]],
    )
    services.record_customer_payment(
        reference="BANK-1", amount=total, currency="EUR", received_on=today, invoice_numbers=[invoices[2].number]
    )  # a replay changes nothing
    first, second, third = (Invoice.objects.get(pk=i.pk) for i in invoices)
    assert first.status == "paid" and second.status == "partially_paid" and third.status == "open"
    assert second.open_amount == total - Decimal("50.00")
    statement = statements.statement_for(customer_id=owner.pk, as_of=today, holder=owner.email)
    assert statement.balance == second.open_amount + third.open_amount
    assert statement.aging["31-60"] == second.open_amount and statement.aging["current"] == third.open_amount
    assert statement.aging["90+"] == Decimal("0")
    assert "aging 31-60" in statements.statement_csv(statement)
    with pytest.raises(InvalidInput):
        services.record_customer_payment(
            reference="BANK-2",
            amount=Decimal("10.00"),
            currency="EUR",
            received_on=today,
            allocations=[(third.number, third.open_amount + 1)],
        )


@pytest.mark.django_db
def test_statement_through_the_api_in_three_formats(place, make_user, api_for):
    owner = make_user()
    services.issue_invoice(order_number=place(customer_id=owner.pk).number)
    client = api_for(owner)
    assert client.call("get", "/statement").json()["balance"] == "175.45"
    assert client.call("get", "/statement?format=csv")["Content-Type"] == "text/csv"
    assert client.call("get", "/statement?format=pdf").content.startswith(b"%PDF")
    assert_problem(client.call("get", "/statement?format=xml"), 422)


@pytest.mark.django_db
def test_dunning_escalates_once_per_level_and_blocks_overdue_companies(place, company_with_roles):
    from handel.companies.models import Company

    company, users, _ = company_with_roles
    Company.objects.filter(pk=company.pk).update(block_ordering_when_overdue=True)
    invoice = services.issue_invoice(order_number=place(company_id=company.pk, customer_id=users["buyer"].pk).number)
    today = date.today()
    Invoice.objects.filter(pk=invoice.pk).update(due_on=today - timedelta(days=8))
    assert services.run_dunning(today) == 1
    assert services.run_dunning(today) == 0
    assert "Payment reminder 1" in mail.outbox[-1].subject
    company.refresh_from_db()
    assert company.has_overdue_invoices
    Invoice.objects.filter(pk=invoice.pk).update(due_on=today - timedelta(days=50))
    assert services.run_dunning(today) == 1
    assert "Payment reminder 3" in mail.outbox[-1].subject
    services.record_customer_payment(
        reference="BANK-9",
        amount=invoice.total_gross,
        currency="EUR",
        received_on=today,
        invoice_numbers=[invoice.number],
    )
    company.refresh_from_db()
    assert not company.has_overdue_invoices


@pytest.mark.django_db
def test_company_viewers_without_the_permission_get_no_statement(place, company_with_roles, api_for):
    _, users, _ = company_with_roles
    assert_problem(api_for(users["viewer"]).call("get", "/statement"), 403)
    assert api_for(users["approver"]).call("get", "/statement").status_code == 200
