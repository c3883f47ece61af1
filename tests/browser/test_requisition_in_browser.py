"""A company buyer keeps a requisition list in the browser and puts it in the cart."""

from __future__ import annotations

import pytest

from handel.checkout.models import Cart
from tests.browser.steps import assert_accessible
from tests.checkout.conftest import shop  # noqa: F401 (a shared fixture)
from tests.companies.conftest import company_with_roles  # noqa: F401 (a shared fixture)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_buyer_creates_a_list_adds_lines_and_puts_it_in_the_cart(page, shop, company_with_roles, screenshot):  # noqa: F811
    _, users, _ = company_with_roles
    page.goto("/account/login/")
    page.get_by_role("textbox", name="Email").fill(users["buyer"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_url("**/account/")
    page.get_by_role("link", name="Requisition lists").click()
    page.wait_for_url("**/account/requisition-lists/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Site supplies")
    page.get_by_role("button", name="Create list").click()
    page.get_by_role("heading", name="Site supplies", level=1).wait_for()
    for sku, quantity in (("A", "3"), ("MIN", "5"), ("GHOST", "1")):
        page.get_by_role("textbox", name="SKU").fill(sku)
        page.get_by_role("spinbutton", name="Quantity", exact=True).fill(quantity)
        page.get_by_role("button", name="Add", exact=True).first.click()
        page.wait_for_load_state()
    assert page.get_by_text("GHOST: no product has this SKU").is_visible()
    assert page.get_by_role("cell", name="Product A").is_visible()
    page.get_by_label("Quantity of A").fill("4")
    page.get_by_role("button", name="Save A").click()
    page.wait_for_load_state()
    assert page.get_by_label("Quantity of A").input_value() == "4"
    assert_accessible(page)
    screenshot("requisition-list")
    page.get_by_role("button", name="Add all to cart").click()
    page.wait_for_url("**/cart/")
    cart = Cart.objects.get(customer=users["buyer"], status="open")
    assert sorted((line.sku, line.quantity) for line in cart.lines.all()) == [("A", 4), ("MIN", 5)]
    screenshot("requisition-list-in-cart")
