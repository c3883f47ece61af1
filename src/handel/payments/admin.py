from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import TabularInline

from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from handel.payments import services
from handel.payments.models import Payment, PaymentMethodConfig, PaymentTransaction


class TransactionInline(TabularInline):
    model = PaymentTransaction
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "amount", "success", "provider_reference", "error_code", "message", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "method",
        "status",
        "amount",
        "captured_amount",
        "refunded_amount",
        "currency",
        "created_at",
    )
    list_filter = ("status", "method")
    search_fields = ("reference", "provider_reference", "public_id")
    inlines = [TransactionInline]
    actions = ["capture", "void"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.has_perm("payments.change_payment")

    @admin.action(description="Capture the rest of the selected payments")
    def capture(self, request: HttpRequest, queryset: Any) -> None:
        for payment in queryset:
            services.capture_payment(public_id=str(payment.public_id), actor=request.user)

    @admin.action(description="Void the selected payments")
    def void(self, request: HttpRequest, queryset: Any) -> None:
        for payment in queryset:
            services.void_payment(public_id=str(payment.public_id), actor=request.user)


@admin.register(PaymentMethodConfig)
class PaymentMethodConfigAdmin(AuditedModelAdmin):
    list_display = ("code", "enabled", "channels", "sort_order", "min_amount", "max_amount")
    list_editable = ("enabled", "sort_order")
