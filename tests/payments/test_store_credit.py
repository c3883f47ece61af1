"""Store credit: an append-only ledger per customer and currency whose balance never goes below
zero, spent as a payment method and given back when the payment is refunded."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.db.models import Sum

from handel.core.models import AuditEntry
from handel.core.tokens import SCOPES
from handel.payments import queries, services
from handel.payments.models import Payment, StoreCreditAccount, StoreCreditEntry
from tests.conftest import assert_problem

PARALLEL = 8


def grant(customer_id: int, amount: str, reference: str = "CM-000001", currency: str = "EUR") -> StoreCreditEntry:
    with transaction.atomic():
        return services.grant_store_credit(
            customer_id=customer_id, currency=currency, amount=Decimal(amount), reference=reference
        )


def spend(customer_id: int, amount: str, reference: str) -> Payment:
    return services.start_payment(
        reference=reference, method="store_credit", amount=Decimal(amount), currency="EUR", customer_id=customer_id
    )


def ledger_agrees(account: StoreCreditAccount) -> bool:
    account.refresh_from_db()
    total = account.entries.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    last = account.entries.order_by("-id").first()
    return total == account.balance and (last is None or last.balance_after == account.balance)


@pytest.mark.django_db
def test_granted_credit_is_spent_whole_and_given_back_on_refund(make_user):
    customer = make_user()
    grant(customer.pk, "50.00")
    grant(customer.pk, "50.00")  # the same credit memo again: granted once
    assert queries.store_credit_balance(customer_id=customer.pk, currency="EUR") == Decimal("50.00")

    payment = spend(customer.pk, "30.00", "ORD-000001")
    assert payment.status == Payment.Status.CAPTURED and payment.provider == "store_credit"
    assert payment.captured_amount == Decimal("30.00")
    with pytest.raises(services.InsufficientStoreCredit):
        spend(customer.pk, "20.01", "ORD-000002")
    assert not Payment.objects.filter(reference="ORD-000002").exists()
    with pytest.raises(services.PaymentStateError):
        services.void_payment(public_id=str(payment.public_id))  # taken, so refunded rather than voided

    services.refund_payment(public_id=str(payment.public_id), amount=Decimal("10.00"), reason="credit memo CM-2")
    services.on_order_cancelled({"number": "ORD-000001"})  # the rest comes back with the cancellation
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED and payment.refunded_amount == Decimal("30.00")

    account = StoreCreditAccount.objects.get(customer=customer, currency="EUR")
    assert account.balance == Decimal("50.00") and ledger_agrees(account)
    assert [(entry.kind, entry.amount) for entry in account.entries.all()] == [
        ("grant", Decimal("50.00")),
        ("spend", Decimal("-30.00")),
        ("reversal", Decimal("10.00")),
        ("reversal", Decimal("20.00")),
    ]
    assert AuditEntry.objects.filter(action="store_credit.given_back").count() == 2


@pytest.mark.django_db
def test_store_credit_needs_a_customer_with_enough_credit(make_user):
    customer, other = make_user(), make_user()
    with pytest.raises(services.InsufficientStoreCredit):
        spend(customer.pk, "1.00", "ORD-000001")  # no account at all
    grant(customer.pk, "5.00")
    with pytest.raises(services.InsufficientStoreCredit):
        spend(other.pk, "1.00", "ORD-000001")  # another customer's credit is not theirs
    with pytest.raises(services.DomainError) as refused:
        services.start_payment(reference="ORD-000001", method="store_credit", amount=Decimal("1.00"), currency="EUR")
    assert refused.value.status == 422
    spend(customer.pk, "1.00", "ORD-000001")
    with pytest.raises(services.DomainError) as twice:
        spend(customer.pk, "1.00", "ORD-000001")
    assert twice.value.slug == "already-paid"
    assert queries.store_credit_balance(customer_id=customer.pk, currency="EUR") == Decimal("4.00")


@pytest.mark.django_db
def test_entries_are_append_only(make_user):
    entry = grant(make_user().pk, "5.00")
    entry.note = "changed"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.django_db
def test_store_credit_is_offered_only_when_it_covers_the_whole_amount(channels, make_user):
    customer = make_user()
    grant(customer.pk, "25.00")

    def offered(amount: str, customer_id: int | None = customer.pk) -> bool:
        methods = queries.available_methods(
            channel_code="b2c",
            amount=Decimal(amount),
            is_business_buyer=False,
            can_pay_on_account=False,
            customer_id=customer_id,
        )
        return "store_credit" in {method.code for method in methods}

    assert offered("25.00") and offered("0.01")
    assert not offered("25.01")  # partial store credit plus a card is not offered
    assert not offered("1.00", customer_id=None)
    assert not offered("1.00", customer_id=make_user().pk)


def _spend_in_a_process(customer_id: int, index: int, queue: multiprocessing.Queue) -> None:
    connections.close_all()
    try:
        spend(customer_id, "30.00", f"ORD-{index:06d}")
        queue.put("paid")
    except services.InsufficientStoreCredit:
        queue.put("refused")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_parallel_orders_never_overspend(make_user):
    customer = make_user()
    grant(customer.pk, "100.00")
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_spend_in_a_process, args=(customer.pk, i, queue)) for i in range(PARALLEL)]
    for process in processes:
        process.start()
    outcomes = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert outcomes.count("paid") == 3 and outcomes.count("refused") == PARALLEL - 3, outcomes
    account = StoreCreditAccount.objects.get(customer=customer)
    assert account.balance == Decimal("10.00") and ledger_agrees(account)
    assert Payment.objects.filter(method="store_credit").count() == 3


@pytest.mark.django_db
def test_customers_read_only_their_own_store_credit(api, api_for, make_user):
    ann, bob = make_user(), make_user()
    grant(ann.pk, "12.50")
    spend(ann.pk, "2.50", "ORD-000001")
    mine = api_for(ann).call("get", "/payments/store-credit")
    assert mine.status_code == 200, mine.content
    body = mine.json()
    assert body["balances"] == [{"currency": "EUR", "balance": "10.00"}]
    assert [(entry["kind"], entry["amount"]) for entry in body["entries"]] == [
        ("spend", "-2.50"),
        ("grant", "12.50"),
    ]
    assert body["entries"][0]["reference"] == "ORD-000001" and body["meta"]["total"] == 2
    theirs = api_for(bob).call("get", "/payments/store-credit").json()
    assert theirs["balances"] == [] and theirs["entries"] == []
    assert_problem(api.call("get", "/payments/store-credit"), 401)
    assert_problem(api_for(ann, scopes=("orders:write",)).call("get", "/payments/store-credit"), 403)


@pytest.mark.django_db
def test_store_credit_page_queries_do_not_grow_with_the_page(api_for, make_user, django_assert_max_num_queries):
    customer = make_user()
    client = api_for(customer)
    for index in range(30):
        grant(customer.pk, "1.00", reference=f"CM-{index:06d}")
    with django_assert_max_num_queries(8):
        response = client.call("get", "/payments/store-credit?page_size=30")
    assert len(response.json()["entries"]) == 30


@pytest.mark.django_db
def test_staff_adjust_store_credit_with_a_reason(api_for, make_user):
    customer = make_user("cara@example.com")
    staff = make_user(staff=True, perms=["payments.adjust_store_credit"])
    client = api_for(staff, scopes=tuple(SCOPES))
    added = client.call(
        "post",
        "/payments/store-credit/adjustments",
        {"customer_email": "Cara@example.com", "currency": "EUR", "amount": "15.00", "reason": "late delivery"},
    )
    assert added.status_code == 201, added.content
    assert added.json()["balance"] == "15.00" and added.json()["entry"]["kind"] == "adjustment"
    taken = client.call(
        "post",
        "/payments/store-credit/adjustments",
        {"customer_email": "cara@example.com", "currency": "EUR", "amount": "-5.00", "reason": "granted twice"},
    )
    assert taken.json()["balance"] == "10.00"
    entry = StoreCreditEntry.objects.select_related("account").order_by("-id").first()
    assert entry is not None and entry.account.customer == customer
    assert entry.created_by == staff and entry.note == "granted twice"
    assert AuditEntry.objects.filter(action="store_credit.adjusted").count() == 2


@pytest.mark.django_db
def test_bad_adjustments_are_refused_as_problems_and_change_nothing(api_for, make_user):
    make_user("cara@example.com")
    allowed = api_for(make_user(staff=True, perms=["payments.adjust_store_credit"]), scopes=tuple(SCOPES))
    valid = {"customer_email": "cara@example.com", "currency": "EUR", "amount": "5.00", "reason": "goodwill"}

    def adjust(client, **changes):
        return client.call("post", "/payments/store-credit/adjustments", {**valid, **changes})

    for changes, field in (
        ({"amount": "0"}, "amount"),
        ({"customer_email": "nobody@example.com"}, "customer_email"),
        ({"currency": "XYZ"}, "currency"),
        ({"reason": "   "}, "reason"),
    ):
        problem = assert_problem(adjust(allowed, **changes), 422)
        assert field in str(problem["errors"]), problem
    assert_problem(adjust(allowed, amount="1.001"), 422)
    assert_problem(adjust(allowed, amount="abc"), 422)
    assert_problem(adjust(allowed, reason=""), 422)
    overdraft = assert_problem(adjust(allowed, amount="-0.01"), 409)
    assert overdraft["type"].endswith("store-credit-insufficient")
    assert_problem(adjust(api_for(make_user(staff=True), scopes=tuple(SCOPES)), amount="5.00"), 403)
    assert_problem(adjust(api_for(make_user()), amount="5.00"), 403)
    assert not StoreCreditEntry.objects.exists()
    assert not StoreCreditAccount.objects.filter(balance__gt=0).exists()


@pytest.mark.django_db
def test_back_office_shows_the_ledger_read_only_and_adjusts_through_the_service(client, make_user):
    customer = make_user("dirk@example.com")
    grant(customer.pk, "8.00")
    staff = make_user(staff=True, perms=["payments.adjust_store_credit"])
    client.force_login(staff)
    account = StoreCreditAccount.objects.get(customer=customer)
    assert client.get("/admin/payments/storecreditaccount/").status_code == 200
    assert client.get(f"/admin/payments/storecreditaccount/{account.pk}/change/").status_code == 200
    assert client.get("/admin/payments/storecreditentry/").status_code == 200
    entry = account.entries.get()
    assert client.post(f"/admin/payments/storecreditentry/{entry.pk}/change/", {"note": "x"}).status_code == 403
    assert client.post(f"/admin/payments/storecreditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    form = {"customer_email": "dirk@example.com", "currency": "EUR", "amount": "-9.00", "note": "typo"}
    refused = client.post("/admin/payments/storecreditentry/add/", form)
    assert refused.status_code == 200 and b"at most that can be taken away" in refused.content
    added = client.post("/admin/payments/storecreditentry/add/", {**form, "amount": "-3.00"})
    assert added.status_code == 302
    account.refresh_from_db()
    assert account.balance == Decimal("5.00") and ledger_agrees(account)
    assert account.entries.last().created_by == staff


@pytest.mark.django_db
def test_the_account_page_shows_store_credit_only_when_there_is_some(client, make_user, channels):
    customer = make_user()
    client.force_login(customer)
    assert "Store credit" not in client.get("/account/").content.decode()
    grant(customer.pk, "7.50")
    page = client.get("/account/").content.decode()
    assert "Store credit" in page and "7.50 EUR" in page
