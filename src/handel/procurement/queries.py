"""Read side of procurement: which purchase orders a company user sees or may decide, and the
company's requisition lists with what each line's product is to the user now."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from handel.catalog.browsing import viewer_for as catalog_viewer_for
from handel.catalog.queries import product_facts
from handel.companies import permissions as company_permissions
from handel.companies.queries import CompanyViewer, viewer_for
from handel.procurement import approvals
from handel.procurement.models import ApprovalRule, PurchaseOrder, RequisitionList, RequisitionListLine

# Who may change requisition lists: the permission that lets a company user buy.
MANAGE_REQUISITION_LISTS = company_permissions.PLACE_ORDERS
CSV_HEADER = ("sku", "quantity", "note")


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


def can_manage_requisition_lists(viewer: CompanyViewer | None) -> bool:
    return viewer is not None and viewer.can(MANAGE_REQUISITION_LISTS)


def requisition_lists_visible_to(user: Any) -> QuerySet[RequisitionList]:
    """Every active user of a company sees the company's lists (with their line count)."""
    viewer = viewer_for(user)
    if viewer is None:
        return RequisitionList.objects.none()
    return (
        RequisitionList.objects.filter(company_id=viewer.company_id)
        .select_related("owner")
        .annotate(line_count=Count("lines"))
    )


def requisition_list_for(user: Any, list_id: int) -> RequisitionList | None:
    return requisition_lists_visible_to(user).filter(pk=list_id).first()


def latest_requisition_list_of(user: Any, channel_code: str) -> RequisitionList | None:
    """The user's own list in this channel they changed last."""
    return (
        requisition_lists_visible_to(user)
        .filter(channel_code=channel_code, owner_id=user.pk)
        .order_by("-updated_at", "-id")
        .first()
    )


def lines_of(requisition_list: RequisitionList) -> list[RequisitionListLine]:
    return list(RequisitionListLine.objects.filter(requisition_list=requisition_list))


def skus_visible_to(user: Any, channel_code: str, skus: Iterable[str]) -> set[str]:
    """Which SKUs exist for the user in the channel (the company's shared catalog decides)."""
    return catalog_viewer_for(channel_code, user).visible_skus(skus)


@dataclass(frozen=True)
class RequisitionLineView:
    id: int
    sku: str
    name: str  # empty when the product is not available to the user
    quantity: int
    note: str
    position: int
    available: bool


def requisition_lines(user: Any, requisition_list: RequisitionList) -> list[RequisitionLineView]:
    """The list's lines; a line whose product the user can no longer see is marked unavailable
    and shows nothing of the product but the SKU. Three queries, whatever the list's size."""
    lines = lines_of(requisition_list)
    skus = [line.sku for line in lines]
    visible = skus_visible_to(user, requisition_list.channel_code, skus)
    facts = product_facts(sorted(visible))
    return [
        RequisitionLineView(
            id=line.pk,
            sku=line.sku,
            name=facts[line.sku].name if line.sku in facts else "",
            quantity=line.quantity,
            note=line.note,
            position=line.position,
            available=line.sku in facts,
        )
        for line in lines
    ]


def _cell(value: str) -> str:
    # A cell that starts like a formula is shown as text by spreadsheets (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def requisition_list_csv(requisition_list: RequisitionList) -> str:
    """sku,quantity,note: the format `import_csv` reads back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in lines_of(requisition_list):
        writer.writerow([_cell(line.sku), line.quantity, _cell(line.note)])
    return out.getvalue()


RULE_KINDS = ApprovalRule.Kind.choices
APPROVER_KINDS = ApprovalRule.ApproverKind.choices


def approval_rules_of(company_id: int) -> QuerySet[ApprovalRule]:
    return (
        ApprovalRule.objects.filter(company_id=company_id, is_active=True)
        .select_related("applies_to_team", "approver_member__user")
        .order_by("level", "name")
    )
