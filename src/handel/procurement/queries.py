"""Read side of procurement: which purchase orders a company user sees or may decide."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from handel.companies import permissions as company_permissions
from handel.companies.queries import viewer_for
from handel.procurement import approvals
from handel.procurement.models import PurchaseOrder


def purchase_orders_visible_to(user: Any) -> QuerySet[PurchaseOrder]:
    """Buyers see their own; approvers and those who see all company orders see the company's."""
    viewer = viewer_for(user)
    if viewer is None:
        return PurchaseOrder.objects.none()
    mine = Q(buyer_id=user.pk, company_id=viewer.company_id)
    if viewer.can(company_permissions.APPROVE_PURCHASE_ORDERS) or viewer.can(
        company_permissions.SEE_ALL_COMPANY_ORDERS
    ):
        return PurchaseOrder.objects.filter(mine | Q(company_id=viewer.company_id))
    return PurchaseOrder.objects.filter(mine)


def awaiting_decision_by(user: Any) -> list[PurchaseOrder]:
    pending = (
        purchase_orders_visible_to(user)
        .filter(status=PurchaseOrder.Status.AWAITING_APPROVAL)
        .select_related("approval")
        .prefetch_related("approval__steps")
    )
    return [po for po in pending if po.approval is not None and approvals.can_decide(po.approval, user)]
