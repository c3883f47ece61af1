"""Every company role against every company action: allowed or refused as the role says."""

from __future__ import annotations

from datetime import date

import pytest

from handel.companies.models import CompanyMember
from tests.companies.conftest import BILLING
from tests.conftest import ApiClient

ACTIONS = {
    # action: (method, path, body, permission that allows it; None = every active member)
    "read the company": ("get", "/companies/mine", None, None),
    "change the company": ("patch", "/companies/mine", {"phone": "+31201234567"}, "manage_company"),
    "list company users": ("get", "/companies/mine/users", None, "manage_users"),
    "invite a user": ("post", "/companies/mine/users", {"email": "x@acme.example", "role": "viewer"}, "manage_users"),
    "change a user": ("patch", "/companies/mine/users/{viewer}", {"job_title": "Planner"}, "manage_users"),
    "list roles": ("get", "/companies/mine/roles", None, None),
    "create a role": (
        "post",
        "/companies/mine/roles",
        {"code": "r", "name": "R", "permissions": ["see_prices"]},
        "manage_users",
    ),
    "create a team": ("post", "/companies/mine/teams", {"name": "T"}, "manage_users"),
    "list budgets": ("get", "/companies/mine/budgets", None, "see_invoices_and_statements"),
    "create a budget": (
        "post",
        "/companies/mine/budgets",
        {
            "name": "B",
            "currency": "EUR",
            "amount": "10.00",
            "starts_on": str(date(2026, 1, 1)),
            "ends_on": str(date(2026, 12, 31)),
        },
        "manage_users",
    ),
    "see credit": ("get", "/companies/mine/credit", None, "use_pay_on_account"),
    "add a billing address": ("post", "/companies/mine/addresses/billing", BILLING, "manage_company"),
}
ROLE_PERMISSIONS = {
    "admin": {"manage_company", "manage_users", "see_invoices_and_statements", "use_pay_on_account"},
    "buyer": {"use_pay_on_account"},
    "approver": {"see_invoices_and_statements"},
    "viewer": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_against_action(company_with_roles, api_for, role, action):
    _, users, _ = company_with_roles
    method, path, body, permission = ACTIONS[action]
    path = path.format(viewer=CompanyMember.objects.get(user=users["viewer"]).pk)
    response = api_for(users[role]).call(method, path, body)
    allowed = permission is None or permission in ROLE_PERMISSIONS[role]
    if allowed:
        assert response.status_code in (200, 201), (role, action, response.content)
    else:
        assert response.status_code == 403, (role, action, response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(ACTIONS))
def test_outsiders_get_nothing(company_with_roles, make_user, api_for, action):
    method, path, body, _ = ACTIONS[action]
    path = path.format(viewer=1)
    assert ApiClient().call(method, path, body).status_code == 401
    assert api_for(make_user()).call(method, path, body).status_code == 404


@pytest.mark.django_db
def test_a_company_admin_cannot_touch_another_companys_users(company_with_roles, make_user, api_for):
    from handel.companies import services

    _, users, staff = company_with_roles
    other_admin = make_user("boss@other.example")
    other = services.register_company(user=other_admin, legal_name="Other B.V.", country="NL", billing_address=BILLING)
    services.approve_company(actor=staff, code=other.code)
    viewer_id = CompanyMember.objects.get(user=users["viewer"]).pk
    response = api_for(other_admin).call("patch", f"/companies/mine/users/{viewer_id}", {"status": "deactivated"})
    assert response.status_code == 404
    assert CompanyMember.objects.get(pk=viewer_id).status == "active"
