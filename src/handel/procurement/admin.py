from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from handel.procurement.models import ApprovalRequest, ApprovalRule, PurchaseOrder, RequisitionList, RequisitionListLine


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(AuditedModelAdmin):
    list_display = ("name", "company", "kind", "threshold", "match", "approver_kind", "level", "is_active")
    list_filter = ("kind", "approver_kind", "is_active")
    search_fields = ("name", "company__legal_name")


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "company", "buyer", "status", "total", "currency", "order_number", "created_at")
    list_filter = ("status",)
    search_fields = ("number", "company__legal_name", "buyer__email")


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ("subject_type", "subject_id", "status", "requested_by", "created_at", "decided_at")
    list_filter = ("status", "subject_type")


class RequisitionListLineInline(admin.TabularInline):
    model = RequisitionListLine
    extra = 0
    can_delete = False
    readonly_fields = ("sku", "quantity", "note", "position")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RequisitionList)
class RequisitionListAdmin(ReadOnlyAdmin):
    """Company users keep their lists in the storefront; staff look, for support."""

    list_display = ("name", "company", "owner", "channel_code", "updated_at")
    search_fields = ("name", "company__legal_name", "owner__email")
    inlines = [RequisitionListLineInline]
