from __future__ import annotations

from typing import Any

import pytest

from handel.companies import services
from handel.companies.models import Company

BILLING = {
    "company_name": "Acme B.V.",
    "street": "Damrak 1",
    "postal_code": "1012 LG",
    "city": "Amsterdam",
    "country": "NL",
}


@pytest.fixture
def company_with_roles(make_user, db: Any):
    """An approved company with one active user per built-in role."""
    admin = make_user("admin@acme.example")
    company = services.register_company(
        user=admin, legal_name="Acme B.V.", country="NL", vat_number="NL853243098B01", billing_address=BILLING
    )
    staff = make_user(staff=True, superuser=True)
    services.approve_company(actor=staff, code=company.code)
    users = {"admin": admin}
    for role in ("buyer", "approver", "viewer"):
        member = services.invite_member(actor=admin, company_code=company.code, email=f"{role}@acme.example", role=role)
        services.accept_invitation(user=member.user)
        member.user.set_password("correct-horse-battery-9")
        member.user.save()
        users[role] = member.user
    return Company.objects.get(pk=company.pk), users, staff
