from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import TabularInline

from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from handel.orders import services
from handel.orders.models import (
    CreditMemo,
    CustomerPayment,
    Invoice,
    InvoiceLine,
    Order,
    OrderEvent,
    OrderLine,
    ReturnLine,
    ReturnPolicy,
    ReturnRequest,
    Shipment,
    ShipmentLine,
)


class LineInline(TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ("position", "sku", "name", "quantity", "unit_price", "discount", "tax_rate", "total_net", "total_gross")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor_label", "kind", "from_status", "to_status", "message", "customer_visible")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Orders are records: staff change them through actions (and the API), which keep the timeline."""

    list_display = (
        "number",
        "placed_at",
        "email",
        "channel_code",
        "status",
        "grand_total",
        "currency",
        "payment_method",
    )
    list_filter = ("status", "channel_code", "payment_method")
    search_fields = ("number", "email", "purchase_order_number")
    date_hierarchy = "placed_at"
    inlines = [LineInline, EventInline]
    actions = ["hold", "release", "cancel"]

    @admin.action(description="Put on hold")
    def hold(self, request: HttpRequest, queryset: Any) -> None:
        for order in queryset:
            services.hold_order(number=order.number, actor=request.user, reason="held in the back office")

    @admin.action(description="Release the hold")
    def release(self, request: HttpRequest, queryset: Any) -> None:
        for order in queryset:
            services.release_order(number=order.number, actor=request.user)

    @admin.action(description="Cancel (releases stock, voids payment)")
    def cancel(self, request: HttpRequest, queryset: Any) -> None:
        for order in queryset:
            services.cancel_order(number=order.number, actor=request.user, reason="cancelled in the back office")


class InvoiceLineInline(TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ("position", "sku", "description", "quantity", "tax_rate", "total_net", "total_tax", "total_gross")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "issued_on", "due_on", "order", "total_gross", "amount_paid", "status", "reminders_sent")
    list_filter = ("status", "reverse_charge")
    search_fields = ("number", "order__number", "purchase_order_number")
    date_hierarchy = "issued_on"
    inlines = [InvoiceLineInline]


@admin.register(CreditMemo)
class CreditMemoAdmin(ReadOnlyAdmin):
    list_display = ("number", "issued_on", "invoice", "total_gross", "refund_to", "reason")
    search_fields = ("number", "invoice__number")


@admin.register(CustomerPayment)
class CustomerPaymentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "received_on", "amount", "currency", "company", "customer")
    search_fields = ("reference",)


class ShipmentLineInline(TabularInline):
    model = ShipmentLine
    extra = 0
    can_delete = False
    readonly_fields = ("position", "sku", "quantity")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ("number", "order", "source_code", "carrier", "tracking_number", "status", "shipped_at")
    list_filter = ("status", "carrier", "source_code")
    search_fields = ("number", "order__number", "tracking_number")
    inlines = [ShipmentLineInline]


class ReturnLineInline(TabularInline):
    model = ReturnLine
    extra = 0
    can_delete = False
    readonly_fields = (
        "position",
        "sku",
        "quantity",
        "reason",
        "condition",
        "received_quantity",
        "outcome",
        "restock_source",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "order", "status", "resolution", "auto_approved", "created_at")
    list_filter = ("status", "resolution", "auto_approved")
    search_fields = ("number", "order__number")
    inlines = [ReturnLineInline]
    actions = ["approve", "reject"]

    @admin.action(description="Approve the selected returns")
    def approve(self, request: HttpRequest, queryset: Any) -> None:
        for item in queryset.filter(status=ReturnRequest.Status.REQUESTED):
            services.decide_return(number=item.number, approve=True, actor=request.user)

    @admin.action(description="Reject the selected returns")
    def reject(self, request: HttpRequest, queryset: Any) -> None:
        for item in queryset.filter(status=ReturnRequest.Status.REQUESTED):
            services.decide_return(number=item.number, approve=False, actor=request.user)


@admin.register(ReturnPolicy)
class ReturnPolicyAdmin(AuditedModelAdmin):
    list_display = ("channel_code", "window_days", "auto_approve_max_amount", "auto_approve_reasons")
