"""A guest finds a bundle by a misspelled search, narrows the results by a facet, chooses the
bundle's options, and buys it with home delivery and a card through 3-D Secure; and the Dutch
shop answers in Dutch."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from handel.catalog import services as catalog_services
from handel.orders.models import Order
from handel.payments.providers import test_gateway
from handel.pricing import services as pricing_services
from tests.browser.steps import enter_card, ship_to_the_address
from tests.checkout import conftest as checkout_fixtures
from tests.checkout.conftest import product, set_stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
shop = checkout_fixtures.shop


def bundle(sku: str, name: str, brand: str, price: str) -> dict[str, Any]:
    return product(
        sku,
        name=name,
        kind="bundle",
        brand=brand,
        bundle_pricing="fixed",
        bundle_price=price,
        bundle_groups=[
            {
                "code": "grill",
                "name": "Grill",
                "required": True,
                "min": 1,
                "max": 1,
                "options": [{"sku": "A", "quantity": 1, "default": True}, {"sku": "B"}],
            }
        ],
    )


@pytest.fixture
def garden(shop: dict[str, Any]) -> None:
    for code, name in (("weber", "Weber"), ("grillmaster", "Grillmaster")):
        catalog_services.create_brand(actor=None, code=code, name=name)
    catalog_services.create_product(actor=None, record=bundle("PARTY", "Garden party bundle", "weber", "80.00"))
    catalog_services.create_product(
        actor=None, record=bundle("PARTY-XL", "Garden party bundle XL", "grillmaster", "120.00")
    )
    for code in ("b2c-base", "b2b-base"):
        pricing_services.set_price_entries(
            actor=None,
            price_list_code=code,
            entries=[
                pricing_services.EntryInput("PARTY", Decimal("80.00")),
                pricing_services.EntryInput("PARTY-XL", Decimal("120.00")),
            ],
        )
    set_stock({("A", "main"): 100, ("B", "main"): 100})


def test_a_guest_finds_a_bundle_by_a_misspelled_search_and_pays_through_three_d_secure(
    page: Any, garden: None, screenshot: Any
) -> None:
    page.goto("/")
    search = page.get_by_role("combobox", name=re.compile("Search"))
    search.fill("gardn partty")
    search.press("Enter")
    page.wait_for_url(re.compile(r".*/search/\?q=gardn\+partty"))
    results = page.locator(".product-grid")
    assert results.get_by_role("link", name="Garden party bundle XL").first.is_visible()
    assert results.get_by_role("link", name="Garden party bundle", exact=True).first.is_visible()

    page.get_by_role("checkbox", name=re.compile("^Weber")).check()
    page.wait_for_url(re.compile(r".*brand=weber"))
    results.get_by_role("link", name="Garden party bundle XL").wait_for(state="detached")
    screenshot("journey-search-facet")
    results.get_by_role("link", name="Garden party bundle", exact=True).first.click()

    page.wait_for_url("**/p/PARTY/**")
    assert page.get_by_role("heading", level=1, name="Garden party bundle").is_visible()
    page.get_by_role("radio", name=re.compile("Product B")).check()
    page.locator("#live-price .live-choices", has_text="Product B").wait_for()
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/**")
    assert page.get_by_text("Garden party bundle").first.is_visible()
    cart_total = page.get_by_test_id("grand-total").inner_text()

    page.get_by_role("link", name="Go to checkout").click()
    ship_to_the_address(page, email="guest@example.com")
    enter_card(page, test_gateway.CHALLENGE)
    page.get_by_role("button", name=re.compile("^Place order")).click()
    page.wait_for_url("**/3ds/**")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/checkout/done/**")

    order = Order.objects.get()
    assert page.get_by_role("heading", name=f"Thank you! Your order number is {order.number}").is_visible()
    line = order.lines.get()
    assert line.sku == "PARTY" and "B" in str(line.options)
    assert str(order.subtotal_gross) in cart_total
    screenshot("journey-confirmation")


def test_the_dutch_shop_speaks_dutch(page: Any, garden: None, screenshot: Any) -> None:
    page.goto("/p/PARTY/")
    page.get_by_label("Language").select_option("nl")
    page.wait_for_load_state()
    page.locator("html[lang=nl]").wait_for()
    assert page.get_by_role("button", name="In winkelwagen").is_visible()
    assert page.get_by_role("link", name="Inloggen").is_visible()
    screenshot("nl-product")
    page.goto("/search/?q=garden")
    assert page.get_by_role("button", name="Zoeken").first.is_visible()
    screenshot("nl-search")
    page.goto("/cart/")
    assert "winkelwagen" in page.get_by_role("heading", level=1).inner_text().lower()
    screenshot("nl-cart")
