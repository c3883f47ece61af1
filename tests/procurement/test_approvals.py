from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from handel.companies import services as company_services
from handel.companies.models import CompanyMember
from handel.core.errors import Conflict, InvalidInput, PermissionDenied
from handel.procurement import services
from handel.procurement.models import PurchaseOrder
from handel.procurement.rules import PurchaseFacts
from tests.conftest import assert_problem

CART = {"lines": [{"sku": "DRILL-1", "quantity": 10}]}


def facts(total: str = "1500.00", **extra) -> PurchaseFacts:
    return PurchaseFacts(
        total=Decimal(total),
        shipping_cost=Decimal("10.00"),
        line_count=1,
        skus=frozenset({"DRILL-1"}),
        category_paths=frozenset({"tools", "tools/drills"}),
        **extra,
    )


def submit(buyer, total: str = "1500.00", **extra):
    return services.submit_purchase(
        buyer=buyer,
        channel_code="b2b",
        currency="EUR",
        total=Decimal(total),
        shipping_cost=Decimal("10.00"),
        cart=CART,
        facts=facts(total, **extra),
    )


@pytest.fixture
def approval_setup(company_with_roles):
    company, users, _ = company_with_roles
    admin, buyer, _approver = users["admin"], users["buyer"], users["approver"]
    team = company_services.save_team(
        actor=admin, company_code=company.code, name="Site", manager_member_id=CompanyMember.objects.get(user=admin).pk
    )
    company_services.update_member(
        actor=admin,
        company_code=company.code,
        member_id=CompanyMember.objects.get(user=buyer).pk,
        changes={"team_id": team.pk},
    )
    services.create_rule(
        actor=admin,
        company_id=company.pk,
        name="Over 1000: manager",
        kind="order_total",
        threshold=Decimal("1000"),
        approver_kind="manager_chain",
        level=1,
    )
    services.create_rule(
        actor=admin,
        company_id=company.pk,
        name="Over 5000: approver",
        kind="order_total",
        threshold=Decimal("5000"),
        approver_kind="role",
        approver_role="approver",
        level=2,
    )
    return company, users, team


@pytest.mark.django_db
def test_no_matching_rule_means_no_purchase_order(approval_setup):
    _, users, _ = approval_setup
    assert submit(users["buyer"], "999.00") is None


@pytest.mark.django_db(transaction=True)
def test_two_levels_are_decided_in_order_with_notifications(approval_setup):
    _, users, _ = approval_setup
    po = submit(users["buyer"], "6000.00")
    assert po.number == "PO-000001" and po.status == "awaiting_approval"
    assert any(users["admin"].email in m.to for m in mail.outbox)  # the manager is asked first
    with pytest.raises(PermissionDenied):
        services.decide_purchase_order(number=po.number, user=users["approver"], approve=True)
    po = services.decide_purchase_order(number=po.number, user=users["admin"], approve=True, comment="ok")
    assert po.status == "awaiting_approval"
    assert any(users["approver"].email in m.to for m in mail.outbox)
    po = services.decide_purchase_order(number=po.number, user=users["approver"], approve=True)
    assert po.status == "approved"
    assert any("is approved" in m.subject for m in mail.outbox if users["buyer"].email in m.to)
    with pytest.raises(Conflict):
        services.decide_purchase_order(number=po.number, user=users["approver"], approve=True)
    po = services.mark_ordered(number=po.number, order_number="ORD-000042")
    assert po.status == "ordered"


@pytest.mark.django_db
def test_a_rejection_needs_a_reason_and_ends_the_request(approval_setup):
    _, users, _ = approval_setup
    po = submit(users["buyer"])
    with pytest.raises(InvalidInput):
        services.decide_purchase_order(number=po.number, user=users["admin"], approve=False)
    po = services.decide_purchase_order(number=po.number, user=users["admin"], approve=False, comment="too much")
    assert po.status == "rejected"


@pytest.mark.django_db
def test_nobody_approves_their_own_purchase(approval_setup):
    _company, users, _ = approval_setup
    po = submit(users["admin"], "6000.00")  # the admin buys: level 2 only (no manager above the admin)
    assert po is not None
    with pytest.raises(PermissionDenied):
        services.decide_purchase_order(number=po.number, user=users["admin"], approve=True)


@pytest.mark.django_db
def test_category_sku_and_budget_rules(approval_setup):
    company, users, team = approval_setup
    services.create_rule(
        actor=users["admin"],
        company_id=company.pk,
        name="Drills",
        kind="category",
        match="tools",
        approver_kind="user",
        approver_member_id=CompanyMember.objects.get(user=users["approver"]).pk,
    )
    po = submit(users["buyer"], "10.00")
    assert [step.reason for step in po.approval.steps.all()] == ["Drills"]
    services.create_rule(
        actor=users["admin"],
        company_id=company.pk,
        name="Budget",
        kind="budget_exceeded",
        approver_kind="role",
        approver_role="approver",
        level=3,
    )
    company_services.create_budget(
        actor=users["admin"],
        company_code=company.code,
        name="Year",
        currency="EUR",
        amount=Decimal("100"),
        starts_on=date(2000, 1, 1),
        ends_on=date(2999, 1, 1),
        team_id=team.pk,
    )
    po = submit(users["buyer"], "150.00")
    assert "Budget" in [step.reason for step in po.approval.steps.all()]


@pytest.mark.django_db
def test_rules_are_validated_and_only_admins_make_them(approval_setup):
    company, users, _ = approval_setup
    with pytest.raises(InvalidInput) as refused:
        services.create_rule(
            actor=users["admin"], company_id=company.pk, name="x", kind="order_total", approver_kind="role"
        )
    assert {e["loc"][-1] for e in refused.value.errors} == {"threshold", "approver_role"}
    with pytest.raises(PermissionDenied):
        services.create_rule(
            actor=users["buyer"],
            company_id=company.pk,
            name="x",
            kind="line_count",
            threshold=Decimal(5),
            approver_kind="manager_chain",
        )


@pytest.mark.django_db
def test_the_api_lets_approvers_decide_and_buyers_follow(approval_setup, api_for):
    _, users, _ = approval_setup
    po = submit(users["buyer"], "6000.00")
    buyer, manager, approver = (api_for(users[k]) for k in ("buyer", "admin", "approver"))
    assert buyer.call("get", f"/purchase-orders/{po.number}").json()["can_decide"] is False
    assert_problem(buyer.call("post", f"/purchase-orders/{po.number}/approve", {}), 403)
    waiting = manager.call("get", "/purchase-orders?awaiting_me=true").json()
    assert [item["number"] for item in waiting["items"]] == [po.number]
    assert manager.call("post", f"/purchase-orders/{po.number}/approve", {"comment": "fine"}).status_code == 200
    body = approver.call("post", f"/purchase-orders/{po.number}/reject", {"comment": "over budget"}).json()
    assert body["status"] == "rejected" and body["steps"][-1]["comment"] == "over budget"
    assert_problem(api_for(users["viewer"]).call("get", f"/purchase-orders/{po.number}"), 404)
    rules = manager.call("get", "/approval-rules").json()
    assert rules["meta"]["total"] == 2
    assert PurchaseOrder.objects.get().status == "rejected"
