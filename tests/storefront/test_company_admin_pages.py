"""B2B self-service pages: a customer registers their company (it waits for staff approval), and a
company admin sets up roles, teams, budgets and approval rules; other roles are refused and
change nothing; bad input is shown and writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handel.companies.models import Budget, Company, CompanyMember, Role, Team
from handel.procurement.models import ApprovalRule
from tests.companies.conftest import company_with_roles  # noqa: F401 (a shared fixture)
from tests.storefront.test_b2b_pages import signed_in

pytestmark = pytest.mark.django_db

ADDRESS = {"company_name": "Bouw B.V.", "street": "Damrak 1", "postal_code": "1012 LG", "city": "Amsterdam"}


def test_a_customer_registers_their_company(channels, make_user):
    customer = make_user("founder@bouw.example")
    client = signed_in(customer)
    assert "Register your company" in client.get("/account/").content.decode()
    refused = client.post("/account/company/register/", {"legal_name": "", **ADDRESS, "country": "NL"})
    assert refused.status_code == 422 and not Company.objects.exists()
    assert "required" in refused.content.decode()
    response = client.post(
        "/account/company/register/",
        {"legal_name": "Bouw B.V.", "vat_number": "NL853243098B01", **ADDRESS, "country": "NL"},
    )
    assert response.status_code == 302 and response["Location"] == "/account/company/"
    company = Company.objects.get()
    assert company.status == "pending" and company.legal_name == "Bouw B.V."
    assert CompanyMember.objects.get(user=customer).role.code == "admin"
    assert client.get("/account/company/register/")["Location"] == "/account/company/"


def test_a_company_admin_sets_up_roles_teams_budgets_and_rules(company_with_roles):  # noqa: F811
    company, users, _ = company_with_roles
    client = signed_in(users["admin"])
    page = client.get("/account/company/settings/")
    assert page.status_code == 200 and "New approval rule" in page.content.decode()
    assert "/account/company/settings/" in client.get("/account/company/").content.decode()

    client.post(
        "/account/company/roles/", {"code": "site-buyer", "name": "Site buyer", "permissions": ["place_orders"]}
    )
    assert Role.objects.get(company=company, code="site-buyer").permissions == ["place_orders"]
    admin_member = CompanyMember.objects.get(user=users["admin"])
    client.post("/account/company/teams/", {"name": "North", "manager": admin_member.pk, "cost_center": "CC-1"})
    team = Team.objects.get(company=company, name="North")
    assert team.manager == admin_member
    client.post(
        "/account/company/budgets/",
        {
            "name": "Q1",
            "team": team.pk,
            "amount": "5000",
            "currency": "EUR",
            "starts_on": "2027-01-01",
            "ends_on": "2027-03-31",
        },
    )
    assert Budget.objects.get(company=company).amount == Decimal("5000.00")
    client.post(
        "/account/company/approval-rules/",
        {
            "name": "Big orders",
            "kind": "order_total",
            "threshold": "1000",
            "approver_kind": "role",
            "approver_role": "approver",
            "level": "1",
        },
    )
    rule = ApprovalRule.objects.get(company=company)
    assert rule.threshold == Decimal("1000") and rule.approver_role == "approver"
    body = client.get("/account/company/settings/").content.decode()
    assert "Big orders" in body and "North" in body and "Site buyer" in body and "Q1" in body


def test_bad_input_is_shown_and_writes_nothing(company_with_roles):  # noqa: F811
    _, users, _ = company_with_roles
    client = signed_in(users["admin"])
    page = client.post(
        "/account/company/budgets/",
        {"name": "Q1", "amount": "lots", "currency": "EUR", "starts_on": "2027-01-01", "ends_on": "2027-03-31"},
        follow=True,
    )
    assert "amount: not a number" in page.content.decode() and not Budget.objects.exists()
    page = client.post(
        "/account/company/approval-rules/",
        {"name": "No threshold", "kind": "order_total", "approver_kind": "role", "approver_role": "approver"},
        follow=True,
    )
    assert "threshold" in page.content.decode() and not ApprovalRule.objects.exists()


@pytest.mark.parametrize("role", ["buyer", "approver", "viewer"])
def test_other_roles_cannot_set_up_the_company(company_with_roles, role):  # noqa: F811
    _, users, _ = company_with_roles
    client = signed_in(users[role])
    assert client.get("/account/company/settings/").status_code == 404
    client.post("/account/company/roles/", {"code": "sneaky", "name": "Sneaky", "permissions": ["manage_users"]})
    client.post("/account/company/teams/", {"name": "Sneaky"})
    client.post(
        "/account/company/approval-rules/",
        {"name": "x", "kind": "order_total", "threshold": "0", "approver_kind": "role", "approver_role": "viewer"},
    )
    assert not Role.objects.filter(code="sneaky").exists()
    assert not Team.objects.exists() and not ApprovalRule.objects.exists()
