from __future__ import annotations

from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from handel.checkout.models import Cart, CartLine, SlotBooking


class CartLineInline(TabularInline):
    model = CartLine
    extra = 0
    fields = ("sku", "quantity", "options", "note", "saved_for_later", "ship_to")
    readonly_fields = fields
    can_delete = False


@admin.register(Cart)
class CartAdmin(ModelAdmin):
    """Carts are read-only here: buyers change them through the storefront and the API."""

    list_display = ("public_id", "channel_code", "customer", "status", "shown_total", "order_number", "updated_at")
    list_filter = ("status", "channel_code")
    search_fields = ("public_id", "customer__email", "email", "order_number", "approval_number")
    readonly_fields = [field.name for field in Cart._meta.fields]
    inlines = [CartLineInline]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(SlotBooking)
class SlotBookingAdmin(ModelAdmin):
    list_display = ("day", "slot", "order_number", "created_at")
    list_filter = ("slot",)
    date_hierarchy = "day"
    readonly_fields = ("day", "slot", "order_number", "created_at")
