from __future__ import annotations

import pytest

from handel.orders import lifecycle, services
from handel.orders.models import Order
from handel.payments import services as payment_services
from handel.payments.providers import test_gateway
from tests.browser.steps import assert_accessible
from tests.conftest import PASSWORD
from tests.orders.conftest import place  # noqa: F401 (a shared fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_returns_an_item_and_sees_the_refund(page, channels, make_user, place, screenshot):  # noqa: F811
    customer, staff = make_user("returner@example.com"), make_user(staff=True)
    order = place(customer_id=customer.pk)
    payment = payment_services.start_payment(
        reference=order.number,
        method="card",
        amount=order.grand_total,
        currency="EUR",
        card={"number": test_gateway.APPROVED, "expiry": "12/39", "cvc": "123"},
    )
    payment_services.capture_payment(public_id=str(payment.public_id))
    Order.objects.filter(pk=order.pk).update(status=lifecycle.DELIVERED)

    page.goto("/account/login/")
    page.get_by_role("textbox", name="Email").fill(customer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    assert_accessible(page)
    page.get_by_role("link", name="My orders").click()
    assert_accessible(page)
    page.get_by_role("link", name=order.number).click()
    screenshot("order-detail")
    assert_accessible(page)
    page.get_by_role("link", name="Return items").click()
    page.get_by_label("Quantity to return").first.fill("1")
    page.get_by_role("button", name="Request the return").click()
    page.wait_for_url(f"**/account/orders/{order.number}/")
    assert page.get_by_text("RMA-000001: Requested").is_visible()

    services.decide_return(number="RMA-000001", approve=True, actor=staff)
    services.receive_return(
        number="RMA-000001",
        actor=staff,
        lines=[{"position": 1, "received_quantity": 1, "outcome": "restock", "source_code": "rotterdam"}],
    )
    services.complete_return(number="RMA-000001", actor=staff)

    page.goto("/account/returns/")
    assert page.get_by_text("Refunded: CM-000001").is_visible()
    screenshot("returns")
    assert_accessible(page)
    payment.refresh_from_db()
    assert payment.refunded_amount > 0
