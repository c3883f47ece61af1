from __future__ import annotations

from django.contrib import admin

from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from handel.procurement.models import ApprovalRequest, ApprovalRule, PurchaseOrder


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
