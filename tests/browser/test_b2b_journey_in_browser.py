"""A B2B buyer quick-orders by SKU, the order needs approval, an approver approves it in their
own browser, and the buyer sees the order."""

from __future__ import annotations

import pytest

from handel.orders.models import Order
from handel.procurement.models import PurchaseOrder
from tests.browser.steps import assert_accessible, ship_to_the_address
from tests.checkout import conftest as checkout_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shop = checkout_fixtures.shop
company_with_roles = checkout_fixtures.company_with_roles
COMPANY_PASSWORD = "correct-horse-battery-9"


def sign_in(page, email: str) -> None:
    page.goto("/account/login/?channel=b2b")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Password").fill(COMPANY_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")


def test_a_quick_order_waits_for_approval_and_becomes_the_buyers_order(
    page, browser, live_server, shop, company_with_roles, screenshot
):
    company, users, _ = company_with_roles
    checkout_fixtures.approval_over_50(company, users)
    sign_in(page, users["buyer"].email)
    page.goto("/quick-order/?channel=b2b")
    page.get_by_label("SKU, line 1", exact=True).fill("A")
    page.get_by_label("Quantity, line 1", exact=True).fill("12")
    page.get_by_label("SKU, line 2", exact=True).fill("NO-SUCH-SKU")
    page.get_by_label("Quantity, line 2", exact=True).fill("1")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_text("NO-SUCH-SKU").first.wait_for()
    screenshot("b2b-quick-order")
    assert_accessible(page)
    page.get_by_role("link", name="View your cart").click()
    page.wait_for_url("**/cart/**")
    page.get_by_role("link", name="Go to checkout").click()

    ship_to_the_address(page)
    page.get_by_label("Bank transfer").check()
    page.get_by_label("Your purchase order number").fill("PO-2026-17")
    page.get_by_role("button", name="Place order").click()

    purchase_order = PurchaseOrder.objects.get()
    assert page.get_by_text(purchase_order.number).first.is_visible()
    assert not Order.objects.exists()
    screenshot("b2b-awaiting-approval")

    approver_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    approver = approver_context.new_page()
    approver.set_default_timeout(15_000)
    sign_in(approver, users["approver"].email)
    approver.get_by_role("link", name="Purchase orders").click()
    approver.get_by_role("link", name=purchase_order.number).first.click()
    assert_accessible(approver)
    approver.get_by_role("button", name="Approve").click()
    approver.get_by_text("Your decision is recorded.").wait_for()
    approver_context.close()

    purchase_order.refresh_from_db()
    order = Order.objects.get(number=purchase_order.order_number)
    assert order.customer_id == users["buyer"].pk and order.purchase_order_number == "PO-2026-17"
    page.goto("/account/orders/?channel=b2b")
    page.get_by_role("link", name=order.number).click()
    page.get_by_role("heading", name=f"Order {order.number}").wait_for()
    assert page.get_by_text("PO-2026-17").first.is_visible()
    screenshot("b2b-approved-order")
