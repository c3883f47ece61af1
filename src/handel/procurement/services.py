"""Write use cases of procurement: approval rules, purchase orders and their decisions.

Checkout asks `submit_purchase` whether a company cart needs approval; when it does, the cart
waits here as a purchase order. When every step is approved, `purchase_order.approved` tells
checkout to place the order (re-priced if prices changed).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from handel.companies import permissions as company_permissions
from handel.companies.models import Budget, CompanyMember, Team
from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, field_error
from handel.core.events import emit
from handel.core.numbering import next_number
from handel.procurement import approvals
from handel.procurement.models import ApprovalRequest, ApprovalRule, PurchaseOrder
from handel.procurement.rules import PurchaseFacts, rule_matches

PO_SERIES = ("purchase_order", "PO-")
SUBJECT = "purchase_order"


def _admin_member(actor: Any, company_id: int) -> CompanyMember:
    member = (
        CompanyMember.objects.select_related("role")
        .filter(user_id=getattr(actor, "pk", None), company_id=company_id, status=CompanyMember.Status.ACTIVE)
        .first()
    )
    if member is None or company_permissions.MANAGE_USERS not in member.role.permissions:
        raise PermissionDenied("only company admins manage approval rules")
    return member


def create_rule(
    *,
    actor: Any,
    company_id: int,
    name: str,
    kind: str,
    approver_kind: str,
    threshold: Decimal | None = None,
    match: str = "",
    applies_to_roles: list[str] | None = None,
    applies_to_team_id: int | None = None,
    approver_role: str = "",
    approver_member_id: int | None = None,
    level: int = 1,
) -> ApprovalRule:
    errors = []
    if kind not in ApprovalRule.Kind.values:
        errors.append(field_error(["body", "kind"], f"one of {', '.join(ApprovalRule.Kind.values)}"))
    if kind in ("order_total", "shipping_cost", "line_count") and (threshold is None or threshold < 0):
        errors.append(field_error(["body", "threshold"], "a threshold of 0 or more is required"))
    if kind in ("sku", "category") and not match.strip():
        errors.append(field_error(["body", "match"], "required for this kind"))
    if approver_kind not in ApprovalRule.ApproverKind.values:
        errors.append(field_error(["body", "approver_kind"], "role, user or manager_chain"))
    if approver_kind == "role" and not approver_role:
        errors.append(field_error(["body", "approver_role"], "required"))
    if approver_kind == "user" and approver_member_id is None:
        errors.append(field_error(["body", "approver_member_id"], "required"))
    if not 1 <= level <= 9:
        errors.append(field_error(["body", "level"], "1 to 9"))
    if errors:
        raise InvalidInput("the approval rule is not valid", errors=errors)
    with transaction.atomic(durable=True):
        if not getattr(actor, "is_staff", False):
            _admin_member(actor, company_id)
        if (
            approver_member_id is not None
            and not CompanyMember.objects.filter(pk=approver_member_id, company_id=company_id).exists()
        ):
            raise InvalidInput(
                "the approver must be a user of this company",
                errors=[field_error(["body", "approver_member_id"], "unknown company user")],
            )
        if (
            applies_to_team_id is not None
            and not Team.objects.filter(pk=applies_to_team_id, company_id=company_id).exists()
        ):
            raise InvalidInput("no such team", errors=[field_error(["body", "applies_to_team_id"], "unknown team")])
        rule = ApprovalRule.objects.create(
            company_id=company_id,
            name=name.strip(),
            kind=kind,
            threshold=threshold,
            match=match.strip(),
            applies_to_roles=applies_to_roles or [],
            applies_to_team_id=applies_to_team_id,
            approver_kind=approver_kind,
            approver_role=approver_role,
            approver_member_id=approver_member_id,
            level=level,
        )
        audit.record(actor=actor, action="approval_rule.created", obj=rule)
    return rule


def _team_chain(team: Team | None) -> list[Team]:
    chain = []
    while team is not None and team not in chain:
        chain.append(team)
        team = team.parent
    return chain


def _approvers(rule: ApprovalRule, buyer: CompanyMember) -> tuple[int, ...]:
    active = CompanyMember.objects.filter(company_id=buyer.company_id, status=CompanyMember.Status.ACTIVE)
    if rule.approver_kind == ApprovalRule.ApproverKind.USER:
        return tuple(active.filter(pk=rule.approver_member_id).values_list("user_id", flat=True))
    if rule.approver_kind == ApprovalRule.ApproverKind.ROLE:
        return tuple(
            member.user_id
            for member in active.select_related("role")
            if member.role.code == rule.approver_role
            and company_permissions.APPROVE_PURCHASE_ORDERS in member.role.permissions
        )
    for team in _team_chain(buyer.team):
        manager = team.manager
        if manager is not None and manager.pk != buyer.pk and manager.status == CompanyMember.Status.ACTIVE:
            return (manager.user_id,)
    # Nobody manages the buyer (a company admin, say): anyone else who may approve purchases decides.
    return tuple(
        member.user_id
        for member in active.select_related("role")
        if member.pk != buyer.pk and company_permissions.APPROVE_PURCHASE_ORDERS in member.role.permissions
    )


def budget_remaining(buyer: CompanyMember, currency: str) -> Decimal | None:
    today = timezone.localdate()
    teams = [team.pk for team in _team_chain(buyer.team)]
    budget = (
        Budget.objects.filter(
            company_id=buyer.company_id, team_id__in=teams, currency=currency, starts_on__lte=today, ends_on__gte=today
        )
        .order_by("amount")
        .first()
    )
    return budget.remaining if budget else None


def steps_for(buyer: CompanyMember, facts: PurchaseFacts) -> list[approvals.StepSpec]:
    ancestors = frozenset(team.pk for team in _team_chain(buyer.team))
    rules = ApprovalRule.objects.filter(company_id=buyer.company_id, is_active=True)
    return [
        approvals.StepSpec(rule.level, rule.name, _approvers(rule, buyer))
        for rule in rules
        if rule_matches(rule, facts, ancestors)
    ]


def submit_purchase(
    *,
    buyer: Any,
    channel_code: str,
    currency: str,
    total: Decimal,
    shipping_cost: Decimal,
    cart: dict[str, Any],
    facts: PurchaseFacts,
    purchase_order_number: str = "",
) -> PurchaseOrder | None:
    """None when no rule asks for approval (checkout places the order at once); otherwise the
    purchase order that waits for its approvers. Joins the caller's transaction (checkout locks
    the cart and marks it submitted in the same one)."""
    member = (
        CompanyMember.objects.select_related("role", "team")
        .filter(user_id=buyer.pk, status=CompanyMember.Status.ACTIVE)
        .first()
    )
    if member is None:
        return None
    facts = PurchaseFacts(
        **{
            **facts.__dict__,
            "buyer_role": member.role.code,
            "buyer_team_id": member.team_id,
            "budget_remaining": budget_remaining(member, currency),
        }
    )
    steps = steps_for(member, facts)
    if not steps:
        return None
    with transaction.atomic():
        po = PurchaseOrder.objects.create(
            number=next_number(PO_SERIES[0], prefix=PO_SERIES[1]),
            company_id=member.company_id,
            buyer=buyer,
            channel_code=channel_code,
            currency=currency,
            total=total,
            shipping_cost=shipping_cost,
            purchase_order_number=purchase_order_number,
            cart=cart,
        )
        po.approval = approvals.open_request(
            subject_type=SUBJECT, subject_id=po.number, requested_by=buyer, steps=steps
        )
        po.save(update_fields=["approval"])
        audit.record(actor=buyer, action="purchase_order.submitted", obj=po, data={"steps": len(steps)})
        emit("purchase_order.submitted", {"number": po.number})
    return po


def decide_purchase_order(*, number: str, user: Any, approve: bool, comment: str = "") -> PurchaseOrder:
    with transaction.atomic(durable=True):
        po = PurchaseOrder.objects.select_for_update().filter(number=number).first()
        if po is None or po.approval_id is None:
            raise NotFound(f"no purchase order {number}")
        if po.status != PurchaseOrder.Status.AWAITING_APPROVAL:
            raise Conflict(f"this purchase order is {po.get_status_display().lower()}", slug="approval-decided")
        request = approvals.decide(request_id=po.approval_id, user=user, approve=approve, comment=comment)
        if request.status == ApprovalRequest.Status.APPROVED:
            po.status = PurchaseOrder.Status.APPROVED
        elif request.status == ApprovalRequest.Status.REJECTED:
            po.status = PurchaseOrder.Status.REJECTED
        po.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=user,
            action="purchase_order.approved" if approve else "purchase_order.rejected",
            obj=po,
            data={"comment": comment, "final": po.status != PurchaseOrder.Status.AWAITING_APPROVAL},
        )
        if po.status == PurchaseOrder.Status.APPROVED:
            emit("purchase_order.approved", {"number": po.number})
        elif po.status == PurchaseOrder.Status.REJECTED:
            emit("purchase_order.rejected", {"number": po.number, "comment": comment})
        else:
            emit("purchase_order.step_approved", {"number": po.number})
    return po


def mark_ordered(*, number: str, order_number: str) -> PurchaseOrder:
    """Checkout placed the order of an approved purchase order."""
    with transaction.atomic(durable=True):
        po = PurchaseOrder.objects.select_for_update().filter(number=number).first()
        if po is None:
            raise NotFound(f"no purchase order {number}")
        if po.status != PurchaseOrder.Status.APPROVED:
            raise Conflict("only approved purchase orders become orders", slug="not-approved")
        po.status, po.order_number = PurchaseOrder.Status.ORDERED, order_number
        po.save(update_fields=["status", "order_number", "updated_at"])
        audit.record(actor=None, action="purchase_order.ordered", obj=po, data={"order": order_number})
    return po


def cancel_purchase_order(*, number: str, user: Any) -> PurchaseOrder:
    with transaction.atomic(durable=True):
        po = PurchaseOrder.objects.select_for_update().filter(number=number, buyer_id=user.pk).first()
        if po is None:
            raise NotFound(f"no purchase order {number}")
        if po.status != PurchaseOrder.Status.AWAITING_APPROVAL:
            raise Conflict("only purchase orders awaiting approval can be withdrawn")
        po.status = PurchaseOrder.Status.CANCELLED
        po.save(update_fields=["status", "updated_at"])
        if po.approval_id:
            approvals.cancel(request_id=po.approval_id, user=user)
        audit.record(actor=user, action="purchase_order.cancelled", obj=po)
    return po
