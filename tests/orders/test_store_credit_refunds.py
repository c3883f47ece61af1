"""Refunds as store credit, across domains: a returned order is credited to the customer's store
credit (in the credit memo's transaction), which pays a new order through checkout and comes back
when that order is cancelled."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connections, transaction

from handel.checkout import placement
from handel.checkout.models import Cart
from handel.core.errors import DomainError
from handel.core.models import AuditEntry
from handel.core.tokens import SCOPES
from handel.orders import lifecycle, services
from handel.orders.models import CreditMemo, Order
from handel.payments import services as payment_services
from handel.payments.models import Payment, StoreCreditAccount, StoreCreditEntry
from tests.checkout.conftest import shop  # noqa: F401 (a shared fixture)
from tests.checkout.flow import body, place, ready_cart
from tests.conftest import assert_problem


def balance(client) -> list[dict[str, str]]:
    response = client.call("get", "/payments/store-credit")
    assert response.status_code == 200, response.content
    return response.json()["balances"]


def methods(client, cart: str) -> set[str]:
    response = client.call("get", f"/checkout/carts/{cart}/payment-methods")
    assert response.status_code == 200, response.content
    return {method["code"] for method in response.json()}


def returned_order(client, customer, staff, capture_callbacks) -> tuple[Order, str]:
    """A card order for A x2 and B x1 (48.40 EUR of goods incl. tax), captured, invoiced, delivered and
    returned in full; the return waits for staff to complete it."""
    with capture_callbacks(execute=True):
        placed = place(client, ready_cart(client, ("A", 2), ("B", 1)))
    assert placed.status_code == 201, placed.content
    number = body(placed)["order_number"]
    with capture_callbacks(execute=True):
        payment_services.capture_payment(public_id=str(Payment.objects.get(reference=number).public_id))
    order = Order.objects.get(number=number)
    assert order.invoices.count() == 1
    Order.objects.filter(pk=order.pk).update(status=lifecycle.DELIVERED)
    lines = [(line.position, line.quantity) for line in order.lines.all()]
    request = services.request_return(
        user=customer,
        order_number=number,
        resolution="refund",
        lines=[
            {"position": position, "quantity": quantity, "reason": "damaged", "condition": "opened"}
            for position, quantity in lines
        ],
    )
    services.decide_return(number=request.number, approve=True, actor=staff)
    services.receive_return(
        number=request.number,
        actor=staff,
        lines=[
            {"position": position, "received_quantity": quantity, "outcome": "scrap"} for position, quantity in lines
        ],
    )
    return order, request.number


@pytest.mark.django_db
@pytest.mark.usefixtures("shop")
def test_a_return_refunded_as_store_credit_pays_a_new_order_and_comes_back_on_cancel(
    make_user, api_for, django_capture_on_commit_callbacks
):
    customer, staff = make_user("ann@example.com"), make_user(superuser=True)
    client = api_for(customer, scopes=("account", "orders:write"))
    order, number = returned_order(client, customer, staff, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        done = api_for(staff, scopes=tuple(SCOPES)).call(
            "post", f"/returns/{number}/complete", {"refund_to": "store_credit"}
        )
    assert done.status_code == 200, done.content
    memo = CreditMemo.objects.get()
    assert memo.refund_to == "store_credit" and memo.total_gross == Decimal("48.40")
    assert Payment.objects.get(reference=order.number).refunded_amount == Decimal("0")  # the card is untouched
    assert balance(client) == [{"currency": "EUR", "balance": "48.40"}]
    grant = StoreCreditEntry.objects.get(kind="grant")
    assert grant.reference == memo.number and grant.created_by == staff
    assert AuditEntry.objects.filter(action="store_credit.granted", actor_label__icontains=staff.email).exists()
    told = [message for message in mail.outbox if memo.number in message.subject]
    assert len(told) == 1 and "store credit" in told[0].body and "48.40 EUR" in told[0].body
    assert told[0].attachments[0][0] == f"{memo.number}.pdf"

    cart = ready_cart(client, ("A", 2))
    assert "store_credit" in methods(client, cart)
    with django_capture_on_commit_callbacks(execute=True):
        placed = place(client, cart, "store_credit")
    assert placed.status_code == 201, placed.content
    second = body(placed)
    assert second["status"] == lifecycle.PROCESSING and second["payment"]["status"] == "captured"
    new_order = Order.objects.get(number=second["order_number"])
    assert new_order.status == lifecycle.PROCESSING and new_order.payment_method == "store_credit"
    assert new_order.invoices.count() == 1  # the channel invoices at capture, and store credit is captured
    assert new_order.grand_total == Decimal("30.19") == Decimal(second["grand_total"])
    assert balance(client) == [{"currency": "EUR", "balance": "18.21"}]
    # 18.21 EUR left does not pay the same order again: store credit pays whole orders only.
    assert "store_credit" not in methods(client, ready_cart(client, ("A", 2)))

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(number=new_order.number, actor=staff, reason="the customer changed their mind")
    assert balance(client) == [{"currency": "EUR", "balance": "48.40"}]
    assert list(StoreCreditEntry.objects.values_list("kind", "amount")) == [
        ("grant", Decimal("48.40")),
        ("spend", Decimal("-30.19")),
        ("reversal", Decimal("30.19")),
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("shop")
def test_store_credit_that_does_not_cover_the_order_is_refused_and_places_nothing(make_user, api_for):
    customer = make_user()
    client = api_for(customer, scopes=("account", "orders:write"))
    cart = ready_cart(client, ("A", 1))
    problem = assert_problem(place(client, cart, "store_credit"), 422)
    assert "payment_method" in str(problem["errors"])
    assert not Order.objects.exists() and not Payment.objects.exists()


@pytest.mark.django_db
def test_a_guest_order_cannot_be_refunded_as_store_credit(place, make_user, api_for):
    order = place()
    invoice = services.issue_invoice(order_number=order.number)
    staff = api_for(make_user(superuser=True), scopes=tuple(SCOPES))
    line = invoice.lines.order_by("position").first()
    problem = assert_problem(
        staff.call(
            "post",
            f"/invoices/{invoice.number}/credit-memos",
            {"lines": [{"position": line.position, "quantity": 1}], "refund_to": "store_credit", "reason": "broken"},
        ),
        422,
    )
    assert "refund_to" in str(problem["errors"])
    assert not CreditMemo.objects.exists() and not StoreCreditEntry.objects.exists()


def _place_with_store_credit(queue: multiprocessing.Queue, cart: str, customer_id: int) -> None:
    connections.close_all()
    try:
        customer = Cart.objects.get(public_id=cart).customer
        assert customer is not None and customer.pk == customer_id
        placement.place_order(
            public_id=cart, user=customer, request=placement.PlacementRequest(payment_method="store_credit")
        )
        queue.put("placed")
    except DomainError as exc:
        queue.put(f"refused: {exc.slug}")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shop")
def test_parallel_orders_never_overspend_store_credit(api, make_user):
    customer = make_user("ann@example.com")
    with transaction.atomic():
        payment_services.grant_store_credit(
            customer_id=customer.pk, currency="EUR", amount=Decimal("50.00"), reference="CM-000001"
        )
    # A signed-in customer has one open cart; these carts stand for the same customer's parallel tabs.
    carts = [ready_cart(api, ("A", 2)) for _ in range(4)]
    Cart.objects.filter(public_id__in=carts).update(customer=customer)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_place_with_store_credit, args=(queue, cart, customer.pk)) for cart in carts]
    for process in processes:
        process.start()
    outcomes = [queue.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert outcomes.count("placed") == 1, outcomes
    assert set(outcomes) <= {"placed", "refused: validation-error", "refused: store-credit-insufficient"}, outcomes
    account = StoreCreditAccount.objects.get(customer=customer)
    assert account.balance == Decimal("19.81")
    assert StoreCreditEntry.objects.filter(kind="spend").count() == 1
    assert Order.objects.exclude(status=lifecycle.CANCELLED).count() == 1
