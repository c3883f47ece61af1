"""The product page in Chromium: choosing a variant changes SKU, price and stock in place; changing a
bundle's option or quantity updates the live price; zoom and spin work from the keyboard; the page
passes axe-core without serious or critical violations."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from handel.channels.queries import get_channel
from handel.pricing.engine import price_items
from handel.pricing.queries import load_pricing_context
from tests.browser.steps import assert_accessible
from tests.checkout.conftest import shop  # noqa: F401 (a shared fixture)
from tests.storefront.test_product_page import add_product_page_data, media_root  # noqa: F401 (shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def products(shop: dict[str, Any]) -> None:  # noqa: F811
    add_product_page_data()


def price_of(sku: str, quantity: int = 1) -> Decimal:
    context = load_pricing_context(channel=get_channel("b2c"), skus=[sku])
    return price_items(context, [(sku, quantity)])[0].line_display


def test_choosing_a_variant_updates_sku_price_and_stock(page: Any, products: None, screenshot: Any) -> None:
    red, blue = price_of("TEE-RED-S"), price_of("TEE-BLUE-M")
    page.goto("/p/TEE/")
    assert page.get_by_role("heading", level=1, name="T-shirt").is_visible()
    page.get_by_role("link", name="Red").click()
    sku = page.locator("[data-sku]")
    sku.filter(has_text="TEE-RED-S").wait_for()
    assert page.locator("[data-unit-price]").inner_text() == f"{red} EUR"
    page.wait_for_url(re.compile(r".*/p/TEE/\?variant=TEE-RED-S$"))
    # The variant's own picture came in with it, and zoom works on the swapped-in gallery.
    picture = page.get_by_role("button", name=re.compile("The red T-shirt"))
    picture.focus()
    page.keyboard.press(" ")
    assert picture.get_attribute("aria-pressed") == "true"
    # In red there is no medium: marked, not a link.
    assert page.get_by_role("link", name="Medium").count() == 0
    assert page.locator(".axis-value.is-unavailable", has_text="Medium").is_visible()

    page.get_by_role("link", name="Blue").click()
    sku.filter(has_text="TEE-BLUE-M").wait_for()
    assert page.locator("[data-unit-price]").inner_text() == f"{blue} EUR"
    assert page.locator("[data-stock]").inner_text().strip() == "In stock"
    # Blue small is sold out: marked, not a link.
    assert page.locator(".axis-value.is-out_of_stock", has_text="Small").is_visible()
    assert page.get_by_role("link", name="Small").count() == 0
    screenshot("product-variant")
    assert_accessible(page)


def test_changing_a_bundle_option_updates_the_live_price(page: Any, products: None, screenshot: Any) -> None:
    page.goto("/p/BUN/")
    live = page.locator("#live-price")
    assert f"{price_of('BUN')} EUR" in live.inner_text()
    page.get_by_role("radio", name=re.compile("Product B")).check()
    live.locator(".live-choices", has_text="Product B").wait_for()
    page.get_by_role("spinbutton", name="Quantity").fill("3")
    live.locator("[data-live-total]", has_text=f"{price_of('BUN', 3)} EUR").wait_for()
    assert "for 3 pieces" in live.inner_text()
    screenshot("product-bundle")
    # Below the minimum the browser's own validation stops the request; the price stays.
    page.get_by_role("spinbutton", name="Quantity").fill("0")
    assert page.locator("#quantity:invalid").count() == 1
    assert f"{price_of('BUN', 3)} EUR" in live.inner_text()
    assert_accessible(page)


def test_product_page_with_zoom_spin_and_3d(page: Any, products: None, screenshot: Any) -> None:
    page.goto("/p/A/")
    zoom = page.locator("[data-zoom-link]")
    zoom.focus()
    page.keyboard.press(" ")
    assert zoom.get_attribute("aria-pressed") == "true"
    page.keyboard.press("ArrowRight")
    assert "60%" in page.locator("[data-zoom-picture]").get_attribute("style")
    page.keyboard.press("Escape")
    assert zoom.get_attribute("aria-pressed") == "false"
    page.get_by_role("link", name="Product A from the side").click()
    assert page.locator("[data-zoom-picture]").get_attribute("alt") == "Product A from the side"

    turn = page.get_by_role("slider", name="Turn the product")
    assert turn.is_visible()
    turn.focus()
    page.keyboard.press("ArrowRight")
    frames = page.locator("[data-spin]").get_attribute("data-frames").split()
    assert page.locator("[data-spin-picture]").get_attribute("src") == frames[1]
    assert page.get_by_role("link", name=re.compile("Download the 3D model")).is_visible()
    screenshot("product-page")
    assert_accessible(page)
