"""A guest finds drills by a misspelled search, narrows them down with a facet without a page
reload, and the browse pages pass axe-core without serious or critical violations."""

from __future__ import annotations

import re
from typing import Any

import pytest

from handel.pricing import services as pricing_services
from handel.search.models import SearchClick
from tests.browser.steps import assert_accessible, htmx_settled
from tests.search.conftest import _fresh_snapshots, search_catalog  # noqa: F401 (shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("search_catalog")]


def test_misspelled_search_then_a_facet_updates_the_results_in_place(page: Any, screenshot: Any) -> None:
    pricing_services.create_promotion(
        actor=None, code="spring", fields={"name": "Spring sale", "action": "percent_off_cart", "value": 10}
    )
    page.goto("/")
    assert page.get_by_role("heading", name="Spring sale").is_visible()
    assert page.get_by_role("heading", name="Shop by category").is_visible()
    screenshot("browse-home")
    assert_accessible(page)

    search_box = page.get_by_role("combobox", name="Search products")
    search_box.fill("dr")
    suggestions = page.get_by_role("listbox", name="Suggestions")
    suggestions.wait_for()
    assert suggestions.get_by_role("option", name="Drills").is_visible()
    assert search_box.get_attribute("aria-expanded") == "true"

    search_box.fill("drlil")
    search_box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=drlil$"))
    results = page.locator("#browse-results")
    assert results.get_by_role("link", name="Hammer drill 230 V").is_visible()
    assert page.get_by_text("Did you mean").is_visible()

    page.evaluate("window.stillTheSamePage = true")
    results.get_by_role("checkbox", name="Bosch").check()
    page.wait_for_url("**brand=bosch**")
    results.get_by_role("link", name="Hammer drill 230 V").wait_for(state="detached")
    assert results.get_by_role("link", name="Cordless drill driver 18 V").is_visible()
    assert page.evaluate("window.stillTheSamePage") is True  # no full reload
    assert results.get_by_role("checkbox", name="Bosch").is_checked()
    screenshot("browse-search")
    assert_accessible(page)

    page.get_by_role("link", name="Clear all").click()
    page.wait_for_url(re.compile(r"/search/\?q=drlil$"))
    assert results.get_by_role("link", name="Hammer drill 230 V").is_visible()
    assert page.evaluate("window.stillTheSamePage") is True

    results.get_by_role("link", name="Hammer drill 230 V").click()
    page.wait_for_url("**/p/DRL-200/")
    for _ in range(50):  # the click travels as a beacon, next to the navigation
        if SearchClick.objects.filter(sku="DRL-200").exists():
            break
        page.wait_for_timeout(100)
    assert SearchClick.objects.get(sku="DRL-200").search.query == "drlil"


def test_category_page_sorts_and_passes_axe(page: Any, screenshot: Any) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Categories").get_by_role("link", name="Tools").click()
    page.wait_for_url("**/c/tools/")
    assert page.get_by_role("heading", level=1, name="Tools").is_visible()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Sort by").select_option("price_desc")
    page.wait_for_url("**sort=price_desc**")
    first = page.locator(".product-card .product-name").first
    first.wait_for()
    assert first.inner_text() == "Hammer drill 230 V"
    assert page.evaluate("window.stillTheSamePage") is True
    screenshot("browse-category")
    assert_accessible(page)

    page.get_by_label("From", exact=True).fill("300")
    page.get_by_label("From", exact=True).press("Enter")
    page.wait_for_url("**price_min=300**")
    htmx_settled(page)
    page.get_by_label("To", exact=True).fill("100")
    page.get_by_label("To", exact=True).press("Enter")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "These filters cannot be applied." in alert.inner_text()
    assert page.evaluate("window.stillTheSamePage") is True


def test_compare_page_passes_axe(page: Any, screenshot: Any) -> None:
    page.goto("/compare/")
    assert page.get_by_text("Your compare list is empty").is_visible()
    assert_accessible(page)
    token = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    for sku in ("DRL-100", "DRL-200", "DRL-300"):
        added = page.request.post("/compare/add/", form={"sku": sku, "csrfmiddlewaretoken": token})
        assert added.ok
    page.goto("/compare/")
    table = page.get_by_role("table", name="Products side by side")
    assert table.get_by_role("columnheader", name="Hammer drill 230 V DRL-200").is_visible()
    screenshot("browse-compare")
    assert_accessible(page)
    table.get_by_role("button", name="Remove Compact drill 12 V").click()
    page.wait_for_url("**/compare/")
    assert page.get_by_role("columnheader").count() == 2


def test_search_on_a_phone(page: Any, screenshot: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/search/?q=hammer")
    assert page.get_by_role("link", name="Claw hammer 500 g").is_visible()
    screenshot("browse-search-phone")
    assert_accessible(page)
