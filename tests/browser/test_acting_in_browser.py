"""Staff start acting on a customer's behalf from the back office, see the banner on the storefront
and stop, back in their own session."""

from __future__ import annotations

import pytest

from handel.core.models import AuditEntry
from tests.browser.steps import assert_accessible
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_act_on_behalf_of_a_customer_and_stop(page, channels, make_user, screenshot):
    staff = make_user("helpdesk@handel.example", staff=True, perms=["customers.act_on_behalf", "customers.change_user"])
    customer = make_user("ann@example.com", first_name="Ann")
    page.goto("/account/login/")
    page.get_by_role("textbox", name="Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_url("**/account/")
    page.goto(f"/admin/customers/user/{customer.pk}/change/")
    page.get_by_role("button", name="Act on behalf of this customer in the storefront").click()
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)

    banner = page.get_by_role("complementary", name="Acting on behalf of a customer")
    assert banner.is_visible()
    assert "You are acting as ann@example.com on behalf of helpdesk@handel.example" in banner.inner_text()
    assert_accessible(page)
    screenshot("acting-on-behalf")
    page.get_by_role("link", name="My account").click()
    page.wait_for_url("**/account/")
    banner.wait_for()

    banner.get_by_role("button", name="Stop acting").click()
    page.wait_for_url(f"**/admin/customers/user/{customer.pk}/change/")
    page.goto("/")
    assert page.get_by_role("complementary", name="Acting on behalf of a customer").count() == 0
    assert AuditEntry.objects.filter(action="customer.acting_stopped", actor_id=staff.pk).exists()
