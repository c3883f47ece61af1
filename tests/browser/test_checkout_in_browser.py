"""A guest adds a product, checks out with home delivery and pays by card through the test
gateway's 3-D Secure page, and sees the confirmation; the cart and checkout pass axe-core."""

from __future__ import annotations

import pytest

from handel.orders.models import Order
from handel.payments.providers import test_gateway
from tests.browser.steps import assert_accessible, enter_card, ship_to_the_address
from tests.checkout import conftest as checkout_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shop = checkout_fixtures.shop


def test_a_guest_pays_by_card_through_three_d_secure(page, shop, screenshot):
    page.goto("/quick-order/")
    page.get_by_label("SKU, line 1", exact=True).fill("A")
    page.get_by_label("Quantity, line 1", exact=True).fill("2")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="View your cart").click()
    page.wait_for_url("**/cart/")
    cart_total = page.get_by_test_id("grand-total").inner_text()
    page.get_by_text("How this price is made").first.click()
    screenshot("cart")
    assert_accessible(page)

    page.get_by_role("link", name="Go to checkout").click()
    ship_to_the_address(page, email="guest@example.com")
    enter_card(page, test_gateway.CHALLENGE)
    screenshot("checkout")
    assert_accessible(page)

    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/3ds/**")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/checkout/done/**")
    order = Order.objects.get()
    assert page.get_by_role("heading", name=f"Thank you! Your order number is {order.number}").is_visible()
    assert page.get_by_text("Your payment is confirmed.").is_visible()
    assert page.get_by_test_id("order-total").inner_text() == f"{order.grand_total} EUR"
    assert order.status == "processing" and order.email == "guest@example.com"
    assert str(order.subtotal_gross) in cart_total
    screenshot("order-confirmation")
