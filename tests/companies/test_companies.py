from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail

from handel.companies import queries, services
from handel.companies.models import Company, CompanyMember
from handel.core.errors import Conflict, InvalidInput, PermissionDenied
from handel.core.tokens import SCOPES
from tests.companies.conftest import BILLING
from tests.conftest import ApiClient, assert_problem

REGISTRATION = {
    "legal_name": "Bakker Bouw B.V.",
    "country": "NL",
    "vat_number": "NL 8532.43.098.B01",
    "registration_number": "12345678",
    "billing_address": BILLING,
}


@pytest.mark.django_db(transaction=True)
def test_self_service_sign_up_waits_for_staff_approval(api_for, make_user):
    founder = make_user("founder@bakker.example")
    client = api_for(founder)
    response = client.call("post", "/companies", REGISTRATION)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["vat_number"] == "NL853243098B01"
    viewer = queries.viewer_for(founder)
    assert viewer is not None and viewer.role_code == "admin" and viewer.company_status == "pending"
    staff = make_user(staff=True, perms=["companies.change_company", "companies.view_company"])
    assert_problem(client.call("post", f"/companies/{body['code']}/approve"), 403)
    staff_client = api_for(staff, scopes=tuple(SCOPES))
    pending = staff_client.call("get", "/companies?status=pending").json()
    assert [c["code"] for c in pending["items"]] == [body["code"]]
    approved = staff_client.call("post", f"/companies/{body['code']}/approve").json()
    assert approved["status"] == "active" and approved["approved_at"]
    assert any("approved" in message.subject for message in mail.outbox)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vat_number": "NL123"}, "vat_number"),
        ({"vat_number": "DE136695976"}, "vat_number"),
        ({"country": "XX"}, "country"),
        ({"billing_address": {**BILLING, "postal_code": "ABC"}}, "postal_code"),
    ],
)
def test_bad_registrations_are_refused_and_write_nothing(api_for, make_user, change, field):
    body = assert_problem(api_for(make_user()).call("post", "/companies", {**REGISTRATION, **change}), 422)
    assert any(error["loc"][-1] == field for error in body["errors"]), body
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_one_company_per_user_and_per_vat_number(api_for, make_user):
    founder = make_user()
    assert api_for(founder).call("post", "/companies", REGISTRATION).status_code == 201
    assert_problem(api_for(founder).call("post", "/companies", {**REGISTRATION, "vat_number": ""}), 409)
    assert_problem(api_for(make_user()).call("post", "/companies", REGISTRATION), 409)


@pytest.mark.django_db(transaction=True)
def test_an_invited_user_chooses_a_password_and_starts_acting_for_the_company(company_with_roles, api, api_for):
    _company, users, _ = company_with_roles
    mail.outbox.clear()
    client = ApiClient()
    response = api_for(users["admin"]).call(
        "post", "/companies/mine/users", {"email": "new@acme.example", "role": "buyer"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "invited"
    assert queries.viewer_for(CompanyMember.objects.get(user__email="new@acme.example").user) is None
    uid, token = re.search(r"/account/reset/([^/]+)/([^/]+)/", mail.outbox[-1].body).groups()
    assert (
        client.call(
            "post", "/auth/password-reset/confirm", {"uid": uid, "token": token, "new_password": "a-Long-passphrase-42"}
        ).status_code
        == 204
    )
    member = CompanyMember.objects.get(user__email="new@acme.example")
    assert member.status == "active"
    assert queries.viewer_for(member.user).can("place_orders")


@pytest.mark.django_db
def test_custom_roles_are_built_from_known_permissions(company_with_roles, api_for):
    _company, users, _ = company_with_roles
    client = api_for(users["admin"])
    response = client.call(
        "post",
        "/companies/mine/roles",
        {"code": "controller", "name": "Controller", "permissions": ["see_prices", "see_invoices_and_statements"]},
    )
    assert response.status_code == 201
    body = assert_problem(
        client.call("post", "/companies/mine/roles", {"code": "x", "name": "X", "permissions": ["launch_rockets"]}), 422
    )
    assert body["errors"][0]["loc"] == ["body", "permissions"]
    roles = client.call("get", "/companies/mine/roles").json()["items"]
    assert {"admin", "buyer", "approver", "viewer", "controller"} == {role["code"] for role in roles}
    viewer_id = CompanyMember.objects.get(user=users["viewer"]).pk
    assert client.call("patch", f"/companies/mine/users/{viewer_id}", {"role": "controller"}).json()["role"] == (
        "controller"
    )


@pytest.mark.django_db
def test_the_last_admin_cannot_be_removed(company_with_roles):
    company, users, _ = company_with_roles
    admin_member = CompanyMember.objects.get(user=users["admin"])
    with pytest.raises(Conflict):
        services.update_member(
            actor=users["admin"],
            company_code=company.code,
            member_id=admin_member.pk,
            changes={"status": "deactivated"},
        )
    admin_member.refresh_from_db()
    assert admin_member.status == "active"


@pytest.mark.django_db
def test_deactivated_users_no_longer_act_for_the_company(company_with_roles, api_for):
    company, users, _ = company_with_roles
    buyer = CompanyMember.objects.get(user=users["buyer"])
    services.update_member(
        actor=users["admin"], company_code=company.code, member_id=buyer.pk, changes={"status": "deactivated"}
    )
    assert queries.viewer_for(users["buyer"]) is None
    assert_problem(api_for(users["buyer"]).call("get", "/companies/mine"), 404)


@pytest.mark.django_db
def test_teams_nest_without_cycles(company_with_roles):
    company, users, _ = company_with_roles
    top = services.save_team(actor=users["admin"], company_code=company.code, name="Top")
    child = services.save_team(actor=users["admin"], company_code=company.code, name="Child", parent_id=top.pk)
    with pytest.raises(InvalidInput):
        services.save_team(
            actor=users["admin"], company_code=company.code, name="Top", parent_id=child.pk, team_id=top.pk
        )


@pytest.mark.django_db
def test_locked_addresses_can_only_be_changed_by_the_company_admin(company_with_roles):
    company, users, _ = company_with_roles
    services.update_company(actor=users["admin"], code=company.code, changes={"addresses_locked": True})
    with pytest.raises(PermissionDenied):
        services.save_company_address(
            actor=users["buyer"], code=company.code, kind="shipping", data={**BILLING, "company_name": "Acme site"}
        )
    services.save_company_address(
        actor=users["admin"], code=company.code, kind="shipping", data={**BILLING, "company_name": "Acme site"}
    )


@pytest.mark.django_db
def test_budgets_are_consumed_once_per_reference(company_with_roles):
    from datetime import date

    company, users, _ = company_with_roles
    budget = services.create_budget(
        actor=users["admin"],
        company_code=company.code,
        name="Q1",
        currency="EUR",
        amount=Decimal("1000"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
    )
    services.consume_budget(budget_id=budget.pk, amount=Decimal("300"), reference="ORD-1")
    budget = services.consume_budget(budget_id=budget.pk, amount=Decimal("300"), reference="ORD-1")
    assert budget.consumed == Decimal("300") and budget.remaining == Decimal("700")
    with pytest.raises(InvalidInput):
        services.create_budget(
            actor=users["admin"],
            company_code=company.code,
            name="bad",
            currency="EUR",
            amount=Decimal("10"),
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 1, 1),
        )
