from __future__ import annotations

import pytest

from handel.customers.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_shopper_signs_up_adds_an_address_and_signs_out(page, channels, screenshot):
    page.goto("/")
    page.get_by_role("link", name="Create account").click()
    page.get_by_role("textbox", name="Email", exact=True).fill("browser@example.com")
    page.get_by_role("textbox", name="First name", exact=True).fill("Bea")
    page.get_by_label("Password").fill("a-Long-passphrase-42")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/account/")
    assert page.get_by_role("heading", name="My account").is_visible()
    screenshot("account-overview")
    page.get_by_role("link", name="Add an address").click()
    page.get_by_role("textbox", name="First name", exact=True).fill("Bea")
    page.get_by_role("textbox", name="Last name", exact=True).fill("Bakker")
    page.get_by_role("textbox", name="Street and number", exact=True).fill("Coolsingel 40")
    page.get_by_role("textbox", name="Postal code", exact=True).fill("3011 AD")
    page.get_by_role("textbox", name="City", exact=True).fill("Rotterdam")
    page.get_by_role("textbox", name="Country code", exact=True).fill("NL")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/account/")
    assert page.get_by_text("Coolsingel 40").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Sign in").is_visible()
    assert User.objects.get(email="browser@example.com").addresses.count() == 1


def test_the_home_page_renders(page, channels, screenshot):
    page.goto("/")
    assert page.get_by_role("heading", level=1).is_visible()
    screenshot("home")
