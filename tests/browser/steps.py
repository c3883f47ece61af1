"""Steps the browser tests share: the checkout form as a buyer fills it, and the axe-core check."""

from __future__ import annotations

import re
from typing import Any

from axe_playwright_python.sync_playwright import Axe

from tests.checkout.conftest import ADDRESS

ADDRESS_FIELDS = (
    ("First name", "first_name"),
    ("Last name", "last_name"),
    ("Street and number", "street"),
    ("Postal code", "postal_code"),
    ("City", "city"),
    ("Country code", "country"),
)


def assert_accessible(page: Any) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = Axe().run(page)
    serious = [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


def ship_to_the_address(page: Any, email: str | None = None) -> None:
    """On the checkout page: the email (for a guest), the shipping address, standard delivery."""
    if email is not None:
        page.get_by_label("Email").fill(email)
    shipping = page.get_by_role("group", name="Shipping address")
    for label, key in ADDRESS_FIELDS:
        shipping.get_by_label(label).fill(ADDRESS[key])
    page.get_by_role("button", name="Save addresses").click()
    page.get_by_role("radio", name=re.compile(r"^Standard delivery")).check()
    page.get_by_role("button", name="Choose delivery").click()


def enter_card(page: Any, number: str) -> None:
    page.get_by_label("Credit or debit card").check()
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill("12/35")
    page.get_by_label("Security code").fill("123")


def htmx_settled(page: Any) -> None:
    """Wait until htmx has swapped and settled what it fetched (the URL changes before that): a key
    pressed in the old form meanwhile would submit it the old-fashioned way."""
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
