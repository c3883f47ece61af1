"""Approval rules (company admins) and purchase orders (buyers, approvers)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from handel.companies.queries import viewer_for
from handel.core.api import AUTH, require_scope, require_user
from handel.core.errors import NotFound
from handel.core.pagination import paginate
from handel.procurement import approvals, queries, services
from handel.procurement.models import ApprovalRule, PurchaseOrder

router = Router(tags=["procurement"])


class ApprovalRuleIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    kind: str
    threshold: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    match: str = Field("", max_length=200)
    applies_to_roles: list[str] = Field(default_factory=list)
    applies_to_team_id: int | None = None
    approver_kind: str
    approver_role: str = Field("", max_length=50)
    approver_member_id: int | None = None
    level: int = 1


class ApprovalRuleOut(Schema):
    id: int
    name: str
    kind: str
    threshold: Decimal | None
    match: str
    applies_to_roles: list[str]
    applies_to_team_id: int | None
    approver_kind: str
    approver_role: str
    approver_member_id: int | None
    level: int
    is_active: bool


class ApprovalRulePage(Schema):
    items: list[ApprovalRuleOut]
    meta: dict[str, int]


class StepOut(Schema):
    level: int
    reason: str
    status: str
    comment: str
    decided_at: datetime | None


class PurchaseOrderOut(Schema):
    number: str
    status: str
    buyer: str
    currency: str
    total: Decimal
    shipping_cost: Decimal
    purchase_order_number: str
    order_number: str
    created_at: datetime
    can_decide: bool
    steps: list[StepOut]
    cart: dict[str, Any]


class PurchaseOrderPage(Schema):
    items: list[PurchaseOrderOut]
    meta: dict[str, int]


class DecisionIn(Schema):
    comment: str = Field("", max_length=2000)


def _member(request: HttpRequest) -> Any:
    user = require_user(request)
    require_scope(request, "account")
    viewer = viewer_for(user)
    if viewer is None:
        raise NotFound("you do not act for a company")
    return user, viewer


def _po_out(po: PurchaseOrder, user: Any) -> dict[str, Any]:
    steps = list(po.approval.steps.all()) if po.approval else []
    return {
        "number": po.number,
        "status": po.status,
        "buyer": po.buyer.email,
        "currency": po.currency,
        "total": po.total,
        "shipping_cost": po.shipping_cost,
        "purchase_order_number": po.purchase_order_number,
        "order_number": po.order_number,
        "created_at": po.created_at,
        "steps": steps,
        "cart": po.cart,
        "can_decide": bool(po.approval and approvals.can_decide(po.approval, user)),
    }


@router.get("/approval-rules", response=ApprovalRulePage, operation_id="list_approval_rules", auth=AUTH)
def list_approval_rules(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    _, viewer = _member(request)
    return paginate(
        ApprovalRule.objects.filter(company_id=viewer.company_id),
        page=page,
        page_size=page_size,
        order_by=["level", "id"],
    ).as_dict()


@router.post("/approval-rules", response={201: ApprovalRuleOut}, operation_id="create_approval_rule", auth=AUTH)
def create_approval_rule(request: HttpRequest, payload: ApprovalRuleIn) -> Status[ApprovalRule]:
    user, viewer = _member(request)
    return Status(201, services.create_rule(actor=user, company_id=viewer.company_id, **payload.dict()))


@router.get("/purchase-orders", response=PurchaseOrderPage, operation_id="list_purchase_orders", auth=AUTH)
def list_purchase_orders(
    request: HttpRequest, status: str = "", awaiting_me: bool = False, page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    user, _ = _member(request)
    if awaiting_me:
        pending = queries.awaiting_decision_by(user)
        start = (page - 1) * page_size
        return {
            "items": [_po_out(po, user) for po in pending[start : start + page_size]],
            "meta": {
                "page": page,
                "page_size": page_size,
                "total": len(pending),
                "pages": max(1, -(-len(pending) // page_size)),
            },
        }
    orders = (
        queries.purchase_orders_visible_to(user).select_related("buyer", "approval").prefetch_related("approval__steps")
    )
    if status:
        orders = orders.filter(status=status)
    return paginate(orders, page=page, page_size=page_size, order_by=["-created_at"]).as_dict(
        lambda po: _po_out(po, user)
    )


@router.get("/purchase-orders/{number}", response=PurchaseOrderOut, operation_id="get_purchase_order", auth=AUTH)
def get_purchase_order(request: HttpRequest, number: str) -> dict[str, Any]:
    user, _ = _member(request)
    po = queries.purchase_orders_visible_to(user).select_related("buyer", "approval").filter(number=number).first()
    if po is None:
        raise NotFound(f"no purchase order {number}")
    return _po_out(po, user)


@router.post(
    "/purchase-orders/{number}/approve", response=PurchaseOrderOut, operation_id="approve_purchase_order", auth=AUTH
)
def approve_purchase_order(request: HttpRequest, number: str, payload: DecisionIn) -> dict[str, Any]:
    user, _ = _member(request)
    if not queries.purchase_orders_visible_to(user).filter(number=number).exists():
        raise NotFound(f"no purchase order {number}")
    return _po_out(
        services.decide_purchase_order(number=number, user=user, approve=True, comment=payload.comment), user
    )


@router.post(
    "/purchase-orders/{number}/reject", response=PurchaseOrderOut, operation_id="reject_purchase_order", auth=AUTH
)
def reject_purchase_order(request: HttpRequest, number: str, payload: DecisionIn) -> dict[str, Any]:
    user, _ = _member(request)
    if not queries.purchase_orders_visible_to(user).filter(number=number).exists():
        raise NotFound(f"no purchase order {number}")
    return _po_out(
        services.decide_purchase_order(number=number, user=user, approve=False, comment=payload.comment), user
    )
