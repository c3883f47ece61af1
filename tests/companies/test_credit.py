"""Pay on account: the credit limit holds, however many orders are placed at once."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from django.db import connections, transaction

from handel.companies import queries, services
from handel.companies.models import Company, CompanyCredit

PARALLEL = 10


def _charge(code: str, index: int, queue: multiprocessing.Queue) -> None:
    connections.close_all()
    try:
        with transaction.atomic(durable=True):
            services.charge_on_account(company_code=code, amount=Decimal("300.00"), reference=f"ORD-{index}")
        queue.put("ok")
    except services.CreditLimitExceeded:
        queue.put("refused")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_parallel_orders_on_account_never_exceed_the_limit(company_with_roles):
    company, _, staff = company_with_roles
    services.set_credit_terms(actor=staff, company_code=company.code, credit_limit=Decimal("1000.00"))
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_charge, args=(company.code, i, queue)) for i in range(PARALLEL)]
    for process in processes:
        process.start()
    outcomes = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert outcomes.count("ok") == 3 and outcomes.count("refused") == PARALLEL - 3
    credit = CompanyCredit.objects.get(company=company)
    assert credit.balance == Decimal("900.00") and credit.available == Decimal("100.00")
    assert queries.ledger_balances(company)


@pytest.mark.django_db
def test_payments_and_credit_memos_give_credit_back(company_with_roles):
    company, _, staff = company_with_roles
    services.set_credit_terms(actor=staff, company_code=company.code, credit_limit=Decimal("500.00"))
    with transaction.atomic():
        services.charge_on_account(company_code=company.code, amount=Decimal("400.00"), reference="ORD-1")
    with pytest.raises(services.CreditLimitExceeded), transaction.atomic():
        services.charge_on_account(company_code=company.code, amount=Decimal("200.00"), reference="ORD-2")
    services.record_payment(company_code=company.code, amount=Decimal("150.00"), reference="PAY-1")
    services.record_payment(company_code=company.code, amount=Decimal("150.00"), reference="PAY-1")  # replayed
    services.apply_credit_memo(company_code=company.code, amount=Decimal("50.00"), reference="CM-1")
    with transaction.atomic():
        services.charge_on_account(company_code=company.code, amount=Decimal("200.00"), reference="ORD-2")
    credit = CompanyCredit.objects.get(company=company)
    assert credit.balance == Decimal("400.00")
    services.release_charge(company_code=company.code, reference="ORD-2")
    credit.refresh_from_db()
    assert credit.balance == Decimal("200.00")
    assert queries.ledger_balances(company)


@pytest.mark.django_db
def test_credit_hold_and_overdue_invoices_block_ordering(company_with_roles):
    company, _, staff = company_with_roles
    services.set_credit_terms(actor=staff, company_code=company.code, credit_limit=Decimal("500.00"), on_hold=True)
    with pytest.raises(services.CreditLimitExceeded) as refused, transaction.atomic():
        services.charge_on_account(company_code=company.code, amount=Decimal("1.00"), reference="ORD-1")
    assert refused.value.slug == "credit-on-hold"
    services.set_credit_terms(actor=staff, company_code=company.code, on_hold=False)
    Company.objects.filter(pk=company.pk).update(block_ordering_when_overdue=True)
    services.set_overdue_status(company_id=company.pk, overdue=True)
    with pytest.raises(services.OrderingBlocked), transaction.atomic():
        services.charge_on_account(company_code=company.code, amount=Decimal("1.00"), reference="ORD-1")


@pytest.mark.django_db
def test_the_limit_cannot_drop_below_the_balance(company_with_roles, api_for):
    from handel.core.tokens import SCOPES
    from tests.conftest import assert_problem

    company, users, staff = company_with_roles
    client = api_for(staff, scopes=tuple(SCOPES))
    assert client.call("put", f"/companies/{company.code}/credit", {"credit_limit": "800.00"}).status_code == 200
    with transaction.atomic():
        services.charge_on_account(company_code=company.code, amount=Decimal("600.00"), reference="ORD-1")
    assert_problem(client.call("put", f"/companies/{company.code}/credit", {"credit_limit": "500.00"}), 409)
    credit = api_for(users["buyer"]).call("get", "/companies/mine/credit").json()
    assert credit == {
        "currency": "EUR",
        "credit_limit": "800.00",
        "balance": "600.00",
        "available": "200.00",
        "payment_terms_days": 30,
        "on_hold": False,
    }
